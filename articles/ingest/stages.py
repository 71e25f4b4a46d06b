"""A text's three stages on its way in: read (`Text`), analysed (`Prepared`), saved (results).

Every route (a folder's .txt, a zip entry, a JSONL line, an upload, ``article_ingest``) makes
a `Text`; ``prepare`` makes it a `Prepared` or a failure, with no database work (so that worker
processes can do it); ``save_batch`` turns prepared texts into results.
"""

import datetime
from dataclasses import dataclass, field

from .. import arabic
from ..models import Article, Source


class IngestError(Exception):
    """A file or record that cannot become an article; the message says why, for an editor."""

    @property
    def reason(self) -> str:
        return str(self)


@dataclass
class Text:
    """One text to save, with what its file or record says about it."""

    text: str
    origin: str  # the file, "archive.zip:entry" or "feed.jsonl:id", as the report names it
    source: Source | str | None = None  # a name is matched to a known source or created
    title: str | None = None  # None: read from the text (which may then start with a title line)
    byline: str | None = None  # None: recognised in the text
    published: datetime.date | datetime.datetime | str | None = None
    url: str | None = None


@dataclass
class Prepared:
    """A text ready for the batch save: its fields, and all its words give, found apart."""

    origin: str
    source: Source | str | None  # as given; recognised at the save when None
    byline: str | None  # as given; recognised at the save when empty
    title: str  # clipped to fit, as saved (the index and the tags read the saved title)
    body: str
    published: datetime.date | None
    url: str
    fingerprint: str
    notes: list[str]
    document: object  # what the search index stores for it (``index_document``)
    mentions: list  # the places and parties it names (the gazetteer's ``find``)
    # The words after each "مراسل" of the body, where a reporter and a source may be named;
    # matched to the sources at the save (``byline.recognise_in``). Empty for most texts.
    reporter_clauses: list[list[arabic.Token]]


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
