"""One query cannot make the server work without bound (issue 17, item 3).

A short Latin name ("Damascus": 60 spellings in the gazetteer) used to run a Python phrase
check over every candidate article for every multi-word spelling, and repeating the name
repeated the work: 254 s for "Damascus " x 40 on SQLite, every gunicorn worker taken. These
tests assert bounded *work* (parsed size, Python calls, statements); the time is measured by
`make bench`.
"""

import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from articles import arabic, search
from articles.models import Article
from articles.search import (
    MAX_ALTERNATIVES,
    MAX_CLAUSES,
    MAX_PHRASE_WORDS,
    MAX_QUERY_LENGTH,
    MAX_QUERY_TERMS,
    KnownNames,
    PostgresBackend,
    parse_query,
)

from .test_search import make

pytestmark = pytest.mark.django_db

# Real sentences from BBC Arabic, 2018 (the ANT corpus), and the seed article's reporter line.
RIF = (
    "ويمكن روؤية نمط مماثل من استخدام تلك الأسلحة بحسب البيانات الواردة من الغوطة الشرقية، "
    "المعقل الأخير للمعارضة في ريف دمشق."
)
BARZEH = "وأضافت الوكالة أن الهجمات الأمريكية استهدفت منطقة برزة بدمشق ومبنى الأبحاث العلمية بها."
KALIN = (
    "وقال كالين إن بلاده ليس لها أي اتصال بدمشق ولكنها لا تمانع إذا كانت هناك ضرورة لاتصالات "
    '"مباشرة أو غير مباشرة" بين أجهزة المخابرات في البلدين.'
)
REPORTER = "وقال مراسل روزنة في {} علي المحاميد، إن الجولة الثانية لم تفضِ لأي نتيجة."

NAMES = KnownNames(
    frozenset({"درعا", "دمشق", "ريف دمشق", "محافظه دمشق"}),
    {
        "daraa": ("درعا",),
        "damascus": ("al sham", "dimashq", "دمشق", "محافظه دمشق"),
        # A place whose editors pasted a hundred transliterations.
        "sham": tuple(f"sham{n:03d}" for n in range(100)) + ("الشام",),
    },
)


def size(query: search.Query) -> int:
    """The terms a query looks up: what the databases' work grows with."""
    return sum(len(slot) for clause in (*query.must, *query.exclude) for p in clause for slot in p)


@pytest.fixture
def gazetteer(seed_gazetteer):
    return search.known_names()


def test_the_60_spellings_of_damascus_repeated_40_times_parse_as_the_name_once(gazetteer):
    assert len(gazetteer.variants["damascus"]) >= 59  # the gazetteer's aliases, in every script
    once = parse_query("Damascus")
    assert parse_query("Damascus " * 40) == once
    assert parse_query("Damascus damascus DAMASCUS") == once
    assert parse_query("درعا " * 40) == parse_query("درعا")
    alternatives = [" ".join(min(slot) for slot in phrase) for phrase in once.must[0]]
    assert alternatives[:2] == ["damascus", "دمشق"]  # as typed, then the Arabic name
    # "Damascus Governorate", "محافظة دمشق": only where "Damascus"/"دمشق" already match.
    assert "damascus governorate" not in alternatives and "محافظه دمشق" not in alternatives
    assert size(once) < MAX_QUERY_TERMS and not once.cut


@pytest.mark.parametrize(
    "query, same_as",
    [
        ('"ريف دمشق" "ريف دمشق" "ريف دمشق"', '"ريف دمشق"'),
        ("حمص OR درعا حمص OR درعا", "حمص OR درعا"),
        ("درعا OR حمص حمص OR درعا", "درعا OR حمص"),
        ("-طفس درعا -طفس -طفس", "درعا -طفس"),
        ("Daraa Daraa daraa", "Daraa"),
    ],
)
def test_repeated_words_phrases_and_or_groups_count_once(query, same_as):
    assert parse_query(query, NAMES) == parse_query(same_as, NAMES)


