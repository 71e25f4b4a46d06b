"""Restore a file written by export_archive into an empty database, all or nothing.

Refuses a database that already holds data and a file of an unknown format version; rebuilds
the search index and the places' tree paths afterwards.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.archive import ArchiveError, import_archive


class Command(BaseCommand):
    help = "Restore an archive written by export_archive into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Archive file (.jsonl.gz) written by export_archive")

    def handle(self, *args, path, **options):
        started = time.monotonic()
        try:
            counts = import_archive(path)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        elapsed = time.monotonic() - started
        self.stdout.write(f"Imported {summary} from {path} in {elapsed:.1f} s.")
