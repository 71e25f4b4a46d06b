"""The issue's walk-through on the real starting data: the whole gazetteer, the seed article."""

import re

import pytest

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_daraa_filter_by_governorate_open_the_article_follow_a_town(
    browser_page, seeded, editor
):
    seed, daraa = seeded
    tab = browser_page
    log_in(tab)
    tab.goto("/")
    tab.fill("input[name=q]", "درعا")
    tab.press("input[name=q]", "Enter")
    tab.wait_for_url(re.compile(r"q=%D8%AF%D8%B1%D8%B9%D8%A7"))
    item = tab.locator(".article-item", has=tab.locator(f'a[href^="{seed.get_absolute_url()}"]'))
    marks = item.locator(".snippet mark").all_inner_texts()
    assert marks and all(re.fullmatch(r"[وبل]?درعا", mark) for mark in marks)

    tab.select_option("#id_location", str(daraa.pk))
    tab.click(".filters button[type=submit]")
    tab.wait_for_url(re.compile(rf"location={daraa.pk}"))
    assert "q=%D8%AF%D8%B1%D8%B9%D8%A7" in tab.url  # the search is kept
    assert item.count() == 1

    item.locator("h3 a").click()
    tab.wait_for_url(re.compile(rf"{seed.get_absolute_url()}\?q="))
    body = tab.locator("#article-body")
    assert body.locator("mark").count() > 0
    town = body.locator("a.mention", has_text="طفس").first
    town.click()
    tab.wait_for_url(re.compile(r"/locations/\d+/$"))
    assert tab.locator("h1").inner_text() == "طفس"
    assert "درعا" in tab.locator(".breadcrumb").inner_text()
    assert tab.locator("#place-map circle").count() >= 1
