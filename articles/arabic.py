"""Arabic text analysis shared by indexing, querying, tagging and highlighting.

Pure functions, no Django: what indexes a document also parses a query, finds a place name
and marks a snippet, so all four agree on what a "word" is.

The analyser is deliberately light. It normalises spelling (diacritics, hamza forms, alef
maqsura, taa marbuta, digits, Persian letters) and strips an attached proclitic sequence
(و ف ب ك ل and the article ال), but never stems: a stemmer that turns "علما" into "علم" or
"بصرى" into "صري" destroys the precision of a search by town name.
"""

import re
import unicodedata
from itertools import accumulate, repeat
from typing import NamedTuple

from pyarabic import araby

# Combining marks that may sit inside a word: harakat, tanwin, shadda, sukun (pyarabic's
# TASHKEEL), the dagger alef, hamza and madda above/below, Quranic annotation signs, and
# Latin combining accents.
_MARKS = (
    "".join(araby.TASHKEEL)
    + araby.MINI_ALEF
    + araby.HAMZA_ABOVE
    + araby.HAMZA_BELOW
    + araby.MADDA_ABOVE
    + "".join(map(chr, range(0x0610, 0x061B)))
    + "".join(map(chr, range(0x0656, 0x0660)))
    + "".join(map(chr, range(0x06D6, 0x06EE)))
    + "".join(map(chr, range(0x0300, 0x0370)))
)
_JOINERS = "\u200c\u200d"  # ZWNJ/ZWJ: invisible, do not split a word
_INVISIBLE = (
    "\u00ad\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2066\u2067\u2068\u2069\ufeff"
)

_FOLD = {
    araby.ALEF_HAMZA_ABOVE: araby.ALEF,
    araby.ALEF_HAMZA_BELOW: araby.ALEF,
    araby.ALEF_MADDA: araby.ALEF,
    araby.ALEF_WASLA: araby.ALEF,
    "\u0672": araby.ALEF,  # alef with wavy hamza above
    "\u0673": araby.ALEF,  # alef with wavy hamza below
    araby.ALEF_MAKSURA: araby.YEH,
    araby.TEH_MARBUTA: araby.HEH,
    araby.WAW_HAMZA: araby.WAW,
    araby.YEH_HAMZA: araby.YEH,
    "\u06a9": araby.KAF,  # Persian keheh
    "\u06aa": araby.KAF,  # swash kaf
    "\u06cc": araby.YEH,  # Farsi yeh
    "\u06d2": araby.YEH,  # yeh barree
    "\u06c0": araby.HEH,  # heh with yeh above
    "\u06c1": araby.HEH,  # heh goal
    "\u06be": araby.HEH,  # heh doachashmee
    "\u06d5": araby.HEH,  # Kurdish ae
}
_FOLD.update({chr(0x0660 + d): str(d) for d in range(10)})  # Arabic-Indic digits
_FOLD.update({chr(0x06F0 + d): str(d) for d in range(10)})  # Persian digits
_TRANSLATE = str.maketrans(_FOLD)
_TRANSLATE.update(dict.fromkeys(map(ord, _MARKS + araby.TATWEEL + _JOINERS + _INVISIBLE)))

# Presentation forms and other compatibility characters need NFKC before folding.
_COMPATIBILITY = re.compile("[\ufb50-\ufdff\ufe70-\ufefc\uff00-\uffef]")

# A word: letters and digits, with the marks, tatweel and joiners that may sit inside one.
_WORD = re.compile(
    "(?:[^\\W_]|[" + re.escape(_MARKS + araby.TATWEEL + _JOINERS + _INVISIBLE) + "])+"
)
# The same, captured: ``split`` gives the text between words and the words, alternately.
_WORD_PIECES = re.compile(f"({_WORD.pattern})")

