"""Finding articles by what they say: query parsing, the two index backends, highlighting.

The analyser (``arabic.py``) decides what matches; the databases only store its terms and look
them up. Each word of an article is indexed under its normalised form and the forms left after
removing its proclitics ("بدرعا" -> "بدرعا", "درعا"), all at the word's position. A query word
is normalised the same way but not expanded, so "درعا" finds "بدرعا" while "علما" never finds
"علماء". PostgreSQL stores the terms in ``Article.search_vector`` (GIN-indexed); SQLite keeps
them in an FTS5 table whose rowid is the article id. The vendor is chosen in ``_backend()``.
"""

import itertools
import json
import math
import operator
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import NamedTuple

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connections, transaction
from django.db.models import BooleanField, F, Func, Value
from django.db.models.functions import Cast, Coalesce
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import arabic

Slot = frozenset[str]  # the terms one word of the query may match (alternatives)
Phrase = tuple[Slot, ...]  # words that must follow one another
Clause = tuple[Phrase, ...]  # alternatives joined by OR


@dataclass(frozen=True)
class Query:
    """A parsed query: every ``must`` clause matches and no ``exclude`` clause does.

    ``cut`` says that the query was longer than the limits below and its end was left out.
    """

    must: tuple[Clause, ...] = ()
    exclude: tuple[Clause, ...] = ()
    cut: bool = False

    def __bool__(self):
        return bool(self.must)


# -- Parsing -----------------------------------------------------------------------------------

_QUOTES = {'"': '"', "«": "»", "“": "”", "”": "”", "„": "“"}
_OR = {"OR", "|", "||"}
_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_LATIN_LETTER = re.compile("[a-z]")
MAX_QUERY_LENGTH = 1000  # characters; a longer paste is cut, never rejected
MAX_TERM_BYTES = 1000  # longer "words" (base64, URLs) are not indexed: PostgreSQL caps lexemes
# What one query may make the database do: its first distinct words and phrases (an OR group
# counts once, a repeated word adds nothing), what each may stand for (a Latin name's
# spellings, OR'd words), the words of one phrase, and all the terms looked up together.
# Past a limit the rest of the query is left out (``Query.cut``), never refused.
MAX_CLAUSES = 20
MAX_ALTERNATIVES = 64
MAX_PHRASE_WORDS = 12
MAX_QUERY_TERMS = 256


class KnownNames(NamedTuple):
    """Names of places and parties, as normalised word sequences joined by spaces."""

    arabic: frozenset[str]  # a query word stripped of its proclitics must land on one of these
    variants: Mapping[str, tuple[str, ...]]  # Latin name -> every name of the same place/party


def _lex(text: str) -> list[tuple[str, bool, tuple[str, ...]]]:
    """Split a query into ("or", ...) operators and (kind, negated, words) units."""
    items: list[tuple[str, bool, tuple[str, ...]]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        negated = char == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
            char = text[i]
        if char in _QUOTES:
            close = text.find(_QUOTES[char], i + 1)
            end = n if close < 0 else close  # an unbalanced quote runs to the end
            items.append(("phrase", negated, tuple(arabic.words(text[i + 1 : end]))))
            i = end + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] not in _QUOTES:
            end += 1
        chunk = text[i:end]
        i = end
        if chunk in _OR and not negated:
            items.append(("or", False, ()))
        else:
            items.append(("word", negated, tuple(arabic.words(chunk))))
    return [item for item in items if item[0] == "or" or item[2]]


def _usable(word: str) -> bool:
    return len(word.encode()) <= MAX_TERM_BYTES


def _expand(words: tuple[str, ...], names: KnownNames) -> Clause:
    """The phrases one query unit stands for: itself, de-cliticised names, Latin variants.

    Arabic variants come first (the archive is Arabic), so that a limit keeps them.
    """
    first, rest = words[0], words[1:]
    tail = " ".join(rest)
    alternatives = {first}
    for form in arabic.strip_proclitics(first):
        if " ".join(filter(None, (form, tail))) in names.arabic:
            alternatives.add(form)
    phrases: list[Phrase] = [(frozenset(alternatives), *(frozenset({w}) for w in rest))]
    variants = names.variants.get(" ".join(words), ())
    for variant in sorted(variants, key=lambda v: (not _ARABIC_LETTER.search(v), v)):
        phrases.append(tuple(frozenset({w}) for w in variant.split()))
    return tuple(dict.fromkeys(phrases))


def _holds(longer: Phrase, shorter: Phrase) -> bool:
    """Whether ``longer`` can match only where ``shorter`` does: it holds it word for word."""
    if len(shorter) == 1:
        return any(slot <= shorter[0] for slot in longer)
    n = len(shorter)
    return any(
        all(longer[i + k] <= shorter[k] for k in range(n)) for i in range(len(longer) - n + 1)
    )


