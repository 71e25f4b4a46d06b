"""Counts beside a list of articles: the places, parties and sources it is made of.

A page finds the ids of the articles to count once (``scope``), then asks one grouped query
per facet over the mention tables, so it asks the database the same number of questions
whether the list holds ten articles or ten thousand. A list longer than ``SAMPLE`` is counted
over its newest ``SAMPLE`` articles, and the page says so: the counts then show what the recent
reporting is made of, at a cost that does not grow with the archive.
"""

from typing import NamedTuple

from django.db.models import Count

from .models import ASSERTED, Article, LocationMention, PartyMention

LIMIT = 10
SAMPLE = 2_000


class Scope(NamedTuple):
    """The articles a page's facets count."""

    ids: list[int]  # at most SAMPLE
    partial: bool  # the list is longer: these are its newest SAMPLE articles


def scope(articles) -> Scope:
    """All the listed articles, or the newest SAMPLE of a longer list."""
    ids = list(articles.newest_first().values_list("pk", flat=True)[: SAMPLE + 1])
    return Scope(ids[:SAMPLE], len(ids) > SAMPLE)


NOTHING = Scope([], False)  # for an empty list: no query at all (Django skips "IN ()")


class Facet(NamedTuple):
    pk: int
    name_ar: str
    name_en: str
    count: int


def _top(rows, relation: str, counted: str, limit: int) -> list[Facet]:
    """Group rows by a related record, count distinct articles, keep the commonest."""
    grouped = (
        rows.order_by()
        .values(relation, f"{relation}__name_ar", f"{relation}__name_en")
        .annotate(n=Count(counted, distinct=True))
        .order_by("-n", f"{relation}__name_ar")[:limit]
    )
    return [
        Facet(
            row[relation], row[f"{relation}__name_ar"], row[f"{relation}__name_en"] or "", row["n"]
        )
        for row in grouped
    ]


def top_locations(counted: Scope, *, limit: int = LIMIT) -> list[Facet]:
    """The places the articles mention most (each article counted once per place)."""
    mentions = LocationMention.objects.filter(article_id__in=counted.ids, status__in=ASSERTED)
    return _top(mentions, "location", "article_id", limit)


def top_parties(counted: Scope, *, limit: int = LIMIT) -> list[Facet]:
    mentions = PartyMention.objects.filter(article_id__in=counted.ids, status__in=ASSERTED)
    return _top(mentions, "party", "article_id", limit)


def top_sources(counted: Scope, *, limit: int = LIMIT) -> list[Facet]:
    articles = Article.objects.filter(pk__in=counted.ids, source__isnull=False)
    return _top(articles, "source", "pk", limit)
