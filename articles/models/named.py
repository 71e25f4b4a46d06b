"""The gazetteer's records and the sources: what has names, aliases and an import key."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ALIASES_HELP = _(
    "One per line: other spellings, transliterations and adjectives that name it "
    "(e.g. Deraa, Dar'a; الروسي, الروسية for Russia)."
)


def path_ids(path: str) -> list[int]:
    """The ids a place's tree path lists, from the root down: "/1/14/203/" → [1, 14, 203]."""
    return [int(part) for part in path.strip("/").split("/") if part]


def build_path(parent_path: str | None, pk: int) -> str:
    """The tree path of place ``pk`` under a parent whose path is given (None: a root)."""
    return f"{parent_path or '/'}{pk}/"


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
    # Written by save() with build_path() and read with path_ids(); a prefix of it selects the
    # place with everything below it.
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
        if self.pk and self.parent and self.pk in path_ids(self.parent.path):
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
        new_path = build_path(self.parent.path if self.parent_id else None, self.pk)
        if new_path != old_path:
            Location.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:  # moved: carry the whole subtree along
                for child in self.children.all():
                    child.save(update_fields=["path"])

    def ancestors(self) -> list["Location"]:
        """From the root down to this place's parent."""
        ids = path_ids(self.path)[:-1]
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