def _simplest(phrases: Sequence[Phrase]) -> list[Phrase]:
    """Alternatives without those that hold another ("محافظة دمشق" adds nothing to "دمشق")."""
    unique = list(dict.fromkeys(phrases))
    return [
        p
        for p in unique
        if not any(_holds(p, q) for q in unique if len(q) <= len(p) and q is not p)
    ]


def _bounded(groups: list[tuple[bool, list[Phrase]]], cut: bool) -> Query:
    """The query within the limits: repeats dropped, then the first clauses that fit."""
    must: list[Clause] = []
    exclude: list[Clause] = []
    seen: set[tuple[bool, frozenset[Phrase]]] = set()
    terms = 0
    for negated, phrases in groups:
        if len(phrases) > 4 * MAX_ALTERNATIVES:  # bounds the pairwise check below
            phrases, cut = phrases[: 4 * MAX_ALTERNATIVES], True
        key = (negated, frozenset(phrases))
        if key in seen:
            continue
        if len(seen) == MAX_CLAUSES:
            cut = True
            break
        seen.add(key)
        kept: list[Phrase] = []
        for phrase in _simplest(phrases):
            if len(phrase) > MAX_PHRASE_WORDS:
                phrase, cut = phrase[:MAX_PHRASE_WORDS], True
            size = sum(map(len, phrase))
            if len(kept) == MAX_ALTERNATIVES or terms + size > MAX_QUERY_TERMS:
                cut = True
                break
            if phrase not in kept:
                kept.append(phrase)
                terms += size
        if not kept:
            break
        (exclude if negated else must).append(tuple(kept))
    return Query(tuple(must), tuple(exclude), cut)


def _join_latin_names(items, names: KnownNames):
    """Unquoted Latin words that together spell a known name become one unit (Deir ez-Zor)."""
    joined, i = [], 0
    while i < len(items):
        for j in range(min(len(items), i + 5), i + 1, -1):
            run = items[i:j]
            if all(kind == "word" and not neg and _latin(words) for kind, neg, words in run):
                words = tuple(w for _, _, ws in run for w in ws)
                if " ".join(words) in names.variants:
                    joined.append(("phrase", False, words))
                    i = j
                    break
        else:
            joined.append(items[i])
            i += 1
    return joined


def _latin(words: tuple[str, ...]) -> bool:
    key = " ".join(words)
    return bool(_LATIN_LETTER.search(key)) and not _ARABIC_LETTER.search(key)


def parse_query(text: str, names: KnownNames | None = None) -> Query:
    """Words (all must match), "quoted phrases", OR, and -word to exclude; never raises."""
    if not isinstance(text, str) or not text.strip():
        return Query()
    if names is None:
        names = known_names()
    groups: list[tuple[bool, list[Phrase]]] = []  # (excluded, alternatives), as typed
    expanded: dict[tuple[str, ...], Clause] = {}  # a repeated unit is expanded once
    join_next = False
    previous_positive = False
    for kind, negated, words in _join_latin_names(_lex(text[:MAX_QUERY_LENGTH]), names):
        if kind == "or":
            join_next = previous_positive
            continue
        words = tuple(w for w in words if _usable(w))
        if not words:
            continue
        if words not in expanded:
            expanded[words] = _expand(words, names)
        clause = expanded[words]
        if negated:
            groups.append((True, list(clause)))
            join_next = previous_positive = False
        elif join_next and groups:
            groups[-1][1].extend(clause)
            join_next, previous_positive = False, True
        else:
            groups.append((False, list(clause)))
            join_next, previous_positive = False, True
    return _bounded(groups, cut=len(text) > MAX_QUERY_LENGTH)


# -- Names of places and parties (for proclitic stripping and Latin queries) --------------------

# When the names were last checked against the database, its state then, and the names.
_names_cache: tuple[float, tuple, KnownNames] | None = None


def _name_key(name: str) -> str:
    return " ".join(arabic.words(name))


def _load_names() -> KnownNames:
    from .models import Location, Party, split_aliases

    arabic_names: set[str] = set()
    variants: dict[str, set[str]] = defaultdict(set)
    for model in (Location, Party):
        for name_ar, name_en, aliases in model.objects.values_list(
            "name_ar", "name_en", "aliases"
        ).iterator():
            keys = [_name_key(n) for n in (name_ar, name_en, *split_aliases(aliases))]
            keys = list(dict.fromkeys(k for k in keys if k))
            arabic_names.update(k for k in keys if _ARABIC_LETTER.search(k))
            for key in keys:
                if _latin((key,)):
                    variants[key].update(k for k in keys if k != key)
    return KnownNames(
        frozenset(arabic_names), {k: tuple(sorted(v)) for k, v in variants.items() if v}
    )


