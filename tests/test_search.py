"""Search by town name, on whichever database the suite runs (SQLite or PostgreSQL).

Sentences come from the seed article and the ANT corpus (BBC Arabic, 2018), sometimes with one
word swapped for the spelling under test.
"""

import datetime
import hashlib
import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.html import escape

from articles import names, search
from articles.models import Article, Location, LocationMention

from .conftest import SEED_PLACES

pytestmark = pytest.mark.django_db

# From the seed article; {} is the word under test.
REPORTER = "وقال مراسل روزنة في {} علي المحاميد، إن الجولة الثانية لم تفضِ لأي نتيجة."
# From BBC Arabic, 2018.
SCHOLARS = (
    "وكان تحليل الحمض النووي قد أثبت أن أخناتون هو بالفعل والد توت عنخ أمون، لكن علماء "
    "دراسات تاريخ مصر القديم لم يتفقوا حتى الآن على هوية والدته."
)
KNEW = (
    'وقال جونسون في منشور بموقع التواصل الاجتماعي "فيسبوك" إنه شعر بالغبطة حين علم بوجود '
    "عدد كبير من المعجبين به من فئة الشباب في السعودية."
)
PSYCHOLOGY = "و توكارتشوك روائية شهيرة في بلادها، حيث درست علم النفس في جامعة وارسو."
ARAB_ARTISTS = 'قال منظمو معرض أقيم في تل أبيب إن محتويات المعرض أعمال فنية "سُرقت" من فنانين عرب.'
MOSQUE_DOOR = (
    'وجاء قرار نقل المنبر "خوفا عليه من التلف أو السرقة"، بالإضافة إلى تعرض جزء من حشوات '
    "باب المسجد للسرقة خلال شهر أبريل/نيسان الجاري."
)
GHOUTA = (
    "قال الرئيس الأمريكي، دونالد ترامب، إنه أعطى أوامره بضرب سوريا ردا على هجمات كيماوية "
    "مزعومة اتهم الغرب النظام السوري بشنها في مدينة دوما بالغوطة الشرقية."
)
BUSRA = (
    "وتشير تقارير إلى أن مقاتلين من المعارضة في بلدة بصرى الشام وافقوا يوم الأحد على إلقاء "
    "سلاحهم والاعتراف بحكم الرئيس السوري بشار الأسد."
)
# The same words, never adjacent.
APART = (
    "وقالت الأمم المتحدة إن الغوطة شهدت نزوحا، فيما بقيت المناطق الشرقية من درعا، "
    "ومنها بصرى، بعيدة عن أخبار الشام."
)


def make(title: str, body: str = "", published: datetime.date | None = None) -> Article:
    digest = hashlib.sha256(f"{title}\n{body}\n{published}".encode()).hexdigest()
    return Article.objects.create(title=title, body=body, fingerprint=digest, published=published)


def found(query: str) -> list[Article]:
    return list(Article.objects.search(query))


@pytest.mark.parametrize(
    "query, written",
    [
        ("درعا", "بدرعا"),
        ("درعا", "ودرعا"),
        ("درعا", "لدرعا"),
        ("درعا", "وبدرعا"),
        ("الحراك", "والحراك"),
        ("الحراك", "بالحراك"),
        ("الحراك", "للحراك"),
        ("إدلب", "ادلب"),
        ("ادلب", "إدلب"),
        ("ادلب", "بإدلب"),
        ("بصرى", "بصري"),
        ("بصري", "ببصرى"),
        ("حماة", "حماه"),
        ("حماه", "وحماة"),
        ("درعا", "دَرْعَا"),
        ("دَرْعَا", "درعا"),
        ("درعا", "درعـــا"),
        ("القنيطرة", "والقنيطره"),
    ],
)
def test_every_prefixed_and_spelled_variant_is_found(query, written):
    wanted = make("تقرير مراسل روزنة", REPORTER.format(written))
    make("تقرير آخر", REPORTER.format("حمص"))
    assert found(query) == [wanted]


@pytest.mark.parametrize(
    "query, unrelated",
    [
        ("علما", SCHOLARS),
        ("علما", KNEW),
        ("علما", PSYCHOLOGY),
        ("عربين", ARAB_ARTISTS),
        ("الباب", MOSQUE_DOOR),
    ],
)
def test_town_name_does_not_find_a_similar_word(query, unrelated):
    make("خبر من البي بي سي", unrelated)
    town = make("تقرير مراسل روزنة", REPORTER.format("و" + query))
    assert found(query) == [town]


