"""Reading gazetteer files (OpenSyria, GeoNames, editors' CSV) into place records, and saving them.

Every reader returns plain ``PlaceRecord`` objects; ``save_places`` is the one writer. Saving
matches an existing place by OCHA p-code, then GeoNames id, then import key, and updates it, so
running an import twice changes nothing and never duplicates a place. Aliases are merged, never
replaced, so what editors typed in the admin survives a re-import.
"""

import csv
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from django.db import transaction

from .arabic import normalize
from .models import Location, split_aliases

ROOT_KEY = "sy"
ROOT = {"name_ar": "سوريا", "name_en": "Syria", "aliases": ["سورية", "Syria"]}
OPENSYRIA_FILES = ("governorates.json", "districts.json", "subdistricts.json")
OPENSYRIA_KIND = {
    "governorates.json": Location.Kind.GOVERNORATE,
    "districts.json": Location.Kind.DISTRICT,
    "subdistricts.json": Location.Kind.SUBDISTRICT,
}
# GeoNames first-order divisions of Syria (SY.01-SY.14) and their OCHA p-codes.
GEONAMES_ADMIN1 = {
    "01": "SY08",  # Al-Hasakah
    "02": "SY06",  # Latakia
    "03": "SY14",  # Quneitra
    "04": "SY11",  # Ar-Raqqah
    "05": "SY13",  # As-Suwayda
    "06": "SY12",  # Daraa
    "07": "SY09",  # Deir ez-Zor
    "08": "SY03",  # Rif Dimashq
    "09": "SY02",  # Aleppo
    "10": "SY05",  # Hama
    "11": "SY04",  # Homs
    "12": "SY07",  # Idlib
    "13": "SY01",  # Damascus
    "14": "SY10",  # Tartus
}
# GeoNames has no Arabic name for these two places; the Arabic names used in Syrian reporting.
GEONAMES_ARABIC_MISSING = {
    9847679: "التريمسة",  # Tremseh, Hama (al-Turaymisah)
    11257949: "قنطرة",  # Qenterê, Afrin: the Kurmanji form of Arabic Qantara
}
# Aliases in the data that name something else, or are common words: "السجن" (the prison) for
# al-Mazraa, the Ghouta regions for Jaramana and Babella, "جديدة" (new) for Judaydat Yabus,
# "الثورة" (the revolution) for Tabqa, "الحصان" (the horse), "الصور" (the pictures).
DROP_ALIASES = frozenset(
    normalize(alias)
    for alias in (
        "السجن",
        "الغوطة الشرقية",
        "الغوطة الغربية",
        "الحصان",
        "الوعرة",
        "أبو هريرة",
        "حرمون",
        "الصور",
        "السوداء",
        "جديدة",
        "الثورة",
        "ثورة",
        "الكشفة",
        "كشفة",
        "رقة",
    )
)
CSV_COLUMNS = (
    "key",
    "name_ar",
    "name_en",
    "kind",
    "parent",
    "aliases",
    "latitude",
    "longitude",
    "ocha_pcode",
    "geonames_id",
    "ambiguous",
)

# Arabic letters, the marks that may sit on them, and spaces: anything else (Kurdish ە,
# Persian گ ی ک, Latin, punctuation) marks a contributor's variant in another script.
_ARABIC_NAME = re.compile("^[\u0621-\u063a\u0641-\u0652\u0670 ]+$")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class PlaceDataError(ValueError):
    """A data file or row that cannot be read; the message names the culprit."""


