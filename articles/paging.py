"""The API's way through every result: numbered pages to start with, then cursors.

Page numbers end where the count is capped (``CappedPaginator.CAP``, 10,000 results), and an
OFFSET costs as much as the rows it skips, so ``next`` and ``previous`` carry a cursor. In the
archive's date orders it holds the (published, id) of the row where the page ended, and the
next page starts there (keyset paging, read from the index "article_newest_first" on
PostgreSQL): page 50,000 costs what page 1 costs. Search results in order of relevance carry an
offset instead: any page of them ranks every match anyway, so skipping rows adds little, and
a rank (a float) would make a brittle key.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.db.models import F, Q

from .filters import Sort

BIGGEST = 2**63 - 1  # what the databases' integers hold: larger ids and offsets are bad cursors


class BadCursor(ValueError):
    """A cursor that is damaged, made up, or from a search in another order."""


def order_of(*, searching: bool, sort: str | None) -> str:
    """The order of the results, as the filters (filters.ArticleFilter.filter_sort) give it."""
    if sort == Sort.OLDEST:
        return Sort.OLDEST
    if searching and sort != Sort.NEWEST:
        return Sort.RELEVANCE
    return Sort.NEWEST


@dataclass(frozen=True)
class Cursor:
    """A place in the results: after (or, going ``backwards``, before) a row, or an offset."""

    order: str
    published: datetime.date | None = None
    pk: int | None = None
    offset: int = 0
    backwards: bool = False

    @classmethod
    def at(cls, order: str, article, *, backwards: bool = False) -> "Cursor":
        return cls(order, published=article.published, pk=article.pk, backwards=backwards)

    def encode(self) -> str:
        if self.order == Sort.RELEVANCE:
            data = {"order": self.order, "offset": self.offset}
        else:
            published = self.published.isoformat() if self.published else None
            data = {"order": self.order, "published": published, "id": self.pk}
        if self.backwards:
            data["backwards"] = True
        text = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, order: str) -> "Cursor":
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            if data["order"] != order:
                raise BadCursor("the cursor belongs to another order")
            backwards = data.get("backwards", False)
            if not isinstance(backwards, bool):
                raise BadCursor("backwards is not true or false")
            if order == Sort.RELEVANCE:
                return cls(order, offset=_whole(data["offset"], 0), backwards=backwards)
            published = data["published"]
            if published is not None:
                published = datetime.date.fromisoformat(published)
            return cls(order, published=published, pk=_whole(data["id"], 1), backwards=backwards)
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise BadCursor(str(error)) from error


def _whole(value, smallest: int) -> int:
    if type(value) is not int or not smallest <= value <= BIGGEST:
        raise BadCursor(f"{value!r} is not a whole number from {smallest}")
    return value


@dataclass
class Page:
    ids: list[int]
    next: Cursor | None
    previous: Cursor | None


def numbered(page, order: str, *, more: bool) -> Page:
    """The cursors around a numbered page; ``more``: there are rows past the capped count."""
    rows = page.object_list
    if not rows:
        return Page([], None, None)
    has_next = page.has_next() or (more and page.number == page.paginator.num_pages)
    if order == Sort.RELEVANCE:
        start = page.start_index() - 1
        following = Cursor(order, offset=page.end_index())
        preceding = Cursor(order, offset=max(start - page.paginator.per_page, 0))
    else:
        following = Cursor.at(order, rows[-1])
        preceding = Cursor.at(order, rows[0], backwards=True)
    return Page(
        [row.pk for row in rows],
        following if has_next else None,
        preceding if page.number > 1 else None,
    )


def beyond(articles, cursor: Cursor, size: int) -> Page:
    """The page of ``size`` results that follows (or precedes) the cursor."""
    if cursor.order == Sort.RELEVANCE:
        start = cursor.offset
        ids = list(articles.values_list("pk", flat=True)[start : start + size + 1])
        return Page(
            ids[:size],
            Cursor(cursor.order, offset=start + size) if len(ids) > size else None,
            Cursor(cursor.order, offset=max(start - size, 0)) if start else None,
        )
    rows = _keyset(articles, cursor, size + 1)
    more, rows = len(rows) > size, rows[:size]
    if cursor.backwards:
        rows.reverse()
    if not rows:
        return Page([], None, None)
    (first_pk, first_day), (last_pk, last_day) = rows[0], rows[-1]
    # Forwards, the cursor's own row lies before this page; backwards, after it.
    return Page(
        [pk for pk, _ in rows],
        Cursor(cursor.order, last_day, last_pk) if more or cursor.backwards else None,
        Cursor(cursor.order, first_day, first_pk, backwards=True)
        if more or not cursor.backwards
        else None,
    )


def _keyset(articles, cursor: Cursor, limit: int) -> list[tuple[int, datetime.date | None]]:
    """(id, published) of up to ``limit`` rows past the cursor, nearest first.

    Both orders put undated articles last; going backwards reverses the direction and puts
    them first. Dated and undated rows are read apart, each a range of the index in its order:
    one query with "OR published IS NULL" would make PostgreSQL filter instead of seek.
    """
    descending = (cursor.order == Sort.NEWEST) != cursor.backwards
    undated_last = not cursor.backwards
    nulls = {"nulls_last": True} if undated_last else {"nulls_first": True}
    published = F("published").desc(**nulls) if descending else F("published").asc(**nulls)
    order = (published, "-id" if descending else "id")
    past = "lt" if descending else "gt"  # the lookup for "further along in this direction"
    if cursor.published is None:
        parts = [articles.filter(published__isnull=True, **{f"id__{past}": cursor.pk})]
        if not undated_last:
            parts.append(articles.filter(published__isnull=False))
    else:
        day = cursor.published
        # "published <= day AND (published < day OR id < pk)" going newest first: the first
        # half bounds the index range, the second drops that day's rows already shown.
        parts = [
            articles.filter(
                Q(**{f"published__{past}e": day}),
                Q(**{f"published__{past}": day}) | Q(**{f"id__{past}": cursor.pk}),
            )
        ]
        if undated_last:
            parts.append(articles.filter(published__isnull=True))
    rows: list[tuple[int, datetime.date | None]] = []
    for part in parts:
        rows += part.order_by(*order).values_list("pk", "published")[: limit - len(rows)]
        if len(rows) == limit:
            break
    return rows
