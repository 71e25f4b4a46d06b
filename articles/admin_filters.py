"""What the admin's lists filter by, and nothing else."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.utils.translation import gettext_lazy as _

from .filters import location_menu
from .models import Location, MentionStatus, Party


class OwnFiltersChangeList(ChangeList):
    """A list that filters by its own filters (and date drill-down) and by nothing else.

    Django's admin also applies any other ``field__lookup`` in the URL, so a staff account
    could run ``?body__regex=...`` over every article's text (18 s for one pattern) or break
    the page with a bad pattern or an impossible year. Those give the list's own "invalid
    filter" answer (a redirect to ``?e=1``) instead.
    """

    def get_filters(self, request):
        try:
            filters, has_filters, remaining, *rest = super().get_filters(request)
        except (ValueError, OverflowError) as error:  # a drill-down date past the calendar
            raise IncorrectLookupParameters(error) from error
        drill_down = {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        unoffered = set(remaining) - (drill_down if self.date_hierarchy else set())
        if unoffered:
            raise IncorrectLookupParameters(f"Not a filter of this list: {sorted(unoffered)}")
        return filters, has_filters, remaining, *rest


def _chosen(model, value: str | None):
    """The record a filter's URL value names, or None for a value no id of it can be."""
    if value and value.isdigit() and len(value) < 19:  # 19 digits may pass a 64-bit integer
        return model.objects.filter(pk=int(value)).first()
    return None


def _required(model, value: str):
    """The record a filter's URL value names; any other value is the list's "invalid filter"."""
    chosen = _chosen(model, value)
    if chosen is None:
        raise IncorrectLookupParameters(f"no {model._meta.model_name} {value!r}")
    return chosen


class PlaceFilter(admin.SimpleListFilter):
    """Articles about a place and everything inside it, as the browse pages' place filter.

    Offers the upper levels (country, governorates, districts) and the chosen place: Django's
    "places mentioned" filter read every mention of the archive on each load of the list.
    """

    title = _("place")
    parameter_name = "location"

    def lookups(self, request, model_admin):
        return location_menu(_chosen(Location, self.value()))[1:]  # without "all places"

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.in_location(_required(Location, self.value()))


class PartyFilter(admin.SimpleListFilter):
    """Articles that mention a party, as the browse pages' party filter."""

    title = _("party")
    parameter_name = "party"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in Party.objects.values_list("pk", "name_ar")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.with_party(_required(Party, self.value()))


class ReviewStatusFilter(admin.SimpleListFilter):
    """Mentions by status; the list opens on the proposals waiting for an editor."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*MentionStatus.choices, ("all", _("all"))]

    def value(self):
        return super().value() or MentionStatus.PROPOSED

    def queryset(self, request, queryset):
        value = self.value()
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }
