"""Finding articles by what they say: the entry points of the search package.

The analyser (``arabic.py``) decides what matches; the databases only store its terms and look
them up. Each word of an article is indexed under its normalised form and the forms left after
removing its proclitics ("بدرعا" -> "بدرعا", "درعا"), all at the word's position. A query word
is normalised the same way but not expanded, so "درعا" finds "بدرعا" while "علما" never finds
"علماء".

In the shape of wagtail's database search backends: ``query.py`` parses (pure, given the known
names), ``postgres.py`` and ``sqlite.py`` are the two backends, ``weights.py`` ranks and
``highlighting.py`` marks; the vendor is chosen in one place, ``backend()``. Pages, admin, API
and exports come in through ``Article.objects.search(q)``, which calls ``search`` here.
"""

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice

from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.safestring import SafeString

from .. import arabic
from ..names import NO_NAMES, KnownNames, current
from ..names import forget as forget_names
from . import highlighting
from .highlighting import matched_tokens
from .postgres import PostgresBackend
from .query import (
    MAX_ALTERNATIVES,
    MAX_CLAUSES,
    MAX_PHRASE_WORDS,
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    MAX_TERM_BYTES,
    Query,
)
from .query import parse_query as parse_with_names
from .sqlite import FTS_TABLE, SqliteBackend

__all__ = [
    "FTS_TABLE",
    "MAX_ALTERNATIVES",
    "MAX_CLAUSES",
    "MAX_PHRASE_WORDS",
    "MAX_QUERY_LENGTH",
    "MAX_QUERY_TERMS",
    "MAX_TERM_BYTES",
    "KnownNames",
    "PostgresBackend",
    "Query",
    "SqliteBackend",
    "backend",
    "forget_names",
    "highlight",
    "index_articles",
    "index_document",
    "install_index",
    "known_names",
    "matched_tokens",
    "parse_query",
    "rebuild_index",
    "search",
    "snippet",
]


def backend(using: str = "default") -> PostgresBackend | SqliteBackend:
    """The index of the database ``using`` names: the one place that looks at the vendor."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        return PostgresBackend(connection)
    return SqliteBackend(connection)


# -- Queries -----------------------------------------------------------------------------------


def known_names() -> KnownNames:
    """The gazetteer's names as the query parser reads them, from the one names snapshot."""
    return current().searchable


def parse_query(text: str, names: KnownNames | None = None) -> Query:
    """``query.parse_query`` given the gazetteer's names (read only for a query to parse)."""
    if names is None:
        names = known_names() if isinstance(text, str) and text.strip() else NO_NAMES
    return parse_with_names(text, names)


def _as_query(query: "str | Query") -> Query:
    return query if isinstance(query, Query) else parse_query(query)


def search(queryset, text: "str | Query"):
    """The articles of ``queryset`` that match, annotated with ``rank``, best first.

    Equal ranks keep the model's own order: the archive's, newest first, then by id.
    """
    query = _as_query(text)
    if not query:
        return queryset.none()
    found = backend(queryset.db).search(queryset, query)
    return found.order_by("-rank", *queryset.model._meta.ordering)


def highlight(text: str, query: "str | Query") -> SafeString:
    """The whole text, HTML-escaped, with every matched word in <mark>."""
    return highlighting.highlight(text, _as_query(query))


def snippet(text: str, query: "str | Query", *, size: int = 240) -> SafeString:
    """About ``size`` characters of the text around its densest cluster of matches, marked."""
    return highlighting.snippet(text, _as_query(query), size=size)


# -- Writing the index -------------------------------------------------------------------------

Analysed = tuple[Sequence[arabic.Token], Sequence[arabic.Token]]  # title tokens, body tokens


def analyse(article) -> Analysed:
    return arabic.tokenize(article.title or ""), arabic.tokenize(article.body or "")


def index_document(
    title: Sequence[arabic.Token], body: Sequence[arabic.Token], using: str = "default"
):
    """What the index stores for an article of these tokens (computed apart from the save)."""
    return backend(using).document(title, body)


def index_articles(
    articles: Iterable,
    *,
    analysed: Mapping[int, Analysed] | None = None,
    documents: Mapping[int, object] | None = None,
    batch_size: int = 500,
    using: str = "default",
) -> int:
    """(Re)index saved articles in batches.

    ``analysed`` may hold their tokens already, ``documents`` their ``index_document``.
    """
    index = backend(using)
    analysed, documents = analysed or {}, documents or {}

    def document(article):
        if article.pk in documents:
            return documents[article.pk]
        return index.document(*(analysed.get(article.pk) or analyse(article)))

    count = 0
    iterator = iter(articles)
    while batch := list(islice(iterator, batch_size)):
        rows = [(article.pk, document(article)) for article in batch]
        index.write(rows)
        count += len(rows)
    return count


def rebuild_index(articles: Iterable, *, batch_size: int = 500, using: str = "default") -> int:
    """Empty the index, then index ``articles`` (the reindex command, after analyser changes)."""
    backend(using).clear()
    return index_articles(articles, batch_size=batch_size, using=using)


def install_index(*, using: str = "default") -> bool:
    """Create the index structures; True when an index of an older format was replaced."""
    return backend(using).install()


# -- Keeping the index current (the receivers apps.py connects) --------------------------------

INDEXED_FIELDS = {"title", "body"}


def index_saved_article(sender, instance, update_fields=None, using=None, **kwargs) -> None:
    """post_save of an article: its entry follows its title and text."""
    if update_fields is not None and not INDEXED_FIELDS & set(update_fields):
        return
    index_articles([instance], using=using or "default")


def install_after_migrate(sender, using="default", verbosity=1, stdout=None, **kwargs) -> None:
    """post_migrate of the articles app: the index in its current format, with every article.

    The structures are created again (rebuilding a table to alter it, Django drops its
    triggers); an index of an older format is replaced and filled again; articles the index
    lacks are indexed. Migrations create what the index is stored in but never run the
    analyser (they must not import live code), so this is where an archive upgraded through
    0002 or 0006 gets its index, and where an interrupted upgrade is finished. One
    transaction: an interrupted upgrade leaves the old index, and the next migrate upgrades it.
    """
    connection = connections[using]
    migrations = MigrationLoader(connection, ignore_no_migrations=True)
    applied = migrations.applied_migrations
    if ("articles", "0002_search_index") not in applied:
        return
    articles = sender.get_model("Article").objects.using(using)
    index = backend(using)
    with transaction.atomic(using=using):
        if index.install():
            missing = articles
            note = "Indexing every article again in the new search index format..."
        elif articles.exists() and set(migrations.graph.leaf_nodes("articles")) <= applied.keys():
            # Only once the tables are as the models describe them (not midway back).
            missing = index.unindexed(articles)
            note = "Indexing the articles the search index lacks..."
        else:
            return
        pks = list(missing.order_by("pk").values_list("pk", flat=True))
        if not pks:
            return
        if stdout is not None and verbosity:
            stdout.write(note)
        count = 0
        for start in range(0, len(pks), 500):
            chunk = articles.filter(pk__in=pks[start : start + 500]).only("pk", "title", "body")
            count += index_articles(chunk, using=using)
        if stdout is not None and verbosity:
            stdout.write(f"  {count} articles indexed.")
