"""seeds/gazetteer.json: the whole tree read from the sources above, in a compact form."""

import json
from pathlib import Path

from .records import PlaceDataError, PlaceRecord


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
