"""Texts out of files: folders (recursively), .txt files, .zip archives, .jsonl files, uploads.

Reading only: each file gives its texts (or the reason one cannot be read) in order, and
``ingest_texts`` saves them, a batch at a time, whatever file they came from.
"""

import io
import json
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.utils.translation import gettext as _

from ..models import Source
from .decode import CONTROL_CHARACTER, decode
from .limits import (
    MAX_ARCHIVE_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_ENTRY_BYTES,
    MAX_LINE_BYTES,
    MAX_TEXT_FILE_BYTES,
    TooLarge,
    read_limited,
    size_refusal,
)
from .save import fast_commits, ingest_texts
from .stages import IngestError, IngestResult, Text

TEXT_SUFFIXES = {".txt"}
ARCHIVE_SUFFIXES = {".zip"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | ARCHIVE_SUFFIXES | JSONL_SUFFIXES

Read = Text | IngestResult  # a text read, or why one could not be


def ingest_paths(
    paths: Iterable[str | os.PathLike], *, source: Source | None = None
) -> Iterator[IngestResult]:
    """One result per article found in files, folders (recursively), .zip and .jsonl files."""
    with fast_commits():
        yield from ingest_texts(_paths(paths, source=source))


def ingest_uploads(
    files: Iterable[tuple[str, BinaryIO]], *, source: Source | None = None
) -> Iterator[IngestResult]:
    """One result per article in opened files, each named as its editor named it."""
    yield from ingest_texts(
        read for name, stream in files for read in _upload(name, stream, source=source)
    )


def ingest_upload(
    name: str, stream: BinaryIO, *, source: Source | None = None
) -> Iterator[IngestResult]:
    """One result per article in an opened file called ``name`` (.txt, .zip or .jsonl)."""
    yield from ingest_uploads([(name, stream)], source=source)


def count_files(paths: Iterable[str | os.PathLike]) -> int:
    """How many files ingest_paths will open (for a progress bar)."""
    return sum(len(list(_walk(Path(p)))) if Path(p).is_dir() else 1 for p in paths)


# --------------------------------------------------------------------------- folders and files


def _paths(paths: Iterable[str | os.PathLike], *, source: Source | None) -> Iterator[Read]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for found in sorted(_walk(path)):
                yield from _file(found, source=source)
        elif path.exists():
            yield from _file(path, source=source)
        else:
            yield IngestResult.failed(str(path), _("no such file or folder"))


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".") and name != "__MACOSX"]
        for name in files:
            if not name.startswith("."):
                yield Path(root) / name


def _file(path: Path, *, source: Source | None) -> Iterator[Read]:
    try:
        with path.open("rb") as stream:
            yield from _upload(str(path), stream, source=source)
    except OSError as error:
        yield IngestResult.failed(str(path), error.strerror or str(error))


def _upload(name: str, stream: BinaryIO, *, source: Source | None) -> Iterator[Read]:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        yield from _zip(name, stream, source=source)
    elif suffix in JSONL_SUFFIXES:
        yield from _jsonl(name, stream, source=source)
    elif suffix in TEXT_SUFFIXES:
        try:
            data = read_limited(stream, MAX_TEXT_FILE_BYTES)
        except IngestError as error:
            yield IngestResult.failed(name, error.reason)
            return
        yield _text(name, data, source=source)
    else:
        yield IngestResult.failed(name, _("not a .txt, .zip or .jsonl file"))


def _text(origin: str, data: bytes, *, source: Source | None) -> Read:
    try:
        return Text(decode(data), origin, source)
    except IngestError as error:
        return IngestResult.failed(origin, error.reason)


# --------------------------------------------------------------------------- zip archives


