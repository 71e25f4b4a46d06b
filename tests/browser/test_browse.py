"""An editor's day in a real browser: log in, search, filter, read, follow a place, download."""

import re

import pytest
from playwright.sync_api import expect

from tests.archive_data import RELATED_TITLE, SEED_TITLE

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search_for(tab, words):
    tab.fill("input[name=q]", words)
    tab.press("input[name=q]", "Enter")
    tab.wait_for_load_state()


def result_titles(tab):
    return [title.strip() for title in tab.locator(".article-item h3").all_inner_texts()]


def test_log_in_and_search_a_town_with_its_spelling_variants_marked(browser_page, archive, editor):
    tab = browser_page
    tab.goto("/articles/")
    assert "/login/" in tab.url  # the archive is closed to strangers
    assert tab.locator("html").get_attribute("dir") == "rtl"
    log_in(tab)
    tab.goto("/articles/")
    search_for(tab, "درعا")
    assert "q=%D8%AF%D8%B1%D8%B9%D8%A7" in tab.url  # the search is a shareable address
    assert sorted(result_titles(tab)) == sorted([SEED_TITLE, RELATED_TITLE])
    marks = tab.locator(".article-item mark").all_inner_texts()
    assert "بدرعا" in marks  # "درعا" found glued to the preposition, and marked
    seed = tab.locator(".article-item", has_text="علي المحاميد")
    snippet_marks = seed.locator(".snippet mark").all_inner_texts()
    assert snippet_marks and all(re.fullmatch(r"[وبل]?درعا", m) for m in snippet_marks)
    assert tab.locator("#result-count").inner_text().strip().startswith("2")


def test_filter_by_governorate_keeps_the_towns_inside_it(browser_page, archive, editor):
    tab = browser_page
    log_in(tab)
    tab.goto("/articles/")
    assert len(result_titles(tab)) == 3
    tab.select_option("#id_location", str(archive.daraa.pk))
    tab.click(".filters button[type=submit]")
    tab.wait_for_url(re.compile(rf"location={archive.daraa.pk}"))
    assert result_titles(tab) == [SEED_TITLE, RELATED_TITLE]
    # The facets narrow further: one click on a town inside Daraa.
    tab.locator("#facets a[data-facet=location]", has_text="طفس").click()
    tab.wait_for_url(re.compile(rf"location={archive.tafas.pk}"))
    assert result_titles(tab) == [SEED_TITLE]


def test_open_an_article_from_a_search_and_follow_a_place_link(browser_page, archive, editor):
    tab = browser_page
    log_in(tab)
    tab.goto("/articles/")
    search_for(tab, "المفاوضات")
    tab.locator(".article-item h3 a", has_text="فشل الجولة الثانية").click()
    tab.wait_for_url(re.compile(rf"/articles/{archive.seed.pk}/\?q="))
    body = tab.locator("#article-body")
    assert body.get_attribute("dir") == "rtl"
    assert "المفاوضات" in body.locator("mark").all_inner_texts()
    confirmed = body.locator("a.mention-confirmed", has_text="طفس").first
    found = body.locator("a.mention-found", has_text="درعا").first
    proposed = body.locator("a.mention-proposed", has_text="بصرى الشام").first
    styles = [
        el.evaluate("e => getComputedStyle(e).borderBottomStyle + ' ' + getComputedStyle(e).color")
        for el in (confirmed, found, proposed)
    ]
    assert len(set(styles)) == 3  # confirmed, found and proposed look different
    assert body.locator("a", has_text="علما").count() == 0  # rejected: not marked
    confirmed.click()
    tab.wait_for_url(f"**/locations/{archive.tafas.pk}/")
    assert tab.locator("h1").inner_text() == "طفس"
    assert tab.locator(".breadcrumb a").all_inner_texts() == ["سوريا", "درعا"]
    assert SEED_TITLE in result_titles(tab)


def test_switch_the_interface_to_english_and_back(browser_page, archive, editor):
    tab = browser_page
    log_in(tab)
    tab.goto(f"/locations/{archive.daraa.pk}/")
    tab.select_option("#language-select", "en")  # a script sends the form on change
    expect(tab.locator("html")).to_have_attribute("lang", "en")
    assert tab.locator("html").get_attribute("dir") == "ltr"
    assert tab.url.endswith(f"/locations/{archive.daraa.pk}/")  # still on the same page
    assert tab.locator("h1").inner_text() == "Daraa"
    assert "Newsroom archive" in tab.locator(".site-name").inner_text()
    tab.select_option("#language-select", "ar")
    expect(tab.locator("html")).to_have_attribute("lang", "ar")
    assert tab.locator("html").get_attribute("dir") == "rtl"
    assert tab.locator("h1").inner_text() == "درعا"


def test_download_the_search_as_csv_for_excel(browser_page, archive, editor, tmp_path):
    tab = browser_page
    log_in(tab)
    tab.goto(f"/articles/?location={archive.daraa.pk}")
    with tab.expect_download() as download_info:
        tab.click("#export-csv")
    path = tmp_path / "articles.csv"
    download_info.value.save_as(path)
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert SEED_TITLE in text and RELATED_TITLE in text
    assert "إسرائيل" not in text  # only the filtered articles


def test_layout_is_right_to_left(browser_page, archive, editor):
    tab = browser_page
    log_in(tab)
    tab.goto("/articles/")
    assert tab.locator("html").get_attribute("dir") == "rtl"
    assert tab.evaluate("getComputedStyle(document.body).direction") == "rtl"
    results = tab.locator("#results").bounding_box()
    facets = tab.locator("#facets").bounding_box()
    location = tab.locator("#id_location").bounding_box()
    first_filter = tab.locator("#id_source").bounding_box()
    # Results on the right, the facets beside them on the left.
    assert facets["x"] + facets["width"] <= results["x"]
    # The filters read from the right: the first one sits right of the second.
    assert first_filter["x"] > location["x"]
    # Titles and snippets are aligned to the right edge of the results column.
    title = tab.locator(".article-item h3 a").first.bounding_box()
    assert abs((title["x"] + title["width"]) - (results["x"] + results["width"])) < 40


def test_search_box_starts_on_the_right_and_phone_layout_stacks(browser_page, archive, editor):
    tab = browser_page
    log_in(tab)
    tab.goto("/articles/?q=%D8%AF%D8%B1%D8%B9%D8%A7")
    box = tab.locator("input[name=q]").bounding_box()
    button = tab.locator(".search-box button").bounding_box()
    results = tab.locator("#results").bounding_box()
    assert box["x"] + box["width"] > results["x"] + results["width"] / 2
    assert button["x"] < box["x"]  # the button follows the box, to its left
    tab.set_viewport_size({"width": 390, "height": 844})
    results = tab.locator("#results").bounding_box()
    facets = tab.locator("#facets").bounding_box()
    assert facets["y"] >= results["y"] + results["height"] - 1  # facets under the results
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
