"""What every reader returns: ``PlaceRecord``, and the name cleaning the readers share."""

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from ..arabic import normalize
from ..models import Location

ROOT_KEY = "sy"
ROOT = {"name_ar": "سوريا", "name_en": "Syria", "aliases": ["سورية", "Syria"]}
# Aliases in the data that name something else, or are common words: "السجن" (the prison) for
# al-Mazraa, the Ghouta regions for Jaramana and Babella, "جديدة" (new) for Judaydat Yabus,
# "الثورة" (the revolution) for Tabqa, "الحصان" (the horse), "الصور" (the pictures).
DROP_ALIASES = frozenset(
    normalize(alias)
    for alias in (
        "السجن",
        "الغوطة الشرقية",
        "الغوطة الغربية",
        "الحصان",
        "الوعرة",
        "أبو هريرة",
        "حرمون",
        "الصور",
        "السوداء",
        "جديدة",
        "الثورة",
        "ثورة",
        "الكشفة",
        "كشفة",
        "رقة",
    )
)

# Arabic letters, the marks that may sit on them, and spaces: anything else (Kurdish ە,
# Persian گ ی ک, Latin, punctuation) marks a contributor's variant in another script.
_ARABIC_NAME = re.compile("^[\u0621-\u063a\u0641-\u0652\u0670 ]+$")
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class PlaceDataError(ValueError):
    """A data file or row that cannot be read; the message names the culprit."""


@dataclass
class PlaceRecord:
    """One place as the data files describe it; ``parent`` is the parent's key (or p-code)."""

    key: str
    name_ar: str = ""
    name_en: str = ""
    kind: str = ""
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    ocha_pcode: str | None = None
    geonames_id: int | None = None
    ambiguous: bool | None = None
    # GeoNames ids of records merged into this one (a town and its namesake sub-district).
    merged_geonames: list[int] = field(default_factory=list)

    def add_aliases(self, names) -> None:
        known = {normalize(name) for name in [self.name_ar, self.name_en, *self.aliases]}
        known |= DROP_ALIASES
        for name in names:
            if name and normalize(name) not in known:
                self.aliases.append(name)
                known.add(normalize(name))

    def as_json(self) -> dict:
        """Compact form for seeds/gazetteer.json: empty fields left out."""
        return {k: v for k, v in asdict(self).items() if v not in (None, "", [])}


def clean_arabic(name: str) -> str | None:
    """An Arabic place name tidied, or None when it is not plain Arabic script."""
    name = _INVISIBLE.sub("", name).strip().rstrip(".").strip()
    if not _ARABIC_NAME.match(name):
        return None
    if any(len(word) < 2 for word in name.split()):
        return None  # "د مشق": a stray space inside a word
    return " ".join(name.split())


def root_record() -> PlaceRecord:
    return PlaceRecord(key=ROOT_KEY, kind=Location.Kind.COUNTRY, **ROOT)


def _latin_skeleton(name: str) -> str:
    # A dot below or cedilla marks an emphatic consonant (Ţ ط, Ş ص, Ḑ ض, Ẓ ظ, Ḩ ح): upper case.
    text = re.sub(
        "([tsdzh])[\u0323\u0327]",
        lambda m: m.group(1).upper(),
        unicodedata.normalize("NFKD", name.lower()),
    )
    text = "".join(ch for ch in text if ch.isascii() and (ch.isalpha() or ch in " -"))
    text = re.sub(r"\b[ae][lrsdtzn]h?[\s-]", "l", text + " ", flags=re.I)  # al-, aş-, ash-
    for digraph, letter in (("sh", "s"), ("kh", "k"), ("gh", "g"), ("th", "t"), ("dh", "d")):
        text = text.replace(digraph, letter)
    return re.sub("[aeiouwy -]", "", text.replace("ch", "s").replace("ou", "w"))


_ARABIC_TO_LATIN = str.maketrans(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوية",
    "abttjHkddrzssSDTZagfqklmnhwyh",
)


def _arabic_skeleton(name: str) -> str:
    return re.sub("[aeiouwy ]", "", normalize(name).translate(_ARABIC_TO_LATIN))


def name_likeness(arabic: str, english: str) -> float:
    """How closely an Arabic name's consonants follow an English transliteration (0..1)."""
    return SequenceMatcher(None, _arabic_skeleton(arabic), _latin_skeleton(english)).ratio()


def latin_aliases(names) -> list[str]:
    """Latin-script variants worth keeping: written like names, not letter-by-letter codes."""
    keep = []
    for name in names:
        name = name.strip()
        if name and all(ord(ch) < 0x250 or ch in "ʿʾ‘’`'" for ch in name) and name != name.lower():
            keep.append(name)
    return keep
