"""Backups: the whole archive as one portable, versioned file, and back into an empty database.

The file is gzip-compressed JSON lines, readable with nothing but ``zcat``:

- line 1, the header: ``{"format": "newsroom-archive", "version": 1, "created": ..., ...}``;
- one line per row, ``{"model": "article", "fields": {...}}``, sources first, then places
  (each after the place it lies in), parties, articles and the mentions;
- a last line ``{"end": true, "counts": {...}}``, so a truncated copy is recognised.

Both directions stream in batches, so memory stays flat however large the archive. The search
index is not in the file: it is derived from the text and rebuilt after an import, as are the
places' tree paths. Edit history and accounts are not part of the archive.
"""

import gzip
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.color import no_style
from django.db import connection, models, transaction

from . import search
from .models import (
    Article,
    Location,
    LocationMention,
    Party,
    PartyMention,
    Source,
    build_path,
)

FORMAT = "newsroom-archive"
VERSION = 1

# Order matters for readers of the file (a row never refers to a later one), not for the
# database: Django's foreign keys are checked at commit on PostgreSQL and SQLite.
MODELS: dict[str, type[models.Model]] = {
    "source": Source,
    "location": Location,
    "party": Party,
    "article": Article,
    "locationmention": LocationMention,
    "partymention": PartyMention,
}
ORDER = {"location": ["path", "pk"]}
DERIVED = {"search_vector", "rank_vector"}  # rebuilt from the text after an import


class ArchiveError(Exception):
    """The file cannot be restored; the message says why."""


def _fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in DERIVED]


