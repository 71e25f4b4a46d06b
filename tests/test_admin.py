import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Location, LocationMention, Source

pytestmark = pytest.mark.django_db


def test_admin_opens_in_arabic_right_to_left(editor_client):
    page = editor_client.get(reverse("admin:index"))
    html = page.content.decode()
    assert re.search(r'<html[^>]*lang="ar"[^>]*dir="rtl"', html)
    assert "إدارة الأرشيف" in html


def test_editor_adds_a_town_under_a_governorate_and_tags_an_article(editor_client):
    daraa = Location.objects.create(name_ar="درعا", name_en="Daraa", kind="governorate")
    story = Article.objects.create(title="قصف على نوى", body="قصف على نوى", fingerprint="f1")

    response = editor_client.post(
        reverse("admin:articles_location_add"),
        {"name_ar": "نوى", "name_en": "Nawa", "kind": "town", "parent": daraa.pk, "aliases": "نوا"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    nawa = Location.objects.get(name_ar="نوى")
    assert nawa.parent == daraa
    assert nawa.alias_list() == ["نوا"]

    change_url = reverse("admin:articles_article_change", args=[story.pk])
    form = {
        "title": story.title,
        "body": story.body,
        "based_on_version": story.version,  # as the change page sends it
        "location_mentions-TOTAL_FORMS": "1",
        "location_mentions-INITIAL_FORMS": "0",
        "location_mentions-0-location": nawa.pk,
        "location_mentions-0-status": "confirmed",
        "location_mentions-0-spans": "[]",
        "party_mentions-TOTAL_FORMS": "0",
        "party_mentions-INITIAL_FORMS": "0",
    }
    response = editor_client.post(change_url, form)
    assert response.status_code == 302
    mention = LocationMention.objects.get(article=story)
    assert (mention.location, mention.status) == (nawa, "confirmed")
    assert list(Article.objects.in_location(daraa)) == [story]


@pytest.fixture
def chain():
    """Daraa › Izra › Nawa."""
    daraa = Location.objects.create(name_ar="درعا", name_en="Daraa", kind="governorate")
    izra = Location.objects.create(name_ar="إزرع", kind="district", parent=daraa)
    nawa = Location.objects.create(name_ar="نوى", kind="town", parent=izra)
    return daraa, izra, nawa


@pytest.mark.parametrize("new_parent", ["itself", "its child", "its grandchild"])
def test_a_place_cannot_be_put_inside_itself(editor_client, chain, new_parent):
    daraa, izra, nawa = chain
    parent = {"itself": daraa, "its child": izra, "its grandchild": nawa}[new_parent]
    response = editor_client.post(
        reverse("admin:articles_location_change", args=[daraa.pk]),
        {"name_ar": "درعا", "name_en": "Daraa", "kind": "governorate", "parent": parent.pk},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert [error.code for error in errors.as_data()["parent"]] == ["inside_itself"]
    daraa.refresh_from_db()
    assert daraa.parent is None
    assert [p.pk for p in nawa.ancestors()] == [daraa.pk, izra.pk]


def test_any_form_is_refused_a_circle_of_places(chain):
    daraa, izra, nawa = chain
    daraa.parent = nawa
    with pytest.raises(ValidationError) as refused:
        daraa.full_clean()
    assert list(refused.value.message_dict) == ["parent"]
    nawa.parent = daraa  # moving a place higher up its own branch is fine
    nawa.full_clean()


# Staff may filter the lists only by what the lists' filters offer: never a server error, and
# never a pattern of their own run over every article's text.
PATTERN = "(x+x+)+y"
HOSTILE_LISTS = {
    "regex on the text": ("article", {"body__regex": PATTERN}),
    "broken regex": ("article", {"title__regex": "(a"}),
    "case-blind regex": ("article", {"body__iregex": PATTERN}),
    "substring scan": ("article", {"body__icontains": PATTERN}),
    "year past the calendar": ("article", {"published__year": "99999999999"}),
    "last year of the calendar": ("article", {"published__year": "9999"}),
    "month zero": ("article", {"published__year": "2018", "published__month": "0"}),
    "text for an id": ("article", {"source__id__exact": "abc"}),
    "regex through a mention": ("locationmention", {"article__body__regex": PATTERN}),
    "regex on a place name": ("location", {"name_ar__regex": PATTERN}),
    "regex on deleted articles": ("historicalarticle", {"body__regex": PATTERN}),
}


# A superuser: every list, the deleted articles' too, is open to it.
@pytest.mark.parametrize("model, params", HOSTILE_LISTS.values(), ids=HOSTILE_LISTS)
def test_admin_lists_refuse_lookups_their_filters_do_not_offer(admin_client, model, params):
    rozana = Source.objects.create(name_ar="روزنة", kind="radio")
    Article.objects.create(title="خبر", body="نص", fingerprint="f1", source=rozana)
    url = reverse(f"admin:articles_{model}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url, params)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:  # the list's own "invalid filter" answer
        assert response["Location"] == url + "?e=1"
    assert not [q["sql"] for q in queries if PATTERN in q["sql"]]


def test_admin_lists_still_filter_by_what_they_offer(editor_client):
    rozana = Source.objects.create(name_ar="روزنة", kind="radio")
    Article.objects.create(
        title="خبر", body="نص", fingerprint="f1", source=rozana, published="2018-07-04"
    )
    Article.objects.create(title="آخر", body="نص آخر", fingerprint="f2")
    url = reverse("admin:articles_article_changelist")
    for params in (
        {"source__id__exact": rozana.pk},
        {"published__year": "2018", "published__month": "7"},
        {"published__gte": "2018-01-01", "published__lt": "2019-01-01"},
        {"published__isnull": "False"},
    ):
        response = editor_client.get(url, params)
        assert response.status_code == 200, params
        assert [a.title for a in response.context["cl"].result_list] == ["خبر"], params
    places = editor_client.get(
        reverse("admin:articles_location_changelist"), {"kind__exact": "town"}
    )
    assert places.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/articles/article/{pk}/history/abc/",
        "/admin/articles/article/abc/history/1/",
        "/admin/articles/article/{pk}/history/99999999999999999999999/",
        "/admin/articles/article/abc/history/",
        "/admin/articles/article/99999999999999999999999/history/",
        "/admin/articles/location/abc/history/",
    ],
)
def test_admin_history_pages_answer_404_to_ids_that_cannot_exist(editor_client, path):
    story = Article.objects.create(title="خبر", body="نص", fingerprint="f1")
    response = editor_client.get(path.format(pk=story.pk))
    assert response.status_code in (302, 404), response.status_code


def test_admin_names_itself_in_english_when_english_is_chosen(editor_client, settings):
    editor_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert re.search(r'<html[^>]*lang="en"', html)
    assert "Archive administration" in html and "Newsroom archive" in html
    assert "إدارة الأرشيف" not in html and "أرشيف غرفة الأخبار" not in html


def test_an_article_s_mentions_are_listed_proposals_first_and_rejected_last(editor_client, archive):
    page = editor_client.get(reverse("admin:articles_article_change", args=[archive.seed.pk]))
    places = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is LocationMention
    )
    listed = [(form.instance.location, form.instance.status) for form in places.initial_forms]
    assert listed == [
        (archive.busra, "proposed"),
        (archive.daraa, "found"),
        (archive.tafas, "confirmed"),
        (archive.alma, "rejected"),
    ]


def test_the_article_list_filters_by_a_place_with_the_places_inside_it(editor_client, archive):
    url = reverse("admin:articles_article_changelist")
    page = editor_client.get(url)
    offered = [
        choice["display"].strip()
        for choice in page.context["cl"].filter_specs[1].choices(page.context["cl"])
    ]
    assert {"سوريا", "درعا", "حمص"} <= set(offered)  # the upper levels, not every town
    assert "طفس" not in offered

    def titles(**params):
        response = editor_client.get(url, params)
        assert response.status_code == 200, params
        return {article.title for article in response.context["cl"].result_list}

    # Daraa's own mentions and those of its towns, as on the browse pages; a rejected one never.
    assert titles(location=archive.daraa.pk) == {archive.seed.title, archive.related.title}
    assert titles(location=archive.tafas.pk) == {archive.seed.title}
    assert titles(location=archive.alma.pk) == set()
    assert titles(party=archive.fsa.pk) == {archive.seed.title}
    assert titles(location=archive.homs.pk, party=archive.russia.pk) == {archive.homs_article.title}
    for bad in ("abc", "99999999999999999999999", "424242"):
        assert editor_client.get(url, {"location": bad})["Location"] == url + "?e=1"


def test_the_article_list_reads_no_mention_to_offer_its_filters(editor_client, archive):
    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(reverse("admin:articles_article_changelist"))
    assert page.status_code == 200
    assert archive.seed.title in page.content.decode()
    # Offering "places mentioned" and "parties mentioned" used to read every mention (DISTINCT
    # over the whole table) on each load of the list.
    read = [q["sql"] for q in queries if "mention" in q["sql"]]
    assert read == []
