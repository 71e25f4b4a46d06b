"""Tag every article again with the current gazetteer.

Run it after importing places or editing names: mentions the text supports are created or
updated, machine mentions it no longer supports are removed, and editors' confirmed and
rejected decisions are kept as they are.
"""

import sys
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from articles.models import Article, LocationMention, MentionStatus, PartyMention
from articles.tagging import tag_article


class Command(BaseCommand):
    help = "Re-tag all articles with places and parties (keeps editors' decisions)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="articles read from the database at once"
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        articles = Article.objects.only("pk", "title", "body").order_by("pk")
        total = articles.count()
        progress = tqdm(
            total=total, unit="article", disable=not sys.stderr.isatty(), file=sys.stderr
        )
        done = 0
        last = 0
        while True:
            batch = list(articles.filter(pk__gt=last)[:batch_size])
            if not batch:
                break
            for article in batch:
                tag_article(article)
            last = batch[-1].pk
            done += len(batch)
            progress.update(len(batch))
        progress.close()
        places = Counter(LocationMention.objects.values_list("status", flat=True))
        parties = Counter(PartyMention.objects.values_list("status", flat=True))
        self.stdout.write(
            f"retagged {done} articles: place mentions "
            + ", ".join(f"{places[s]} {s}" for s in MentionStatus.values)
            + "; party mentions "
            + ", ".join(f"{parties[s]} {s}" for s in MentionStatus.values)
        )