@dataclass
class PlaceRecord:
    """One place as the data files describe it; ``parent`` is the parent's key (or p-code)."""

    key: str
    name_ar: str = ""
    name_en: str = ""
    kind: str = ""
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    ocha_pcode: str | None = None
    geonames_id: int | None = None
    ambiguous: bool | None = None
    # GeoNames ids of records merged into this one (a town and its namesake sub-district).
    merged_geonames: list[int] = field(default_factory=list)

    def add_aliases(self, names) -> None:
        known = {normalize(name) for name in [self.name_ar, self.name_en, *self.aliases]}
        known |= DROP_ALIASES
        for name in names:
            if name and normalize(name) not in known:
                self.aliases.append(name)
                known.add(normalize(name))

    def as_json(self) -> dict:
        """Compact form for seeds/gazetteer.json: empty fields left out."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "", [])}


def clean_arabic(name: str) -> str | None:
    """An Arabic place name tidied, or None when it is not plain Arabic script."""
    name = _INVISIBLE.sub("", name).strip().rstrip(".").strip()
    if not _ARABIC_NAME.match(name):
        return None
    if any(len(word) < 2 for word in name.split()):
        return None  # "د مشق": a stray space inside a word
    return " ".join(name.split())


def _latin_skeleton(name: str) -> str:
    # A dot below or cedilla marks an emphatic consonant (Ţ ط, Ş ص, Ḑ ض, Ẓ ظ, Ḩ ح): upper case.
    text = re.sub(
        "([tsdzh])[\u0323\u0327]",
        lambda m: m.group(1).upper(),
        unicodedata.normalize("NFKD", name.lower()),
    )
    text = "".join(ch for ch in text if ch.isascii() and (ch.isalpha() or ch in " -"))
    text = re.sub(r"\b[ae][lrsdtzn]h?[\s-]", "l", text + " ", flags=re.I)  # al-, aş-, ash-
    for digraph, letter in (("sh", "s"), ("kh", "k"), ("gh", "g"), ("th", "t"), ("dh", "d")):
        text = text.replace(digraph, letter)
    return re.sub("[aeiouwy -]", "", text.replace("ch", "s").replace("ou", "w"))


_ARABIC_TO_LATIN = str.maketrans(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوية",
    "abttjHkddrzssSDTZagfqklmnhwyh",
)


def _arabic_skeleton(name: str) -> str:
    return re.sub("[aeiouwy ]", "", normalize(name).translate(_ARABIC_TO_LATIN))


def name_likeness(arabic: str, english: str) -> float:
    """How closely an Arabic name's consonants follow an English transliteration (0..1)."""
    return SequenceMatcher(None, _arabic_skeleton(arabic), _latin_skeleton(english)).ratio()


def _latin_aliases(names) -> list[str]:
    """Latin-script variants worth keeping: written like names, not letter-by-letter codes."""
    keep = []
    for name in names:
        name = name.strip()
        if name and all(ord(ch) < 0x250 or ch in "ʿʾ‘’`'" for ch in name) and name != name.lower():
            keep.append(name)
    return keep


def _centroid(record: dict) -> tuple[float | None, float | None]:
    centroid = record.get("centroid") or {}
    return centroid.get("latitude"), centroid.get("longitude")


def read_opensyria(path: Path) -> list[PlaceRecord]:
    """One OpenSyria file (governorates/districts/subdistricts.json) as place records."""
    kind = OPENSYRIA_KIND.get(path.name)
    if kind is None:
        raise PlaceDataError(f"{path}: not an OpenSyria file (expected one of {OPENSYRIA_FILES})")
    try:
        items = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlaceDataError(f"{path}: not valid JSON ({error})") from error
    records = []
    for item in items:
        ids = item.get("externalIds") or {}
        name_ar = item["name"].get("ar") or item["name"]["en"]
        parent = item.get("districtId") or item.get("governorateId") or ROOT_KEY
        aliases = []
        for alias in item.get("aliases", []):
            value = alias["value"]
            if alias.get("language") == "ar":
                value = clean_arabic(value)
                # A district's "مركز X" is its central sub-district, a sub-district's bare "X"
                # its seat town: both are other places and would mislead the tagger.
                if not value or (kind == Location.Kind.DISTRICT and value.startswith("مركز ")):
                    continue
                if name_ar.startswith("مركز ") and value == name_ar.removeprefix("مركز "):
                    continue
                aliases.append(value)
            else:
                aliases.extend(_latin_aliases([value]))
        latitude, longitude = _centroid(item)
        record = PlaceRecord(
            key=item["id"],
            name_ar=name_ar,
            name_en=item["name"]["en"],
            kind=kind,
            parent=parent,
            latitude=latitude,
            longitude=longitude,
            ocha_pcode=ids.get("ochaPcode"),
            geonames_id=int(ids["geonames"]) if ids.get("geonames") else None,
        )
        record.add_aliases(aliases)
        records.append(record)
    return records


def _bare(name: str) -> str:
    """A name compared without its article: the sub-district "كسرة" is the town "الكسرة"."""
    norm = normalize(name)
    return norm[2:] if norm.startswith("ال") and len(norm) > 4 else norm