def test_a_spelling_that_holds_another_of_the_same_name_is_dropped():
    damascus = parse_query("Damascus", NAMES).must[0]
    words = [tuple(sorted(slot)[0] for slot in phrase) for phrase in damascus]
    assert ("دمشق",) in words
    assert ("محافظه", "دمشق") not in words  # it can only match where "دمشق" does
    assert ("al", "sham") in words  # holds no other spelling: kept


def test_one_name_stands_for_at_most_max_alternatives_arabic_first():
    query = parse_query("sham", NAMES)
    (clause,) = query.must
    assert len(clause) == MAX_ALTERNATIVES < 102
    assert clause[:2] == ((frozenset({"sham"}),), (frozenset({"الشام"}),))
    assert query.cut


def test_an_or_chain_stands_for_at_most_max_alternatives():
    words = [f"كلمة{n}" for n in range(200)]
    query = parse_query(" OR ".join(words), NAMES)
    assert len(query.must) == 1 and len(query.must[0]) == MAX_ALTERNATIVES
    assert query.cut


def test_a_query_keeps_its_first_distinct_words():
    words = arabic.words(f"{RIF} {BARZEH}")
    text = " ".join(words * 3)  # 30 distinct words, three times over
    query = parse_query(text, NAMES)
    assert len(query.must) == MAX_CLAUSES < len(set(words))
    assert [min(c[0][0]) for c in query.must] == list(dict.fromkeys(words))[:MAX_CLAUSES]
    assert query.cut
    assert not parse_query(" ".join(words[:5]), NAMES).cut


def test_a_long_phrase_keeps_its_first_words():
    phrase = parse_query(f'"{RIF}"', NAMES).must[0][0]
    assert len(phrase) == MAX_PHRASE_WORDS
    assert [min(slot) for slot in phrase[:3]] == ["ويمكن", "روويه", "نمط"]


HOSTILE = [
    "Damascus " * 40,
    "sham " * 100,
    " OR ".join(f"sham{n:03d}" for n in range(100)),
    " ".join(f'"{RIF}"' for _ in range(10)),
    " ".join(f'"{w} {w}1 {w}2"' for w in ("حلب", "حمص", "درعا", "طفس", "نوى") * 4),
    "ب" * 2000,
    " ".join(["درعا", "-حمص"] * 300),
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_every_query_stays_within_the_term_budget(text):
    query = parse_query(text, NAMES)
    assert size(query) <= MAX_QUERY_TERMS
    assert len(query.must) + len(query.exclude) <= MAX_CLAUSES
    assert all(len(clause) <= MAX_ALTERNATIVES for clause in (*query.must, *query.exclude))


def test_the_postgres_tsquery_of_a_repeated_name_is_the_name_once():
    once = PostgresBackend.tsquery(parse_query("Damascus", NAMES))
    assert PostgresBackend.tsquery(parse_query("Damascus " * 40, NAMES)) == once
    for text in HOSTILE:
        lexemes = PostgresBackend.tsquery(parse_query(text, NAMES)).count("'") // 2
        assert lexemes <= MAX_QUERY_TERMS


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x0621, max_codepoint=0x064A), min_size=1))
def test_written_forms_are_exactly_the_words_that_carry_a_term(word):
    norm, terms = arabic.analyse_word(word)
    assume(norm)  # tatweel alone is no word
    for term in terms:
        assert norm in arabic.written_forms(term)
    for form in arabic.written_forms(norm):
        assert norm in arabic.analyse_word(form)[1]


