"""Finding the places and parties a text names, with their spans: the pure matcher.

Every Arabic name and alias comes analysed from the names snapshot (``names.py``, analysed with
the search analyser ``arabic.words``) and goes into a trie over normalised word sequences, one
for places and one for parties. The text is tokenised once; at each word the trie is walked
with the word as written and, for the first word only, with the forms left after an attached
proclitic ("بدرعا", "والمليحة الغربية"). The longest name wins over its parts
("المليحة الغربية" over "المليحة", "ريف دمشق" over "دمشق").

A name that is also a common word or a first name (``ambiguous``) is asserted (``found``) only
with supporting context, otherwise it is ``proposed`` for an editor to review.

No Django here: ``tagging.py`` compiles a ``Gazetteer`` from the current snapshot and saves what
it finds; ingestion's worker processes receive it pickled.
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from . import arabic
from .names import Snapshot

# The statuses the matcher gives (values of models.MentionStatus) and the largest kind of place.
FOUND, PROPOSED = "found", "proposed"
COUNTRY = "country"
MIN_STRIPPED = 3  # a proclitic is stripped for matching only when three letters remain

# Words before a name that say it is a place: "مدينة دوما", "ريف جاسم", "بلدات الحراك".
PLACE_WORDS = frozenset(
    arabic.normalize(word)
    for word in (
        "مدينة مدن مدينتي مدينتا بلدة بلدات بلدتي بلدتا قرية قرى قريتي قريتا ريف أرياف محافظة "
        "محافظتي ناحية نواحي منطقة مناطق منطقتي مخيم مخيمات حي أحياء أطراف محيط ضواحي مشارف "
        "تخوم مداخل مدخل أهالي سكان جنوب شمال شرق غرب جنوبي شمالي شرقي غربي وسط قرب بالقرب "
        "جبهة جبهات"
    ).split()
)
# Adjectives of direction: "ريف حلب الشمالي" is still a place, "الحراك الشعبي" is not.
DIRECTIONS = frozenset(
    arabic.normalize(word)
    for word in "الشمالي الجنوبي الشرقي الغربي الشمالية الجنوبية الشرقية الغربية".split()
)
PERSON_WORDS = frozenset(arabic.normalize(word) for word in "بن ابن بنت أبو أبي أم".split())
NOT_A_NAME = 0  # the id given to phrases that look like names but are not (no row has pk 0)
BARE_PREPOSITIONS = frozenset(("ب", "ل", "وب", "ول", "فب", "فل"))
# Words after a name that make it a verb or adverb: "علما بأن" (knowing that).
CONJUNCTIONS_AFTER = frozenset(
    arabic.normalize(word) for word in "أن بأن وأن أنه أنها بأنه بأنها بأنهم أنهم إن".split()
)
# Words that place a story in Syria, so that "مدينة X" means the Syrian X.
SYRIAN_WORDS = frozenset(
    arabic.normalize(word)
    for word in "سوريا سورية السوري السورية السوريين السوريون سوري سوريين".split()
)
TANWIN = re.compile("[\u064b-\u064d]")  # "دوماً" (always) is never the town Douma
LIST_GAP = re.compile(r"^[\s,،و]*$")  # "الحراك ورخم والصورة": names in a list
ARTICLE = ("ال", "لل")


@dataclass(frozen=True)
class Found:
    """One occurrence of a name in a field: which record, where, and how sure."""

    model: str  # "location" or "party"
    pk: int
    field: str  # "title" or "body"
    start: int
    end: int
    status: str


@dataclass
class _Hit:
    first: int  # token indexes, end exclusive
    last: int
    ids: tuple[int, ...]
    stripped: bool  # the first word matched only without its proclitic
    term: str  # the form of the first word that matched


_TERMS = attrgetter("terms")


class Trie:
    """Names as sequences of normalised words -> ids of the records that bear them."""

    def __init__(self):
        self.root: dict = {}

    def add(self, words: tuple[str, ...], pk: int) -> None:
        node = self.root
        for word in words:
            node = node.setdefault(word, {})
        node.setdefault(None, set()).add(pk)

    def hits(self, tokens, text: str) -> list[_Hit]:
        """Every name starting at every word (the words of a name are separated by spaces)."""
        found = []
        root = self.root
        count = len(tokens)
        # Most words begin no name: one set operation per word finds those that may.
        first_words = root.keys()
        starts = [
            i for i, terms in enumerate(map(_TERMS, tokens)) if not first_words.isdisjoint(terms)
        ]
        for i in starts:
            token = tokens[i]
            for n, term in enumerate(token.terms):
                node = root.get(term)
                if node is None:
                    continue
                if n and token.norm.endswith(term) and token.norm[: -len(term)][-2:] in ARTICLE:
                    continue  # "السورية" is not ال + سورية: a bare name takes no article
                short = n > 0 and len(term) < MIN_STRIPPED  # "وتل أبيض" yes, "وتل" alone no
                j = i
                while node is not None:
                    if None in node and not (short and j == i):
                        found.append(_Hit(i, j + 1, tuple(sorted(node[None])), n > 0, term))
                    j += 1
                    if j >= count or not text[tokens[j - 1].end : tokens[j].start].isspace():
                        break
                    node = node.get(tokens[j].norm)
        return found


def _longest(hits: list[_Hit], tokens) -> list[_Hit]:
    """Non-overlapping hits, the longest name first, a word as written before a stripped one.

    Phrases that are not names ("حماة الديار", "لبنان") take part, so that they hide the names
    inside them, and are then dropped; so is a name that follows "بن" or "أبو" (a person).
    """
    taken: set[int] = set()
    chosen = []
    for hit in sorted(hits, key=lambda h: (h.first - h.last, h.stripped, h.first)):
        span = range(hit.first, hit.last)
        if not taken.intersection(span):
            taken.update(span)
            chosen.append(hit)
    return sorted(
        (
            hit
            for hit in chosen
            if NOT_A_NAME not in hit.ids
            and not (hit.first and tokens[hit.first - 1].norm in PERSON_WORDS)
        ),
        key=lambda h: h.first,
    )


@dataclass
class _Place:
    chain: tuple[int, ...]  # ids from the root down to this place, itself included
    kind: str
    ambiguous: bool


class Gazetteer:
    """The compiled matcher over every place and party of a names snapshot.

    ``not_places``: words and phrases that look like names but are not ("لبنان" is not
    ل + بنان), as read by ``read_not_places``.
    """

    def __init__(self, names: Snapshot, not_places: Iterable[str] = ()):
        self.places: dict[int, _Place] = {}
        self.party_ambiguous: dict[int, bool] = {}
        self.kind_rank = {kind: n for n, kind in enumerate(names.kinds)}
        self.location_trie, self.party_trie = Trie(), Trie()
        for phrase in not_places:
            words = tuple(arabic.words(phrase))
            if words:
                self.location_trie.add(words, NOT_A_NAME)
                self.party_trie.add(words, NOT_A_NAME)
        self.syria = None
        for place in names.places:
            if place.key == "sy":
                self.syria = place.pk
            self.places[place.pk] = _Place(place.chain, place.kind, place.ambiguous)
            for words in place.names:
                self.location_trie.add(words, place.pk)
        for party in names.parties:
            self.party_ambiguous[party.pk] = party.ambiguous
            for words in party.names:
                self.party_trie.add(words, party.pk)

    def find(self, title: str, body: str, tokens: tuple | None = None) -> list[Found]:
        """Every place and party named in the title and body, with spans and status.

        ``tokens``: the title's and body's tokens when the caller has them already.
        """
        fields = [("title", title or ""), ("body", body or "")]
        analysed = []
        for n, (field, text) in enumerate(fields):
            analysed.append((field, text, tokens[n] if tokens else arabic.tokenize(text)))
        return self._places(analysed) + self._parties(analysed)

    # -- places -------------------------------------------------------------------------------

    def _places(self, analysed) -> list[Found]:
        per_field = []
        for field, text, tokens in analysed:
            hits = [
                hit
                for hit in _longest(self.location_trie.hits(tokens, text), tokens)
                if not TANWIN.search(text[tokens[hit.last - 1].start : tokens[hit.last - 1].end])
            ]
            per_field.append((field, text, tokens, hits))

        # Names that are sure on their own say which places the article is about; the
        # ambiguous names they back are then sure too, and may back others in turn.
        sure: dict[int, int] = defaultdict(int)  # place -> occurrences
        for _field, _text, tokens, hits in per_field:
            for hit in hits:
                pk = self._choose(hit.ids, sure)
                if pk is not None and not self._needs_context(hit, pk, tokens):
                    sure[pk] += 1
        syrian = any(self.places[pk].chain[0] == self.syria for pk in sure) or any(
            token.norm in SYRIAN_WORDS for _f, _t, tokens, _h in per_field for token in tokens
        )
        decided = self._decide(per_field, sure, syrian)
        backed = {pk for field in decided for _hit, pk, status in field if status == FOUND}
        if backed - set(sure):
            sure.update(dict.fromkeys(backed - set(sure), 1))
            decided = self._decide(per_field, sure, syrian)
        return [
            Found("location", pk, field, tokens[hit.first].start, tokens[hit.last - 1].end, status)
            for (field, _text, tokens, _hits), hits in zip(per_field, decided, strict=True)
            for hit, pk, status in hits
        ]

    def _decide(self, per_field, sure, syrian) -> list[list[tuple[_Hit, int, str]]]:
        """For each field, each name's place and status."""
        result = []
        for _field, text, tokens, hits in per_field:
            decided: list[tuple[_Hit, int, str]] = []
            for hit in hits:
                pk = self._choose(hit.ids, sure)
                if pk is None:
                    pk = self._fallback(hit.ids)
                    status = PROPOSED
                elif self._needs_context(hit, pk, tokens):
                    supported = self._supported(hit, pk, tokens, sure, syrian)
                    status = FOUND if supported else PROPOSED
                else:
                    status = FOUND
                decided.append((hit, pk, status))
            # A list of places lends support to its ambiguous members ("رخم والصورة وعلما").
            for n, (hit, pk, status) in enumerate(decided):
                if status == PROPOSED and self.places[pk].ambiguous and len(hit.ids) == 1:
                    neighbours = [decided[m] for m in (n - 1, n + 1) if 0 <= m < len(decided)]
                    if any(
                        other_status == FOUND
                        and self.places[other_pk].kind != COUNTRY
                        and self._listed(tokens, text, hit, other)
                        for other, other_pk, other_status in neighbours
                    ):
                        decided[n] = (hit, pk, FOUND)
            result.append(decided)
        return result

    def _choose(self, ids: tuple[int, ...], sure) -> int | None:
        """The one place a name means: the deepest of a chain, or the one the article is about."""
        if len(ids) == 1:
            return ids[0]
        chains = [self.places[pk].chain for pk in ids]
        deepest = [
            pk
            for pk, chain in zip(ids, chains, strict=True)
            if not any(len(other) > len(chain) and other[: len(chain)] == chain for other in chains)
        ]
        if len(deepest) == 1:
            return deepest[0]
        # Same name, different places: the one whose governorate or district is mentioned.
        backed = [pk for pk in deepest if any(up in sure for up in self.places[pk].chain[:-1][1:])]
        return backed[0] if len(backed) == 1 else None

    def _fallback(self, ids: tuple[int, ...]) -> int:
        """For a name of several places and no context: the largest unit, to be reviewed."""
        rank = self.kind_rank
        return min(ids, key=lambda pk: (rank.get(self.places[pk].kind, 99), pk))

    def _needs_context(self, hit: _Hit, pk: int, tokens) -> bool:
        """An ambiguous place's one-word name, or its name after a head word ("منطقة التل")."""
        if not self.places[pk].ambiguous:
            return False
        return hit.last - hit.first == 1 or tokens[hit.first].norm in PLACE_WORDS

    def _supported(self, hit: _Hit, pk: int, tokens, sure, syrian: bool) -> bool:
        """Whether the words around an ambiguous name, or the rest of the article, back it."""
        if pk in sure:
            return True  # the article names the same place unambiguously elsewhere
        token = tokens[hit.first]
        following = tokens[hit.last].norm if hit.last < len(tokens) else ""
        if following in CONJUNCTIONS_AFTER:
            return False  # "علما بأن": knowing that
        if len(following) > 4 and following.startswith("ال") and following.endswith(("ي", "يه")):
            if following not in DIRECTIONS and following not in SYRIAN_WORDS:
                return False  # "الحراك الشعبي", "الباب العالي": a noun and its adjective
        governorate = self.places[pk].chain[1:2]
        if governorate and any(
            self.places[other].chain[1:2] == governorate for other in sure if other != pk
        ):
            return True  # another place of the same governorate: "نوى" in a story on Daraa
        if not syrian:
            return False  # "مدينة الحديدة" in Yemen, "محافظة الجيزة" in Egypt
        if tokens[hit.first].norm in PLACE_WORDS:
            return True  # the name with its head word: "منطقة التل"
        if hit.first > 0 and any(t in PLACE_WORDS for t in tokens[hit.first - 1].terms):
            return True  # "مدينة دوما", "بريف جاسم"
        glued = token.norm[: len(token.norm) - len(hit.term)]
        return hit.stripped and glued in BARE_PREPOSITIONS and not hit.term.startswith("ال")

    @staticmethod
    def _listed(tokens, text, hit: _Hit, other: _Hit) -> bool:
        if other.last == hit.first:
            gap = text[tokens[other.last - 1].end : tokens[hit.first].start]
        elif hit.last == other.first:
            gap = text[tokens[hit.last - 1].end : tokens[other.first].start]
        else:
            return False
        return bool(LIST_GAP.match(gap))

    # -- parties ------------------------------------------------------------------------------

    def _parties(self, analysed) -> list[Found]:
        decided = []
        for field, text, tokens in analysed:
            for hit in _longest(self.party_trie.hits(tokens, text), tokens):
                for pk in hit.ids:
                    weak = self.party_ambiguous[pk] and hit.last - hit.first == 1
                    start, end = tokens[hit.first].start, tokens[hit.last - 1].end
                    decided.append((Found("party", pk, field, start, end, FOUND), weak))
        sure = {found.pk for found, weak in decided if not weak}
        return [
            found if not weak or found.pk in sure else _proposed(found) for found, weak in decided
        ]


def _proposed(found: Found) -> Found:
    return Found(found.model, found.pk, found.field, found.start, found.end, PROPOSED)


def read_not_places(path: Path) -> list[str]:
    """Words and phrases that look like names but are not, one a line, "#" for comments."""
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line]
