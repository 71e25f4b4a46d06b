"""Places editors add or correct in a CSV file (seeds/places.csv is one), one place a row."""

import csv
from pathlib import Path

from ..models import Location
from .records import PlaceDataError, PlaceRecord

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
