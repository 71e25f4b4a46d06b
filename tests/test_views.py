"""The editors' browse pages, through Django's test client, on SQLite and PostgreSQL."""

import re

import pytest
from django.urls import reverse

from articles.accounts import READERS
from articles.models import Article, LocationMention

from .archive_data import RELATED_TITLE, SEED_TITLE, many_articles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def result_titles(html: str) -> list[str]:
    return re.findall(r'<h3 lang="ar" dir="rtl"><a href="[^"]*">([^<]*)</a></h3>', html)


def detail_urls(archive):
    return [
        reverse("article-list"),
        "/",
        archive.seed.get_absolute_url(),
        archive.daraa.get_absolute_url(),
        archive.russia.get_absolute_url(),
        archive.rozana.get_absolute_url(),
        reverse("article-export-csv"),
        reverse("article-export-json"),
        reverse("api-article-list"),
        reverse("article-feed"),
        reverse("location-feed", args=[archive.daraa.pk]),
    ]


# Who may see what


def test_pages_send_anonymous_visitors_to_the_login_page(client, archive):
    for url in detail_urls(archive):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_public_read_setting_opens_pages_to_anonymous_visitors(client, archive, settings):
    settings.ARCHIVE_PUBLIC_READ = True
    for url in detail_urls(archive):
        assert client.get(url).status_code == 200, url
    html = page(client, reverse("article-list"))
    assert SEED_TITLE in html
    assert reverse("logout") not in html  # read-only: nothing to change, nobody logged in
    assert client.get(reverse("admin:index")).status_code == 302  # the admin stays closed


def test_login_page_is_arabic_and_right_to_left(client):
    html = page(client, reverse("login"))
    assert '<html lang="ar" dir="rtl">' in html
    assert "تسجيل الدخول" in html
    assert 'name="password"' in html


def test_logging_in_opens_the_page_asked_for(client, account, archive):
    account("amal", READERS, password="x-long-pass-9")
    target = archive.daraa.get_absolute_url()
    response = client.post(
        reverse("login"), {"username": "amal", "password": "x-long-pass-9", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == target
    assert "درعا" in page(client, target)


def test_wrong_password_says_so_in_arabic(client, django_user_model):
    django_user_model.objects.create_user("amal", password="x-long-pass-9")
    response = client.post(reverse("login"), {"username": "amal", "password": "guess"})
    assert response.status_code == 200
    assert "كلمة المرور" in response.content.decode()


# Layout and language


def test_interface_is_arabic_right_to_left_by_default(reader, archive):
    html = page(reader, reverse("article-list"))
    assert '<html lang="ar" dir="rtl">' in html
    assert "أرشيف غرفة الأخبار" in html
    assert "/static/css/archive.css" in html
    assert "<script>" not in html  # scripts come from static files only (CSP)
    assert "https://" not in html.split("<body>")[0]  # nothing from the internet


def test_an_english_browser_still_gets_arabic_until_the_editor_switches(reader, archive):
    response = reader.get(reverse("article-list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


def test_language_switch_turns_the_interface_english_left_to_right(reader, archive):
    response = reader.post(
        reverse("set_language"), {"language": "en", "next": reverse("article-list")}
    )
    assert response.status_code == 302
    html = page(reader, reverse("article-list"))
    assert '<html lang="en" dir="ltr">' in html
    assert "Newsroom archive" in html
    assert '<h3 lang="ar" dir="rtl">' in html  # the articles stay Arabic and right-to-left


def test_about_page_states_the_data_attribution(reader):
    html = page(reader, reverse("about"))
    assert "CC BY 4.0" in html
    assert "OpenSyria" in html and "GeoNames" in html and "ANT" in html


# The search and browse page


def test_list_shows_each_article_with_source_date_places_and_parties(reader, archive):
    html = page(reader, reverse("article-list"))
    assert result_titles(html)[:2] == [SEED_TITLE, RELATED_TITLE]  # newest first
    item = next(item for item in html.split('class="article-item"') if SEED_TITLE in item)
    assert "روزنة" in item
    assert 'datetime="2018-07-04"' in item
    assert archive.tafas.get_absolute_url() in item
    assert archive.russia.get_absolute_url() in item
    assert archive.alma.get_absolute_url() not in item  # rejected by an editor
    assert "3 " in html.split('id="result-count"')[1][:200]  # the count of all results


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"location": "daraa"}, [SEED_TITLE, RELATED_TITLE]),
        ({"location": "tafas"}, [SEED_TITLE]),
        ({"location": "homs"}, ["إسرائيل تطالب روسيا بـ&quot;رد الجميل&quot; في سوريا"]),
        ({"location": "syria"}, None),
        ({"party": "fsa"}, [SEED_TITLE]),
        ({"source": "skynews"}, ["إسرائيل تطالب روسيا بـ&quot;رد الجميل&quot; في سوريا"]),
        ({"date_from": "2018-07-01", "date_to": "2018-07-03"}, [RELATED_TITLE]),
        ({"status": "proposed"}, [SEED_TITLE]),
        ({"status": "confirmed", "location": "busra"}, [RELATED_TITLE]),
        ({"status": "rejected", "location": "alma"}, [SEED_TITLE]),
        ({"location": "alma"}, []),
        ({"sort": "oldest"}, None),
    ],
)
def test_filters_select_the_articles(reader, archive, params, expected):
    objects = {"daraa", "tafas", "homs", "syria", "fsa", "skynews", "busra", "alma"}
    query = {k: getattr(archive, v).pk if v in objects else v for k, v in params.items()}
    titles = result_titles(page(reader, reverse("article-list"), **query))
    if params == {"location": "syria"}:  # a country includes all its governorates
        assert len(titles) == 3
    elif params == {"sort": "oldest"}:
        assert titles[0].startswith("إسرائيل") and titles[-1] == SEED_TITLE
    else:
        assert titles == expected


