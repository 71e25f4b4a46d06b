"""Machine-readable faces of a search: the JSON API and the CSV and JSON exports.

They take the same URL parameters as the browse page (one FilterSet), so an editor can copy the
address of any search and get the same articles as data.
"""

import csv
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from . import paging
from .filters import ArticleFilter
from .models import ASSERTED, Article
from .views import CappedPaginator

API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
EXPORT_CHUNK = 500

CSV_COLUMNS = [
    "id",
    "title",
    "source",
    "byline",
    "published",
    "places",
    "parties",
    "url",
    "origin",
    "link",
]


def filters(request) -> ArticleFilter:
    return ArticleFilter(request.GET, queryset=Article.objects.all())


def shown(articles):
    """What the API and exports read of each article: never its text nor its index entry."""
    return articles.without_index().defer("body")


def filtered_articles(request):
    """The articles a request's filters select, or the form's errors."""
    filterset = filters(request)
    if not filterset.is_valid():
        return None, filterset.errors
    return shown(filterset.qs), None


def invalid(errors) -> JsonResponse:
    return JsonResponse(
        {"error": _("Some filter values are not valid."), "fields": errors},
        status=400,
        json_dumps_params={"ensure_ascii": False},
    )


def asserted_names(mentions, attribute: str) -> list[str]:
    return [getattr(m, attribute).name_ar for m in mentions if m.status in ASSERTED]


def article_data(article: Article, request) -> dict:
    places = asserted_names(article.location_mentions.all(), "location")
    parties = asserted_names(article.party_mentions.all(), "party")
    return {
        "id": article.pk,
        "title": article.title,
        "source": article.source.name_ar if article.source else None,
        "byline": article.byline,
        "published": article.published,
        "places": places,
        "parties": parties,
        "url": article.url,
        "origin": article.origin,
        "link": request.build_absolute_uri(article.get_absolute_url()),
    }


def article_list(request):
    """GET /api/articles/?q=&location=&...&page=&page_size=: a page of results as JSON.

    ``next`` and ``previous`` are links with a cursor (see paging.py): following ``next``
    reaches every result, also past the capped count, where page numbers end.
    """
    filterset = filters(request)
    if not filterset.is_valid():
        return invalid(filterset.errors)
    articles = shown(filterset.qs)
    try:
        size = min(max(int(request.GET.get("page_size", API_PAGE_SIZE)), 1), API_MAX_PAGE_SIZE)
    except ValueError:
        return invalid({"page_size": [_("Enter a whole number.")]})
    order = paging.order_of(searching=filterset.searching, sort=filterset.selected("sort"))
    try:
        cursor = request.GET.get("cursor") and paging.Cursor.decode(request.GET["cursor"], order)
    except paging.BadCursor:
        message = _("This page link does not belong to this search: start from the first page.")
        return invalid({"cursor": [message]})
    paginator = CappedPaginator(articles.with_related(), size)
    count = paginator.count  # also tells whether it is capped (paginator.more)
    if cursor:
        number, found = None, paging.beyond(articles, cursor, size)
        rows = articles.with_related().in_bulk(found.ids)
        results = [rows[pk] for pk in found.ids if pk in rows]
    else:
        page = paginator.get_page(request.GET.get("page"))
        number, found = page.number, paging.numbered(page, order, more=paginator.more)
        results = page.object_list

    def link(cursor):
        if cursor is None:
            return None
        params = request.GET.copy()
        params.pop("page", None)
        params["cursor"] = cursor.encode()
        return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

    return JsonResponse(
        {
            "count": count,
            "count_is_capped": paginator.more,
            "page": number,
            "pages": paginator.num_pages,
            "next": link(found.next),
            "previous": link(found.previous),
            "results": [article_data(article, request) for article in results],
        },
        json_dumps_params={"ensure_ascii": False},
    )


# A spreadsheet runs a cell that begins with one of these as a formula: "=HYPERLINK(...)" in a
# title came out as a live link in Excel. OWASP's remedy: a leading apostrophe, which Excel and
# LibreOffice show as text. So a title "-5 قتلى" reads "'-5 قتلى" too: no cell is guessed safe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value):
        return value


def export_csv(request):
    """The whole current search as CSV: UTF-8 with a BOM, so Excel shows the Arabic."""
    articles, errors = filtered_articles(request)
    if errors:
        return invalid(errors)
    writer = csv.writer(_Line())

    def rows():
        yield "\ufeff" + writer.writerow(CSV_COLUMNS)
        for article in articles.with_related().iterator(chunk_size=EXPORT_CHUNK):
            data = article_data(article, request)
            data["places"] = "؛ ".join(data["places"])
            data["parties"] = "؛ ".join(data["parties"])
            yield writer.writerow([spreadsheet_text(data[column]) for column in CSV_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="articles.csv"'
    return response


def export_json(request):
    """The whole current search as one JSON array."""
    articles, errors = filtered_articles(request)
    if errors:
        return invalid(errors)

    def chunks():
        yield "["
        for index, article in enumerate(articles.with_related().iterator(EXPORT_CHUNK)):
            data = json.dumps(
                article_data(article, request), cls=DjangoJSONEncoder, ensure_ascii=False
            )
            yield ("," if index else "") + "\n" + data
        yield "\n]\n"

    response = StreamingHttpResponse(chunks(), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="articles.json"'
    return response