def test_proclitic_query_finds_the_bare_name_only_when_it_is_a_known_place():
    bare = make("تقرير", REPORTER.format("درعا"))
    prefixed = make("تقرير آخر", REPORTER.format("بدرعا"))
    assert found("بدرعا") == [prefixed]  # "بدرعا" is not stripped blindly
    Location.objects.create(name_ar="درعا", name_en="Daraa", kind="governorate")
    assert set(found("بدرعا")) == {bare, prefixed}
    assert set(found("لدرعا")) == {bare, prefixed}


def test_definite_town_is_never_stripped_to_a_common_word():
    Location.objects.create(name_ar="الباب", name_en="al-Bab", ambiguous=True)
    door = make("خبر من البي بي سي", MOSQUE_DOOR)
    town = make("تقرير", REPORTER.format("بالباب"))
    assert found("الباب") == [town]
    assert door in found("باب")  # the door is indexed, just not under the town
    Location.objects.create(name_ar="بصرى الشام", name_en="Busra al-Sham")
    busra = search.parse_query('"ببصرى الشام"')
    assert busra.must == (((frozenset({"ببصري", "بصري"}), frozenset({"الشام"})),),)
    assert search.parse_query("بصرى").must == (((frozenset({"بصري"}),),),)  # never "صري"


@pytest.mark.parametrize("name", SEED_PLACES)
def test_seed_article_is_found_by_each_of_its_places(seed_text, name):
    title, _, body = seed_text.partition("\n")
    seed = make(title, body, datetime.date(2018, 7, 3))
    make("خبر من البي بي سي", GHOUTA)
    assert found(f'"{name}"') == [seed]
    assert found(name) == [seed]


@pytest.mark.parametrize("phrase, article", [("بصرى الشام", BUSRA), ("الغوطة الشرقية", GHOUTA)])
def test_phrase_needs_its_words_adjacent(phrase, article):
    adjacent = make("خبر", article)
    make("خبر آخر", APART)
    assert found(f'"{phrase}"') == [adjacent]
    assert len(found(phrase)) == 2  # without quotes the words may stand apart


def test_phrase_does_not_run_from_title_into_body():
    make("اشتباكات في الغوطة", "الشرقية من المدينة شهدت قصفا")
    assert found('"الغوطة الشرقية"') == []


def test_or_finds_either_word():
    homs = make("قصف على حمص", REPORTER.format("حمص"))
    daraa = make("قصف على درعا", REPORTER.format("درعا"))
    make("خبر من البي بي سي", ARAB_ARTISTS)
    assert set(found("حمص OR درعا")) == {homs, daraa}
    assert set(found('حمص OR "الغوطة الشرقية"')) == {homs}


def test_minus_excludes_a_word_or_a_phrase():
    ghouta = make("دوما", GHOUTA)
    busra = make("بصرى", BUSRA)
    assert set(found("السوري")) == {ghouta, busra}
    assert found("السوري -دوما") == [busra]
    assert found('السوري -"بصرى الشام"') == [ghouta]
    assert found("-دوما") == []  # only exclusions: nothing, not everything


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "...",
        "،؟!",
        '"',
        '""',
        "OR",
        "- -- OR -",
        "درعا OR",
        'درعا "بصرى',
        "x" * 10_000,
        "درعا " * 2_000,
        "\x00\x07\u202e درعا",
        "'; DROP TABLE articles_article; --",
        "<script>alert(1)</script>",
        "درعا AND NOT NEAR( * ^",
        '"درعا" NEAR/2 "طفس" {body}: title:',
        "\\' \\\\ ''",
    ],
)
def test_odd_queries_never_raise(query):
    make("خبر", REPORTER.format("درعا"))
    results = Article.objects.search(query)
    assert len(list(results)) == results.count() <= 1


@pytest.mark.parametrize("query", ["", "  ", "؟!...", "«»", "- OR"])
def test_empty_query_returns_nothing(query):
    make("خبر", REPORTER.format("درعا"))
    assert found(query) == []


def test_title_hit_outranks_many_body_hits():
    body_only = make("تقرير ميداني", " ".join([REPORTER.format("درعا")] * 6))
    in_title = make("قصف على درعا", REPORTER.format("المدينة"))
    assert found("درعا") == [in_title, body_only]


def test_more_occurrences_rank_above_fewer():
    sentence = "وقال مراسل روزنة في {} وفي {} وفي {} إن الجولة الثانية لم تفض لأي نتيجة."
    once = make("تقرير", sentence.format("درعا", "طفس", "حمص"), datetime.date(2018, 7, 4))
    thrice = make("تقرير", sentence.format("درعا", "بدرعا", "ودرعا"), datetime.date(2018, 7, 1))
    assert found("درعا") == [thrice, once]