def test_filtered_page_is_a_shareable_url(reader, archive):
    url = f"{reverse('article-list')}?location={archive.daraa.pk}&party={archive.russia.pk}"
    html = page(reader, url)
    assert result_titles(html) == [SEED_TITLE, RELATED_TITLE]
    # The form shows the state it came from, so the next search keeps it.
    assert f'<option value="{archive.daraa.pk}" selected>' in html
    assert f'<option value="{archive.russia.pk}" selected>' in html


def test_a_small_place_chosen_elsewhere_appears_selected_in_the_menu(reader, archive):
    html = page(reader, reverse("article-list"), location=archive.tafas.pk)
    assert re.search(rf'<option value="{archive.tafas.pk}" selected>\s*طفس</option>', html)


@pytest.mark.parametrize(
    "params",
    [
        {"location": "abc"},
        {"location": "999999"},
        {"party": "-1"},
        {"source": "روزنة"},
        {"date_from": "2018-13-45"},
        {"date_to": "yesterday"},
        {"status": "maybe"},
        {"sort": "random"},
    ],
)
def test_invalid_filter_value_shows_a_message_and_no_results(reader, archive, params):
    html = page(reader, reverse("article-list"), **params)
    assert 'id="filter-errors"' in html
    assert "غير صالحة" in html  # "some filter values are not valid"
    assert result_titles(html) == []
    assert 'class="facet ' not in html


def test_pagination_keeps_the_filters(reader, archive):
    many_articles(45, place=archive.tafas, party=archive.russia, source=archive.rozana)
    url = reverse("article-list")
    html = page(reader, url, location=archive.daraa.pk, sort="oldest")
    assert len(result_titles(html)) == 20
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html)[1].replace("&amp;", "&")
    assert f"location={archive.daraa.pk}" in next_link and "sort=oldest" in next_link
    second = page(reader, url + next_link)
    assert len(result_titles(second)) == 20
    assert set(result_titles(second)).isdisjoint(result_titles(html))
    last = page(reader, url, location=archive.daraa.pk, page="999")  # too far: the last page
    assert len(result_titles(last)) == 7  # 45 + the seed + the related article = 47


def test_facets_count_places_parties_and_sources_of_the_results(reader, archive):
    html = page(reader, reverse("article-list"), location=archive.daraa.pk)
    facets = html.split('id="facets"')[1]
    places = dict(re.findall(r'data-facet="location">([^<]+)</a> <span class="n">(\d+)', facets))
    # Busra counts once (confirmed in one article, only proposed in the other); Alma, rejected,
    # not at all.
    assert places == {"درعا": "2", "طفس": "1", "بصرى الشام": "1"}
    parties = dict(re.findall(r'data-facet="party">([^<]+)</a> <span class="n">(\d+)', facets))
    assert parties == {"روسيا": "2", "الجيش الحر": "1"}
    sources = dict(re.findall(r'data-facet="source">([^<]+)</a> <span class="n">(\d+)', facets))
    assert sources == {"روزنة": "2"}


