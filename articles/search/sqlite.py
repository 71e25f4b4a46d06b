"""SQLite: an FTS5 table of the analyser's terms (rowid = article id), ranked by bm25.

Each word is written as its marked normalised form followed by its other terms
(``fts_word``), so that FTS5's positions delimit words and a phrase is an FTS5 phrase of the
written forms its words take in the archive (looked up first), checked by the index itself.
"""

import itertools
import json
import math
import operator
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.db.models import Value
from django.db.models.expressions import RawSQL

from .. import arabic
from .query import Clause, Phrase, Query, Slot, usable
from .weights import TITLE_WEIGHT

FTS_TABLE = "articles_article_fts"
_TERMS = operator.attrgetter("terms")
MARK = "_"  # begins every word in the FTS5 text; never part of a term (see arabic._WORD)


@lru_cache(maxsize=1 << 18)
def fts_word(terms: tuple[str, ...]) -> str:
    """One word in the FTS5 text: its marked normalised form, then its other terms.

    "وبدرعا" is written "_وبدرعا درعا بدرعا". Every word begins with its one marked token and
    its other tokens follow from that form alone, so FTS5 positions delimit words: the
    phrase "_بصري _الشام" is the word بصرى followed by the word الشام.
    """
    norm, *rest = terms
    head = MARK + norm if usable(norm) else MARK
    return " ".join([head, *(term for term in rest if usable(term))])


def fts_text(tokens: Sequence[arabic.Token]) -> str:
    """FTS5 column text: the words of ``fts_word``, in order."""
    return " ".join(map(fts_word, map(_TERMS, tokens)))


class SqliteBackend:
    """An FTS5 table (rowid = article id) of the analyser's terms (``fts_text``), bm25-ranked.

    A query word matches its term marked (the word as written) or not (a word it was cut
    from). A phrase becomes FTS5 phrases of whole words: every written form its words take
    in the index (looked up first, so that only forms that occur are combined), so that FTS5
    checks adjacency itself and no Python runs per article.
    """

    TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '_'"

    def __init__(self, connection):
        self.connection = connection

    def install(self) -> bool:
        """Create the table and its trigger; True when a table of an older format was replaced.

        The format is the table's tokenizer: tables made before words were marked lack it.
        """
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [FTS_TABLE])
            row = cursor.fetchone()
            replaced = row is not None and self.TOKENIZE not in row[0]
            if replaced:
                cursor.execute(f"DROP TABLE {FTS_TABLE}")
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
                f'title, body, tokenize = "{self.TOKENIZE}")'
            )
            # Also catches deletes that send no signal (queryset fast-deletes, test flushes).
            # Django rebuilds a table to alter it, which drops its triggers: post_migrate
            # calls install() again.
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE "
                f"ON articles_article BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
            )
        return replaced

    def uninstall(self):
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")

    def clear(self):
        """An empty table of the current format (``reindex`` upgrades an older one)."""
        self.uninstall()
        self.install()

    @staticmethod
    def unindexed(articles):
        """The articles that have no row in the table."""
        return articles.exclude(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE}", []))

    @staticmethod
    def document(title: Sequence[arabic.Token], body: Sequence[arabic.Token]) -> tuple[str, str]:
        return fts_text(title), fts_text(body)

    def write(self, rows: list[tuple[int, tuple[str, str]]]):
        with self.connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(rows))
            cursor.execute(
                f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", [r[0] for r in rows]
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                [(pk, title, body) for pk, (title, body) in rows],
            )

    def indexed(self, tokens: Iterable[str]) -> set[str]:
        """Which of these tokens some article holds (one statement for all)."""
        tokens = list(tokens)
        if not tokens:
            return set()
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT key FROM json_each(%s) WHERE EXISTS "
                f"(SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH value)",
                [json.dumps([_fts_quote([t]) for t in tokens], ensure_ascii=False)],
            )
            return {tokens[key] for (key,) in cursor.fetchall()}

    def phrase_forms(self, slots: set[Slot]) -> dict[Slot, list[str]]:
        """The written forms each word of the query's phrases takes in the index.

        Two lookups: the words themselves, then the glued forms of those found inside a
        glued word (a term no word was cut to has no glued form: most Latin spellings).
        """
        terms = {term for slot in slots for term in slot}
        found = self.indexed({token for t in terms for token in (MARK + t, t)})
        glued = {f for t in terms if t in found for f in arabic.written_forms(t)[1:]}
        found |= self.indexed({MARK + form for form in glued if MARK + form not in found})
        return {s: [f for f in _slot_forms(s) if MARK + f in found] for s in slots}

    def match(self, query: Query) -> tuple[str, str] | None:
        """The FTS5 expressions that find the query's articles and that rank them.

        None when no article can match. Ranking by bm25 reads the matches of every FTS5
        phrase of its expression in the whole index, and a phrase of common words makes
        dozens of them (its written forms combined), so a query with phrases is ranked by
        its words, each phrase as all of its words.
        """
        slots = {s for c in (*query.must, *query.exclude) for p in c if len(p) > 1 for s in p}
        forms = self.phrase_forms(slots)

        def possible(clause: Clause) -> list[Phrase]:
            return [p for p in clause if len(p) == 1 or all(forms[slot] for slot in p)]

        def phrase(words: Phrase) -> str:
            combinations = _combinations([forms[slot] for slot in words], MAX_PHRASE_FORMS)
            return " OR ".join(_fts_quote(_phrase_tokens(c)) for c in combinations)

        must = [possible(c) for c in query.must]
        if not all(must):
            return None
        exclude = [c for c in map(possible, query.exclude) if c]
        found = " AND ".join(_clause(c, phrase) for c in must)
        if exclude:
            found = f"({found}) NOT ({' OR '.join(_clause(c, phrase) for c in exclude)})"
        if all(len(p) == 1 for c in (*must, *exclude) for p in c):
            return found, found
        return found, " AND ".join(_clause(c, _all_words) for c in must)

    def search(self, queryset, query: Query):
        """Articles found by one expression of ``match``, ranked by bm25 over the other.

        When they differ, the finding one is a subquery; "+" keeps SQLite from looking its
        ids up one by one in the ranking expression.
        """
        expressions = self.match(query)
        if expressions is None:
            return queryset.annotate(rank=Value(0.0)).none()
        found, ranked = expressions
        where = [f"{FTS_TABLE}.rowid = articles_article.id", f"{FTS_TABLE} MATCH %s"]
        params = [ranked]
        if found != ranked:
            where.append(
                f"+{FTS_TABLE}.rowid IN (SELECT found.rowid FROM {FTS_TABLE} AS found "
                f"WHERE found.{FTS_TABLE} MATCH %s)"
            )
            params.append(found)
        return queryset.extra(
            select={"rank": f"-bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0)"},
            tables=[FTS_TABLE],
            where=where,
            params=params,
        )


