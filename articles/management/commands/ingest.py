"""Bring text files into the archive: the command-line face of articles/ingest/.

Reads .txt files, folders (recursively), .zip archives of text files and .jsonl files; prints
one line per article and a summary. Articles are saved in batches, each in its own
transaction, so a run that was interrupted can simply be run again: what it already saved is
reported as a duplicate. Exits with status 1 when anything failed.
"""

import sys
from contextlib import nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from articles.ingest import IngestResult, count_files, find_source, ingest_paths
from articles.models import Source

PROGRESS_FROM_FILES = 20  # fewer files than this finish before a bar would help


class Command(BaseCommand):
    help = "Import articles from .txt files, folders, .zip archives and .jsonl files."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="Source of the articles that do not name one (a name or alias of a source).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would happen and save nothing.",
        )

    def handle(self, *args, paths, source=None, dry_run=False, **options):
        source_obj = self._source(source) if source else None
        counts = {IngestResult.CREATED: 0, IngestResult.DUPLICATE: 0, IngestResult.FAILED: 0}
        show_progress = sys.stderr.isatty() and count_files(paths) >= PROGRESS_FROM_FILES
        # Each batch commits on its own; a dry run wraps them all in one transaction that is
        # rolled back, so duplicates within the run are still found.
        with transaction.atomic() if dry_run else nullcontext():
            results = ingest_paths(paths, source=source_obj)
            with tqdm(results, unit=" articles", file=sys.stderr, disable=not show_progress) as bar:
                for result in bar:
                    counts[result.status] += 1
                    with tqdm.external_write_mode(file=sys.stderr):
                        self._report(result)
            if dry_run:
                transaction.set_rollback(True)
        summary = (
            f"{counts['created']} created, {counts['duplicate']} duplicate, "
            f"{counts['failed']} failed" + (" (dry run: nothing saved)" if dry_run else "")
        )
        if counts[IngestResult.FAILED]:
            self.stdout.write(summary)
            raise CommandError(f"{counts['failed']} failed", returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))

    def _report(self, result: IngestResult) -> None:
        if result.status == IngestResult.CREATED:
            self.stdout.write(f"created #{result.article.pk} {result.origin}")
        elif result.status == IngestResult.DUPLICATE:
            self.stdout.write(f"duplicate of #{result.duplicate_of.pk} {result.origin}")
        else:
            self.stdout.write(self.style.ERROR(f"failed {result.origin}: {result.reason}"))
        for note in result.notes:
            self.stdout.write(f"    note: {note}")

    def _source(self, name: str) -> Source:
        found = find_source(name)
        if found is None:
            known = ", ".join(str(source) for source in Source.objects.all()[:20]) or "none yet"
            raise CommandError(f"No source called {name!r} (known: {known}). Add it in the admin.")
        return found
