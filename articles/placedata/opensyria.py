"""OpenSyria's administrative tree: governorates, districts and sub-districts (CC BY 4.0)."""

import json
from pathlib import Path

from ..models import Location
from .records import ROOT_KEY, PlaceDataError, PlaceRecord, clean_arabic, latin_aliases

OPENSYRIA_FILES = ("governorates.json", "districts.json", "subdistricts.json")
OPENSYRIA_KIND = {
    "governorates.json": Location.Kind.GOVERNORATE,
    "districts.json": Location.Kind.DISTRICT,
    "subdistricts.json": Location.Kind.SUBDISTRICT,
}


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
                aliases.extend(latin_aliases([value]))
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
