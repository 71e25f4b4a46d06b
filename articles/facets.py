"""Counts beside a list of articles: the places, parties and sources it is made of.

Each facet is one aggregate query over the listed articles, so a page asks the database the
same number of questions whether the list holds ten articles or ten thousand. A list longer
than ``SAMPLE`` is counted over its newest ``SAMPLE`` articles (and the page says so): the
counts then show what the recent reporting is made of, at a cost that does not grow with the
archive.
"""

from typing import NamedTuple

from django.db.models import Count, F, Q

from .models import ASSERTED, Article

LIMIT = 10
SAMPLE = 2_000


class Scope(NamedTuple):
    """The articles a page's facets count."""

    articles: object  # a queryset of at most SAMPLE articles
    partial: bool  # the list is longer: these are its newest SAMPLE articles


def scope(articles) -> Scope:
    """All the listed articles, or the newest SAMPLE of a longer list."""
    newest = articles.order_by(F("published").desc(nulls_last=True), "-id")
    ids = list(newest.values_list("pk", flat=True)[: SAMPLE + 1])
    return Scope(Article.objects.filter(pk__in=ids[:SAMPLE]), len(ids) > SAMPLE)


NOTHING = Scope(Article.objects.none(), False)  # for an empty list: no query at all


class Facet(NamedTuple):
    pk: int
    name_ar: str
    name_en: str
    count: int


def _top(articles, relation: str, limit: int, condition: Q) -> list[Facet]:
    """Group the filtered articles themselves by a related record and count them.

    Grouping the article query (rather than filtering mentions by a subquery of article ids)
    keeps the search's own tables and conditions at the top level, where they are written.
    """
    rows = (
        articles.order_by()
        .filter(condition)  # an inner join, which the grouping below reuses
        .values(relation, f"{relation}__name_ar", f"{relation}__name_en")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", f"{relation}__name_ar")[:limit]
    )
    return [
        Facet(
            row[relation], row[f"{relation}__name_ar"], row[f"{relation}__name_en"] or "", row["n"]
        )
        for row in rows
        if row[relation] is not None
    ]


def top_locations(articles, *, limit: int = LIMIT) -> list[Facet]:
    """The places the articles mention most (each article counted once per place)."""
    return _top(
        articles,
        "location_mentions__location",
        limit,
        Q(location_mentions__status__in=ASSERTED),
    )


def top_parties(articles, *, limit: int = LIMIT) -> list[Facet]:
    return _top(
        articles,
        "party_mentions__party",
        limit,
        Q(party_mentions__status__in=ASSERTED),
    )


def top_sources(articles, *, limit: int = LIMIT) -> list[Facet]:
    return _top(articles, "source", limit, Q(source__isnull=False))