@pytest.mark.postgres_only("it ranks by the opening words; SQLite's bm25 reads the whole text")
def test_a_place_named_in_the_opening_words_ranks_above_one_named_deep_in_a_report():
    filler = " ".join([SCHOLARS, KNEW, PSYCHOLOGY, MOSQUE_DOOR] * 2)  # about 150 words
    deep = make("تقرير", f"{filler} {REPORTER.format('درعا')}", datetime.date(2018, 7, 4))
    opening = make("تقرير", f"{REPORTER.format('درعا')} {filler}", datetime.date(2018, 7, 1))
    assert found("درعا") == [opening, deep]


def test_a_place_added_by_another_process_is_known_to_the_search_after_the_recheck():
    assert "بصرى الشام" not in " ".join(search.known_names().arabic)
    # bulk_create sends no signal: as if another gunicorn worker or an import had added it.
    Location.objects.bulk_create([Location(name_ar="بصرى الشام", name_en="Busra al-Sham")])
    assert "busra al sham" not in search.known_names().variants  # still within the interval
    checked, state, snapshot = names._cache["current"]
    names._cache["current"] = (checked - names.RECHECK_SECONDS, state, snapshot)
    assert search.known_names().variants["busra al sham"] == ("بصري الشام",)
    story = make("خبر", BUSRA)
    assert found("Busra al-Sham") == [story]


def test_equal_ranks_list_newest_first():
    older = make("قصف على درعا", REPORTER.format("طفس"), datetime.date(2018, 6, 30))
    newer = make("قصف على درعا", REPORTER.format("حمص"), datetime.date(2018, 7, 2))
    undated = make("قصف على درعا", REPORTER.format("داعل"))
    assert found("درعا") == [newer, older, undated]


def test_results_carry_rank_and_count_is_exact():
    for n in range(5):
        make(f"تقرير {n}", REPORTER.format("درعا") + " " * n)
    make("خبر من البي بي سي", ARAB_ARTISTS)
    results = Article.objects.search("درعا")
    assert results.count() == 5
    assert all(isinstance(a.rank, float) for a in results)


def test_search_chains_with_location_filter():
    daraa = Location.objects.create(name_ar="درعا", kind="governorate")
    tagged = make("قصف", REPORTER.format("درعا"))
    make("قصف آخر", REPORTER.format("ودرعا"))
    LocationMention.objects.create(article=tagged, location=daraa)
    assert list(Article.objects.search("درعا").in_location(daraa).with_related()) == [tagged]
    assert list(Article.objects.in_location(daraa).search("درعا")) == [tagged]


def test_saving_an_article_updates_the_index():
    article = make("خبر", REPORTER.format("حمص"))
    assert found("طفس") == []
    article.body = REPORTER.format("طفس")
    article.save()
    assert found("طفس") == [article]
    assert found("حمص") == []
    article.title = "تقرير من حمص"
    article.save(update_fields=["title"])
    assert found("حمص") == [article]


def test_deleting_an_article_removes_it_from_the_index():
    gone = make("خبر", REPORTER.format("طفس"))
    kept = make("خبر آخر", REPORTER.format("بطفس"))
    gone.delete()
    assert found("طفس") == [kept]
    Article.objects.all().delete()
    assert found("طفس") == []
    again = make("خبر جديد", REPORTER.format("طفس"))  # may reuse an id on SQLite
    assert found("طفس") == [again]
    assert found("بطفس") == []


def test_reindex_rebuilds_the_index():
    articles = [make(f"خبر {n}", REPORTER.format("وطفس")) for n in range(7)]
    search.rebuild_index([])  # what an analyser change leaves behind: nothing indexed
    assert found("طفس") == []
    out = StringIO()
    call_command("reindex", "--batch-size", "3", stdout=out)
    assert set(found("طفس")) == set(articles)
    assert "7 articles" in out.getvalue()


def test_index_articles_accepts_precomputed_tokens():
    article = make("خبر", REPORTER.format("حمص"))
    search.rebuild_index([])
    text = REPORTER.format("بطفس")
    tokens = (search.arabic.tokenize(article.title), search.arabic.tokenize(text))
    assert search.index_articles([article], analysed={article.pk: tokens}) == 1
    assert found("طفس") == [article]  # indexed from the tokens, not from the stored body


def test_search_uses_the_database_backend():
    make("خبر", REPORTER.format("درعا"))
    sql = str(Article.objects.search("درعا").query)
    assert ("@@" in sql) if connection.vendor == "postgresql" else ("MATCH" in sql)


