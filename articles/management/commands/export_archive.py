"""Write the whole archive to one portable file: the backup that import_archive restores.

Sources, places, parties, articles and mentions go to gzipped JSON lines with a versioned
header (see articles/archive.py); the file appears only once it is complete.
"""

import time

from django.core.management.base import BaseCommand

from articles.archive import export_archive


class Command(BaseCommand):
    help = "Export every source, place, party, article and mention to PATH (.jsonl.gz)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File to write, e.g. backup-2026-11-25.jsonl.gz")

    def handle(self, *args, path, **options):
        started = time.monotonic()
        counts = export_archive(path)
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        elapsed = time.monotonic() - started
        self.stdout.write(f"Exported {summary} to {path} in {elapsed:.1f} s.")
