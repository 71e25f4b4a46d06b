"""Marking what a query matched in the original text, as the reader sees it written.

The text is tokenised with the analyser that indexed it, so "بدرعا" is marked for the query
"درعا" and the marks agree with what the search found; everything else is HTML-escaped.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .. import arabic
from .query import Query


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


def highlight(text: str, query: Query) -> SafeString:
    """The whole text, HTML-escaped, with every matched word in <mark>."""
    tokens = arabic.tokenize(text)
    return mark_safe(_render(text, tokens, matched_tokens(tokens, query), 0, len(text)))


def snippet(text: str, query: Query, *, size: int = 240) -> SafeString:
    """About ``size`` characters of the text around its densest cluster of matches, marked."""
    tokens = arabic.tokenize(text)
    marked = matched_tokens(tokens, query)
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
