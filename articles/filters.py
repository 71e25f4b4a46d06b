"""The filters of the browse pages, the API, the exports and the feeds: one FilterSet for all."""

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Article, Location, MentionStatus, Party, Source, path_ids

# Kinds of place offered in the location menu; any other place is reachable by its id (from a
# place page, a facet or a mention link) and is then added to the menu.
MENU_KINDS = (Location.Kind.COUNTRY, Location.Kind.GOVERNORATE, Location.Kind.DISTRICT)


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"
    CHOICES = [
        (RELEVANCE, _("relevance")),
        (NEWEST, _("newest first")),
        (OLDEST, _("oldest first")),
    ]


def location_menu(selected: Location | None = None) -> list[tuple[str, str]]:
    """Countries, governorates and districts as an indented tree, plus the selected place."""
    places = list(Location.objects.filter(kind__in=MENU_KINDS).only("pk", "name_ar", "path"))
    if selected is not None and selected.pk not in {place.pk for place in places}:
        places.append(selected)
    by_id = {place.pk: place for place in places}

    def sort_key(place):
        return [by_id[pk].name_ar if pk in by_id else "" for pk in path_ids(place.path)]

    choices = [("", _("all places"))]
    for place in sorted(places, key=sort_key):
        depth = len(path_ids(place.path)) - 1
        choices.append((str(place.pk), "\u00a0\u00a0" * depth + place.name_ar))
    return choices


class ArticleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "dir": "auto",
                "placeholder": _('A place, a name, words or "a phrase"'),
            }
        ),
    )
    source = django_filters.ModelChoiceFilter(
        queryset=Source.objects.only("pk", "name_ar"),
        label=_("Source"),
        empty_label=_("all sources"),
    )
    location = django_filters.ModelChoiceFilter(
        queryset=Location.objects.all(),
        method="filter_location",
        label=_("Place"),
        help_text=_("Includes every place inside it."),
    )
    party = django_filters.ModelChoiceFilter(
        queryset=Party.objects.only("pk", "name_ar"),
        method="filter_party",
        label=_("Party"),
        empty_label=_("all parties"),
    )
    date_from = django_filters.DateFilter(
        field_name="published",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="published",
        lookup_expr="lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    status = django_filters.ChoiceFilter(
        choices=MentionStatus.choices,
        method="filter_status",
        label=_("Mention status"),
        empty_label=_("any status"),
        help_text=_("Articles with a place or party mention in this state."),
    )
    sort = django_filters.ChoiceFilter(
        choices=Sort.CHOICES,
        method="filter_sort",
        label=_("Sort by"),
        empty_label=None,
        null_value=None,
    )

    class Meta:
        model = Article
        fields = ["q", "source", "location", "party", "date_from", "date_to", "status", "sort"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # The whole gazetteer would make a menu of a thousand entries: offer the upper levels.
        # Any place id stays valid, since validation uses the filter's full queryset.
        # A callable is evaluated only when the form is rendered (API and exports never do).
        self.form.fields["location"].widget.choices = lambda: location_menu(
            self.selected("location")
        )

    @property
    def searching(self) -> bool:
        return bool(self.selected("q"))

    def query(self):
        """The parsed search query, when there is one (for snippets and highlights)."""
        return search.parse_query(self.selected("q")) if self.searching else None

    def selected(self, name: str):
        """The cleaned value of a filter, or None when the form is unbound or invalid."""
        if not self.is_bound or not self.is_valid():
            return None
        return self.form.cleaned_data.get(name) or None

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def _status(self):
        return self.form.cleaned_data.get("status") or None

    def filter_location(self, queryset, name, value):
        return queryset.in_location(value, status=self._status())

    def filter_party(self, queryset, name, value):
        return queryset.with_party(value, status=self._status())

    def filter_status(self, queryset, name, value):
        if self.form.cleaned_data.get("location") or self.form.cleaned_data.get("party"):
            return queryset  # the place or party filter applies the status to its own mentions
        return queryset.with_status(value)

    def filter_sort(self, queryset, name, value):
        if value == Sort.OLDEST:
            return queryset.order_by(F("published").asc(nulls_last=True), "id")
        if value == Sort.NEWEST or not self.searching:
            return queryset.newest_first()
        return queryset  # relevance: the search's own order
