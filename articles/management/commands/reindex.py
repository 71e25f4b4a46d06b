"""Rebuild the full-text index of every article, e.g. after a change to the Arabic analyser.

Saving an article keeps its own entry current; this is for when the analyser itself changed,
or the index was lost. It runs in one transaction, so searches see the old index until the
new one is complete.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from articles.models import Article
from articles.search import index_articles, rebuild_index


class Command(BaseCommand):
    help = "Rebuild the search index of all articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Articles written to the index per statement (default 500).",
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, not {batch_size}.")
        started = time.monotonic()
        articles = Article.objects.only("pk", "title", "body").order_by("pk")
        total = articles.count()
        show_progress = self.stdout.isatty() and options["verbosity"] > 0
        with transaction.atomic():
            rebuild_index([])
            done = 0
            with tqdm(total=total, unit="article", disable=not show_progress) as bar:
                batch = []
                for article in articles.iterator(chunk_size=batch_size):
                    batch.append(article)
                    if len(batch) == batch_size:
                        done += index_articles(batch, batch_size=batch_size)
                        bar.update(len(batch))
                        batch = []
                if batch:
                    done += index_articles(batch, batch_size=batch_size)
                    bar.update(len(batch))
        elapsed = time.monotonic() - started
        self.stdout.write(f"Reindexed {done} articles in {elapsed:.1f} s.")