def python_calls(action) -> int:
    """How many Python functions run while ``action`` does (the database's C code is free)."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(None)
    return calls


def test_the_work_of_a_60_name_search_does_not_grow_with_its_candidates(gazetteer):
    texts = [RIF, BARZEH, KALIN, REPORTER.format("دمشق"), REPORTER.format("محافظة دمشق")]
    for n, text in enumerate(texts):
        make(f"تقرير {n}", text)
    latin = make("Report", "Fighting near the old city, Bilad al Sham, on Sunday.")
    make("خبر من البي بي سي", REPORTER.format("حمص"))
    damascus = Article.objects.search("Damascus")
    assert damascus.count() == 6 and latin in damascus

    few = python_calls(lambda: Article.objects.search("Damascus").count())
    for n in range(60):  # eleven times the candidates, every one a match
        make(f"تقرير آخر {n}", texts[n % len(texts)])
    assert Article.objects.search("Damascus").count() == 66
    assert python_calls(lambda: Article.objects.search("Damascus").count()) == few


@pytest.mark.postgres_only("its planner")
def test_postgres_narrows_sixty_spellings_to_those_the_archive_holds(gazetteer):
    damascus = make("تقرير", REPORTER.format("دمشق"))
    latin = make("Report", "Fighting near the old city, Bilad al Sham, on Sunday.")
    make("خبر من البي بي سي", REPORTER.format("حمص"))
    with CaptureQueriesContext(connection) as captured:
        assert set(Article.objects.search("Damascus")) == {damascus, latin}
    searched = captured.captured_queries[-1]["sql"]
    assert "دمشق" in searched and "sham" in searched
    assert "damaszek" not in searched and "dimashq" not in searched  # in no article
    with CaptureQueriesContext(connection) as again:
        list(Article.objects.search("Damascus " * 40))
    assert again.captured_queries[-1]["sql"] == searched


def test_a_phrase_is_checked_by_the_index_in_a_few_statements(django_assert_max_num_queries):
    make("خبر", RIF)
    make("خبر آخر", "دمشق وريفها، ثم في الريف الغربي من دمشق")
    search.known_names()
    with django_assert_max_num_queries(3):  # two lookups of written forms, then the search
        assert Article.objects.search('"ريف دمشق"').count() == 1


OLD_FORMAT = "unicode61 remove_diacritics 0"


def replace_with_old_format_index():
    """The FTS5 table as archives indexed before this change have it."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {search.FTS_TABLE}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {search.FTS_TABLE} USING fts5(title, body, "
            f"tokenize = '{OLD_FORMAT}')"
        )
        for article in Article.objects.all():
            title, body = (
                " | ".join(" ".join(t.terms) for t in arabic.tokenize(text))
                for text in (article.title, article.body)
            )
            cursor.execute(
                f"INSERT INTO {search.FTS_TABLE} (rowid, title, body) VALUES (%s, %s, %s)",
                [article.pk, title, body],
            )


@pytest.mark.sqlite_only("the FTS5 table is SQLite's")
@pytest.mark.parametrize("upgrade", ["migrate", "reindex"])
def test_an_archive_indexed_in_the_old_format_is_upgraded(upgrade):
    story = make("خبر", RIF)
    make("خبر آخر", "دمشق وريفها")
    replace_with_old_format_index()
    out = StringIO()
    call_command(upgrade, stdout=out)
    if upgrade == "migrate":
        assert "2 articles indexed" in out.getvalue()
    assert list(Article.objects.search('"ريف دمشق"')) == [story]
    assert set(Article.objects.search("دمشق")) == set(Article.objects.all())
    call_command("migrate", stdout=(again := StringIO()))
    assert "indexed" not in again.getvalue()  # upgraded once


def test_a_query_of_max_length_is_answered_and_says_it_was_shortened(
    reader, seed_text, django_assert_max_num_queries
):
    title, _, body = seed_text.partition("\n")
    seed = make(title, body)
    make("خبر من البي بي سي", REPORTER.format("حمص"))
    text = " ".join(body.split())[:MAX_QUERY_LENGTH]
    assert len(text) == MAX_QUERY_LENGTH and len(set(text.split())) > MAX_CLAUSES

    with django_assert_max_num_queries(40):
        page = reader.get(reverse("article-list"), {"q": text})
    assert page.status_code == 200
    assert list(page.context["page_obj"].object_list) == [seed]
    assert 'id="query-cut"' in page.content.decode()
    assert reader.get(reverse("api-article-list"), {"q": text}).json()["count"] == 1
    short = reader.get(reverse("article-list"), {"q": "درعا"})
    assert 'id="query-cut"' not in short.content.decode()
