"""The one way an imported text becomes an article: texts prepared and saved a batch at a time.

A folder's text files, a zip's entries, a JSONL file's lines, the files of an upload and a
single ``article_ingest`` all come through ``ingest_texts`` and are saved by ``save_batch``, in
batches of ``BATCH_SIZE``. A batch is one transaction: one query finds its duplicates, one
insert saves its articles (with their history), one statement indexes them and one insert per
table tags them. No article is ever saved unindexed or untagged, one bad text never loses the
others, and an interrupted run can simply be run again: what it saved comes back as duplicates.
"""

import datetime
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ..models import Article, Source
from ..search import index_articles
from ..tagging import tag_new_articles
from .byline import SourceNames, find_source, recognise_in, source_names
from .stages import IngestResult, Prepared, Text
from .text import clip
from .workers import Preparer

BYLINE_MAX_CHARS = Article._meta.get_field("byline").max_length
ORIGIN_MAX_CHARS = Article._meta.get_field("origin").max_length
SOURCE_NAME_MAX_CHARS = Source._meta.get_field("name_ar").max_length

BATCH_SIZE = 100  # texts (and refusals met while reading them) saved together


def ingest_texts(items: Iterable[Text | IngestResult]) -> Iterator[IngestResult]:
    """One result per item, in order: texts are saved a batch at a time, refusals kept in place.

    The next batches may be prepared by worker processes while one is saved (``Preparer``);
    batches are still saved one after the other, so a text sees those before it as duplicates.
    """
    with Preparer() as preparer:
        waiting: deque = deque()  # (a batch's items, its texts being prepared), oldest first
        for batch in _batches(items):
            texts = [item for item in batch if isinstance(item, Text)]
            waiting.append((batch, preparer.submit(texts)))
            while len(waiting) > preparer.ahead:
                yield from _saved(*waiting.popleft())
        while waiting:
            yield from _saved(*waiting.popleft())


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
    """Save one text as an article unless the archive already has it (a batch of one).

    ``title`` None means "read it from the text" (then the text may start with a title line);
    ``source`` may be a name, matched to a known source or created. The reporter and source are
    recognised in the text when not given. Everything happens in one transaction.
    """
    item = Text(text, origin, source, title=title, byline=byline, published=published, url=url)
    [result] = ingest_texts([item])
    return result


def _batches(items: Iterable[Text | IngestResult]) -> Iterator[list[Text | IngestResult]]:
    batch: list[Text | IngestResult] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def _saved(batch: list[Text | IngestResult], prepared) -> list[IngestResult]:
    """The batch's results in its order: refusals met reading or preparing, then what was saved."""
    analysed = iter(prepared.get())
    outcomes = [item if isinstance(item, IngestResult) else next(analysed) for item in batch]
    ready = [outcome for outcome in outcomes if isinstance(outcome, Prepared)]
    saved = iter(save_batch(ready) if ready else ())
    return [next(saved) if isinstance(outcome, Prepared) else outcome for outcome in outcomes]


def save_batch(batch: Sequence[Prepared]) -> list[IngestResult]:
    """Save each prepared text as an article unless the archive has it; results in batch order.

    A text already in the archive, or met earlier in the batch, is reported as a duplicate of
    that article, and the rest of the batch is saved.
    """
    with transaction.atomic():
        sources = _Sources()
        known = Article.objects.in_bulk(
            list({prepared.fingerprint for prepared in batch}), field_name="fingerprint"
        )
        while True:
            new = _new_articles(batch, known, sources)
            try:
                with transaction.atomic():
                    saved = _insert(new, batch)
                break
            except IntegrityError:
                # Another process saved some of these texts between the check and the insert
                # (PostgreSQL: a SQLite transaction holds the write lock from its start). They
                # are its duplicates now; the insert is undone to its savepoint and the rest
                # saved again. Each round finds one more duplicate, or the error was another.
                raced = Article.objects.in_bulk(list(new), field_name="fingerprint")
                if not raced:
                    raise
                known.update(raced)
    results = []
    for prepared in batch:
        earlier = known.get(prepared.fingerprint)
        if earlier is None:
            known[prepared.fingerprint] = article = saved[prepared.fingerprint]
            results.append(
                IngestResult(
                    IngestResult.CREATED, prepared.origin, article=article, notes=prepared.notes
                )
            )
        else:
            results.append(
                IngestResult(
                    IngestResult.DUPLICATE,
                    prepared.origin,
                    duplicate_of=earlier,
                    notes=prepared.notes,
                )
            )
    return results