# Proclitic sequences: conjunction (و ف), then preposition (ب ك ل), then the article (ال).
# ل + ال is written لل. The flag says whether the sequence ends with the article, in which
# case the definite form "ال" + stem is a term too ("للحراك" -> "الحراك", "حراك").
_PROCLITICS: tuple[tuple[str, bool], ...] = tuple(
    sorted(
        {
            (conj + ("لل" if prep == "ل" and art else prep + art), bool(art))
            for conj in ("", "و", "ف")
            for prep in ("", "ب", "ك", "ل")
            for art in ("", "ال")
            if conj or prep or art
        },
        key=lambda item: -len(item[0]),
    )
)
MIN_STEM = 2  # strip only while at least two letters remain
# The same sequences as a lookup table: a word is tried once per length, longest first (two
# sequences of one length never both begin a word, so the order within a length is moot).
_PROCLITIC_DEFINITE = dict(_PROCLITICS)
_PROCLITIC_LENGTHS = sorted({len(prefix) for prefix in _PROCLITIC_DEFINITE}, reverse=True)
_PROCLITIC_FIRST_LETTERS = frozenset(prefix[0] for prefix in _PROCLITIC_DEFINITE)


class Token(NamedTuple):
    """A word of the original text: its span, its normalised form and its index terms."""

    start: int
    end: int
    norm: str
    terms: tuple[str, ...]  # ``norm`` first, then the forms without proclitics


def normalize(text: str) -> str:
    """Fold spelling variants so that equal words compare equal (keeps spaces and punctuation)."""
    if _COMPATIBILITY.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_TRANSLATE).lower()


def strip_proclitics(norm: str) -> tuple[str, ...]:
    """The forms of a normalised word left after removing an attached proclitic sequence."""
    if norm[:1] not in _PROCLITIC_FIRST_LETTERS:
        return ()
    forms: list[str] = []
    for length in _PROCLITIC_LENGTHS:
        definite = _PROCLITIC_DEFINITE.get(norm[:length])
        if definite is not None and len(norm) - length >= MIN_STEM:
            stem = norm[length:]
            if definite:
                forms.append("ال" + stem)
            forms.append(stem)
    return tuple(dict.fromkeys(form for form in forms if form != norm))


def written_forms(term: str) -> tuple[str, ...]:
    """The normalised words that have ``term`` among their index terms, shortest first.

    The inverse of ``strip_proclitics``: the term itself and the term behind every proclitic
    sequence ("درعا" -> درعا, بدرعا, ودرعا, وبدرعا ...; "الحراك" also -> للحراك, وللحراك).
    """
    forms = [term]
    if len(term) >= MIN_STEM:
        forms += [prefix + term for prefix in _PROCLITIC_DEFINITE]
    if term.startswith("ال") and len(term) - 2 >= MIN_STEM:
        stem = term[2:]
        forms += [prefix + stem for prefix, definite in _PROCLITICS if definite]
    return tuple(sorted(dict.fromkeys(forms), key=len))


MAX_CACHED_WORDS = 1 << 18  # the cache is emptied when full: memory stays flat on any import


class _WordCache(dict):
    """Word as written -> (norm, terms), analysed on first sight."""

    def __missing__(self, word: str) -> tuple[str, tuple[str, ...]]:
        if len(self) >= MAX_CACHED_WORDS:
            self.clear()
        norm = normalize(word)
        analysed = self[word] = norm, (norm, *strip_proclitics(norm)) if norm else ()
        return analysed


_analysed = _WordCache()


def analyse_word(word: str) -> tuple[str, tuple[str, ...]]:
    """Normalised form and index terms of one word as written in the text."""
    return _analysed[word]


def tokenize(text: str) -> list[Token]:
    """Split text into words, keeping each word's span in the original text."""
    # Built with map and zip over the pieces of one split, with no Python code per word but on
    # a word's first sight: the same words recur, and a loop per word cost more than they did.
    pieces = _WORD_PIECES.split(text)  # between, word, between, word, ..., between
    if len(pieces) == 1:
        return []
    ends = list(accumulate(map(len, pieces)))  # a word starts where the piece before it ends
    norms, terms = zip(*map(_analysed.__getitem__, pieces[1::2]), strict=True)
    tokens = map(
        tuple.__new__, repeat(Token), zip(ends[:-1:2], ends[1::2], norms, terms, strict=True)
    )
    if "" in norms:  # tatweel or marks alone: no word
        return [token for token in tokens if token.norm]
    return list(tokens)


def words(text: str) -> list[str]:
    """The normalised words of a text, in order (for queries, names and fingerprints)."""
    return [token.norm for token in tokenize(text)]
