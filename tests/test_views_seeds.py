"""The pages over the real starting data: the whole gazetteer and the seed article, tagged."""

import re

import pytest
from django.urls import reverse

from articles.models import Location

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_daraa_governorate_filter_finds_the_seed_article_through_its_towns(reader, seeded):
    seed, daraa = seeded
    html = page(reader, reverse("article-list"), location=daraa.pk)
    assert seed.get_absolute_url() in html
    assert re.search(rf'<option value="{daraa.pk}" selected>\s*درعا</option>', html)
    facet_places = re.findall(r'data-facet="location">([^<]+)</a>', html)
    assert len(facet_places) == 10 and "الحراك" in facet_places  # a town of Daraa


def test_search_for_daraa_marks_the_glued_forms_in_the_seed_snippet(reader, seeded):
    seed, _ = seeded
    html = page(reader, reverse("article-list"), q="درعا")
    item = next(i for i in html.split('class="article-item"') if seed.get_absolute_url() in i)
    snippet = item.split('class="snippet"')[1].split("</p>")[0]
    assert re.search(r"<mark>[وبل]?درعا</mark>", snippet)


def test_seed_article_page_links_each_town_to_its_place_page(reader, seeded):
    seed, daraa = seeded
    html = page(reader, seed.get_absolute_url())
    body = html.split('id="article-body">')[1].split("</div>")[0]
    linked = dict(re.findall(r'href="(/locations/\d+/)" title="[^"]*">([^<]+)</a>', body)[::-1])
    assert {"طفس", "درعا"} <= set(linked.values())
    tafas_url = next(url for url, word in linked.items() if word == "طفس")
    tafas = page(reader, tafas_url)
    assert f'href="{daraa.get_absolute_url()}"' in tafas.split('class="breadcrumb"')[1]
    assert seed.title in tafas


def test_country_page_over_the_whole_gazetteer_is_bounded(
    reader, seeded, django_assert_max_num_queries
):
    syria = Location.objects.get(kind=Location.Kind.COUNTRY, name_en="Syria")
    with django_assert_max_num_queries(16):
        html = page(reader, syria.get_absolute_url())
    governorates = html.split('class="children"')[1].split("</section>")[0]
    assert governorates.count("<li>") >= 14
    assert html.split("<svg")[1].count("<circle") > 100  # the places with coordinates


def test_location_menu_offers_every_governorate(reader, seeded):
    html = page(reader, reverse("article-list"))
    menu = html.split('name="location"')[1].split("</select>")[0]
    governorates = Location.objects.filter(kind=Location.Kind.GOVERNORATE)
    assert governorates.count() >= 14
    for governorate in governorates:
        assert f'<option value="{governorate.pk}">' in menu
