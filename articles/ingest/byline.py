"""The reporter and source a text names ("مراسل روزنة في درعا علي المحاميد"); sources by name.

Finding the clause after "مراسل" needs only the text's words, so it is done with the rest of
the analysis (possibly in a worker process); matching it to the sources needs the database
and is done at the save.
"""

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from .. import arabic
from ..models import Source
from .text import is_read_also

_REPORTER = {"مراسل", "مراسله"}
_MEDIA_WORDS = {"راديو", "اذاعه", "موقع", "وكاله", "قناه", "شبكه", "صحيفه", "جريده", "تلفزيون"}
# Words that end the reporter's clause ("قال مراسل روزنة في درعا علي المحاميد إن ...").
_CLAUSE_END = {"ان", "انه", "انها", "بان", "بانه", "قال", "قائلا", "عن", "الذي", "حيث"}
# Name parts that take the next word with them ("أبو حسن", "عبد الله").
_NAME_JOINERS = {"ابو", "ابن", "بن", "بنت", "ام", "عبد"}
_TERMS = attrgetter("terms")
_START = attrgetter("start")

SourceNames = list[tuple[tuple[str, ...], Source]]  # each name of each source as words


class Recognised(NamedTuple):
    byline: str
    source: Source | None


def recognise(body: str, sources: Iterable[Source] | None = None) -> Recognised:
    """The reporter and the source when the text names them ("مراسل روزنة في درعا علي المحاميد")."""
    names = source_names(Source.objects.all() if sources is None else sources)
    return recognise_in(body, reporter_clauses(body, arabic.tokenize(body)), names)


def recognise_in(body: str, clauses: list[list[arabic.Token]], names: SourceNames) -> Recognised:
    """The first reporter or source named by the clauses ``reporter_clauses`` found in ``body``."""
    for clause in clauses:
        found = _reporter_clause(body, clause, names)
        if found.byline or found.source:
            return found
    return Recognised("", None)


def reporter_clauses(body: str, tokens: Sequence[arabic.Token]) -> list[list[arabic.Token]]:
    """The words after each "مراسل" of the body, up to the end of its clause (none in most texts).

    ``tokens``: the body's, as ``arabic.tokenize`` gives them.
    """
    if _REPORTER.isdisjoint(chain.from_iterable(map(_TERMS, tokens))):
        return []
    clauses = []
    for index, token in enumerate(tokens):
        if _REPORTER.isdisjoint(token.terms):
            continue
        line_start = body.rfind("\n", 0, token.start) + 1
        line_end = body.find("\n", token.end)
        line_end = len(body) if line_end < 0 else line_end
        if is_read_also(body[line_start:line_end]):
            continue
        line_last = bisect_left(tokens, line_end, lo=index + 1, key=_START)
        clause = _clause(body, tokens[index + 1 : line_last], line_end)
        if clause:
            clauses.append(clause)
    return clauses


def find_source(name: str, sources: Iterable[Source] | None = None) -> Source | None:
    """The source called ``name`` (any of its names or aliases, spelled any way), if any.

    ``sources``: every source, when the caller has read them already.
    """
    wanted = tuple(arabic.words(name))
    if not wanted:
        return None
    for words, source in source_names(Source.objects.all() if sources is None else sources):
        if words == wanted:
            return source
    return None


def source_names(sources: Iterable[Source]) -> SourceNames:
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


def _clause(body: str, tokens: list[arabic.Token], line_end: int) -> list[arabic.Token]:
    """Tokens up to the first punctuation mark or clause-ending word of their line."""
    clause: list[arabic.Token] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.norm in _CLAUSE_END:
            break
        clause.append(token)
        if body[token.end : following.start if following else line_end].strip():
            break
    return clause


def _reporter_clause(body: str, clause: list[arabic.Token], names: SourceNames) -> Recognised:
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
    byline = body[people[0].start : people[-1].end] if people else ""
    return Recognised(byline, source)


def _name_at_end(tokens: list[arabic.Token]) -> list[arabic.Token]:
    if len(tokens) < 2:
        return []
    size = 2
    if len(tokens) >= 3 and (tokens[-2].norm in _NAME_JOINERS or tokens[-3].norm in _NAME_JOINERS):
        size = 3
    return tokens[-size:]
