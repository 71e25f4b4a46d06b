import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from articles.models import Article, Location, LocationMention

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", password="x-long-password-1")
    client.force_login(user)
    return client


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
