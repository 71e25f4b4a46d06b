"""Editors review the machine's tags in the admin: the proposals queue and bulk decisions."""

from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.urls import reverse

from articles.accounts import READERS
from articles.models import Article, Location, LocationMention, MentionStatus, PartyMention
from articles.tagging import tag_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(seed_gazetteer):
    """Real sentences: جاسم as a first name (proposed) and as a town (found)."""
    texts = [
        "وقال جاسم محمد إن قوات النظام قصفت حلب",
        "وقال جاسم العلي إن الأهالي عادوا إلى حمص",
        "سيطرت قوات النظام السوري على مدينة جاسم في ريف درعا الشمالي",
    ]
    stories = []
    for text in texts:
        story = Article.objects.create(title=text, body=text, fingerprint=text[:64])
        tag_article(story)
        stories.append(story)
    return stories


def jasim_mentions():
    return LocationMention.objects.filter(location__name_ar="جاسم").order_by("article_id")


def test_review_list_opens_on_the_proposals(editor_client, tagged):
    page = editor_client.get(reverse("admin:articles_locationmention_changelist"))
    html = page.content.decode()
    shown = list(page.context["cl"].result_list)
    assert shown and all(m.status == MentionStatus.PROPOSED for m in shown)
    assert {m.article for m in shown} == set(tagged[:2])
    assert "[جاسم] محمد" in html  # the words around the name, to decide on
    everything = editor_client.get(
        reverse("admin:articles_locationmention_changelist") + "?status=all"
    )
    assert len(everything.context["cl"].result_list) > len(shown)


def test_bulk_reject_and_confirm_survive_retag(editor_client, tagged):
    first_name, other_name, town = jasim_mentions()
    url = reverse("admin:articles_locationmention_changelist")
    response = editor_client.post(
        url,
        {"action": "reject", ACTION_CHECKBOX_NAME: [first_name.pk, other_name.pk]},
        follow=True,
    )
    assert "2 mentions rejected" in response.content.decode()
    editor_client.post(url + "?status=all", {"action": "confirm", ACTION_CHECKBOX_NAME: [town.pk]})

    call_command("retag", stdout=StringIO())
    assert [m.status for m in jasim_mentions()] == ["rejected", "rejected", "confirmed"]
    daraa = Location.objects.get(key="sy-daraa")
    assert list(Article.objects.in_location(daraa)) == [tagged[2]]


def test_bulk_decisions_on_party_mentions(editor_client, tagged):
    regime = PartyMention.objects.filter(party__key="syrian-government")
    url = reverse("admin:articles_partymention_changelist") + "?status=all"
    editor_client.post(
        url, {"action": "confirm", ACTION_CHECKBOX_NAME: list(regime.values_list("pk", flat=True))}
    )
    assert set(regime.values_list("status", flat=True)) == {"confirmed"}


def test_article_page_shows_proposals_with_their_context(editor_client, tagged):
    page = editor_client.get(reverse("admin:articles_article_change", args=[tagged[0].pk]))
    html = page.content.decode()
    assert "[جاسم] محمد إن قوات" in html
    assert 'value="proposed" selected' in html


def test_place_page_shows_its_chain_and_its_aliases(editor_client, tagged):
    nawa = Location.objects.get(ocha_pcode="SY120303")
    page = editor_client.get(reverse("admin:articles_location_change", args=[nawa.pk]))
    html = page.content.decode()
    assert "سوريا › درعا › إزرع › نوى" in html
    assert "نوا" in html  # the alias, editable in the aliases box


@pytest.mark.parametrize("action", ["reject", "confirm"])
def test_a_reader_cannot_decide_on_mentions(client, account, tagged, action):
    before = dict(LocationMention.objects.values_list("pk", "status"))
    before_parties = dict(PartyMention.objects.values_list("pk", "status"))
    client.force_login(account("reading", READERS, staff=True))
    for model, mentions in (
        ("locationmention", list(before)),
        ("partymention", list(before_parties)),
    ):
        response = client.post(
            reverse(f"admin:articles_{model}_changelist") + "?status=all",
            {"action": action, ACTION_CHECKBOX_NAME: mentions},
            follow=True,
        )
        assert "mentions rejected" not in response.content.decode()
        assert "mentions confirmed" not in response.content.decode()
    assert dict(LocationMention.objects.values_list("pk", "status")) == before
    assert dict(PartyMention.objects.values_list("pk", "status")) == before_parties