def _new_articles(
    batch: Sequence[Prepared], known: dict[str, Article], sources: "_Sources"
) -> dict[str, Article]:
    """The articles to insert, by fingerprint: the first text of each that the archive lacks."""
    new: dict[str, Article] = {}
    for prepared in batch:
        if prepared.fingerprint in known or prepared.fingerprint in new:
            continue
        source, byline = sources.of(prepared)
        new[prepared.fingerprint] = Article(
            title=prepared.title,
            body=prepared.body,
            source=source,
            byline=clip(byline, BYLINE_MAX_CHARS),
            published=prepared.published,
            url=prepared.url,
            origin=clip(prepared.origin, ORIGIN_MAX_CHARS),
            fingerprint=prepared.fingerprint,
        )
    return new


def _insert(new: dict[str, Article], batch: Sequence[Prepared]) -> dict[str, Article]:
    """Insert the articles with their history, index and tag them; the saved ones by fingerprint."""
    if not new:
        return {}
    saved = bulk_create_with_history(list(new.values()), Article)
    analysed = {prepared.fingerprint: prepared for prepared in reversed(batch)}  # first wins
    index_articles(saved, documents={a.pk: analysed[a.fingerprint].document for a in saved})
    tag_new_articles(saved, found={a.pk: analysed[a.fingerprint].mentions for a in saved})
    return {article.fingerprint: article for article in saved}


class _Sources:
    """The sources as one batch sees them: read once, and those it names added when new."""

    def __init__(self):
        self._all: list[Source] | None = None
        self._names: SourceNames | None = None
        self._named: dict[str, Source | None] = {}
        self._chosen: dict[int, tuple[Source | None, str]] = {}

    def of(self, prepared: Prepared) -> tuple[Source | None, str]:
        """The text's source and byline: as given, else as the text names them (once a text)."""
        key = id(prepared)
        if key not in self._chosen:
            source, byline = prepared.source, prepared.byline
            if isinstance(source, str):
                source = self._source_named(source, prepared.notes)
            if (source is None or not byline) and prepared.reporter_clauses:
                found = recognise_in(prepared.body, prepared.reporter_clauses, self._source_names())
                source = source or found.source
                byline = byline or found.byline
            self._chosen[key] = (source, byline or "")
        return self._chosen[key]

    def _sources(self) -> list[Source]:
        if self._all is None:
            self._all = list(Source.objects.all())
        return self._all

    def _source_names(self) -> SourceNames:
        if self._names is None:
            self._names = source_names(self._sources())
        return self._names

    def _source_named(self, name: str, notes: list[str]) -> Source | None:
        """The source called ``name``, created if new (with a note saying so)."""
        name = name.strip()
        if not name:
            return None
        if name not in self._named:
            found = find_source(name, self._sources())
            if found is None:
                found = Source.objects.create(
                    name_ar=clip(name, SOURCE_NAME_MAX_CHARS), kind=Source.Kind.OTHER
                )
                notes.append(_("new source “{name}” added").format(name=found.name_ar))
                self._sources().append(found)
                self._names = None
            self._named[name] = found
        return self._named[name]


@contextmanager
def fast_commits() -> Iterator[None]:
    """Commit each batch without waiting for its flush to disk (PostgreSQL).

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
