"""GeoNames' populated places (CC BY 4.0), placed in the administrative tree."""

import csv
import math
from pathlib import Path

from ..arabic import normalize
from ..models import Location
from .records import PlaceDataError, PlaceRecord, clean_arabic, latin_aliases, name_likeness

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
        latin = latin_aliases([english, *row["other_alternatenames"].split("|")])

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


def admin_from_database() -> list[PlaceRecord]:
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
