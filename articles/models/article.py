"""Articles, the reads on them (``ArticleQuerySet``) and the mentions of places and parties."""

import math

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Exists, OuterRef, Value, When
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import search as _search
from .named import Location, Party, Source


class MentionStatus(models.TextChoices):
    FOUND = "found", _("found automatically")
    PROPOSED = "proposed", _("proposed, needs review")
    CONFIRMED = "confirmed", _("confirmed by an editor")
    REJECTED = "rejected", _("rejected by an editor")


# The most text one article may have, in UTF-8 as it is stored. The ANT corpus's 41,686 news
# articles have 1.9 KB at the median, 15 KB at the 99.9th percentile and 38 KB at most (README,
# "Importing articles"): this leaves 27 times the largest. A longer "article" is a mistake (a
# whole feed pasted as one text) or an attack, and every page that shows it would pay for it.
MAX_ARTICLE_BYTES = 1024 * 1024


def megabytes(size: int) -> str:
    """A size in MB for an editor, rounded up to a tenth: "1.1" for a little over 1 MB."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def text_size(text: str) -> int:
    """Bytes the text takes in UTF-8 (a stray surrogate from a JSON escape counts too)."""
    return len(text.encode("utf-8", "surrogatepass"))


def validate_article_size(text: str) -> None:
    """The admin form's check of the same limit the import applies."""
    size = text_size(text)
    if size > MAX_ARTICLE_BYTES:
        raise ValidationError(
            _(
                "The text is %(size)s MB; an article may have at most %(limit)s MB: split it "
                "into several articles."
            ),
            code="too_large",
            params={"size": megabytes(size), "limit": megabytes(MAX_ARTICLE_BYTES)},
        )


# Mentions an article is taken to make: the machine's sure finds and the editors' confirmations.
ASSERTED = (MentionStatus.FOUND, MentionStatus.CONFIRMED)

# The archive's order: newest first, undated last, then newest id; the order of the index
# "article_newest_first" (migration 0005), so lists read it instead of sorting.
NEWEST_FIRST = (models.F("published").desc(nulls_last=True), "-id")

# What a row of a list reads of an article's text for its snippet: every article of the ANT
# corpus whole (21,119 characters at most), a long text only this far, so no list page grows
# with the texts it shows.
LIST_TEXT_CHARS = 32_000


def _mentions(model, status: str | None):
    """The article's mentions (in a subquery) that it makes, or those in ``status``."""
    mentions = model.objects.filter(article=OuterRef("pk"))
    return mentions.filter(status=status) if status else mentions.filter(status__in=ASSERTED)


class ArticleQuerySet(models.QuerySet):
    def search(self, query):
        """Articles matching a query (articles/search/), annotated with ``rank``, best first."""
        return _search.search(self, query)

    def newest_first(self):
        return self.order_by(*NEWEST_FIRST)

    def in_location(self, location: Location, *, status: str | None = None):
        """Articles that mention the place or anything inside it.

        The mentions the article makes (found or confirmed), or with ``status`` those in it.
        """
        places = _mentions(LocationMention, status).filter(location__path__startswith=location.path)
        return self.filter(Exists(places))

    def with_party(self, party: Party, *, status: str | None = None):
        """Articles that mention the party (as ``in_location`` reads ``status``)."""
        return self.filter(Exists(_mentions(PartyMention, status).filter(party=party)))

    def with_status(self, status: str):
        """Articles with a place or a party mention in this state."""
        return self.filter(
            Exists(_mentions(LocationMention, status)) | Exists(_mentions(PartyMention, status))
        )

    def from_source(self, source: Source):
        return self.filter(source=source)

    def without_index(self):
        """Leave the search index's vectors in the database (lists and exports never show them)."""
        return self.defer("search_vector", "rank_vector")

    def for_lists(self):
        """Rows as lists show them: ``opening``, the text's first LIST_TEXT_CHARS, for the body."""
        return (
            self.without_index().defer("body").annotate(opening=Substr("body", 1, LIST_TEXT_CHARS))
        )

    def with_related(self):
        """What a list of articles shows: the source and the places and parties mentioned."""
        return self.select_related("source").prefetch_related(
            models.Prefetch(
                "location_mentions",
                LocationMention.objects.exclude(status=MentionStatus.REJECTED).select_related(
                    "location"
                ),
            ),
            models.Prefetch(
                "party_mentions",
                PartyMention.objects.exclude(status=MentionStatus.REJECTED).select_related("party"),
            ),
        )


