"""Sources, places, parties, articles and the mentions that tie them together."""

import math

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import search as _search

ALIASES_HELP = _(
    "One per line: other spellings, transliterations and adjectives that name it "
    "(e.g. Deraa, Dar'a; الروسي, الروسية for Russia)."
)


def split_aliases(text: str) -> list[str]:
    """Aliases typed one per line (commas inside a line are part of the alias)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class Named(models.Model):
    """What sources, places and parties share: two names, aliases and a stable import key."""

    name_ar = models.CharField(_("Arabic name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    aliases = models.TextField(_("aliases"), blank=True, help_text=ALIASES_HELP)
    key = models.SlugField(
        _("import key"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stable identifier used by seed files and imports; leave empty for your own."),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.name_ar

    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)

    def all_names(self) -> list[str]:
        """Every name this record is known by, Arabic first."""
        names = [self.name_ar, self.name_en, *self.alias_list()]
        return list(dict.fromkeys(name for name in names if name))


class Source(Named):
    class Kind(models.TextChoices):
        RADIO = "radio", _("radio")
        WEBSITE = "website", _("website")
        AGENCY = "agency", _("news agency")
        TV = "tv", _("TV channel")
        NEWSPAPER = "newspaper", _("newspaper")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.WEBSITE)
    url = models.URLField(_("website"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_ar"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.pk])


class Location(Named):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("country")
        GOVERNORATE = "governorate", _("governorate")
        DISTRICT = "district", _("district")
        SUBDISTRICT = "subdistrict", _("sub-district")
        TOWN = "town", _("town")
        VILLAGE = "village", _("village")
        REGION = "region", _("region")
        CAMP = "camp", _("camp")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.TOWN)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("inside"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("The place this one lies in, e.g. the governorate of a town."),
    )
    path = models.CharField(
        max_length=255,
        editable=False,
        db_index=True,
        help_text="Ids from the root down ('/1/14/203/'): selects a place with all below it.",
    )
    ambiguous = models.BooleanField(
        _("ambiguous name"),
        default=False,
        help_text=_(
            "The name is also a common word or a first name (دوما, جاسم, الباب): tag it only "
            "with supporting context, otherwise propose it for review."
        ),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    ocha_pcode = models.CharField(
        _("OCHA p-code"), max_length=20, unique=True, null=True, blank=True
    )
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), unique=True, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_ar"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__range=(-90, 90)),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__range=(-180, 180)),
                name="location_longitude_range",
            ),
        ]

    def get_absolute_url(self):
        return reverse("location-detail", args=[self.pk])

    def clean(self):
        super().clean()
        # The parent's path lists it and every place above it: this place must not be one.
        if self.pk and self.parent and str(self.pk) in self.parent.path.strip("/").split("/"):
            raise ValidationError(
                {
                    "parent": ValidationError(
                        _("A place cannot lie inside itself or inside a place within it."),
                        code="inside_itself",
                    )
                }
            )

    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if new_path != old_path:
            Location.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:  # moved: carry the whole subtree along
                for child in self.children.all():
                    child.save(update_fields=["path"])

    def ancestors(self) -> list["Location"]:
        """From the root down to this place's parent."""
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = Location.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]

    def descendants(self):
        return Location.objects.filter(path__startswith=self.path).exclude(pk=self.pk)


class Party(Named):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("government")
        ARMED_FORCE = "armed_force", _("armed force")
        OPPOSITION = "opposition", _("opposition faction")
        CIVIL = "civil", _("civil body")
        FOREIGN_STATE = "foreign_state", _("foreign state")
        INTERNATIONAL = "international", _("international body")
        MEDIA = "media", _("media")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        related_name="children",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    ambiguous = models.BooleanField(
        _("ambiguous name"),
        default=False,
        help_text=_("The name is also a common word: propose it for review rather than assert it."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name_ar"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def get_absolute_url(self):
        return reverse("party-detail", args=[self.pk])


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


class ArticleQuerySet(models.QuerySet):
    def search(self, query):
        """Articles matching a query (articles/search/), annotated with ``rank``, best first."""
        return _search.search(self, query)

    def newest_first(self):
        return self.order_by(*NEWEST_FIRST)

    def in_location(self, location: Location):
        """Articles that mention the place or anything inside it."""
        return self.filter(
            Exists(
                LocationMention.objects.filter(
                    article=OuterRef("pk"),
                    status__in=ASSERTED,
                    location__path__startswith=location.path,
                )
            )
        )

    def with_party(self, party: Party):
        return self.filter(
            Exists(
                PartyMention.objects.filter(
                    article=OuterRef("pk"), status__in=ASSERTED, party=party
                )
            )
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

    class Meta:
        abstract = True

    def occurrences(self) -> int:
        return len(self.spans)


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


class ImportJob(models.Model):
    """Files an editor uploaded in the admin, imported by a process of their own (jobs.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to start")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        related_name="import_jobs",
        on_delete=models.SET_NULL,
        null=True,
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("For texts that do not name their source."),
    )
    language = models.CharField(max_length=10, help_text="The reasons in the report are in it.")
    folder = models.CharField(
        max_length=500, blank=True, help_text="Where the uploaded files wait; empty once deleted."
    )
    files = models.JSONField(
        default=list, help_text='[{"name": as uploaded, "stored": name in the folder, "size"}]'
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Articles expected, estimated.")
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    error = models.TextField(blank=True)
    pid = models.PositiveIntegerField(null=True, help_text="The process running it, last.")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(_("finished"), null=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        names = [file["name"] for file in self.files]
        shown = "، ".join(names[:3]) + ("، …" if len(names) > 3 else "")
        return f"#{self.pk} {shown}"


class ImportJobRow(models.Model):
    """What became of one text of an import: a line of its report."""

    job = models.ForeignKey(ImportJob, related_name="rows", on_delete=models.CASCADE)
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10)  # IngestResult.CREATED, DUPLICATE or FAILED
    origin = models.TextField()
    # The article created or found again; a plain id, so that deleting an article later
    # neither touches the reports nor loses what they said.
    article_id = models.PositiveBigIntegerField(null=True)
    reason = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="One per line.")

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="import_row_position"),
        ]

    def __str__(self):
        return f"{self.origin}: {self.status}"
