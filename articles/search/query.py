"""The query language, parsed without the database: words, "phrases", OR, -word.

Pure (no Django): given the known place and party names, ``parse_query`` turns a query into a
``Query`` of clauses the backends (``postgres.py``, ``sqlite.py``) look up and ``highlighting.py``
marks. A query word is normalised like the index's words but not expanded: "درعا" matches the
term that "بدرعا" also produced. A word that carries a proclitic itself ("بدرعا") is also tried
without it only when the rest is a known name, so "الباب" never becomes "باب"; a Latin name
stands for every name of its place or party.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from .. import arabic
from ..names import ARABIC_LETTER, KnownNames, is_latin

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


def usable(word: str) -> bool:
    """Whether a word is short enough to be a term (PostgreSQL caps lexemes)."""
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
    for variant in sorted(variants, key=lambda v: (not ARABIC_LETTER.search(v), v)):
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
    return is_latin(" ".join(words))


def parse_query(text: str, names: KnownNames) -> Query:
    """Words (all must match), "quoted phrases", OR, and -word to exclude; never raises.

    ``names``: the places and parties a query word may be stripped down to or a Latin name may
    stand for (``names.current().searchable``); parsing reads nothing else.
    """
    if not isinstance(text, str) or not text.strip():
        return Query()
    groups: list[tuple[bool, list[Phrase]]] = []  # (excluded, alternatives), as typed
    expanded: dict[tuple[str, ...], Clause] = {}  # a repeated unit is expanded once
    join_next = False
    previous_positive = False
    for kind, negated, words in _join_latin_names(_lex(text[:MAX_QUERY_LENGTH]), names):
        if kind == "or":
            join_next = previous_positive
            continue
        words = tuple(w for w in words if usable(w))
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
