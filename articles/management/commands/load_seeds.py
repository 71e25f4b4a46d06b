"""Load the starting data from seeds/: sources, parties, the whole-country gazetteer, articles.

Safe to run on every start (``make run`` does): rows are matched on their import key (places
also on p-code and GeoNames id) and updated, never duplicated; aliases editors added are kept,
and rows editors created themselves are never touched.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from articles.models import Party, Source, split_aliases
from articles.placedata import PlaceDataError, read_csv, read_seed, save_places

SEEDS = Path(settings.BASE_DIR) / "seeds"


def merge_aliases(current: str, new: list[str]) -> str:
    return "\n".join(dict.fromkeys([*split_aliases(current), *new]))


def upsert(model, item: dict) -> bool:
    """Create or update one seeded row by key; True when something changed."""
    item = dict(item)
    aliases = item.pop("aliases", [])
    row = model.objects.filter(key=item["key"]).first() or model(key=item["key"])
    changed = row.pk is None
    for name, value in item.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    merged = merge_aliases(row.aliases, aliases)
    if merged != row.aliases:
        row.aliases, changed = merged, True
    if changed:
        row.save()
    return changed


class Command(BaseCommand):
    help = "Load sources, parties and places from seeds/ (idempotent), then the seed articles."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", default=str(SEEDS), help="the seeds folder")
        parser.add_argument(
            "--no-articles", action="store_true", help="load the gazetteer only, not the articles"
        )

    def handle(self, *args, seeds: str, no_articles: bool, **options):
        folder = Path(seeds)
        try:
            with transaction.atomic():
                summary = self.load_gazetteer(folder)
        except (OSError, ValueError, PlaceDataError) as error:
            raise CommandError(f"seeds not loaded: {error}") from error
        self.stdout.write(summary)
        if not no_articles:
            self.load_articles(folder / "articles")

    def load_gazetteer(self, folder: Path) -> str:
        sources = json.loads((folder / "sources.json").read_text("utf-8"))
        changed_sources = sum(upsert(Source, item) for item in sources)

        parties = json.loads((folder / "parties.json").read_text("utf-8"))
        changed_parties = sum(
            upsert(Party, {k: v for k, v in item.items() if k != "parent"}) for item in parties
        )
        for item in parties:
            if item.get("parent"):
                party = Party.objects.get(key=item["key"])
                parent = Party.objects.get(key=item["parent"])
                if party.parent_id != parent.pk:
                    party.parent = parent
                    party.save(update_fields=["parent"])

        places = read_seed(folder / "gazetteer.json")
        curated, errors = read_csv(folder / "places.csv")
        counts, save_errors = save_places(places + curated)
        errors += save_errors
        if errors:
            raise PlaceDataError("; ".join(errors))
        return (
            f"seeds: {len(sources)} sources ({changed_sources} changed), "
            f"{len(parties)} parties ({changed_parties} changed), "
            f"{len(places) + len(curated)} places ({counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged)"
        )

    def load_articles(self, folder: Path) -> None:
        try:
            from articles.ingest import ingest_paths
        except ImportError:
            self.stdout.write("seed articles: the ingestion module is not installed yet; skipped")
            return
        created = duplicates = failed = 0
        for result in ingest_paths([folder]):
            if result.status == "created":
                created += 1
            elif result.status == "duplicate":
                duplicates += 1
            else:
                failed += 1
                self.stderr.write(f"failed {result.origin}: {result.reason}")
        self.stdout.write(
            f"seed articles: {created} created, {duplicates} already there, {failed} failed"
        )
        if failed:
            raise CommandError(f"{failed} seed articles could not be ingested")