def known_names() -> KnownNames:
    """The gazetteer's names, cached; cleared when a place or party is saved or deleted here.

    Another process's edits (an editor in another gunicorn worker, an import) are seen within
    the gazetteer's recheck interval: a cheap query of the tables' state, and the names are
    read again only when it changed.
    """
    from .gazetteer import RECHECK_SECONDS, names_state

    global _names_cache
    now = time.monotonic()
    if _names_cache is not None and now - _names_cache[0] < RECHECK_SECONDS:
        return _names_cache[2]
    state = names_state()
    if _names_cache is not None and _names_cache[1] == state:
        names = _names_cache[2]
    else:
        names = _load_names()
    _names_cache = (now, state, names)
    return names


def forget_names(**kwargs) -> None:
    global _names_cache
    _names_cache = None


# -- Index terms -------------------------------------------------------------------------------

Analysed = tuple[Sequence[arabic.Token], Sequence[arabic.Token]]  # title tokens, body tokens


def analyse(article) -> Analysed:
    return arabic.tokenize(article.title or ""), arabic.tokenize(article.body or "")


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
    return tuple(_tsquote(term) for term in terms if _usable(term))


MARK = "_"  # begins every word in the FTS5 text; never part of a term (see arabic._WORD)


@lru_cache(maxsize=1 << 18)
def fts_word(terms: tuple[str, ...]) -> str:
    """One word in the FTS5 text: its marked normalised form, then its other terms.

    "وبدرعا" is written "_وبدرعا درعا بدرعا". Every word begins with its one marked token and
    its other tokens follow from that form alone, so FTS5 positions delimit words: the
    phrase "_بصري _الشام" is the word بصرى followed by the word الشام.
    """
    norm, *rest = terms
    head = MARK + norm if _usable(norm) else MARK
    return " ".join([head, *(term for term in rest if _usable(term))])


def fts_text(tokens: Sequence[arabic.Token]) -> str:
    """FTS5 column text: the words of ``fts_word``, in order."""
    return " ".join(map(fts_word, map(_TERMS, tokens)))


# -- Backends ----------------------------------------------------------------------------------

FTS_TABLE = "articles_article_fts"
TITLE_WEIGHT = 100.0  # a title hit outranks any number of body hits
# PostgreSQL ranks by the title and this many opening words of the body (the lede, where a
# news story names its place); matches further in rank equal, newest first.
RANK_WORDS = 60


class _Matches(Func):
    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class PostgresBackend:
    """tsvector of the analyser's terms in ``search_vector``, GIN-indexed; ts_rank of the
    title and opening words' terms in ``rank_vector``."""

    WEIGHTS = [0.0, 0.0, 1.0 / TITLE_WEIGHT, 1.0]  # D, C, B (body), A (title)

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
    return [form for form in forms if _usable(form)]


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


def _backend(using: str = "default"):
    connection = connections[using]
    if connection.vendor == "postgresql":
        return PostgresBackend(connection)
    return SqliteBackend(connection)


# -- Entry points ------------------------------------------------------------------------------


def search(queryset, text: "str | Query"):
    """The articles of ``queryset`` that match, annotated with ``rank``, best and newest first."""
    query = text if isinstance(text, Query) else parse_query(text)
    if not query:
        return queryset.none()
    found = _backend(queryset.db).search(queryset, query)
    from .models import NEWEST_FIRST

    return found.order_by("-rank", *NEWEST_FIRST)


def index_document(
    title: Sequence[arabic.Token], body: Sequence[arabic.Token], using: str = "default"
):
    """What the index stores for an article of these tokens (computed apart from the save)."""
    return _backend(using).document(title, body)


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
    backend = _backend(using)
    analysed, documents = analysed or {}, documents or {}

    def document(article):
        if article.pk in documents:
            return documents[article.pk]
        tokens = analysed.get(article.pk) or getattr(article, "_search_tokens", None)
        return backend.document(*(tokens or analyse(article)))

    count = 0
    iterator = iter(articles)
    while batch := list(islice(iterator, batch_size)):
        rows = [(article.pk, document(article)) for article in batch]
        backend.write(rows)
        count += len(rows)
    return count


def attach_tokens(article, title: Sequence[arabic.Token], body: Sequence[arabic.Token]) -> None:
    """Let the next save index these tokens instead of analysing the text again (ingestion)."""
    article._search_tokens = (title, body)


def rebuild_index(articles: Iterable, *, batch_size: int = 500, using: str = "default") -> int:
    """Empty the index, then index ``articles`` (the reindex command, after analyser changes)."""
    _backend(using).clear()
    return index_articles(articles, batch_size=batch_size, using=using)


def install_index(apps=None, schema_editor=None):
    """Create the index structures (migration 0002, and again after every migrate)."""
    using = schema_editor.connection.alias if schema_editor else "default"
    _backend(using).install()
    if apps is not None:
        article = apps.get_model("articles", "Article")
        index_articles(article.objects.using(using).only("pk", "title", "body"), using=using)


