"""Turning files into articles: bytes → text → article fields → fingerprint → saved article.

The one code path behind `manage.py ingest` and the admin's "Import texts" page. One room per
step: ``decode`` (bytes to text), ``text`` (title, lede, cross-references, fingerprint),
``byline`` (reporter and source), ``prepare`` (everything a text's words give, no database),
``save`` (texts saved a batch at a time: the only way in), ``workers`` (preparing the next
batches of a long import in worker processes), ``files`` (folders, zips, JSONL, uploads),
``limits`` (how much is read), ``stages`` (the data of each step). One bad file never loses
the good ones, nothing is ever half-saved, and an interrupted run can simply be run again: what
was saved is then reported as a duplicate.
"""

from .byline import Recognised, find_source, recognise
from .decode import decode
from .files import (
    ARCHIVE_SUFFIXES,
    JSONL_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    count_files,
    ingest_paths,
    ingest_upload,
    ingest_uploads,
)
from .limits import MAX_ARCHIVE_BYTES, MAX_ENTRY_BYTES, MAX_LINE_BYTES, MAX_TEXT_FILE_BYTES
from .save import article_ingest, ingest_texts, save_batch
from .stages import IngestError, IngestResult, Prepared, Text
from .text import Parsed, fingerprint, headline, is_read_also, lede, parse_text, read_also

__all__ = [
    "ARCHIVE_SUFFIXES",
    "JSONL_SUFFIXES",
    "MAX_ARCHIVE_BYTES",
    "MAX_ENTRY_BYTES",
    "MAX_LINE_BYTES",
    "MAX_TEXT_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "IngestError",
    "IngestResult",
    "Parsed",
    "Prepared",
    "Recognised",
    "Text",
    "article_ingest",
    "count_files",
    "decode",
    "find_source",
    "fingerprint",
    "headline",
    "ingest_paths",
    "ingest_texts",
    "ingest_upload",
    "ingest_uploads",
    "is_read_also",
    "lede",
    "parse_text",
    "read_also",
    "recognise",
    "save_batch",
]