def _word(slot: Slot) -> str:
    """A query word in FTS5: its terms, marked (a word as written) or not (inside one)."""
    return " OR ".join(_fts_quote([mark + t]) for t in sorted(slot) for mark in (MARK, ""))


def _all_words(phrase: Phrase) -> str:
    return " AND ".join(f"({_word(slot)})" for slot in phrase)


def _clause(clause: Sequence[Phrase], phrase) -> str:
    """Alternatives joined by OR: words as ``_word``, phrases as ``phrase`` makes them."""
    return "(" + " OR ".join(_word(p[0]) if len(p) == 1 else phrase(p) for p in clause) + ")"


# A phrase is searched in at most this many combinations of its words' written forms, the
# shortest forms first: "ريف دمشق" is 8 x 5 in the ANT corpus; only a long phrase of common
# words is cut down, in its rarer glued forms of later words first.
MAX_PHRASE_FORMS = 64


def _fts_quote(tokens: Sequence[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _slot_forms(slot: Slot) -> list[str]:
    """Every normalised word a query word may be, its own terms first (arabic.written_forms)."""
    forms = dict.fromkeys(sorted(slot))
    for term in sorted(slot):
        forms.update(dict.fromkeys(arabic.written_forms(term)))
    return [form for form in forms if usable(form)]


def _combinations(slots: list[list[str]], cap: int) -> Iterable[tuple[str, ...]]:
    """The product of the slots' forms, each slot cut (the longest, later first) to fit ``cap``."""
    sizes = [len(forms) for forms in slots]
    while math.prod(sizes) > cap:
        widest = max(range(len(sizes)), key=lambda k: (sizes[k], k))
        sizes[widest] -= 1
    return itertools.product(*(forms[:n] for forms, n in zip(slots, sizes, strict=True)))


def _phrase_tokens(words: Sequence[str]) -> list[str]:
    """The FTS5 tokens of adjacent words: each whole but the last, of which the mark suffices."""
    tokens = [
        t for word in words[:-1] for t in fts_word((word, *arabic.strip_proclitics(word))).split()
    ]
    return [*tokens, MARK + words[-1]]