class Article(models.Model):
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(
        _("text"),
        help_text=_("Kept exactly as received."),
        validators=[validate_article_size],
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        related_name="articles",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    byline = models.CharField(_("reporter"), max_length=200, blank=True)
    published = models.DateField(_("published"), null=True, blank=True, db_index=True)
    url = models.URLField(_("original address"), max_length=1000, blank=True)
    origin = models.CharField(
        _("origin"),
        max_length=1000,
        blank=True,
        help_text=_("Where the text came from: file name, path inside a zip, or a JSONL id."),
    )
    fingerprint = models.CharField(
        max_length=64,
        editable=False,
        help_text="Hash of the normalised text; the same text can be stored only once.",
    )
    # PostgreSQL's index of the analyser's terms (see articles/search/); unused on SQLite, which
    # keeps its FTS5 table beside this one.
    search_vector = SearchVectorField(null=True, editable=False)
    # What ranks a match on PostgreSQL: the terms of the title and the opening words only.
    # Small enough to sit in the row, so ranking thousands of matches never reads the large
    # vector above (stored out of line) a second time.
    rank_vector = SearchVectorField(null=True, editable=False)
    locations = models.ManyToManyField(
        Location, through="LocationMention", related_name="articles", blank=True
    )
    parties = models.ManyToManyField(
        Party, through="PartyMention", related_name="articles", blank=True
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text="Raised by each save in the admin, so two editors cannot overwrite each other.",
    )

    objects = ArticleQuerySet.as_manager()
    # Who changed what and when; the search index is derived data and not worth a copy.
    history = HistoricalRecords(excluded_fields=["search_vector", "rank_vector"])

    class Meta:
        ordering = list(NEWEST_FIRST)
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], name="article_unique_fingerprint"),
        ]
        indexes = [models.Index(fields=["source", "-published"], name="article_source_published")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("article-detail", args=[self.pk])


# The order an editor reviews mentions in: what waits for a decision first, then what the machine
# asserted, what editors confirmed, and what they rejected last. (The statuses' own strings sort
# rejected before proposed.)
REVIEW_ORDER = (
    MentionStatus.PROPOSED,
    MentionStatus.FOUND,
    MentionStatus.CONFIRMED,
    MentionStatus.REJECTED,
)


class MentionQuerySet(models.QuerySet):
    def for_review(self):
        """In ``REVIEW_ORDER``, then in the order they were made."""
        rank = Case(
            *(When(status=status, then=Value(n)) for n, status in enumerate(REVIEW_ORDER)),
            default=Value(len(REVIEW_ORDER)),
        )
        return self.order_by(rank, "pk")


class Mention(models.Model):
    """Where an article names a place or a party, and what the editors decided about it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, verbose_name=_("article"))
    status = models.CharField(
        _("status"), max_length=10, choices=MentionStatus, default=MentionStatus.FOUND
    )
    spans = models.JSONField(
        _("occurrences"),
        default=list,
        blank=True,
        help_text="[field, start, end] for each occurrence; field is 'title' or 'body'.",
    )

    objects = MentionQuerySet.as_manager()

    class Meta:
        abstract = True


class LocationMention(Mention):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, verbose_name=_("place"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("place mention")
        verbose_name_plural = _("place mentions")
        default_related_name = "location_mentions"
        constraints = [
            models.UniqueConstraint(fields=["article", "location"], name="location_mention_unique"),
        ]
        indexes = [models.Index(fields=["location", "status"], name="location_mention_lookup")]

    def __str__(self):
        return f"{self.location} ← {self.article_id}"


class PartyMention(Mention):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, verbose_name=_("party"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party mention")
        verbose_name_plural = _("party mentions")
        default_related_name = "party_mentions"
        constraints = [
            models.UniqueConstraint(fields=["article", "party"], name="party_mention_unique"),
        ]
        indexes = [models.Index(fields=["party", "status"], name="party_mention_lookup")]

    def __str__(self):
        return f"{self.party} ← {self.article_id}"
