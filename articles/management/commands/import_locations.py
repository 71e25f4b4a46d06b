"""Import places into the gazetteer: OpenSyria, GeoNames, or an editors' CSV.

Safe to run again: a place is matched by OCHA p-code, then GeoNames id, then import key and
updated in place, never duplicated; aliases typed by editors are kept.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.placedata import PlaceDataError, read_paths, save_places, write_seed


class Command(BaseCommand):
    help = (
        "Import places from OpenSyria JSON (a folder or governorates/districts/subdistricts.json), "
        "the GeoNames sy_cities500.tsv, or a CSV of editors' additions (see README)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument(
            "--write-seed",
            metavar="JSON",
            dest="seed_file",
            help="also write the records read to this seed file (seeds/gazetteer.json)",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, save nothing")

    def handle(self, *args, paths, seed_file: str | None, dry_run: bool, **options):
        try:
            records, errors = read_paths(paths)
        except PlaceDataError as error:
            raise CommandError(str(error)) from error
        if seed_file:
            write_seed(records, Path(seed_file))
            self.stdout.write(f"wrote {len(records)} places to {seed_file}")
        with transaction.atomic():
            counts, save_errors = save_places(records)
            if dry_run:
                transaction.set_rollback(True)
        errors += save_errors
        for error in errors:
            self.stderr.write(f"skipped {error}")
        self.stdout.write(
            f"{'would import' if dry_run else 'imported'} {len(records)} places: "
            f"{counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {len(errors)} skipped"
        )
        if errors:
            raise CommandError(f"{len(errors)} rows could not be imported (see above)")