def uninstall_index(apps=None, schema_editor=None):
    _backend(schema_editor.connection.alias if schema_editor else "default").uninstall()


# -- Highlighting ------------------------------------------------------------------------------


def matched_tokens(tokens: Sequence[arabic.Token], query: Query) -> set[int]:
    """Indexes of the words a query matched: its words anywhere, its phrases where adjacent."""
    phrases = [phrase for clause in query.must for phrase in clause]
    first_words = set().union(*(phrase[0] for phrase in phrases))
    starts = [i for i, token in enumerate(tokens) if not first_words.isdisjoint(token.terms)]
    marked: set[int] = set()
    for phrase in phrases:
        for i in starts:
            if i + len(phrase) <= len(tokens) and all(
                not slot.isdisjoint(tokens[i + k].terms) for k, slot in enumerate(phrase)
            ):
                marked.update(range(i, i + len(phrase)))
    return marked


def _render(text: str, tokens: Sequence[arabic.Token], marked: set[int], start: int, end: int):
    out, cursor = [], start
    for i in sorted(marked):
        token = tokens[i]
        if token.start < start or token.end > end:
            continue
        out.append(escape(text[cursor : token.start]))
        out.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        cursor = token.end
    out.append(escape(text[cursor:end]))
    return "".join(out)


def _as_query(query: "str | Query") -> Query:
    return query if isinstance(query, Query) else parse_query(query)


def highlight(text: str, query: "str | Query") -> SafeString:
    """The whole text, HTML-escaped, with every matched word in <mark>."""
    tokens = arabic.tokenize(text)
    return mark_safe(_render(text, tokens, matched_tokens(tokens, _as_query(query)), 0, len(text)))


def snippet(text: str, query: "str | Query", *, size: int = 240) -> SafeString:
    """About ``size`` characters of the text around its densest cluster of matches, marked."""
    tokens = arabic.tokenize(text)
    marked = matched_tokens(tokens, _as_query(query))
    if len(text) <= size:
        return mark_safe(_render(text, tokens, marked, 0, len(text)))
    hits = sorted(marked)
    best, best_count = None, 0
    for n, i in enumerate(hits):
        limit = tokens[i].start + size * 3 // 4
        count = sum(1 for j in hits[n:] if tokens[j].end <= limit)
        if count > best_count:
            best, best_count = i, count
    if best is None:
        start = 0
    else:
        start = max(0, tokens[best].start - size // 4)
        before = [t.start for t in tokens if start <= t.start <= tokens[best].start]
        start = before[0] if before else tokens[best].start
    end = min(len(text), start + size)
    inside = [t.end for t in tokens if start < t.end <= end]
    if end < len(text) and inside:
        end = inside[-1]
    body = _render(text, tokens, marked, start, end).strip()
    return mark_safe(("… " if start > 0 else "") + body + (" …" if end < len(text) else ""))


# -- Keeping the index current -----------------------------------------------------------------

_INDEXED_FIELDS = {"title", "body"}


@receiver(post_save, sender="articles.Article", dispatch_uid="search_index_article")
def _index_saved_article(sender, instance, raw=False, update_fields=None, using=None, **kwargs):
    if update_fields is not None and not _INDEXED_FIELDS & set(update_fields):
        return
    index_articles([instance], using=using or "default")
    instance.__dict__.pop("_search_tokens", None)  # good for one save only


for _model in ("articles.Location", "articles.Party"):
    post_save.connect(forget_names, sender=_model, dispatch_uid=f"search_names_save_{_model}")
    post_delete.connect(forget_names, sender=_model, dispatch_uid=f"search_names_del_{_model}")


@receiver(post_migrate, dispatch_uid="search_install_index")
def _reinstall_after_migrate(sender, app_config=None, using="default", plan=None, **kwargs):
    if app_config is None or app_config.label != "articles":
        return
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connections[using]).applied_migrations()
    if ("articles", "0002_search_index") not in applied:
        return
    # One transaction: an interrupted upgrade leaves the old index, and the next migrate
    # upgrades it again.
    with transaction.atomic(using=using):
        if _backend(using).install():
            _index_again(using, kwargs.get("stdout") if kwargs.get("verbosity", 1) else None)


def _index_again(using: str, stdout) -> None:
    """Fill an index that replaced one of an older format (SQLite, after an upgrade)."""
    from .models import Article

    if stdout:
        stdout.write("Indexing every article again in the new search index format...")
    articles = Article.objects.using(using).only("pk", "title", "body").order_by("pk")
    count = index_articles(articles.iterator(chunk_size=500), using=using)
    if stdout:
        stdout.write(f"  {count} articles indexed.")
