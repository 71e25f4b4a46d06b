"""``save_places``, the one writer: records into Location rows, re-runnable."""

from collections import Counter
from dataclasses import asdict

from django.db import transaction

from ..arabic import normalize
from ..models import Location, build_path, split_aliases
from .records import PlaceDataError, PlaceRecord


class _Index:
    """Places already saved, looked up by p-code, GeoNames id and key without a query each."""

    def __init__(self):
        self.by = {"ocha_pcode": {}, "geonames_id": {}, "key": {}, "pk": {}}
        for place in Location.objects.all():
            self.add(place)

    def add(self, place: Location) -> None:
        for field_name, table in self.by.items():
            value = getattr(place, field_name)
            if value:
                table[value] = place

    def find(self, record: PlaceRecord) -> Location | None:
        """The existing place a record describes: by p-code, then GeoNames id, then key."""
        lookups = [
            ("ocha_pcode", record.ocha_pcode),
            ("geonames_id", record.geonames_id),
            *(("geonames_id", merged) for merged in record.merged_geonames),
            ("key", record.key),
        ]
        for field_name, value in lookups:
            if value and value in self.by[field_name]:
                return self.by[field_name][value]
        return None

    def parent(self, reference: str) -> Location:
        if reference.startswith("pk-") and reference[3:].isdigit():
            place = self.by["pk"].get(int(reference[3:]))
        else:
            place = self.by["key"].get(reference) or self.by["ocha_pcode"].get(reference)
        if place is None:
            raise PlaceDataError(f"parent {reference!r} is not a known key or p-code")
        return place


@transaction.atomic
def save_places(records: list[PlaceRecord]) -> tuple[Counter, list[str]]:
    """Create or update places; returns counts (created/updated/unchanged) and row errors."""
    counts: Counter = Counter(created=0, updated=0, unchanged=0)
    errors: list[str] = []
    if not Location.objects.exists():
        return _create_all(_merged(records), counts, errors)
    index = _Index()
    for record in records:
        try:
            with transaction.atomic():
                index.add(_save_one(record, index, counts))
        except PlaceDataError as error:
            errors.append(f"{record.key or record.name_ar}: {error}")
    return counts, errors


def _merged(records: list[PlaceRecord]) -> list[PlaceRecord]:
    """One record per place: later rows about the same place (a CSV correction) folded in."""
    merged: list[PlaceRecord] = []
    seen: dict = {}
    for record in records:
        ids = [("pcode", record.ocha_pcode), ("geonames", record.geonames_id), ("key", record.key)]
        earlier = next((seen[i] for i in ids if i[1] and i in seen), None)
        if earlier is None:
            earlier = PlaceRecord(**{**asdict(record), "aliases": list(record.aliases)})
            merged.append(earlier)
        else:
            for name, value in asdict(record).items():
                if name not in ("aliases", "merged_geonames", "key") and value not in (None, ""):
                    setattr(earlier, name, value)
            earlier.add_aliases(record.aliases)
        for i in ids:
            if i[1]:
                seen[i] = earlier
    return merged


def _create_all(records: list[PlaceRecord], counts: Counter, errors: list[str]):
    """Into an empty table: every place in a few inserts, parents before children.

    Relies on the database returning new ids from a bulk insert (PostgreSQL, SQLite 3.35+).
    """
    from simple_history.utils import bulk_create_with_history

    from ..names import forget

    made: dict[str, Location] = {}
    parents: dict[int, Location | None] = {}  # id(place) -> parent, kept outside the ORM's cache
    generations: list[list[Location]] = []
    depth: dict[str, int] = {}
    for record in records:
        if not record.name_ar or (not record.parent and record.kind != Location.Kind.COUNTRY):
            errors.append(
                f"{record.key or record.name_ar}: a new place needs an Arabic name and a parent"
            )
            continue
        parent = made.get(record.parent) if record.parent else None
        if record.parent and parent is None:
            errors.append(f"{record.key}: parent {record.parent!r} is not a known key or p-code")
            continue
        place = Location(
            key=record.key or None,
            name_ar=record.name_ar,
            name_en=record.name_en,
            kind=record.kind or Location.Kind.TOWN,
            aliases="\n".join(record.aliases),
            latitude=record.latitude,
            longitude=record.longitude,
            ocha_pcode=record.ocha_pcode,
            geonames_id=record.geonames_id,
            ambiguous=bool(record.ambiguous),
            path="",
        )
        parents[id(place)] = parent
        level = depth[parent.key or parent.ocha_pcode] + 1 if parent else 0
        for name in (record.key, record.ocha_pcode):
            if name:
                made[name], depth[name] = place, level
        while len(generations) <= level:
            generations.append([])
        generations[level].append(place)
    for generation in generations:
        for place in generation:
            parent = parents[id(place)]
            place.parent_id = parent.pk if parent else None
        bulk_create_with_history(generation, Location)
    created = [place for generation in generations for place in generation]
    for place in created:
        parent = parents[id(place)]
        place.path = build_path(parent.path if parent else None, place.pk)
    Location.objects.bulk_update(created, ["path"], batch_size=500)
    forget()
    counts["created"] = len(created)
    return counts, errors


def _save_one(record: PlaceRecord, index: _Index, counts: Counter) -> Location:
    place = index.find(record)
    creating = place is None
    if creating:
        if not record.name_ar:
            raise PlaceDataError("a new place needs an Arabic name")
        if not record.parent and record.kind != Location.Kind.COUNTRY:
            raise PlaceDataError("a new place needs a parent (key or p-code) unless a country")
        place = Location(kind=record.kind or Location.Kind.TOWN)
    changes = {
        "name_ar": record.name_ar,
        "name_en": record.name_en,
        "kind": record.kind,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "ocha_pcode": record.ocha_pcode,
        "geonames_id": record.geonames_id,
        "ambiguous": record.ambiguous,
    }
    if creating or not place.key:
        changes["key"] = record.key or None
    if record.parent:
        parent = index.parent(record.parent)
        if place.pk and parent.path.startswith(place.path or "-"):
            raise PlaceDataError(f"cannot put a place inside itself ({record.parent})")
        changes["parent"] = parent
    changed = creating
    for name, value in changes.items():
        if value in (None, ""):
            continue
        if getattr(place, name) != value:
            setattr(place, name, value)
            changed = True
    aliases = split_aliases(place.aliases)
    known = {normalize(name) for name in [place.name_ar, place.name_en, *aliases]}
    added = [a for a in record.aliases if normalize(a) not in known]
    if added:
        place.aliases = "\n".join(list(dict.fromkeys([*aliases, *added])))
        changed = True
    if changed:
        place.save()
    counts["created" if creating else "updated" if changed else "unchanged"] += 1
    return place