def _dump(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # date
        return value.isoformat()
    return value


def _rows(model, batch_size: int) -> Iterator[dict]:
    fields = _fields(model)
    names = [f.attname for f in fields]
    rows = model._base_manager.order_by(*ORDER.get(model._meta.model_name, ["pk"]))
    for values in rows.values_list(*names).iterator(chunk_size=batch_size):
        yield {name: _dump(value) for name, value in zip(names, values, strict=True)}


def export_archive(path: str | os.PathLike, *, batch_size: int = 500) -> dict[str, int]:
    """Write every source, place, party, article and mention to ``path``; returns the counts.

    Written to a temporary name and renamed at the end, so ``path`` is never half a backup.
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    counts = dict.fromkeys(MODELS, 0)
    header = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.now(UTC).isoformat(),
        "models": list(MODELS),
    }
    with _snapshot():
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            out.write(json.dumps(header) + "\n")
            for name, model in MODELS.items():
                for fields in _rows(model, batch_size):
                    out.write(json.dumps({"model": name, "fields": fields}, ensure_ascii=False))
                    out.write("\n")
                    counts[name] += 1
            out.write(json.dumps({"end": True, "counts": counts}) + "\n")
    os.replace(partial, path)
    return counts


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as error:
                    raise ArchiveError(f"{path}: line {number} is not JSON ({error}).") from None
    except (gzip.BadGzipFile, zlib.error, EOFError) as error:
        raise ArchiveError(f"{path}: not a complete gzip file ({error}).") from None
    except UnicodeDecodeError as error:
        raise ArchiveError(f"{path}: not UTF-8 text ({error}).") from None


def _check_header(path: Path, header) -> None:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ArchiveError(f"{path} is not a newsroom archive (no {FORMAT!r} header).")
    version = header.get("version")
    if version != VERSION:
        raise ArchiveError(
            f"{path} is a newsroom archive of version {version!r}; this program reads "
            f"version {VERSION} only. Use the release that wrote it, or a newer one."
        )


def _check_empty() -> None:
    present = {name: model._base_manager.count() for name, model in MODELS.items()}
    present = {name: count for name, count in present.items() if count}
    if present:
        held = ", ".join(f"{count} {name}" for name, count in present.items())
        raise ArchiveError(
            f"The database is not empty ({held}). An archive is restored only into an empty "
            "database, so nothing is overwritten: create a new database, run `migrate`, "
            "then import."
        )


def _build(model, fields: dict, number: int, path: Path):
    by_attname = {f.attname: f for f in _fields(model)}
    unknown = set(fields) - set(by_attname)
    if unknown:
        raise ArchiveError(f"{path}: line {number} has unknown fields {sorted(unknown)}.")
    try:
        values = {
            name: None if value is None else by_attname[name].to_python(value)
            for name, value in fields.items()
        }
    except Exception as error:  # a ValidationError from to_python names the bad value
        raise ArchiveError(f"{path}: line {number}: {error}") from None
    return model(**values)


def _insert(batch: list[models.Model]) -> None:
    """Insert rows as they were, including the dates Django would otherwise stamp anew."""
    model = type(batch[0])
    stamped = [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    kept = [[getattr(row, name) for name in stamped] for row in batch]
    model._base_manager.bulk_create(batch)
    if stamped:
        for row, values in zip(batch, kept, strict=True):
            for name, value in zip(stamped, values, strict=True):
                setattr(row, name, value)
        model._base_manager.bulk_update(batch, stamped)


def rebuild_location_paths() -> int:
    """Recompute every place's tree path from the parents; returns how many changed."""
    parents = dict(Location.objects.values_list("pk", "parent_id"))
    stored = dict(Location.objects.values_list("pk", "path"))
    paths: dict[int, str] = {}

    def path_of(pk: int, seen=()) -> str:
        if pk not in paths:
            parent = parents[pk]
            if parent in seen:
                raise ArchiveError(f"Places {sorted(seen)} lie inside each other in a circle.")
            paths[pk] = build_path(path_of(parent, (*seen, pk)) if parent else None, pk)
        return paths[pk]

    changed = [Location(pk=pk, path=path_of(pk)) for pk in parents if path_of(pk) != stored[pk]]
    Location.objects.bulk_update(changed, ["path"], batch_size=500)
    return len(changed)


@contextmanager
def _snapshot() -> Iterator[None]:
    """Every table read as of one moment, without holding up the editors who save meanwhile."""
    if connection.in_atomic_block:  # a caller's transaction is the snapshot
        yield
    elif connection.vendor == "sqlite":
        # Django's own transactions are IMMEDIATE on SQLite (see settings.py): one would hold
        # the write lock for the whole backup. A deferred one only reads, and in WAL mode a
        # reader blocks no writer.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")  # nothing was written: only ends the read
    else:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield


def import_archive(path: str | os.PathLike, *, batch_size: int = 500) -> dict[str, int]:
    """Restore ``path`` into an empty database, in one transaction; returns the counts."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file.")
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        raise ArchiveError(f"{path} is empty.")
    _check_header(path, first[1])
    counts = dict.fromkeys(MODELS, 0)
    with transaction.atomic():
        _check_empty()
        batch: list[models.Model] = []
        end = None
        for number, record in lines:
            if not isinstance(record, dict):
                raise ArchiveError(f"{path}: line {number} is not an object.")
            if record.get("end"):
                end = record
                break
            name = record.get("model")
            if name not in MODELS:
                raise ArchiveError(f"{path}: line {number} names an unknown model {name!r}.")
            if batch and (type(batch[0]) is not MODELS[name] or len(batch) >= batch_size):
                _insert(batch)
                batch = []
            batch.append(_build(MODELS[name], record.get("fields") or {}, number, path))
            counts[name] += 1
        if batch:
            _insert(batch)
        if end is None:
            raise ArchiveError(f"{path} is cut short (no end line): nothing was imported.")
        if end.get("counts") != counts:
            raise ArchiveError(
                f"{path}: the end line promises {end.get('counts')} but the file holds "
                f"{counts}: nothing was imported."
            )
        rebuild_location_paths()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS.values())):
                cursor.execute(sql)
        articles = Article.objects.only("pk", "title", "body").iterator(chunk_size=batch_size)
        search.rebuild_index(articles, batch_size=batch_size)
    return counts
