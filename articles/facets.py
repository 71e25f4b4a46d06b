"""Counts beside a list of articles: the places, parties and sources it is made of.

Each facet is one aggregate query over the ids of the filtered articles, so a page asks the
database the same number of questions whether the list holds ten articles or ten thousand.
"""

from typing import NamedTuple

from django.db.models import Count

from .models import ASSERTED, Article, LocationMention, PartyMention

LIMIT = 10


class Facet(NamedTuple):
    pk: int
    name_ar: str
    name_en: str
    count: int


def _ids(articles):
    return articles.order_by().values("pk")


def _top(rows, prefix: str) -> list[Facet]:
    return [
        Facet(row[prefix], row[f"{prefix}__name_ar"], row[f"{prefix}__name_en"] or "", row["n"])
        for row in rows
        if row[prefix] is not None
    ]


def top_locations(articles, *, limit: int = LIMIT, exclude: int | None = None) -> list[Facet]:
    """The places the articles mention most (each article counted once per place)."""
    rows = (
        LocationMention.objects.filter(article__in=_ids(articles), status__in=ASSERTED)
        .exclude(location=exclude)
        .values("location", "location__name_ar", "location__name_en")
        .annotate(n=Count("article"))
        .order_by("-n", "location__name_ar")[:limit]
    )
    return _top(rows, "location")


def top_parties(articles, *, limit: int = LIMIT, exclude: int | None = None) -> list[Facet]:
    rows = (
        PartyMention.objects.filter(article__in=_ids(articles), status__in=ASSERTED)
        .exclude(party=exclude)
        .values("party", "party__name_ar", "party__name_en")
        .annotate(n=Count("article"))
        .order_by("-n", "party__name_ar")[:limit]
    )
    return _top(rows, "party")


def top_sources(articles, *, limit: int = LIMIT) -> list[Facet]:
    rows = (
        Article.objects.filter(pk__in=_ids(articles), source__isnull=False)
        .values("source", "source__name_ar", "source__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "source__name_ar")[:limit]
    )
    return _top(rows, "source")
