"""Tagging articles with the places and parties they name, against the whole seeded gazetteer."""

from io import StringIO

import pytest
from django.core.management import call_command

from articles.ingest import article_ingest
from articles.models import (
    Article,
    Location,
    LocationMention,
    MentionStatus,
    Party,
    PartyMention,
)
from articles.tagging import find_mentions, tag_article

from .conftest import SEED_PLACES

pytestmark = pytest.mark.django_db

SEED_PARTIES = [
    "syrian-opposition",
    "russia",
    "syrian-government",
    "crisis-management-team",
    "shabab-al-sunna",
    "free-syrian-army",
    "central-operations-room",
    "jordan",
]


def article(body: str, title: str = "") -> Article:
    story = Article.objects.create(title=title or body[:60], body=body, fingerprint=body[:64])
    tag_article(story)
    return story


def places(text: str) -> list[tuple[str, str, str]]:
    """(surface, place's Arabic name, status) for each place occurrence in a text."""
    by_pk = Location.objects.in_bulk()
    return [
        (text[m.start : m.end], by_pk[m.pk].name_ar, m.status)
        for m in find_mentions("", text)
        if m.model == "location"
    ]


def test_seed_article_is_tagged_with_its_twelve_places_and_its_parties(seed_gazetteer, seed_text):
    result = article_ingest(text=seed_text, origin="000_5e3cd00a1820727e.txt")
    story = result.article

    asserted = LocationMention.objects.filter(article=story, status=MentionStatus.FOUND)
    names = {mention.location.name_ar for mention in asserted}
    assert set(SEED_PLACES) <= names
    assert "الأردن" in names  # "الحدود الأردنية", the Jordanian border
    parties = PartyMention.objects.filter(article=story, status=MentionStatus.FOUND)
    assert set(SEED_PARTIES) <= {mention.party.key for mention in parties}

    daraa = Location.objects.get(key="sy-daraa")
    assert story in Article.objects.in_location(daraa)


def test_multi_word_names_are_tagged_as_wholes(seed_gazetteer, seed_text):
    found = places(seed_text)
    surfaces = {surface: name for surface, name, _status in found}
    assert surfaces["بصرى الشام"] == "بصرى الشام"
    assert surfaces["والمليحة الغربية"] == "المليحة الغربية"
    assert surfaces["والمليحة الشرقية"] == "المليحة الشرقية"
    assert "بصرى" not in surfaces
    assert "المليحة" not in {name for _surface, name, _status in found}  # al-Malihah, Rif Dimashq


@pytest.mark.parametrize(
    ("text", "surface", "place_key"),
    [
        ("قصف على ريف دمشق صباح اليوم", "ريف دمشق", "sy-rif-dimashq"),
        ("سقطت قذائف على دمشق صباح اليوم", "دمشق", "sy-damascus-damascus-damascus"),
        ("نزح الأهالي من بصرى الشام", "بصرى الشام", "sy-daraa-daraa-busra-esh-sham"),
        ("اشتباكات بريف درعا الشمالي", "بريف درعا", "sy-daraa"),
        ("وصل الوفد إلى دير الزور", "دير الزور", "gn-170794"),
    ],
)
def test_longest_name_wins_over_its_parts(seed_gazetteer, text, surface, place_key):
    place = Location.objects.get(key=place_key)
    assert (surface, place.name_ar, "found") in places(text)
    assert len(places(text)) == 1


@pytest.mark.parametrize(
    ("text", "surface", "name"),
    [
        ("عاد الهدوء إلى مدينة بدرعا", "بدرعا", "درعا"),
        ("قصف على حلب والرقة", "والرقة", "الرقة"),
        ("وصلت المساعدات لحمص", "لحمص", "حمص"),
        ("غارات على إدلب وحماة", "وحماة", "حماة"),
        ("قال مسؤول في طفس إن", "طفس", "طفس"),
    ],
)
def test_names_are_found_with_a_proclitic(seed_gazetteer, text, surface, name):
    assert (surface, name, "found") in places(text)


@pytest.mark.parametrize(
    "text",
    [
        "نحن نسعى دوماً إلى تقديم الأفضل",  # دوماً = always
        "رفع الناشطون علم المعارضة السورية",  # nisba adjective, not Syria
        "غادر الوفد من لبنان أمس",  # Lebanon, not ل + بنان
    ],
)
def test_common_words_are_not_tagged_as_places(seed_gazetteer, text):
    assert places(text) == []