def test_facets_of_a_long_list_count_its_newest_articles_and_say_so(reader, archive, monkeypatch):
    html = page(reader, reverse("article-list"), location=archive.daraa.pk)
    assert "Counted in the newest" not in html and "الأعداد من أحدث" not in html
    monkeypatch.setattr("articles.facets.SAMPLE", 1)
    html = page(reader, reverse("article-list"), location=archive.daraa.pk)
    facets = html.split('id="facets"')[1]
    # Only the seed article (4 July) is counted, not the related one (2 July), which alone
    # confirms Busra.
    places = dict(re.findall(r'data-facet="location">([^<]+)</a> <span class="n">(\d+)', facets))
    assert places == {"درعا": "1", "طفس": "1"}
    assert "الأعداد من أحدث 1 مقال" in facets
    place_page = page(reader, archive.daraa.get_absolute_url())
    assert "الأعداد من أحدث 1 مقال" in place_page


def test_clicking_a_facet_narrows_the_search(reader, archive):
    html = page(reader, reverse("article-list"), party=archive.russia.pk)
    link = re.search(r'href="([^"]+)" data-facet="location">طفس<', html)[1].replace("&amp;", "&")
    assert f"party={archive.russia.pk}" in link
    assert result_titles(page(reader, link)) == [SEED_TITLE]


def test_list_asks_a_bounded_number_of_queries_however_many_results(
    reader, archive, django_assert_max_num_queries
):
    url = reverse("article-list")
    params = {"location": archive.daraa.pk}
    with django_assert_max_num_queries(16):
        page(reader, url, **params)
    many_articles(120, place=archive.tafas, party=archive.russia, source=archive.rozana)
    with django_assert_max_num_queries(16):
        html = page(reader, url, **params)
    assert len(result_titles(html)) == 20


@pytest.mark.parametrize("name", ["daraa", "russia", "rozana"])
def test_detail_pages_ask_a_bounded_number_of_queries(
    reader, archive, name, django_assert_max_num_queries
):
    url = getattr(archive, name).get_absolute_url()
    with django_assert_max_num_queries(16):
        page(reader, url)
    many_articles(120, place=archive.tafas, party=archive.russia, source=archive.rozana)
    with django_assert_max_num_queries(16):
        html = page(reader, url)
    assert len(result_titles(html)) == 20


# The article page


def test_article_page_shows_the_text_with_every_mention_linked_by_status(reader, archive):
    html = page(reader, archive.seed.get_absolute_url())
    body = html.split('id="article-body">')[1].split("</div>")[0]
    assert body.startswith("فشلت الجولة الثانية من المفاوضات")
    links = re.findall(r'<a class="mention mention-(\w+) mention-(\w+)" href="([^"]+)"', body)
    by_target = {}
    for kind, status, href in links:
        by_target.setdefault(href, set()).add((kind, status))
    assert by_target[archive.daraa.get_absolute_url()] == {("place", "found")}
    assert by_target[archive.tafas.get_absolute_url()] == {("place", "confirmed")}
    assert by_target[archive.busra.get_absolute_url()] == {("place", "proposed")}
    assert by_target[archive.russia.get_absolute_url()] == {("party", "found")}
    assert by_target[archive.fsa.get_absolute_url()] == {("party", "confirmed")}
    assert archive.alma.get_absolute_url() not in body  # rejected: shown as plain text
    assert "وعلما" in body
    assert sum(1 for _, _, href in links if href == archive.daraa.get_absolute_url()) == 9
    title = html.split('class="article-title">')[1].split("</h1>")[0]
    assert archive.daraa.get_absolute_url() in title


def test_article_page_shows_source_byline_date_and_origin(reader, archive):
    html = page(reader, archive.seed.get_absolute_url())
    assert archive.rozana.get_absolute_url() in html
    assert "علي المحاميد" in html
    assert 'datetime="2018-07-04"' in html
    assert "seeds/articles/000_5e3cd00a1820727e.txt" in html
    assert 'lang="ar" dir="rtl" id="article-body"' in html


def test_article_page_links_its_read_also_titles(reader, archive):
    html = page(reader, archive.seed.get_absolute_url())
    related = html.split('class="related"')[1].split("</section>")[0]
    assert f'<a href="{archive.related.get_absolute_url()}">{RELATED_TITLE}</a>' in related


def test_mention_spans_outside_the_text_are_ignored(reader, archive):
    LocationMention.objects.filter(article=archive.seed, location=archive.daraa).update(
        spans=[["body", 5, 100000], ["body", "x", 3], ["title"], ["body", 0, 5]]
    )
    html = page(reader, archive.seed.get_absolute_url())
    body = html.split('id="article-body">')[1].split("</div>")[0]
    assert body.count(f'href="{archive.daraa.get_absolute_url()}"') == 1


