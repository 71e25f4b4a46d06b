"""Turning files into articles: bytes → text → article fields → fingerprint → saved article.

The one code path behind `manage.py ingest` and the admin's "Import texts" page. A single text
is saved in its own transaction; the lines of a JSONL file and the text files of a folder are
saved in batches (one transaction each), every text checked before the batch is written. Either
way one bad file never loses the good ones, nothing is ever half-saved, and an interrupted run
can simply be run again: what was saved is then reported as a duplicate.
"""

import codecs
import datetime
import email.utils
import hashlib
import io
import json
import multiprocessing
import os
import pickle
import re
import signal
import stat
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import arabic
from .gazetteer import Gazetteer
from .models import MAX_ARTICLE_BYTES, Article, Source, megabytes, text_size
from .tagging import gazetteer, tag_article, tag_new_articles

TEXT_SUFFIXES = {".txt"}
ARCHIVE_SUFFIXES = {".zip"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | ARCHIVE_SUFFIXES | JSONL_SUFFIXES

# One article's text is at most MAX_ARTICLE_BYTES (models.py). A file or line that holds one
# is read only up to what such a text can take in its encoding, and refused past it unread:
MAX_TEXT_FILE_BYTES = 2 * MAX_ARTICLE_BYTES + 4  # a .txt file or entry: UTF-16 doubles ASCII
MAX_LINE_BYTES = 4 * MAX_ARTICLE_BYTES  # a JSONL line: "\u0627" escapes triple Arabic text
# Files of many articles have their own limits.
MAX_ENTRY_BYTES = 20 * 1024 * 1024  # a .jsonl entry of an archive, uncompressed
MAX_ARCHIVE_BYTES = 500 * 1024 * 1024  # everything one archive may expand to
MAX_COMPRESSION_RATIO = 100  # text packs 3-10 times; far more than this is a zip bomb

TITLE_LINE_MAX_CHARS = 150
TITLE_LINE_MAX_WORDS = 20
TITLE_CUT_CHARS = 120

# Characters that never occur in a text file: C0 and C1 controls except tab, newline, carriage
# return and form feed. Seeing one means a binary file (or a wrong guess of the encoding).
_ALLOWED_CONTROLS = "\t\n\r\f"
_CONTROLS = {
    *(chr(c) for c in range(0x20) if chr(c) not in _ALLOWED_CONTROLS),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
}
_CONTROL_CHARACTER = re.compile("[" + re.escape("".join(sorted(_CONTROLS))) + "]")
# Windows-1256 decodes almost any byte string: accept its reading only when this share of the
# letters is Arabic.
MIN_ARABIC_SHARE = 0.5


class IngestError(Exception):
    """A file or record that cannot become an article; the message says why, for an editor."""

    @property
    def reason(self) -> str:
        return str(self)


@dataclass
class IngestResult:
    """What became of one article: created, a duplicate of an existing one, or failed."""

    status: str  # "created" | "duplicate" | "failed"
    origin: str
    article: Article | None = None
    duplicate_of: Article | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    CREATED = "created"
    DUPLICATE = "duplicate"
    FAILED = "failed"

    @classmethod
    def failed(cls, origin: str, reason: str) -> "IngestResult":
        return cls(status=cls.FAILED, origin=origin, reason=reason)


# --------------------------------------------------------------------------- decoding


def decode(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM), UTF-16, or Windows-1256 Arabic.

    Line endings become "\\n"; nothing else is changed. Raises IngestError for empty, binary or
    undecodable files.
    """
    if not data:
        raise IngestError(_("the file is empty"))
    if data.startswith(codecs.BOM_UTF8):
        text = _decode_strictly(data[len(codecs.BOM_UTF8) :], "utf-8", _("UTF-8"))
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode_strictly(data, "utf-16", _("UTF-16"))
    elif codec := _bomless_utf16_arabic(data):
        text = _decode_strictly(data, codec, _("UTF-16"))
    elif b"\x00" in data:
        raise IngestError(
            _("contains NUL bytes: a binary file, or UTF-16 without a byte-order mark")
        )
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            if _looks_like_utf8_arabic(data):
                # Read as Windows-1256 it would be saved as mojibake (ط¯ط±ط¹ط§ for درعا).
                raise IngestError(
                    _(
                        "looks like UTF-8 but byte {position} is not valid UTF-8: a damaged "
                        "file, or two encodings mixed in one"
                    ).format(position=error.start)
                ) from error
            text = _decode_windows_1256(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _refuse_controls(text)
    if not text.strip():
        raise IngestError(_("the file contains only blank space"))
    return text


def _bomless_utf16_arabic(data: bytes) -> str | None:
    """ "utf-16-le"/"-be" when every high byte is 0x00 or 0x06 (Arabic) and some are 0x06."""
    if len(data) % 2:
        return None
    for codec, high_bytes in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
        if b"\x06" in high_bytes and not high_bytes.translate(None, b"\x00\x06"):
            return codec
    return None


def _decode_strictly(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise IngestError(
            _("marked as {encoding} but byte {position} is not valid {encoding}").format(
                encoding=name, position=error.start
            )
        ) from error


_UTF8_ARABIC_LETTER = re.compile(rb"[\xd8-\xdb][\x80-\xbf]")


def _looks_like_utf8_arabic(data: bytes) -> bool:
    """Most high bytes pair up as UTF-8 Arabic letters (rare in real Windows-1256 text)."""
    high = sum(byte >= 0x80 for byte in data)
    return bool(high) and 2 * len(_UTF8_ARABIC_LETTER.findall(data)) >= high / 2


def _decode_windows_1256(data: bytes) -> str:
    refusal = _("neither UTF-8 nor Arabic in Windows-1256: not a text file this archive can read")
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError as error:
        raise IngestError(refusal) from error
    letters = [char for char in text if char.isalpha()]
    arabic_letters = sum(1 for char in letters if "\u0600" <= char <= "\u06ff")
    if not letters or arabic_letters < MIN_ARABIC_SHARE * len(letters):
        raise IngestError(refusal)
    if any(char in _CONTROLS for char in text):
        raise IngestError(refusal)
    return text


def _refuse_controls(text: str) -> None:
    found = _CONTROL_CHARACTER.search(text)
    if found:
        raise IngestError(
            _("control character U+{code:04X} on line {line}: a binary file").format(
                code=ord(found.group()), line=text.count("\n", 0, found.start()) + 1
            )
        )


# --------------------------------------------------------------------------- fingerprints


def fingerprint(text: str) -> str:
    """Hash of the text's normalised words: equal for re-encoded, re-spaced or re-vowelled text."""
    return _digest(arabic.words(text))


def _digest(words: Iterable[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- reading a text


class Parsed(NamedTuple):
    title: str
    body: str


# "اقرأ أيضاً: <title>" and its cousins point to another article; they are not the story.
_READ_ALSO_VERBS = {"اقرا", "شاهد", "طالع"}


def is_read_also(line: str) -> bool:
    """Whether a line is an "اقرأ أيضاً: ..." cross-reference to another article."""
    return _read_also_start(line) is not None


def _read_also_start(line: str) -> int | None:
    tokens = arabic.tokenize(line[:40])
    if len(tokens) >= 2 and tokens[0].norm in _READ_ALSO_VERBS and tokens[1].norm == "ايضا":
        return tokens[1].end
    return None


def read_also(body: str) -> list[str]:
    """Titles of the articles a text points to with "اقرأ أيضاً: ..." lines."""
    titles = []
    for line in body.split("\n"):
        start = _read_also_start(line)
        if start is not None:
            title = line[start:].lstrip(" \t:：-–—").strip()
            if title:
                titles.append(title)
    return titles


def lede(body: str) -> str:
    """The first paragraph of a text that is not a cross-reference."""
    for line in body.split("\n"):
        if line.strip() and not is_read_also(line):
            return line.strip()
    return ""


def parse_text(text: str) -> Parsed:
    """Title and body of a plain text.

    The title is the first line when it is short and followed by a blank line (the body is then
    the rest); otherwise it is the first sentence, cut at a word boundary, and the body is the
    whole text. Cross-references ("اقرأ أيضاً: ...") are never the title.
    """
    text = _trim_blank_lines(text)
    first, _newline, rest = text.partition("\n")
    rest_first_line, _newline, after = rest.partition("\n")
    if (
        first.strip()
        and not rest_first_line.strip()
        and after.strip()
        and len(first.strip()) <= TITLE_LINE_MAX_CHARS
        and len(first.split()) <= TITLE_LINE_MAX_WORDS
        and not is_read_also(first)
    ):
        return Parsed(first.strip(), _trim_blank_lines(after))
    return Parsed(headline(lede(text)), text)


def headline(paragraph: str, limit: int = TITLE_CUT_CHARS) -> str:
    """The first sentence of a paragraph, cut at a word boundary to at most ``limit`` chars."""
    sentence = paragraph.strip()
    for index, char in enumerate(sentence):
        if char in ".!?؟…" and (index + 1 == len(sentence) or sentence[index + 1].isspace()):
            sentence = sentence[: index + 1]
            break
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit + 1]
    # Prefer ending at a clause ("..., فيما أعلن") when that keeps most of the sentence.
    clause_end = max(cut.rfind(mark) for mark in "،,؛;")
    if clause_end >= limit // 2:
        cut = cut[:clause_end]
    elif not cut[-1].isspace():
        cut = cut.rsplit(None, 1)[0] if " " in cut.strip() else cut[:limit]
    return cut.rstrip(" \t،,؛;:-–—") + "…"


def _trim_blank_lines(text: str) -> str:
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


# --------------------------------------------------------------------------- reporter and source

_REPORTER = {"مراسل", "مراسله"}
_MEDIA_WORDS = {"راديو", "اذاعه", "موقع", "وكاله", "قناه", "شبكه", "صحيفه", "جريده", "تلفزيون"}
# Words that end the reporter's clause ("قال مراسل روزنة في درعا علي المحاميد إن ...").
_CLAUSE_END = {"ان", "انه", "انها", "بان", "بانه", "قال", "قائلا", "عن", "الذي", "حيث"}
# Name parts that take the next word with them ("أبو حسن", "عبد الله").
_NAME_JOINERS = {"ابو", "ابن", "بن", "بنت", "ام", "عبد"}


class Recognised(NamedTuple):
    byline: str
    source: Source | None


def recognise(body: str, sources: Iterable[Source] | None = None) -> Recognised:
    """The reporter and the source when the text names them ("مراسل روزنة في درعا علي المحاميد")."""
    names = _source_names(Source.objects.all() if sources is None else sources)
    for line in body.split("\n"):
        normalized = arabic.normalize(line)
        if not any(word in normalized for word in _REPORTER) or is_read_also(line):
            continue
        tokens = arabic.tokenize(line)
        for index, token in enumerate(tokens):
            if not _REPORTER.intersection(token.terms):
                continue
            clause = _clause(line, tokens[index + 1 :])
            found = _reporter_clause(line, clause, names)
            if found.byline or found.source:
                return found
    return Recognised("", None)


def _source_names(sources: Iterable[Source]) -> list[tuple[tuple[str, ...], Source]]:
    """Each name of each source as normalised words, longest first."""
    names = {}
    for source in sources:
        for name in [*source.all_names(), source.key or ""]:
            words = _name_words(name)
            if words:
                names.setdefault(words, source)
    return sorted(names.items(), key=lambda item: -len(item[0]))


@lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(arabic.words(name))


def _clause(line: str, tokens: list[arabic.Token]) -> list[arabic.Token]:
    """Tokens up to the first punctuation mark or clause-ending word."""
    clause: list[arabic.Token] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.norm in _CLAUSE_END:
            break
        clause.append(token)
        if line[token.end : following.start if following else len(line)].strip():
            break
    return clause


def _reporter_clause(
    line: str, clause: list[arabic.Token], names: list[tuple[tuple[str, ...], Source]]
) -> Recognised:
    words = [token.norm for token in clause]
    source, position = None, 0
    for start in (0, 1) if words[:1] and words[0] in _MEDIA_WORDS else (0,):
        for name, candidate in names:
            if tuple(words[start : start + len(name)]) == name:
                source, position = candidate, start + len(name)
                break
        if source:
            break
    rest = clause[position:]
    if source is None:
        # An unknown source: "مراسل <source> في <place> <name>" still shows where the name is.
        rest = next((rest[i:] for i in range(4) if rest[i : i + 1] and rest[i].norm == "في"), [])
    if rest and rest[0].norm == "في":
        # "في <place> <name>": the place takes at least one word, the name the last two.
        people = _name_at_end(rest[2:])
    elif source:
        people = rest if 2 <= len(rest) <= 4 else []
    else:
        people = []
    byline = line[people[0].start : people[-1].end] if people else ""
    return Recognised(byline, source)


def _name_at_end(tokens: list[arabic.Token]) -> list[arabic.Token]:
    if len(tokens) < 2:
        return []
    size = 2
    if len(tokens) >= 3 and (tokens[-2].norm in _NAME_JOINERS or tokens[-3].norm in _NAME_JOINERS):
        size = 3
    return tokens[-size:]


# --------------------------------------------------------------------------- saving


def find_source(name: str, sources: Iterable[Source] | None = None) -> Source | None:
    """The source called ``name`` (any of its names or aliases, spelled any way), if any.

    ``sources``: every source, when the caller has read them already.
    """
    wanted = tuple(arabic.words(name))
    if not wanted:
        return None
    for words, source in _source_names(Source.objects.all() if sources is None else sources):
        if words == wanted:
            return source
    return None


def article_ingest(
    *,
    text: str,
    origin: str,
    source: Source | str | None = None,
    title: str | None = None,
    byline: str | None = None,
    published: datetime.date | datetime.datetime | str | None = None,
    url: str | None = None,
) -> IngestResult:
    """Save one text as an article unless the archive already has it.

    ``title`` None means "read it from the text" (then the text may start with a title line);
    ``source`` may be a name, matched to a known source or created. The reporter and source are
    recognised in the text when not given. Everything happens in one transaction.
    """
    notes: list[str] = []
    try:
        draft = _prepare(text=text, title=title, published=published, url=url, notes=notes)
    except IngestError as error:
        return IngestResult.failed(origin, error.reason)
    title, body, published_date, url, digest = draft[:5]
    with transaction.atomic():
        existing = Article.objects.filter(fingerprint=digest).first()
        if existing:
            return IngestResult(IngestResult.DUPLICATE, origin, duplicate_of=existing, notes=notes)
        if isinstance(source, str):
            source = _source_named(source, notes)
        if source is None or not byline:
            found = recognise(body)
            source = source or found.source
            byline = byline or found.byline
        article = Article(
            title=_clip(title, Article._meta.get_field("title").max_length),
            body=body,
            source=source,
            byline=_clip(byline or "", Article._meta.get_field("byline").max_length),
            published=published_date,
            url=url,
            origin=_clip(origin, Article._meta.get_field("origin").max_length),
            fingerprint=digest,
        )
        try:
            with transaction.atomic():
                article.save()
        except IntegrityError:
            # Another run saved the same text between our check and our insert.
            existing = Article.objects.filter(fingerprint=digest).first()
            if existing is None:
                raise
            return IngestResult(IngestResult.DUPLICATE, origin, duplicate_of=existing, notes=notes)
        # Tagged in this transaction, so that no article is ever saved untagged.
        # The search index follows the save by signals.
        tag_article(article)
    return IngestResult(IngestResult.CREATED, origin, article=article, notes=notes)


class _Draft(NamedTuple):
    title: str
    body: str
    published: datetime.date | None
    url: str
    fingerprint: str
    tokens: list[arabic.Token]  # of the body: analysed once, for fingerprint and index


def _prepare(*, text: str, title: str | None, published, url: str | None, notes: list[str]):
    """The fields of an article from a text, before any database work."""
    size = text_size(text)
    if size > MAX_ARTICLE_BYTES:
        raise IngestError(_size_refusal(_("the text is {size} MB"), size))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if title is None or not title.strip():
        title, body = parse_text(text)
    else:
        title, body = title.strip(), _trim_blank_lines(text)
    tokens = arabic.tokenize(body)
    if not tokens:
        raise IngestError(_("the text has no words"))
    return _Draft(
        title,
        body,
        _published_date(published, notes),
        _checked_url(url, notes),
        _digest(token.norm for token in tokens),
        tokens,
    )


class _Prepared(NamedTuple):
    """A text ready for the bulk save: its fields and all that its words give, found apart."""

    title: str  # clipped to fit, as saved (the index and the tags read the saved title)
    body: str
    published: datetime.date | None
    url: str
    fingerprint: str
    notes: list[str]
    document: object  # what the search index stores (``search.index_document``)
    mentions: list  # the places and parties named (``Gazetteer.find``)
    names_reporter: bool  # a word may start a byline ("مراسل"); without one recognise() finds none


def _prepare_batch(items: list[dict], matcher: Gazetteer) -> list[_Prepared | str]:
    """Each text prepared for ``_save_prepared``, or why it cannot be saved; no database work."""
    from .search import index_document

    prepared: list[_Prepared | str] = []
    for item in items:
        notes: list[str] = []
        try:
            draft = _prepare(
                text=item["text"],
                title=item.get("title"),
                published=item.get("published"),
                url=item.get("url"),
                notes=notes,
            )
        except IngestError as error:
            prepared.append(error.reason)
            continue
        title = _clip(draft.title, Article._meta.get_field("title").max_length)
        tokens = (arabic.tokenize(title), draft.tokens)
        prepared.append(
            _Prepared(
                title,
                *draft[1:5],
                notes,
                index_document(*tokens),
                matcher.find(title, draft.body, tokens),
                not _REPORTER.isdisjoint(chain.from_iterable(map(_TERMS, draft.tokens))),
            )
        )
    return prepared


_TERMS = attrgetter("terms")


def articles_ingest_bulk(items: list[dict]) -> list[IngestResult]:
    """Save many texts at once, as ``article_ingest`` would save each (the JSONL import).

    Each item holds ``article_ingest``'s keyword arguments. The checks, fields and results are
    the same; the database work is not: one query finds the duplicates of the whole batch, one
    insert saves its articles (with their history), one statement indexes them, all in one
    transaction, and each text is analysed once.
    """
    return _save_prepared(items, _prepare_batch(items, gazetteer()))


def _save_prepared(items: list[dict], prepared: list[_Prepared | str]) -> list[IngestResult]:
    results: list[IngestResult | None] = [None] * len(items)
    drafts = []
    for position, (item, draft) in enumerate(zip(items, prepared, strict=True)):
        if isinstance(draft, str):
            results[position] = IngestResult.failed(item["origin"], draft)
        else:
            drafts.append((position, item, draft, draft.notes))
    try:
        with transaction.atomic():
            _save_drafts(drafts, results)
    except IntegrityError:
        # Another run saved some of these texts meanwhile: take them one by one.
        for position, item, _draft, _notes in drafts:
            results[position] = article_ingest(**item)
    return results  # type: ignore[return-value]


def _save_drafts(drafts, results: list) -> None:
    from simple_history.utils import bulk_create_with_history

    from .search import index_articles

    existing = Article.objects.in_bulk(
        [draft.fingerprint for _p, _i, draft, _n in drafts], field_name="fingerprint"
    )
    sources = list(Source.objects.all())
    by_name: dict[str, Source | None] = {}
    new: dict[str, Article] = {}
    created = []
    for position, item, draft, notes in drafts:
        origin = item["origin"]
        earlier = existing.get(draft.fingerprint) or new.get(draft.fingerprint)
        if earlier is not None:
            results[position] = (origin, earlier, notes)
            continue
        source, byline = item.get("source"), item.get("byline")
        if isinstance(source, str):
            if source not in by_name:
                by_name[source] = _source_named(source, notes, sources)
            source = by_name[source]
        if (source is None or not byline) and draft.names_reporter:
            found = recognise(draft.body, sources)
            source = source or found.source
            byline = byline or found.byline
        article = Article(
            title=_clip(draft.title, Article._meta.get_field("title").max_length),
            body=draft.body,
            source=source,
            byline=_clip(byline or "", Article._meta.get_field("byline").max_length),
            published=draft.published,
            url=draft.url,
            origin=_clip(origin, Article._meta.get_field("origin").max_length),
            fingerprint=draft.fingerprint,
        )
        new[draft.fingerprint] = article
        created.append((position, origin, draft, notes))
    saved = bulk_create_with_history(list(new.values()), Article)
    documents, mentions = {}, {}
    for (position, origin, draft, notes), article in zip(created, saved, strict=True):
        results[position] = IngestResult(IngestResult.CREATED, origin, article, notes=notes)
        documents[article.pk], mentions[article.pk] = draft.document, draft.mentions
    index_articles(saved, documents=documents)
    tag_new_articles(saved, found=mentions)  # in this transaction too: never an untagged article
    for position, result in enumerate(results):
        if isinstance(result, tuple):  # a duplicate: of an older article or of one just saved
            origin, earlier, notes = result
            results[position] = IngestResult(
                IngestResult.DUPLICATE, origin, duplicate_of=earlier, notes=notes
            )


def _source_named(
    name: str, notes: list[str], sources: list[Source] | None = None
) -> Source | None:
    """The source called ``name``, created if new (then added to ``sources`` when given)."""
    name = name.strip()
    if not name:
        return None
    found = find_source(name, sources)
    if found is None:
        found = Source.objects.create(name_ar=_clip(name, 200), kind=Source.Kind.OTHER)
        notes.append(_("new source “{name}” added").format(name=found.name_ar))
        if sources is not None:
            sources.append(found)
    return found


def _published_date(value, notes: list[str]) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    parsed: datetime.date | datetime.datetime | None = None
    for parse in (
        datetime.date.fromisoformat,
        datetime.datetime.fromisoformat,
        email.utils.parsedate_to_datetime,  # "Sun, 18 Feb 2018 21:35:43 +0400" (RSS, the corpus)
    ):
        try:
            parsed = parse(text)
            break
        except (ValueError, TypeError, IndexError):
            continue
    if parsed is None:
        notes.append(_("published date “{value}” not understood; left empty").format(value=text))
        return None
    return _published_date(parsed, notes)


def _checked_url(url: str | None, notes: list[str]) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    try:
        URLValidator()(url)
    except ValidationError:
        notes.append(_("address “{url}” is not a web address; left empty").format(url=url[:100]))
        return ""
    if len(url) > Article._meta.get_field("url").max_length:
        notes.append(_("address too long; left empty"))
        return ""
    return url


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- files


def ingest_paths(
    paths: Iterable[str | os.PathLike], *, source: Source | None = None
) -> Iterator[IngestResult]:
    """One result per article found in files, folders (recursively), .zip and .jsonl files."""
    with _fast_commits():
        for path in paths:
            path = Path(path)
            if path.is_dir():
                yield from _ingest_folder(path, source=source)
            elif path.exists():
                yield from _ingest_path(path, source=source)
            else:
                yield IngestResult.failed(str(path), _("no such file or folder"))


@contextmanager
def _fast_commits():
    """Commit each article without waiting for its flush to disk (PostgreSQL).

    A crash can then lose the last fraction of a second of articles, never corrupt one; the
    run is simply repeated, and what was saved comes back as duplicates. Waiting for the disk
    on every one of thousands of small commits would otherwise dominate an import.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def count_files(paths: Iterable[str | os.PathLike]) -> int:
    """How many files ingest_paths will open (for a progress bar)."""
    return sum(len(list(_walk(Path(p)))) if Path(p).is_dir() else 1 for p in paths)


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".") and name != "__MACOSX"]
        for name in files:
            if not name.startswith("."):
                yield Path(root) / name


def _ingest_folder(folder: Path, *, source: Source | None) -> Iterator[IngestResult]:
    """Every file of a folder, recursively; its text files are saved in batches."""
    with _Batches() as batches:
        pending: list[IngestResult | dict] = []
        for path in sorted(_walk(folder)):
            if path.suffix.lower() in TEXT_SUFFIXES:
                pending.append(_read_text_file(path, source=source))
                if len(pending) >= BATCH_SIZE:
                    yield from batches.add(pending)
                    pending = []
            else:
                # Saved after the texts before it, so that it sees them as duplicates.
                yield from batches.add(pending)
                yield from batches.flush()
                pending = []
                yield from _ingest_path(path, source=source)
        yield from batches.add(pending)
        yield from batches.flush()


def _read_text_file(path: Path, *, source: Source | None) -> IngestResult | dict:
    """``article_ingest``'s arguments from a text file, or the failure to read it."""
    try:
        with path.open("rb") as stream:
            text = decode(_read_limited(stream, MAX_TEXT_FILE_BYTES))
    except IngestError as error:
        return IngestResult.failed(str(path), error.reason)
    except OSError as error:
        return IngestResult.failed(str(path), error.strerror or str(error))
    return {"text": text, "origin": str(path), "source": source}


def _ingest_path(path: Path, *, source: Source | None) -> Iterator[IngestResult]:
    try:
        with path.open("rb") as stream:
            yield from ingest_upload(str(path), stream, source=source)
    except OSError as error:
        yield IngestResult.failed(str(path), error.strerror or str(error))


def ingest_upload(name: str, stream: BinaryIO, *, source: Source | None = None):
    """One result per article in an opened file called ``name`` (.txt, .zip or .jsonl)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in ARCHIVE_SUFFIXES:
        yield from _ingest_zip(name, stream, source=source)
    elif suffix in JSONL_SUFFIXES:
        yield from _ingest_jsonl(name, stream, source=source)
    elif suffix in TEXT_SUFFIXES:
        try:
            data = _read_limited(stream, MAX_TEXT_FILE_BYTES)
        except IngestError as error:
            yield IngestResult.failed(name, error.reason)
            return
        yield _ingest_text(name, data, source=source)
    else:
        yield IngestResult.failed(name, _("not a .txt, .zip or .jsonl file"))


def _read_limited(stream: BinaryIO, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        try:
            size = stream.seek(0, io.SEEK_END)
        except (OSError, ValueError, AttributeError):
            size = None
        raise _TooLarge(size, limit)
    return data


def _size_refusal(what: str, size: int, **names) -> str:
    """Why a text is refused for its size, in words an editor can act on."""
    return _("{what}; an article may have at most {limit} MB — split it or check the file").format(
        what=what.format(size=megabytes(size), **names), limit=megabytes(MAX_ARTICLE_BYTES)
    )


class _TooLarge(IngestError):
    """A file too large to hold one article, refused before it is read whole."""

    def __init__(self, size: int | None, limit: int):
        if size is None or size <= limit:  # the size is unknown, or the zip declared a wrong one
            super().__init__(_size_refusal(_("the file is larger than {size} MB"), limit))
        else:
            super().__init__(_size_refusal(_("the file is {size} MB"), size))


def _ingest_text(origin: str, data: bytes, *, source: Source | None) -> IngestResult:
    try:
        text = decode(data)
    except IngestError as error:
        return IngestResult.failed(origin, error.reason)
    return article_ingest(text=text, origin=origin, source=source)


def _ingest_zip(name: str, stream: BinaryIO, *, source: Source | None) -> Iterator[IngestResult]:
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
                yield from _ingest_jsonl(origin, io.BytesIO(data), source=source)
            else:
                yield _ingest_text(origin, data, source=source)


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
        raise _TooLarge(info.file_size, largest)
    return data


BATCH_SIZE = 100  # JSONL lines or text files of a folder saved together by one bulk insert


def _ingest_jsonl(name: str, stream: BinaryIO, *, source: Source | None) -> Iterator[IngestResult]:
    """One article per line: id, title, text, and optionally source, published, author, url.

    Lines are saved in batches (``articles_ingest_bulk``); results come in line order.
    """
    with _Batches() as batches:
        pending: list[IngestResult | dict] = []
        number = 0
        while raw := stream.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                size = len(raw) + _skip_line(stream)  # never held in memory whole
                refusal = _size_refusal(_("line {n} is {size} MB"), size, n=number)
                pending.append(IngestResult.failed(f"{name}:{number}", refusal))
                continue
            if not raw.strip():
                continue
            pending.append(_read_record(name, number, raw, source=source))
            if len(pending) >= BATCH_SIZE:
                yield from batches.add(pending)
                pending = []
        yield from batches.add(pending)
        yield from batches.flush()


def _skip_line(stream: BinaryIO) -> int:
    """Read past the rest of a line; how many bytes it had."""
    skipped = 0
    while chunk := stream.readline(1024 * 1024):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


PARALLEL_AFTER = 200  # texts read: a longer import prepares its batches in worker processes
BATCHES_AHEAD = 2  # per worker: prepared or being prepared while this process saves


class _Batches:
    """Saves batches of texts in order, and in a long import prepares the next ones meanwhile.

    Preparing a text (its words, fingerprint, index terms and names) needs no database, and
    the database works while this process waits for it: worker processes, one per core, keep
    the cores busy. Results still come in order, a batch at a time. A short import (an
    upload, a test) runs inline, where starting the workers would cost more than it saves;
    the workers end with the import, however it ends.
    """

    def __init__(self):
        self.waiting: deque = deque()  # (pending, the workers' AsyncResult), oldest first
        self.read = 0
        self.pool = None
        self.matcher: tuple[Gazetteer, bytes] | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def add(self, pending: list[IngestResult | dict]) -> Iterator[IngestResult]:
        """Take a batch; yield the results of the batches saved meanwhile, in order."""
        if not pending:
            return
        items = [item for item in pending if isinstance(item, dict)]
        self.read += len(items)
        if self.pool is None and self.read > PARALLEL_AFTER and (os.cpu_count() or 1) > 1:
            # fork: the workers start at once with the analyser's tables and Django's settings,
            # and never touch the database connection they inherit.
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(os.cpu_count(), initializer=_start_worker)
        if self.pool is None:
            yield from _save_pending(pending, _prepare_batch(items, gazetteer()))
            return
        texts = [{key: item.get(key) for key in _PREPARED_FROM} for item in items]
        task = (texts, self._matcher_pickled(), translation.get_language())
        self.waiting.append((pending, self.pool.apply_async(_prepare_in_worker, task)))
        while len(self.waiting) > BATCHES_AHEAD * os.cpu_count():
            yield from self._save_oldest()

    def flush(self) -> Iterator[IngestResult]:
        """Save every batch taken so far."""
        while self.waiting:
            yield from self._save_oldest()

    def _save_oldest(self) -> Iterator[IngestResult]:
        pending, prepared = self.waiting.popleft()
        yield from _save_pending(pending, prepared.get())

    def _matcher_pickled(self) -> bytes:
        """The current gazetteer for the workers, pickled again only when it changed."""
        matcher = gazetteer()
        if self.matcher is None or self.matcher[0] is not matcher:
            self.matcher = (matcher, pickle.dumps(matcher))
        return self.matcher[1]


_PREPARED_FROM = ("text", "title", "published", "url")  # what _prepare_batch reads of an item


def _start_worker() -> None:
    # Ctrl-C is the importing process's to handle; the pool ends its workers with SIGTERM,
    # which must end them even where the importing process catches it (a gunicorn worker).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_worker_matcher: tuple[bytes, Gazetteer] | None = None  # in a worker: the last one received


def _prepare_in_worker(texts: list[dict], matcher: bytes, language: str | None):
    global _worker_matcher
    if _worker_matcher is None or _worker_matcher[0] != matcher:
        _worker_matcher = (matcher, pickle.loads(matcher))
    with translation.override(language):
        return _prepare_batch(texts, _worker_matcher[1])


def _save_pending(
    pending: list[IngestResult | dict], prepared: list[_Prepared | str]
) -> list[IngestResult]:
    items = [item for item in pending if isinstance(item, dict)]
    saved = iter(_save_prepared(items, prepared))
    return [item if isinstance(item, IngestResult) else next(saved) for item in pending]


def _read_record(name: str, number: int, raw: bytes, *, source: Source | None):
    """``article_ingest``'s arguments from one JSONL line, or the failure to read it."""
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
    return {
        # A control character inside a JSON string is one damaged character (a few ANT corpus
        # articles carry a stray U+008F), not a binary file: drop it rather than the article.
        "text": _CONTROL_CHARACTER.sub("", text),
        "origin": origin,
        "source": _string(record.get("source")) or source,
        "title": _string(record.get("title")) or None,
        "byline": _string(record.get("author")) or None,
        "published": _string(record.get("published", record.get("time"))) or None,
        "url": _string(record.get("url")) or None,
    }


def _string(value) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)
