"""Reading a text: title and body, lede, "اقرأ أيضاً" cross-references, fingerprint."""

import hashlib
from collections.abc import Iterable
from typing import NamedTuple

from .. import arabic

TITLE_LINE_MAX_CHARS = 150
TITLE_LINE_MAX_WORDS = 20
TITLE_CUT_CHARS = 120


# --------------------------------------------------------------------------- fingerprints


def fingerprint(text: str) -> str:
    """Hash of the text's normalised words: equal for re-encoded, re-spaced or re-vowelled text."""
    return digest(arabic.words(text))


def digest(words: Iterable[str]) -> str:
    """The fingerprint of normalised words (a body's tokens' ``norm``, when it was analysed)."""
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- title and body


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
    text = trim_blank_lines(text)
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
        return Parsed(first.strip(), trim_blank_lines(after))
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


def trim_blank_lines(text: str) -> str:
    """The text without its leading and trailing blank lines."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def clip(text: str, limit: int) -> str:
    """The text cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