def test_unknown_article_is_not_found(reader, archive):
    assert reader.get(reverse("article-detail", args=[999999])).status_code == 404


# Place, party and source pages


def test_place_page_shows_parents_children_articles_parties_and_map(reader, archive):
    html = page(reader, archive.daraa.get_absolute_url())
    breadcrumb = html.split('class="breadcrumb"')[1].split("</nav>")[0]
    assert archive.syria.get_absolute_url() in breadcrumb and "سوريا" in breadcrumb
    children = html.split('class="children"')[1].split("</section>")[0]
    for child in [archive.tafas, archive.busra, archive.alma]:
        assert child.get_absolute_url() in children
    assert result_titles(html) == [SEED_TITLE, RELATED_TITLE]
    assert re.search(
        rf'href="{archive.russia.get_absolute_url()}">روسيا</a> <span class="n">2', html
    )
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert svg.count("<circle") == 3  # Daraa, Tafas, Busra; Alma has no coordinates
    assert 'class="map-current"' in svg
    assert "Deraa" in html  # its aliases
    assert reverse("location-feed", args=[archive.daraa.pk]) in html


def test_place_without_coordinates_has_no_map(reader, archive):
    html = page(reader, archive.alma.get_absolute_url())
    assert "<svg" not in html
    assert result_titles(html) == []  # its only mention was rejected


def test_party_page_shows_aliases_articles_and_places(reader, archive):
    html = page(reader, archive.russia.get_absolute_url())
    assert "الروسية" in html
    assert result_titles(html)[:2] == [SEED_TITLE, RELATED_TITLE]
    assert len(result_titles(html)) == 3
    assert re.search(rf'href="{archive.daraa.get_absolute_url()}">درعا</a> <span class="n">2', html)
    assert f"?party={archive.russia.pk}" in html  # search and filter these articles


def test_source_page_shows_its_articles_and_places(reader, archive):
    html = page(reader, archive.rozana.get_absolute_url())
    assert result_titles(html) == [SEED_TITLE, RELATED_TITLE]
    assert re.search(rf'href="{archive.daraa.get_absolute_url()}">درعا</a> <span class="n">2', html)


def test_english_interface_shows_english_place_names(reader, archive):
    reader.post(reverse("set_language"), {"language": "en"})
    html = page(reader, archive.tafas.get_absolute_url())
    assert "<h1>Tafas</h1>" in html
    assert ">Daraa</a>" in html.split('class="breadcrumb"')[1]


# Hostile text


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_an_article_is_shown_as_text(reader, archive):
    hostile = Article.objects.create(
        title=f"عنوان {PAYLOAD}", body=f"نص عن درعا {PAYLOAD} انتهى", fingerprint="hostile"
    )
    body = hostile.body
    start = body.index("درعا")
    LocationMention.objects.create(
        article=hostile, location=archive.daraa, spans=[["body", start, len(body) - 5]]
    )
    for url in [
        reverse("article-list"),
        hostile.get_absolute_url(),
        archive.daraa.get_absolute_url(),
    ]:
        html = page(reader, url)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert" in html, url


def test_html_in_the_query_string_is_shown_as_text(reader, archive):
    html = page(reader, reverse("article-list"), date_from=PAYLOAD, q=PAYLOAD)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'id="filter-errors"' in html


def test_location_menu_lists_upper_levels_in_tree_order(reader, archive):
    html = page(reader, reverse("article-list"))
    menu = html.split('name="location"')[1].split("</select>")[0]
    names = [name.strip("\xa0 ") for name in re.findall(r">([^<]+)</option>", menu)]
    assert names[1:] == ["سوريا", "حمص", "درعا"]  # towns are reached from facets and pages


# Search


def search(client, q, **params):
    return page(client, reverse("article-list"), q=q, **params)


def test_search_finds_a_town_glued_to_the_word_before_it_and_marks_it(reader, archive):
    html = search(reader, "درعا")
    assert result_titles(html) == []  # titles carry marks now
    assert "<mark>بدرعا</mark>" in html  # the related article's title: "... الشام بدرعا"
    items = [item for item in html.split('class="article-item"')[1:]]
    assert len(items) == 2
    seed_item = next(item for item in items if "روزنة" in item and "2018-07-04" in item)
    snippet = seed_item.split('class="snippet"')[1].split("</p>")[0]
    assert "<mark>درعا</mark>" in snippet or "<mark>بدرعا</mark>" in snippet
    assert f"?q={'درعا'}" not in html  # the query is carried URL-encoded
    assert "?q=%D8%AF%D8%B1%D8%B9%D8%A7" in html  # ...to the article page


