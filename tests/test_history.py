"""Every edit is recorded with who and when; a deleted article comes back from its history."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from articles.accounts import EDITORS, READERS
from articles.history import restore_article
from articles.models import Article, Location, LocationMention, Party, PartyMention, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", password="x-long-password-1")
    client.force_login(user)
    return user


@pytest.fixture
def writer(client, django_user_model):
    user = django_user_model.objects.create_user("writer", password="pw-9-long", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return user


@pytest.fixture
def story(seed_text):
    title, _, body = seed_text.partition("\n")
    article = Article.objects.create(title=title.strip(), body=body, fingerprint="seed")
    daraa = Location.objects.create(name_ar="درعا", name_en="Daraa", kind="governorate")
    army = Party.objects.create(name_ar="الجيش", kind="armed_force")
    LocationMention.objects.create(article=article, location=daraa, spans=[["body", 5, 9]])
    PartyMention.objects.create(article=article, party=army, status="confirmed")
    return article


def article_form(article, **changes):
    form = {
        "title": article.title,
        "body": article.body,
        "source": article.source_id or "",
        "byline": article.byline,
        "published": article.published or "",
        "url": article.url,
        "location_mentions-TOTAL_FORMS": "0",
        "location_mentions-INITIAL_FORMS": "0",
        "party_mentions-TOTAL_FORMS": "0",
        "party_mentions-INITIAL_FORMS": "0",
    }
    form["based_on_version"] = article.version
    form.update(changes)
    return form


def test_an_edit_in_the_admin_records_who_changed_what(client, writer, story):
    old_title = story.title
    url = reverse("admin:articles_article_change", args=[story.pk])
    response = client.post(url, article_form(story, title="عنوان مصحح"))
    assert response.status_code == 302

    latest, previous = story.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == writer
    assert latest.title == "عنوان مصحح"
    assert previous.title == old_title
    delta = latest.diff_against(previous)
    assert delta.changed_fields == ["title"]

    history_page = client.get(reverse("admin:articles_article_history", args=[story.pk]))
    assert history_page.status_code == 200
    assert "writer" in history_page.content.decode()


def test_an_editor_reverts_an_article_to_an_earlier_version(client, writer, story):
    original = story.title
    url = reverse("admin:articles_article_change", args=[story.pk])
    client.post(url, article_form(story, title="عنوان خاطئ"))
    first = story.history.earliest("history_date")

    revert_url = reverse("admin:articles_article_simple_history", args=[story.pk, first.pk])
    page = client.get(revert_url)
    assert page.status_code == 200
    story.refresh_from_db()
    response = client.post(revert_url, article_form(story, title=first.title))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == original
    assert story.history.first().history_user == writer


def test_place_party_and_mention_edits_are_recorded(client, writer, story):
    daraa = Location.objects.get(name_en="Daraa")
    response = client.post(
        reverse("admin:articles_location_change", args=[daraa.pk]),
        {"name_ar": "درعا", "name_en": "Daraa", "kind": "governorate", "aliases": "Deraa"},
    )
    assert response.status_code == 302
    assert daraa.history.first().history_user == writer
    assert daraa.history.first().aliases == "Deraa"

    mention = LocationMention.objects.get(article=story)
    response = client.post(
        reverse("admin:articles_locationmention_change", args=[mention.pk]),
        {"location": daraa.pk, "article": story.pk, "status": "rejected", "spans": "[]"},
    )
    assert response.status_code == 302
    assert [h.status for h in mention.history.all()] == ["rejected", "found"]


def test_deleting_an_article_asks_for_confirmation_first(client, boss, story):
    url = reverse("admin:articles_article_delete", args=[story.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="post"' in page.content.decode()
    assert Article.objects.filter(pk=story.pk).exists()


def test_a_deleted_article_is_restored_with_its_mentions(client, boss, story):
    fields = {f.attname: getattr(story, f.attname) for f in Article._meta.concrete_fields}
    for derived in ("search_vector", "rank_vector"):  # the search index, rebuilt by the save
        fields.pop(derived)
    mentions = sorted(
        LocationMention.objects.filter(article=story).values_list("location", "spans")
    )

    response = client.post(
        reverse("admin:articles_article_delete", args=[story.pk]), {"post": "yes"}, follow=True
    )
    assert "deleted articles" in response.content.decode()
    assert not Article.objects.filter(pk=story.pk).exists()
    assert not LocationMention.objects.exists() and not PartyMention.objects.exists()

    listing = client.get(reverse("admin:articles_historicalarticle_changelist"))
    record = Article.history.get(id=story.pk, history_type="-")
    restore_url = reverse("admin:articles_article_simple_history", args=[story.pk, record.pk])
    assert restore_url in listing.content.decode()

    assert client.get(restore_url).status_code == 200
    response = client.post(restore_url, article_form(record.instance), follow=True)
    assert response.status_code == 200

    restored = Article.objects.get(pk=story.pk)
    for name, value in fields.items():
        if name not in ("updated_at", "version"):  # the restore is itself a save
            assert getattr(restored, name) == value, name
    assert restored.version == fields["version"] + 1
    assert (
        sorted(LocationMention.objects.filter(article=restored).values_list("location", "spans"))
        == mentions
    )
    assert PartyMention.objects.get(article=restored).status == "confirmed"
    assert restored.history.first().history_user == boss
    listing = client.get(reverse("admin:articles_historicalarticle_changelist"))
    assert restore_url not in listing.content.decode()


def test_restore_article_brings_it_back_without_the_admin(story):
    pk, title = story.pk, story.title
    story.delete()
    record = Article.history.get(id=pk, history_type="-")

    restored = restore_article(record)
    assert (restored.pk, restored.title) == (pk, title)
    assert LocationMention.objects.filter(article_id=pk).count() == 1
    assert PartyMention.objects.filter(article_id=pk).count() == 1


# Reverting is changing: it needs the permission to change (restoring a deleted article: to add).


@pytest.fixture
def one_of_each(story):
    """A record of every model with history, each saved twice so that it has an older version."""
    source = Source.objects.create(name_ar="روزنة", kind="radio")
    daraa = Location.objects.get(name_en="Daraa")
    army = Party.objects.get(name_ar="الجيش")
    records = {
        "article": story,
        "location": daraa,
        "party": army,
        "source": source,
        "locationmention": LocationMention.objects.get(article=story),
        "partymention": PartyMention.objects.get(article=story),
    }
    for record in records.values():
        record.save()
    return records


# The field a forged revert would change, and the value it would write.
FORGED = {
    "article": ("title", "عنوان مزور"),
    "location": ("name_ar", "مكان مزور"),
    "party": ("name_ar", "طرف مزور"),
    "source": ("name_ar", "مصدر مزور"),
    "locationmention": ("status", "rejected"),
    "partymention": ("status", "rejected"),
}


def revert_url(record):
    first = record.history.earliest("history_date")
    name = f"admin:articles_{record._meta.model_name}_simple_history"
    return reverse(name, args=[record.pk, first.pk])


def form_data(page) -> dict:
    """What the revert form would send back: every field with the value it shows."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


