"""Every page and API endpoint answers hostile parameters with a message, 400 or 404: never 500."""

import pytest
from django.urls import reverse

from .archive_data import build_archive

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    "abc",
    "-1",
    "1.5",
    "99999999999999999999999",
    "٣",  # an Arabic-Indic digit
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\x00",
    "درعا",
    "2018-02-30",
    "",
]
PARAMETERS = [
    "q",
    "source",
    "location",
    "party",
    "date_from",
    "date_to",
    "status",
    "sort",
    "page",
    "page_size",
]


def is_html(response) -> bool:
    """Only HTML runs scripts: CSV and JSON may carry the text, sent as nosniff data."""
    return response.get("Content-Type", "").startswith("text/html")


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def endpoints(archive) -> list[str]:
    return [
        reverse("article-list"),
        reverse("article-export-csv"),
        reverse("article-export-json"),
        reverse("article-feed"),
        reverse("api-article-list"),
        reverse("article-detail", args=[archive.seed.pk]),
        reverse("location-detail", args=[archive.daraa.pk]),
        reverse("location-feed", args=[archive.daraa.pk]),
        reverse("party-detail", args=[archive.russia.pk]),
        reverse("source-detail", args=[archive.rozana.pk]),
    ]


def test_no_parameter_of_any_page_can_cause_a_server_error(reader):
    archive = build_archive()
    failures = []
    for url in endpoints(archive):
        for name in PARAMETERS:
            for value in BAD_VALUES:
                response = reader.get(url, {name: value})
                if response.status_code not in (200, 400, 404):
                    failures.append((url, name, value, response.status_code))
                elif is_html(response) and "<script>alert" in body(response):
                    failures.append((url, name, value, "unescaped HTML"))
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/articles/99999999999999999999999/",
        "/articles/0/",
        "/locations/99999999999999999999999/",
        "/locations/424242/",
        "/parties/424242/",
        "/sources/424242/",
        "/locations/424242/feed/",
        "/articles/abc/",
    ],
)
def test_unknown_ids_are_not_found(reader, path):
    build_archive()
    assert reader.get(path).status_code == 404


def test_repeated_and_combined_bad_parameters_still_answer(reader):
    archive = build_archive()
    query = "&".join(
        [f"location={v}" for v in ("1", "abc", "2")]
        + ["page=abc", "page_size=-5", "sort=random", "q=%22", "date_from=x", "party=999999"]
    )
    for url in endpoints(archive):
        response = reader.get(f"{url}?{query}")
        assert response.status_code in (200, 400, 404), (url, response.status_code)