def titles_of(html: str) -> list[str]:
    found = re.findall(r'<h3 lang="ar" dir="rtl"><a href="[^"]*">(.*?)</a></h3>', html)
    return [re.sub(r"</?mark>", "", title) for title in found]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("طفس", [SEED_TITLE]),
        ('"وقف إطلاق النار"', [SEED_TITLE]),
        ("درعا -طفس", [RELATED_TITLE]),
        ("طفس OR التيفور", [SEED_TITLE, "إسرائيل تطالب روسيا بـ&quot;رد الجميل&quot; في سوريا"]),
        ("!!!", []),
    ],
)
def test_search_understands_the_query_language(reader, archive, q, expected):
    assert sorted(titles_of(search(reader, q))) == sorted(expected)


def test_search_combines_with_filters_and_sorting(reader, archive):
    assert titles_of(search(reader, "روسيا", location=archive.homs.pk)) == [
        "إسرائيل تطالب روسيا بـ&quot;رد الجميل&quot; في سوريا"
    ]
    newest = titles_of(search(reader, "الروسي", sort="newest"))
    oldest = titles_of(search(reader, "الروسي", sort="oldest"))
    assert newest == [SEED_TITLE, RELATED_TITLE] and oldest == [RELATED_TITLE, SEED_TITLE]


def test_search_box_keeps_the_query_and_the_page_links_keep_it(reader, archive):
    many_articles(25, place=archive.daraa, party=archive.russia, source=archive.rozana)
    html = search(reader, "قصف", location=archive.daraa.pk)
    assert 'value="قصف"' in html
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html)[1]
    assert "q=%D9%82%D8%B5%D9%81" in next_link and f"location={archive.daraa.pk}" in next_link


def test_result_count_says_more_than_ten_thousand_beyond_the_cap(reader, archive, monkeypatch):
    from articles.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 2)
    html = page(reader, reverse("article-list"))
    assert "أكثر من 10,000 مقال" in html


def test_search_page_asks_a_bounded_number_of_queries(
    reader, archive, django_assert_max_num_queries
):
    page(reader, reverse("article-list"), q="قصف")  # warm the cache of known names
    many_articles(5, place=archive.tafas, party=archive.russia, source=archive.rozana)
    with django_assert_max_num_queries(16):
        page(reader, reverse("article-list"), q="قصف")
    many_articles(120, place=archive.busra, party=archive.fsa, source=archive.skynews)
    with django_assert_max_num_queries(16):
        html = page(reader, reverse("article-list"), q="قصف")
    assert html.count('class="article-item"') == 20


def test_article_page_marks_the_words_of_the_search_it_came_from(reader, archive):
    html = page(reader, archive.seed.get_absolute_url(), q="المفاوضات")
    body = html.split('id="article-body">')[1].split("</div>")[0]
    assert "<mark>المفاوضات</mark>" in body
    assert f'href="{archive.tafas.get_absolute_url()}"' in body  # the mentions stay linked
    inside_link = re.search(
        r'mention-place mention-found" href="[^"]+" title="[^"]+">(.*?)</a>', body
    )
    assert inside_link and "<mark>" not in inside_link[1]  # "درعا" was not searched
    daraa = page(reader, archive.seed.get_absolute_url(), q="درعا")
    assert re.search(r'mention-found" href="[^"]+" title="[^"]+"><mark>درعا</mark></a>', daraa)
    plain = page(reader, archive.seed.get_absolute_url())
    assert "<mark>" not in plain


def test_place_page_searches_within_its_articles(reader, archive):
    html = page(reader, archive.daraa.get_absolute_url(), q="طفس")
    assert titles_of(html) == [SEED_TITLE]
    assert 'value="طفس"' in html
    assert "<mark>طفس</mark>" in html


def test_html_in_a_found_article_and_in_the_query_is_shown_as_text(reader, archive):
    Article.objects.create(
        title=f"درعا {PAYLOAD}", body=f"خبر عن درعا {PAYLOAD} درعا", fingerprint="hostile-2"
    )
    for q in ["درعا", PAYLOAD, f"درعا {PAYLOAD}"]:
        html = search(reader, q)
        assert "<script>alert" not in html and "<img src=x" not in html, q
    html = search(reader, "درعا")
    assert "&lt;script&gt;alert" in html
