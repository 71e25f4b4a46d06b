"""PostgreSQL: a tsvector of the analyser's terms, GIN-indexed, ranked by ts_rank.

``Article.search_vector`` holds every word's terms at the word's position (the title weighted
A, the body B) and finds matches; ``Article.rank_vector``, a small vector of the title and the
opening words kept in the row, ranks them. Both are written here from the analyser's tokens as
tsvector literals, never through PostgreSQL's own text parsers.
"""

import operator
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import transaction
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.functions import Cast, Coalesce

from .. import arabic
from .query import Clause, Query, Slot, usable
from .weights import POSTGRES_WEIGHTS, RANK_WORDS


def _tsquote(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


MAX_POSITION = 16383  # PostgreSQL clamps larger positions to this one


def tsvector_literal(title: Sequence[arabic.Token], body: Sequence[arabic.Token]) -> str:
    """A tsvector in PostgreSQL's text form: each word's terms share its position.

    The title is weighted A and the body B; the body starts two positions after the title so
    that a phrase never runs from one into the other.
    """
    # Positions are gathered per word and each distinct word is written once: a text repeats
    # its words, and the work per occurrence is one append. A lexeme shared by two words
    # ("درعا" of "درعا" and of "بدرعا") is written twice; PostgreSQL merges and sorts them.
    places: dict[tuple[str, ...], list[str]] = defaultdict(list)  # a word's terms -> positions
    for first, weight, tokens in ((1, "A", title), (len(title) + 2, "B", body)):
        for terms, position in zip(
            map(_TERMS, tokens), _positions(first, len(tokens), weight), strict=True
        ):
            places[terms].append(position)
    return " ".join(
        [f"{term}:{','.join(where)}" for terms, where in places.items() for term in _quoted(terms)]
    )


_TERMS = operator.attrgetter("terms")
_POSITIONS = {
    weight: [f"{position}{weight}" for position in range(MAX_POSITION + 1)] for weight in "AB"
}


def _positions(first: int, count: int, weight: str) -> list[str]:
    """``count`` positions from ``first`` on, as "12B"; PostgreSQL's last one repeats after."""
    labels = _POSITIONS[weight]
    chosen = labels[first : first + count]
    return chosen + [labels[MAX_POSITION]] * (count - len(chosen))


@lru_cache(maxsize=1 << 18)
def _quoted(terms: tuple[str, ...]) -> tuple[str, ...]:
    """A word's index terms as tsvector lexemes (cached: the same words recur in every text)."""
    return tuple(_tsquote(term) for term in terms if usable(term))


class _Matches(Func):
    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class PostgresBackend:
    """tsvector of the analyser's terms in ``search_vector``, GIN-indexed; ts_rank of the
    title and opening words' terms in ``rank_vector``."""

    WEIGHTS = POSTGRES_WEIGHTS

    def __init__(self, connection):
        self.connection = connection

    def install(self):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS article_search_vector_gin "
                "ON articles_article USING gin (search_vector)"
            )

    def uninstall(self):
        with self.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS article_search_vector_gin")

    def clear(self):
        with self.connection.cursor() as cursor:
            cursor.execute("UPDATE articles_article SET search_vector = NULL, rank_vector = NULL")

    @staticmethod
    def unindexed(articles):
        """The articles without vectors: never indexed, or from before ``rank_vector``."""
        return articles.filter(Q(search_vector__isnull=True) | Q(rank_vector__isnull=True))

    @staticmethod
    def document(title: Sequence[arabic.Token], body: Sequence[arabic.Token]) -> tuple[str, str]:
        """The whole text's vector and the ranking one (title and opening words)."""
        return tsvector_literal(title, body), tsvector_literal(title, body[:RANK_WORDS])

    def write(self, rows: list[tuple[int, tuple[str, str]]]):
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        params = [p for pk, (vector, rank) in rows for p in (pk, vector, rank)]
        with self.connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_article AS a "
                "SET search_vector = v.vec::tsvector, rank_vector = v.rank::tsvector "
                f"FROM (VALUES {values}) AS v(id, vec, rank) WHERE a.id = v.id",
                params,
            )

    @staticmethod
    def tsquery(query: Query) -> str:
        def slot(terms: Slot) -> str:
            return "(" + " | ".join(_tsquote(t) for t in sorted(terms)) + ")"

        def clause(phrases: Clause) -> str:
            return "(" + " | ".join("(" + " <-> ".join(map(slot, p)) + ")" for p in phrases) + ")"

        parts = [clause(c) for c in query.must] + ["!" + clause(c) for c in query.exclude]
        return " & ".join(parts)

    # A query of more terms is first narrowed to those that occur (see ``present``).
    PROBED_TERMS = 8

    def present(self, terms: Sequence[str]) -> set[str]:
        """Which of these terms some article's vector holds, looked up in the GIN index."""
        probe = (
            "SELECT w.k FROM unnest(%s::text[]) WITH ORDINALITY AS w(q, k) WHERE EXISTS "
            "(SELECT 1 FROM articles_article WHERE search_vector @@ w.q::tsquery)"
        )
        alias = self.connection.alias
        with transaction.atomic(using=alias), self.connection.cursor() as cursor:
            # For EXISTS the planner would rather read articles until one holds the term, and
            # for a term no article holds (most spellings of a Latin name) that is all of them.
            cursor.execute("SELECT current_setting('enable_seqscan')")
            (previous,) = cursor.fetchone()
            cursor.execute("SELECT set_config('enable_seqscan', 'off', true)")
            cursor.execute(probe, [[_tsquote(term) for term in terms]])
            found = {terms[k - 1] for (k,) in cursor.fetchall()}
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [previous])
        return found

    def search(self, queryset, query: Query):
        """Matches by the whole text; ranked by the title and opening words.

        Ranking by the whole vector would read every match's vector a second time (they are
        stored out of line): the cost of a common town name would grow with the archive. A
        query of many alternatives is narrowed to the terms that occur: the planner, which
        knows nothing of rare words, would otherwise expect an OR of sixty spellings to match
        a large share of the archive and read every article's vector instead of the index.
        """
        terms = sorted(_terms(query))
        if len(terms) > self.PROBED_TERMS:
            query = _within(query, self.present(terms))
            if not query:
                return queryset.annotate(rank=Value(0.0)).none()
        tsquery = Cast(Value(self.tsquery(query)), SearchQueryField())
        rank = SearchRank(F("rank_vector"), tsquery, weights=self.WEIGHTS)
        return queryset.filter(_Matches(F("search_vector"), tsquery)).annotate(
            rank=Coalesce(rank, Value(0.0))
        )


def _terms(query: Query) -> set[str]:
    return {t for c in (*query.must, *query.exclude) for p in c for slot in p for t in slot}


def _within(query: Query, present: set[str]) -> Query:
    """The query without what cannot match: terms no article holds, phrases left without."""

    def narrowed(clause: Clause) -> Clause:
        phrases = (tuple(slot & present for slot in phrase) for phrase in clause)
        return tuple(phrase for phrase in phrases if all(phrase))

    must = tuple(map(narrowed, query.must))
    if not all(must):
        return Query(cut=query.cut)
    return Query(must, tuple(filter(None, map(narrowed, query.exclude))), query.cut)
