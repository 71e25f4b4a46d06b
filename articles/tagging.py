"""Deciding and saving the places and parties an article names, and the editors' decisions.

The matcher (``gazetteer.py``, pure) is compiled from the names snapshot (``names.py``) once per
snapshot: a place or party saved here, or seen changed in another process, gives a new snapshot
and so a new matcher. Tagging stores one mention per article and place or party, with the spans
of every occurrence; editors' confirmations and rejections survive re-tagging.
"""

from pathlib import Path
from threading import Lock

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Greatest, Substr

from . import names
from .gazetteer import FOUND, PROPOSED, Found, Gazetteer, read_not_places
from .models import Article, LocationMention, MentionStatus, PartyMention

EDITED = (MentionStatus.CONFIRMED, MentionStatus.REJECTED)

# The matcher compiled from a snapshot, with that snapshot (compiled again when it changes).
_compiled: tuple[names.Snapshot, Gazetteer] | None = None
_lock = Lock()


def not_places_file() -> Path:
    """Phrases that look like names but are not ("لبنان" is not ل + بنان), kept with the seeds."""
    return Path(settings.BASE_DIR) / "seeds" / "not_places.txt"


def gazetteer() -> Gazetteer:
    """The matcher of the current names, the same object for as long as they do not change."""
    global _compiled
    snapshot = names.current()
    compiled = _compiled
    if compiled is None or compiled[0] is not snapshot:
        with _lock:
            compiled = _compiled
            if compiled is None or compiled[0] is not snapshot:
                compiled = (snapshot, Gazetteer(snapshot, read_not_places(not_places_file())))
                _compiled = compiled
    return compiled[1]


def find_mentions(title: str, body: str, tokens: tuple | None = None) -> list[Found]:
    """Every occurrence of every place and party in the title and body."""
    return gazetteer().find(title, body, tokens)


def _grouped(found: list[Found], model: str) -> dict[int, tuple[str, list[list]]]:
    """Per record: the best status among its occurrences and their spans."""
    grouped: dict[int, tuple[str, list[list]]] = {}
    for item in found:
        if item.model != model:
            continue
        status, spans = grouped.get(item.pk, (PROPOSED, []))
        spans.append([item.field, item.start, item.end])
        grouped[item.pk] = (FOUND if FOUND in (status, item.status) else PROPOSED, spans)
    return grouped


def tag_new_articles(articles, analysed: dict | None = None, found: dict | None = None) -> int:
    """Tag articles that have no mentions yet (a batch just ingested): one insert per table.

    ``analysed``: article pk -> (title tokens, body tokens), when the caller has them;
    ``found``: article pk -> its ``find_mentions``, when the caller found them already.
    """
    places, parties = [], []
    analysed, found_by_pk = analysed or {}, found or {}
    for article in articles:
        found = found_by_pk.get(article.pk)
        if found is None:
            found = find_mentions(article.title, article.body, analysed.get(article.pk))
        for pk, (status, spans) in _grouped(found, "location").items():
            places.append(
                LocationMention(article=article, location_id=pk, status=status, spans=spans)
            )
        for pk, (status, spans) in _grouped(found, "party").items():
            parties.append(PartyMention(article=article, party_id=pk, status=status, spans=spans))
    LocationMention.objects.bulk_create(places)
    PartyMention.objects.bulk_create(parties)
    return len(places) + len(parties)


@transaction.atomic
def tag_article(article: Article) -> dict[str, int]:
    """Create or update the article's place and party mentions from its text.

    Editors' decisions stand: a confirmed or rejected mention keeps its status (its spans are
    refreshed), and a rejected one is kept so that the machine never proposes it again.
    Machine mentions the text no longer supports are removed.
    """
    found = find_mentions(article.title, article.body)
    counts = {}
    for model, mention_model, key in (
        ("location", LocationMention, "location_id"),
        ("party", PartyMention, "party_id"),
    ):
        wanted = _grouped(found, model)
        existing = {getattr(m, key): m for m in mention_model.objects.filter(article=article)}
        create, update, stale = [], [], []
        for pk, mention in existing.items():
            if pk not in wanted and mention.status not in EDITED:
                stale.append(mention.pk)
        for pk, (status, spans) in wanted.items():
            mention = existing.get(pk)
            if mention is None:
                create.append(
                    mention_model(article=article, status=status, spans=spans, **{key: pk})
                )
                continue
            new_status = mention.status if mention.status in EDITED else status
            if (mention.status, mention.spans) != (new_status, spans):
                mention.status, mention.spans = new_status, spans
                update.append(mention)
        mention_model.objects.filter(pk__in=stale).delete()
        mention_model.objects.bulk_create(create)
        mention_model.objects.bulk_update(update, ["status", "spans"])
        counts[model] = len(wanted)
    return counts


def decide(mentions, status: str) -> int:
    """An editor's decision on many mentions at once; returns how many changed.

    Each mention is saved on its own so that its history records who decided.
    """
    if status not in MentionStatus.values:
        raise ValueError(f"unknown mention status {status!r}")
    changed = 0
    for mention in mentions.exclude(status=status):
        mention.status = status
        mention.save(update_fields=["status"])
        changed += 1
    return changed


CONTEXT_WIDTH = 50  # characters shown on each side of a mention


def with_context(mentions, width: int = CONTEXT_WIDTH):
    """Mentions with the stretch of text around their first occurrence, cut out by the database.

    ``context`` reads it. A list of mentions used to load its article's whole text once per
    mention; now each brings a few dozen characters, however long the article.
    """
    first = KeyTransform("0", "spans")
    start = Cast(KeyTextTransform("1", first), IntegerField())
    end = Cast(KeyTextTransform("2", first), IntegerField())
    offset = Greatest(start - width, Value(0))
    length = end - offset + width
    return mentions.annotate(
        context_offset=offset,
        context_text=Case(
            When(spans__0__0="title", then=Substr("article__title", offset + 1, length)),
            default=Substr("article__body", offset + 1, length),
        ),
    )


def context(mention, width: int = CONTEXT_WIDTH) -> str:
    """The words around a mention's first occurrence, for an editor deciding on it."""
    if not mention.spans:
        return ""
    if not hasattr(mention, "context_text"):  # a mention on its own: ask for its stretch alone
        mention = with_context(type(mention).objects.filter(pk=mention.pk), width).get()
    _field, start, end = mention.spans[0]
    text, offset = mention.context_text or "", mention.context_offset or 0
    start, end = start - offset, end - offset
    before = text[max(0, start - width) : start].split("\n")[-1]
    after = text[end : end + width].split("\n")[0]
    return f"…{before}[{text[start:end]}]{after}…"
