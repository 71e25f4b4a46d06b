import re

import pytest
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