@pytest.mark.parametrize(
    ("text", "surface", "status"),
    [
        ("وقال جاسم محمد إن الاجتماع انتهى", "جاسم", "proposed"),  # a man's name
        ("أغلق الباب أمام المفاوضات", "الباب", "proposed"),  # the door
        ("انطلق الحراك الشعبي في المدينة", "الحراك", "proposed"),  # the movement
        ("نشرت الصحيفة الصورة على موقعها", "الصورة", "proposed"),  # the picture
        ("دخلت القوات السورية مدينة دوما بعد الاتفاق", "دوما", "found"),
        ("سيطرت القوات على مدينة الحديدة اليمنية", "الحديدة", "proposed"),  # Yemen
        ("خرجت الحافلات من مدينة الباب شمال حلب", "الباب", "found"),
        ("سيطرت القوات على بلدة جاسم في ريف درعا", "جاسم", "found"),
        ("تظاهر السوريون بدوما أمس", "بدوما", "found"),
        ("نحن دوما إلى جانبكم", "دوما", "proposed"),  # always, without its tanwin
        ("قصف على نوى وطفس وداعل", "نوى", "found"),  # a list of places
    ],
)
def test_ambiguous_names_need_supporting_context(seed_gazetteer, text, surface, status):
    found = {s: st for s, _name, st in places(text)}
    assert found.get(surface) == status


def test_editors_decisions_survive_retag(seed_gazetteer):
    story = article("سقطت قذائف على حلب وحمص، وقال جاسم محمد إن الأهالي نزحوا")
    aleppo = LocationMention.objects.get(article=story, location__name_ar="حلب")
    aleppo.status = MentionStatus.REJECTED
    aleppo.save()
    jasim = LocationMention.objects.get(article=story, location__name_ar="جاسم")
    assert jasim.status == MentionStatus.PROPOSED
    jasim.status = MentionStatus.CONFIRMED
    jasim.save()
    added = LocationMention.objects.create(
        article=story, location=Location.objects.get(key="golan"), status="confirmed"
    )

    out = StringIO()
    call_command("retag", stdout=out)
    assert "retagged 1 articles" in out.getvalue()

    statuses = dict(
        LocationMention.objects.filter(article=story).values_list("location__name_ar", "status")
    )
    assert statuses["حلب"] == "rejected"  # kept, so the machine does not propose it again
    assert statuses["جاسم"] == "confirmed"
    assert statuses["حمص"] == "found"
    assert LocationMention.objects.get(pk=added.pk).status == "confirmed"
    assert story not in Article.objects.in_location(Location.objects.get(key="sy-aleppo"))
    assert story in Article.objects.in_location(Location.objects.get(key="sy-daraa"))  # جاسم


def test_retag_removes_machine_mentions_the_text_no_longer_supports(seed_gazetteer):
    story = article("قصف على طفس")
    story.body = story.title = "قصف على نوى"
    story.save()
    tag_article(story)
    assert [m.location.name_ar for m in LocationMention.objects.filter(article=story)] == ["نوى"]


def test_filtering_by_governorate_finds_articles_naming_only_its_towns(seed_gazetteer):
    in_tafas = article("اشتباكات عنيفة في مدينة طفس غربي المحافظة")
    in_nawa = article("قصف مدفعي لقوات النظام السوري على مدينة نوى")
    in_homs = article("انفجار في حي الوعر بمدينة حمص")
    daraa = Location.objects.get(key="sy-daraa")
    assert set(Article.objects.in_location(daraa)) == {in_tafas, in_nawa}
    assert in_homs in Article.objects.in_location(Location.objects.get(key="sy"))


def test_a_new_alias_is_used_at_once(seed_gazetteer):
    text = "وصل الوفد إلى درعا البلد"
    assert places(text)[0][1] == "درعا"
    rakhm = Location.objects.get(name_ar="رخم")
    rakhm.aliases += "\nرخم البلد"
    rakhm.save()
    assert ("رخم البلد", "رخم", "found") in places("دخلت القوات رخم البلد")


def test_party_nisba_and_ambiguous_party_names(seed_gazetteer):
    russia = Party.objects.get(key="russia")
    government = Party.objects.get(key="syrian-government")
    found = [(m.pk, m.status) for m in find_mentions("", "بضمانة روسية ووساطة الجانب الروسي")]
    assert found == [(russia.pk, "found"), (russia.pk, "found")]
    assert find_mentions("", "يجب تغيير النظام الضريبي") == []  # the tax system
    alone = [(m.pk, m.status) for m in find_mentions("", "ناقش البرلمان النظام الجديد")]
    assert alone == [(government.pk, "proposed")]
    backed = find_mentions("", "تقدمت قوات النظام السوري، وقال النظام إن")
    assert {(m.pk, m.status) for m in backed} == {(government.pk, "found")}


def test_a_place_added_in_another_process_is_tagged_without_a_restart(monkeypatch):
    from articles import names as gazetteer

    story = "ونزح مئات المدنيين من بلدة تل شهاب غرب درعا نحو الحدود الأردنية."
    daraa = Location.objects.create(name_ar="درعا", name_en="Daraa", kind="governorate")
    assert [name for name, *_ in places(story)] == ["درعا"]
    stale = gazetteer._cache["current"]  # what another gunicorn worker still holds

    Location.objects.create(name_ar="تل شهاب", name_en="Tell Shihab", parent=daraa)
    gazetteer._cache["current"] = stale  # this process never saw the save's signal
    monkeypatch.setattr(gazetteer, "RECHECK_SECONDS", 0)
    assert [name for name, *_ in places(story)] == ["تل شهاب", "درعا"]
