"""Two editors saving the same article: the second is told, nothing is silently overwritten."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles.accounts import EDITORS
from articles.models import Article


def editor(django_user_model, name):
    user = django_user_model.objects.create_user(name, password="pw-9-long-x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client = Client()
    client.force_login(user)
    return client


def form_as_loaded(client, article) -> dict:
    """What the editor's browser would send back: the change page's own hidden version."""
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    version = page.context["adminform"].form["based_on_version"].value()
    return {
        "title": article.title,
        "body": article.body,
        "based_on_version": version,
        "location_mentions-TOTAL_FORMS": "0",
        "location_mentions-INITIAL_FORMS": "0",
        "party_mentions-TOTAL_FORMS": "0",
        "party_mentions-INITIAL_FORMS": "0",
    }


@pytest.fixture
def story(seed_text):
    title, _, body = seed_text.partition("\n")
    return Article.objects.create(title=title.strip(), body=body, fingerprint="seed")


@pytest.mark.django_db
def test_second_editor_saving_a_stale_copy_gets_a_conflict_message(django_user_model, story):
    amal, basel = editor(django_user_model, "amal"), editor(django_user_model, "basel")
    url = reverse("admin:articles_article_change", args=[story.pk])
    amal_form, basel_form = form_as_loaded(amal, story), form_as_loaded(basel, story)

    assert amal.post(url, {**amal_form, "title": "عنوان أمل"}).status_code == 302
    response = basel.post(url, {**basel_form, "title": "عنوان باسل"})

    assert response.status_code == 200  # the form again, with the message and Basel's text
    html = response.content.decode()
    # "amal saved this article ... so your changes were NOT saved", in the admin's Arabic
    assert "حفظ amal هذا المقال" in html and "لم تُحفظ تعديلاتك" in html
    assert "عنوان باسل" in html  # the editor's own edit is still on screen to copy
    story.refresh_from_db()
    assert story.title == "عنوان أمل"
    assert story.version == 2


@pytest.mark.django_db
def test_editor_who_reloads_after_a_conflict_saves_normally(django_user_model, story):
    amal, basel = editor(django_user_model, "amal"), editor(django_user_model, "basel")
    url = reverse("admin:articles_article_change", args=[story.pk])
    basel_stale = form_as_loaded(basel, story)
    amal.post(url, {**form_as_loaded(amal, story), "title": "عنوان أمل"})
    basel.post(url, {**basel_stale, "title": "عنوان باسل"})

    story.refresh_from_db()
    response = basel.post(url, {**form_as_loaded(basel, story), "body": story.body + " تحديث"})
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.title, story.version) == ("عنوان أمل", 3)
    assert story.body.endswith(" تحديث")


@pytest.mark.postgres_only(
    "the in-memory SQLite test database has no second connection to race; "
    "tests/test_sqlite_writers.py runs this race on a SQLite file"
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_one_wins_the_other_is_told(django_user_model, story):
    clients = [editor(django_user_model, name) for name in ("amal", "basel")]
    forms = [form_as_loaded(client, story) for client in clients]
    url = reverse("admin:articles_article_change", args=[story.pk])
    start = threading.Barrier(2)
    statuses = {}

    def save(index):
        start.wait()
        try:
            response = clients[index].post(url, {**forms[index], "title": f"نسخة {index}"})
            statuses[index] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses.values()) == [200, 302]
    winner = next(i for i, status in statuses.items() if status == 302)
    story.refresh_from_db()
    assert story.title == f"نسخة {winner}"
    assert story.version == 2
    assert story.history.filter(history_type="~").count() == 1


@pytest.mark.django_db
def test_a_save_that_does_not_say_its_version_overwrites_nothing(django_user_model, story):
    """A form without based_on_version (a script, a tampered page) may be older than the text."""
    amal, basel = editor(django_user_model, "amal"), editor(django_user_model, "basel")
    url = reverse("admin:articles_article_change", args=[story.pk])
    basel_form = form_as_loaded(basel, story)
    del basel_form["based_on_version"]
    assert amal.post(url, {**form_as_loaded(amal, story), "title": "عنوان أمل"}).status_code == 302

    response = basel.post(url, {**basel_form, "title": "عنوان باسل"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.as_data()["__all__"][0].code == "no_version"
    assert "عنوان باسل" in response.content.decode()  # still on screen to copy
    story.refresh_from_db()
    assert (story.title, story.version) == ("عنوان أمل", 2)


@pytest.mark.django_db
def test_a_new_article_needs_no_version(django_user_model):
    response = editor(django_user_model, "amal").post(
        reverse("admin:articles_article_add"),
        {
            "title": "خبر جديد",
            "body": "نص الخبر الجديد",
            "location_mentions-TOTAL_FORMS": "0",
            "location_mentions-INITIAL_FORMS": "0",
            "party_mentions-TOTAL_FORMS": "0",
            "party_mentions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Article.objects.get().title == "خبر جديد"
