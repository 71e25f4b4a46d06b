"""Which reader reads which file, and in what order (parents before children)."""

from pathlib import Path

from ..models import Location
from .curated import read_csv
from .geonames import admin_from_database, read_geonames
from .opensyria import OPENSYRIA_FILES, read_opensyria
from .records import PlaceDataError, PlaceRecord, root_record
from .seed import read_seed


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
            admin = records if in_run else admin_from_database()
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