@pytest.fixture
def boss_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("chief", password="pw-7-long"))
    return client


@pytest.mark.parametrize("model", FORGED)
def test_a_reader_can_neither_open_nor_post_a_revert_form(
    client, account, boss_client, one_of_each, model
):
    record = one_of_each[model]
    url = revert_url(record)
    data = form_data(boss_client.get(url))
    field, forged = FORGED[model]
    data[field] = forged
    versions = record.history.count()

    client.force_login(account("reading", READERS, staff=True))
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403

    record.refresh_from_db()
    assert getattr(record, field) != forged
    assert record.history.count() == versions


@pytest.mark.parametrize("model", FORGED)
def test_an_editor_reverts_every_kind_of_record(client, writer, boss_client, one_of_each, model):
    record = one_of_each[model]
    url = revert_url(record)
    assert client.get(url).status_code == 200
    data = form_data(boss_client.get(url))
    field, value = FORGED[model]
    data[field] = value
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == value
    assert record.history.first().history_user == writer


def test_a_reader_still_sees_the_history_but_no_revert_links(client, account, one_of_each):
    story = one_of_each["article"]
    client.force_login(account("reading", READERS, staff=True))
    page = client.get(reverse("admin:articles_article_history", args=[story.pk]))
    assert page.status_code == 200
    assert len(page.context["page_obj"].object_list) == story.history.count() == 2
    assert revert_url(story) not in page.content.decode()


def restore_attempt(client, story):
    pk = story.pk
    story.delete()
    record = Article.history.get(id=pk, history_type="-")
    url = reverse("admin:articles_article_simple_history", args=[pk, record.pk])
    return client.get(url), client.post(url, article_form(record.instance))


def test_a_reader_cannot_bring_back_a_deleted_article(client, account, story):
    client.force_login(account("reading", READERS, staff=True))
    opened, posted = restore_attempt(client, story)
    assert (opened.status_code, posted.status_code) == (403, 403)
    assert not Article.objects.exists()
    assert not LocationMention.objects.exists()


def test_restoring_needs_the_permission_to_add_articles(client, account, story):
    """Changing articles is not enough: a restore creates one again."""
    fixer = account("fixer", staff=True)
    fixer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_article", "change_article"])
    )
    client.force_login(fixer)
    opened, posted = restore_attempt(client, story)
    assert (opened.status_code, posted.status_code) == (403, 403)
    assert not Article.objects.exists()