def _distance_km(lat1, lon1, lat2, lon2) -> float:
    """Equirectangular distance: exact enough to choose between nearby centroids."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371 * math.hypot(x, y)


def read_geonames(
    path: Path, admin: list[PlaceRecord]
) -> tuple[list[PlaceRecord], list[PlaceRecord]]:
    """GeoNames towns placed in the administrative tree ``admin``.

    Returns the new town records and the sub-districts a namesake town was merged into
    (which then carry the town's GeoNames id, names and coordinates).
    """
    by_pcode = {record.ocha_pcode: record for record in admin if record.ocha_pcode}
    by_key = {record.key: record for record in admin}
    subdistricts: dict[str, list[PlaceRecord]] = {}
    for record in admin:
        if record.kind == Location.Kind.SUBDISTRICT and record.latitude is not None:
            governorate = record
            while governorate.kind != Location.Kind.GOVERNORATE and governorate.parent in by_key:
                governorate = by_key[governorate.parent]
            subdistricts.setdefault(governorate.key, []).append(record)

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
    except UnicodeDecodeError as error:
        raise PlaceDataError(f"{path}: not UTF-8 ({error})") from error
    towns, merged = [], []
    for line, row in enumerate(rows, start=2):
        try:
            geonames_id = int(row["geonameid"])
            latitude, longitude = float(row["latitude"]), float(row["longitude"])
            governorate = by_pcode[GEONAMES_ADMIN1[row["admin1code"]]]
        except (KeyError, ValueError, TypeError) as error:
            raise PlaceDataError(f"{path}:{line}: unreadable GeoNames row ({error!r})") from error
        english = row["name"]
        arabic = [n for n in map(clean_arabic, row["arabic_names"].split("|")) if n]
        arabic = list(dict.fromkeys(arabic)) or [GEONAMES_ARABIC_MISSING.get(geonames_id, "")]
        if not arabic[0]:
            raise PlaceDataError(f"{path}:{line}: {english} has no Arabic name")
        # The first Arabic name listed is not necessarily the usual one ("فطسة الثيب" before
        # "الكرامة"): take the one closest to the English name, keep the look-alike variants.
        arabic.sort(key=lambda name: -name_likeness(name, english))
        primary = arabic[0]
        variants = [n for n in arabic[1:] if name_likeness(n, english) >= 0.5]
        latin = _latin_aliases([english, *row["other_alternatenames"].split("|")])

        names = {_bare(n) for n in [primary, *variants]}
        # A town that names a district ("جرابلس") lies in that district, whatever centroid
        # happens to be nearest; otherwise it goes to the nearest sub-district.
        candidates = subdistricts.get(governorate.key, [])
        district = [s for s in candidates if _bare(by_key[s.parent].name_ar) in names]
        nearby = sorted(
            district or candidates,
            key=lambda s: _distance_km(latitude, longitude, s.latitude, s.longitude),
        )
        namesake = next((s for s in nearby if _bare(s.name_ar) in names), None)
        if namesake is not None:
            namesake.merged_geonames.append(geonames_id)
            if namesake.geonames_id is not None:
                namesake.merged_geonames.append(namesake.geonames_id)
            namesake.geonames_id = geonames_id
            namesake.latitude, namesake.longitude = latitude, longitude
            namesake.add_aliases([primary, *variants, *latin])
            merged.append(namesake)
            continue
        town = PlaceRecord(
            key=f"gn-{geonames_id}",
            name_ar=primary,
            name_en=english,
            kind=Location.Kind.TOWN,
            parent=nearby[0].key if nearby else governorate.key,
            latitude=latitude,
            longitude=longitude,
            geonames_id=geonames_id,
        )
        town.add_aliases([*variants, *latin])
        towns.append(town)
    return towns, merged


def _optional_float(value: str, column: str) -> float | None:
    if not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise PlaceDataError(f"{column} {value!r} is not a number") from None


def read_csv(path: Path) -> tuple[list[PlaceRecord], list[str]]:
    """Editors' additions: one place per row (see README); bad rows are reported, not fatal."""
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlaceDataError(f"{path}: not UTF-8 ({error})") from error
    reader = csv.DictReader(text.splitlines())
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if not reader.fieldnames or "name_ar" not in reader.fieldnames or unknown:
        raise PlaceDataError(
            f"{path}: the header must name columns from {', '.join(CSV_COLUMNS)} "
            f"including name_ar (unknown: {', '.join(sorted(unknown)) or 'none'})"
        )
    records, errors = [], []
    kinds = set(Location.Kind.values)
    for line, row in enumerate(reader, start=2):
        row = {column: (value or "").strip() for column, value in row.items() if column}
        try:
            kind = row.get("kind", "")
            if kind and kind not in kinds:
                raise PlaceDataError(f"kind {kind!r} is not one of {', '.join(sorted(kinds))}")
            geonames = row.get("geonames_id", "")
            if geonames and not geonames.isdigit():
                raise PlaceDataError(f"geonames_id {geonames!r} is not a number")
            ambiguous = row.get("ambiguous", "").lower()
            if ambiguous not in ("", "yes", "no", "1", "0", "true", "false"):
                raise PlaceDataError(f"ambiguous {ambiguous!r} is not yes or no")
            key = row.get("key") or row.get("ocha_pcode") or (f"gn-{geonames}" if geonames else "")
            if not key and not row.get("name_ar"):
                raise PlaceDataError("a row needs name_ar (or a key, p-code or GeoNames id)")
            record = PlaceRecord(
                key=key,
                name_ar=row.get("name_ar", ""),
                name_en=row.get("name_en", ""),
                kind=kind,
                parent=row.get("parent") or None,
                latitude=_optional_float(row.get("latitude", ""), "latitude"),
                longitude=_optional_float(row.get("longitude", ""), "longitude"),
                ocha_pcode=row.get("ocha_pcode") or None,
                geonames_id=int(geonames) if geonames else None,
                ambiguous=ambiguous in ("yes", "1", "true") if ambiguous else None,
            )
            record.add_aliases(a.strip() for a in row.get("aliases", "").split("|"))
            records.append(record)
        except PlaceDataError as error:
            errors.append(f"{path}:{line}: {error}")
    return records, errors


def root_record() -> PlaceRecord:
    return PlaceRecord(key=ROOT_KEY, kind=Location.Kind.COUNTRY, **ROOT)


def _admin_from_database() -> list[PlaceRecord]:
    """The administrative tree already saved, for a GeoNames import run on its own."""
    places = Location.objects.filter(
        kind__in=[Location.Kind.GOVERNORATE, Location.Kind.SUBDISTRICT, Location.Kind.DISTRICT]
    ).select_related("parent")
    return [
        PlaceRecord(
            key=place.key or f"pk-{place.pk}",
            name_ar=place.name_ar,
            kind=place.kind,
            parent=(place.parent.key or f"pk-{place.parent.pk}") if place.parent else None,
            latitude=place.latitude,
            longitude=place.longitude,
            ocha_pcode=place.ocha_pcode,
            geonames_id=place.geonames_id,
        )
        for place in places
    ]


def read_paths(paths) -> tuple[list[PlaceRecord], list[str]]:
    """Every record in the given files and folders, parents before children."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.name in OPENSYRIA_FILES))
            files.extend(sorted(path.glob("*.tsv")) + sorted(path.glob("*.csv")))
        elif path.is_file():
            files.append(path)
        else:
            raise PlaceDataError(f"{path}: no such file or folder")
    order = {name: i for i, name in enumerate(OPENSYRIA_FILES)}
    files.sort(key=lambda p: (order.get(p.name, 3 if p.suffix == ".tsv" else 4), str(p)))

    records: list[PlaceRecord] = []
    errors: list[str] = []
    for path in files:
        if path.name in OPENSYRIA_FILES:
            if not records:
                records.append(root_record())
            records.extend(read_opensyria(path))
        elif path.suffix == ".tsv":
            in_run = any(r.kind == Location.Kind.SUBDISTRICT for r in records)
            admin = records if in_run else _admin_from_database()
            towns, merged = read_geonames(path, admin)
            records.extend(towns if in_run else [*merged, *towns])
        elif path.suffix == ".csv":
            rows, row_errors = read_csv(path)
            records.extend(rows)
            errors.extend(row_errors)
        elif path.suffix == ".json":
            records.extend(read_seed(path))
        else:
            raise PlaceDataError(f"{path}: unknown format (OpenSyria .json, GeoNames .tsv, .csv)")
    return records, errors


def read_seed(path: Path) -> list[PlaceRecord]:
    """The compact JSON written by ``write_seed`` (seeds/gazetteer.json)."""
    try:
        items = json.loads(path.read_text("utf-8"))
        return [PlaceRecord(**item) for item in items]
    except (json.JSONDecodeError, TypeError) as error:
        raise PlaceDataError(f"{path}: not a place seed file ({error})") from error


def write_seed(records: list[PlaceRecord], path: Path) -> None:
    lines = [json.dumps(record.as_json(), ensure_ascii=False) for record in records]
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


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

    from .names import forget

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
        place.path = f"{parent.path if parent else '/'}{place.pk}/"
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