def _zip(name: str, stream: BinaryIO, *, source: Source | None) -> Iterator[Read]:
    """Articles of a zip of text files, read in memory: nothing is ever extracted to disk."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as error:
        yield IngestResult.failed(
            name, _("not a readable zip archive ({error})").format(error=error)
        )
        return
    expanded = 0
    with archive:
        for info in sorted(archive.infolist(), key=lambda info: info.filename):
            if info.is_dir():
                continue
            origin = f"{name}:{info.filename}"
            entry = PurePosixPath(info.filename.replace("\\", "/"))
            if entry.name.startswith(".") or "__MACOSX" in entry.parts:
                continue
            refusal = _unsafe_entry(info)
            if refusal:
                yield IngestResult.failed(origin, refusal)
                continue
            suffix = entry.suffix.lower()
            if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
                yield IngestResult.failed(origin, _("not a .txt or .jsonl file"))
                continue
            if expanded + info.file_size > MAX_ARCHIVE_BYTES:
                yield IngestResult.failed(
                    origin,
                    _("the archive expands to more than {size} MB; the rest was not read").format(
                        size=MAX_ARCHIVE_BYTES // (1024 * 1024)
                    ),
                )
                return
            largest = MAX_ENTRY_BYTES if suffix in JSONL_SUFFIXES else MAX_TEXT_FILE_BYTES
            try:
                data = _read_entry(archive, info, largest)
            except IngestError as error:
                yield IngestResult.failed(origin, error.reason)
                continue
            expanded += len(data)
            if suffix in JSONL_SUFFIXES:
                yield from _jsonl(origin, io.BytesIO(data), source=source)
            else:
                yield _text(origin, data, source=source)


def _unsafe_entry(info: zipfile.ZipInfo) -> str:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return _("absolute path inside the archive: refused")
    if ".." in name.split("/"):
        return _("path leads outside the archive (“..”): refused")
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("symbolic link inside the archive: refused")
    if info.flag_bits & 0x1:
        return _("encrypted entry: refused")
    return ""


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, largest: int) -> bytes:
    # Declared sizes can lie, so the limits are checked against what is actually read.
    limit = min(largest, max(1, info.compress_size) * MAX_COMPRESSION_RATIO + 64 * 1024)
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
        raise IngestError(_("cannot read this entry ({error})").format(error=error)) from error
    if len(data) > limit:
        packed = max(1, info.compress_size) * MAX_COMPRESSION_RATIO
        if limit < largest or info.file_size > packed:
            raise IngestError(_("compressed suspiciously well (a zip bomb?): refused"))
        raise TooLarge(info.file_size, largest)
    return data


# --------------------------------------------------------------------------- JSONL


def _jsonl(name: str, stream: BinaryIO, *, source: Source | None) -> Iterator[Read]:
    """One article per line: id, title, text, and optionally source, published, author, url."""
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            size = len(raw) + _skip_line(stream)  # never held in memory whole
            refusal = size_refusal(_("line {n} is {size} MB"), size, n=number)
            yield IngestResult.failed(f"{name}:{number}", refusal)
            continue
        if raw.strip():
            yield _record(name, number, raw, source=source)


def _skip_line(stream: BinaryIO) -> int:
    """Read past the rest of a line; how many bytes it had."""
    skipped = 0
    while chunk := stream.readline(1024 * 1024):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _record(name: str, number: int, raw: bytes, *, source: Source | None) -> Read:
    """The text of one JSONL line, or why it cannot be read."""
    origin = f"{name}:{number}"
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return IngestResult.failed(origin, _("line {n}: not UTF-8").format(n=number))
    except json.JSONDecodeError as error:
        return IngestResult.failed(
            origin, _("line {n}: not valid JSON ({error})").format(n=number, error=error.msg)
        )
    if not isinstance(record, dict):
        return IngestResult.failed(origin, _("line {n}: not a JSON object").format(n=number))
    record_id = record.get("id", record.get("docno"))
    if record_id not in (None, ""):
        origin = f"{name}:{record_id}"
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return IngestResult.failed(origin, _("line {n}: no “text”").format(n=number))
    return Text(
        # A control character inside a JSON string is one damaged character (a few ANT corpus
        # articles carry a stray U+008F), not a binary file: drop it rather than the article.
        text=CONTROL_CHARACTER.sub("", text),
        origin=origin,
        source=_string(record.get("source")) or source,
        title=_string(record.get("title")) or None,
        byline=_string(record.get("author")) or None,
        published=_string(record.get("published", record.get("time"))) or None,
        url=_string(record.get("url")) or None,
    )


def _string(value) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)
