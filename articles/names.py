"""One snapshot of every place and party name, analysed once, read by search and tagging.

The snapshot is plain data (``Snapshot``), built from the database's rows by ``build``, a pure
function: each name is analysed once with the search analyser (``arabic.words``), so the query
parser (``search.query``) and the matcher (``gazetteer.py``) see the same words. ``current()``
keeps the snapshot in use: it checks the tables' state at most every ``RECHECK_SECONDS`` and
reads the rows again only when the state changed, so an edit made in another process (another
gunicorn worker, an import command) is seen within that interval. Saves and deletes in this
process drop it at once (``forget``, connected in ``apps.py``).

Nothing here imports Django at module level: the matcher and the query parser read these types
without Django settings, and the loader reaches the models through the app registry, so that
this module imports none of the modules that read it.
"""

import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from threading import Lock
from typing import NamedTuple

from . import arabic

Words = tuple[str, ...]  # a name as normalised words: ("بصري", "الشام")

ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
LATIN_LETTER = re.compile("[a-z]")


def is_latin(key: str) -> bool:
    """A normalised name written in Latin letters only ("busra al sham")."""
    return bool(LATIN_LETTER.search(key)) and not ARABIC_LETTER.search(key)


class KnownNames(NamedTuple):
    """The names as the query parser reads them: normalised word sequences joined by spaces."""

    arabic: frozenset[str]  # a query word stripped of its proclitics must land on one of these
    variants: Mapping[str, tuple[str, ...]]  # Latin name -> every name of the same place/party


NO_NAMES = KnownNames(frozenset(), {})


@dataclass(frozen=True)
class Place:
    pk: int
    chain: tuple[int, ...]  # ids from the root down to this place, itself included
    kind: str
    ambiguous: bool
    key: str | None  # the import key: "sy" is Syria
    names: tuple[Words, ...]


@dataclass(frozen=True)
class Party:
    pk: int
    ambiguous: bool
    names: tuple[Words, ...]


@dataclass(frozen=True)
class Snapshot:
    """Every place and party with its analysed names, and the names as search reads them."""

    places: tuple[Place, ...]
    parties: tuple[Party, ...]
    kinds: tuple[str, ...]  # the kinds of place, the largest unit first (Location.Kind)
    searchable: KnownNames


class PlaceRow(NamedTuple):
    pk: int
    names: list[str]  # as written: Arabic name, English name, aliases
    path: str  # "/1/14/203/"
    kind: str
    ambiguous: bool
    key: str | None


class PartyRow(NamedTuple):
    pk: int
    names: list[str]
    ambiguous: bool


def build(
    places: Iterable[PlaceRow], parties: Iterable[PartyRow], kinds: Iterable[str] = ()
) -> Snapshot:
    """The snapshot of these rows; each distinct name is analysed once."""
    analysed: dict[str, Words] = {}

    def analyse(names: list[str]) -> tuple[Words, ...]:
        for name in names:
            if name not in analysed:
                analysed[name] = tuple(arabic.words(name))
        return tuple(dict.fromkeys(analysed[name] for name in names if analysed[name]))

    place_list = [
        Place(
            pk=row.pk,
            chain=tuple(int(part) for part in row.path.strip("/").split("/") if part),
            kind=row.kind,
            ambiguous=row.ambiguous,
            key=row.key,
            names=analyse(row.names),
        )
        for row in places
    ]
    party_list = [Party(row.pk, row.ambiguous, analyse(row.names)) for row in parties]
    return Snapshot(
        tuple(place_list),
        tuple(party_list),
        tuple(kinds),
        _searchable(record.names for record in (*place_list, *party_list)),
    )


def _searchable(records: Iterable[tuple[Words, ...]]) -> KnownNames:
    arabic_names: set[str] = set()
    variants: dict[str, set[str]] = defaultdict(set)
    for names in records:
        keys = [" ".join(words) for words in names]
        arabic_names.update(key for key in keys if ARABIC_LETTER.search(key))
        for key in keys:
            if is_latin(key):
                variants[key].update(k for k in keys if k != key)
    return KnownNames(
        frozenset(arabic_names), {k: tuple(sorted(v)) for k, v in variants.items() if v}
    )


# -- The snapshot in use (Django side) ---------------------------------------------------------

RECHECK_SECONDS = 5.0  # how soon an editor's change made in another process is seen here

# When the snapshot was last checked against the database, the state then, and the snapshot.
_cache: dict[str, tuple[float, tuple, Snapshot]] = {}
_lock = Lock()


def _models():
    from django.apps import apps

    return apps.get_model("articles", "Location"), apps.get_model("articles", "Party")


def state() -> tuple:
    """A cheap fingerprint of the places and parties: rows, newest row, newest recorded edit.

    Signals tell this process about its own saves; another gunicorn worker, the admin or an
    import command only shows up here. Edits are recorded by django-simple-history, new rows
    (even bulk-created ones) raise the count and the highest id.
    """
    from django.db.models import Count, Max

    return tuple(
        (
            *model.objects.aggregate(Count("pk"), Max("pk")).values(),
            model.history.aggregate(Max("history_id"))["history_id__max"],
        )
        for model in _models()
    )


def load() -> Snapshot:
    """A snapshot read from the database now."""
    location, party = _models()
    places = (
        PlaceRow(p.pk, p.all_names(), p.path, p.kind, p.ambiguous, p.key)
        for p in location.objects.only(
            "pk", "name_ar", "name_en", "aliases", "path", "kind", "ambiguous", "key"
        ).order_by("pk")
    )
    parties = (
        PartyRow(p.pk, p.all_names(), p.ambiguous)
        for p in party.objects.only("pk", "name_ar", "name_en", "aliases", "ambiguous").order_by(
            "pk"
        )
    )
    return build(places, parties, location.Kind.values)


def current() -> Snapshot:
    """The snapshot in use, read again when a place or party changed, in any process."""
    cached = _cache.get("current")
    if cached is not None and time.monotonic() - cached[0] < RECHECK_SECONDS:
        return cached[2]
    with _lock:
        cached = _cache.get("current")
        if cached is not None and time.monotonic() - cached[0] < RECHECK_SECONDS:
            return cached[2]  # another thread checked while this one waited
        now_state = state()
        snapshot = cached[2] if cached is not None and cached[1] == now_state else load()
        _cache["current"] = (time.monotonic(), now_state, snapshot)
    return snapshot


def forget(**kwargs) -> None:
    """Drop the snapshot, so that the next use reads the changed names (a signal receiver)."""
    _cache.pop("current", None)