def test_admin_article_search_uses_the_archive_search(client, django_user_model):
    editor = django_user_model.objects.create_superuser("editor", password="x-long-password-1")
    client.force_login(editor)
    body_hit = make("تقرير ميداني", REPORTER.format("بدرعا"), datetime.date(2018, 7, 5))
    title_hit = make("قصف على ريف درعا", REPORTER.format("طفس"), datetime.date(2018, 7, 1))
    make("خبر من البي بي سي", SCHOLARS)

    page = client.get("/admin/articles/article/", {"q": "درعا"})
    assert page.status_code == 200
    listed = list(page.context["cl"].result_list)
    assert listed == [title_hit, body_hit]  # relevance, not the newest-first list order
    assert page.context["cl"].result_count == 2

    newest = {"q": "درعا", "o": "-4"}  # sorted by the published column, newest first
    sorted_by_date = client.get("/admin/articles/article/", newest)
    assert list(sorted_by_date.context["cl"].result_list) == [body_hit, title_hit]
    assert client.get("/admin/articles/article/", {"q": '"'}).context["cl"].result_count == 0


@pytest.fixture
def daraa():
    return Location.objects.create(
        name_ar="درعا", name_en="Daraa", kind="governorate", aliases="Deraa\nDar'a\nDaraa city"
    )


@pytest.mark.parametrize("query", ["Daraa", "daraa", "DERAA", "Dar'a", '"Dar\'a"', "Daraa city"])
def test_latin_name_finds_the_arabic_one(daraa, query):
    arabic = make("تقرير", REPORTER.format("بدرعا"))
    make("خبر آخر", REPORTER.format("حمص"))
    assert found(query) == [arabic]


def test_latin_name_without_an_alias_finds_only_itself(daraa):
    make("تقرير", REPORTER.format("بدرعا"))
    latin = make("Report from Tafas", "Fighting near Tafas, west of Daraa.")
    assert found("Tafas") == [latin]
    assert found("Daraa Tafas") == [latin]


def test_multiword_latin_name_finds_the_arabic_phrase():
    Location.objects.create(name_ar="دير الزور", name_en="Deir ez-Zor", aliases="Deir al-Zour")
    story = make("تقرير", REPORTER.format("دير الزور"))
    make("خبر آخر", "دير في الزور")
    assert found("Deir ez-Zor") == [story]
    assert found("deir al-zour") == [story]


@pytest.mark.parametrize(
    "query, marked",
    [
        ("درعا", ["بدرعا", "درعا"]),
        ("بصرى", ["بصرى"]),
        ('"بصرى الشام"', ["بصرى", "الشام"]),
        ("طفس OR الجولان", ["طفس", "الجولان"]),
        ("طفس -درعا", ["طفس"]),
    ],
)
def test_marks_show_what_matched_as_written(seed_text, query, marked):
    whole = search.highlight(seed_text, query)
    assert sorted(set(re.findall("<mark>(.*?)</mark>", whole))) == sorted(marked)
    cut = search.snippet(seed_text, query, size=300)
    assert set(re.findall("<mark>(.*?)</mark>", cut)) <= set(marked)
    assert "<mark>" in cut
    assert len(unescape(re.sub("</?mark>", "", cut))) <= 300 + 4


def test_snippet_is_cut_around_the_match_from_the_original_text(seed_text):
    cut = search.snippet(seed_text, "الجولان", size=200)
    assert cut.startswith("… ") and "<mark>الجولان</mark> المحتل" in cut
    plain = re.sub("</?mark>", "", cut).strip("… ")
    assert plain in seed_text


def test_snippet_escapes_html_around_the_marks():
    text = 'قصف <script>alert("x")</script> على بدرعا & ريفها'
    cut = search.snippet(text, "درعا")
    assert "<script>" not in cut
    assert "&lt;script&gt;" in cut and "&amp;" in cut
    assert "<mark>بدرعا</mark>" in cut


def test_snippet_without_a_match_starts_at_the_beginning(seed_text):
    cut = search.snippet(seed_text, "حمص", size=100)
    assert "<mark>" not in cut
    assert seed_text.startswith(cut.removesuffix(" …"))


def test_highlight_marks_the_whole_text(seed_text):
    marked = search.highlight(seed_text, "درعا")
    assert marked.count("<mark>") == 9  # every درعا and بدرعا of the seed
    assert re.sub("</?mark>", "", marked) == escape(seed_text)


def test_highlight_marks_a_phrase_only_where_its_words_are_adjacent():
    text = "قصف على الغوطة وريفها في المناطق الشرقية، ثم اشتباكات في الغوطة الشرقية"
    marked = search.highlight(text, '"الغوطة الشرقية"')
    assert marked.count("<mark>") == 2
    assert marked.endswith("<mark>الغوطة</mark> <mark>الشرقية</mark>")


def test_snippet_marks_agree_with_search(seed_text):
    title, _, body = seed_text.partition("\n")
    make(title, body)
    for query in ["درعا", "بدرعا", "الحراك", '"المليحة الغربية"', "Daraa"]:
        assert bool(found(query)) == ("<mark>" in search.highlight(seed_text, query))
