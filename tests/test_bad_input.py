"""Bad input never crashes and never loses data: fuzzed text, odd files, hostile parameters.

Complements tests/test_ingest*.py (which hold the decoder's table of refusals, zip paths and
links, and malformed JSONL lines) with property-based tests and the inputs they lack.
"""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import arabic, search
from articles.ingest import IngestError, decode
from articles.models import Article
from articles.search import KnownNames, parse_query

from .archive_data import build_archive

ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
TEXT = st.one_of(
    st.text(),
    st.text(
        alphabet=st.one_of(ARABIC, st.sampled_from(" \n\t\u200f\u200c\u0640-\"'()")), max_size=300
    ),
)
QUERY_PIECES = st.sampled_from(
    [
        '"',
        "-",
        "OR",
        "or",
        "(",
        ")",
        "*",
        ":",
        "\\",
        "'",
        ";",
        "--",
        "/*",
        "%",
        "_",
        "&",
        "|",
        "!",
        "<",
        ">",
        "<script>",
        "DROP TABLE articles_article;",
        "' OR 1=1 --",
        "\x00",
        "\x1b",
        "\u202e",
        "درعا",
        "بدرعا",
        "ال",
        "و",
        "NEAR",
        "AND",
        "NOT",
        "^",
        "~",
        "{",
        "}",
        " ",
    ]
)
QUERIES = st.one_of(st.text(max_size=200), st.lists(QUERY_PIECES, max_size=30).map("".join))
FUZZ = settings(max_examples=150, deadline=None)


@FUZZ
@given(TEXT)
def test_tokens_are_slices_of_the_original_text(text):
    previous_end = 0
    for token in arabic.tokenize(text):
        assert previous_end <= token.start < token.end <= len(text)
        assert arabic.analyse_word(text[token.start : token.end]) == (token.norm, token.terms)
        previous_end = token.end


@FUZZ
@given(TEXT)
def test_normalising_twice_changes_nothing_more(text):
    once = arabic.normalize(text)
    assert arabic.normalize(once) == once


@FUZZ
@given(TEXT)
def test_the_analyser_never_raises(text):
    arabic.words(text)
    for word in text.split():
        arabic.strip_proclitics(arabic.normalize(word))


# Names as the gazetteer gives them, so that the parser's expansions run too (no database).
NAMES = KnownNames(
    frozenset({"درعا", "بصري الشام", "دير الزور", "الباب"}),
    {"daraa": ("درعا",), "deir ez zor": ("دير الزور",)},
)


@FUZZ
@given(QUERIES)
def test_the_query_parser_never_raises(text):
    parse_query(text, NAMES)


LONG_QUERIES = st.lists(
    st.sampled_from(["درعا", "طفس", "بصرى", "الشام", "Daraa", "Deir", "ez-Zor", "OR", '"', "-"])
    | st.text(alphabet=ARABIC, min_size=2, max_size=6),
    max_size=400,
).map(" ".join)


@FUZZ
@given(LONG_QUERIES)
def test_every_query_parses_within_the_limits(text):
    query = parse_query(text, NAMES)
    clauses = (*query.must, *query.exclude)
    assert len(clauses) <= search.MAX_CLAUSES
    assert all(len(clause) <= search.MAX_ALTERNATIVES for clause in clauses)
    assert all(len(phrase) <= search.MAX_PHRASE_WORDS for c in clauses for phrase in c)
    terms = sum(len(slot) for c in clauses for phrase in c for slot in phrase)
    assert terms <= search.MAX_QUERY_TERMS


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "درعا " * 2_000,
        '"' * 501,
        "-" * 300,
        "OR OR OR",
        '"درعا',
        "\x00\x01\x02\x1b[31m",
        "'; DROP TABLE articles_article; --",
        "درعا' OR '1'='1",
        "<script>alert(1)</script>",
        "*:* ^5 ~2 NEAR(a b)",
    ],
    ids=[
        "10k-chars",
        "10k-arabic",
        "quotes",
        "minuses",
        "ors",
        "open-quote",
        "controls",
        "sql",
        "sql-arabic",
        "html",
        "fts-syntax",
    ],
)
@pytest.mark.django_db
def test_hostile_queries_answer_a_page_and_lose_nothing(reader, query):
    build_archive()
    response = reader.get(reverse("article-list"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    assert reader.get(reverse("api-article-list"), {"q": query}).status_code in (200, 400)
    assert Article.objects.count() == 3  # and the archive is still all there


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES)
@pytest.mark.django_db
def test_search_never_raises_on_the_database(text):
    list(Article.objects.search(text)[:5])


@FUZZ
@given(st.binary(max_size=2000))
def test_the_decoder_raises_nothing_but_its_own_error(data):
    try:
        text = decode(data)
    except IngestError as error:
        assert error.reason
    else:
        assert isinstance(text, str) and text.strip()


# Arabic prose: a handful of bytes can be valid in two encodings at once ("أ" + ZWNJ in
# Windows-1256 is "Ý" in UTF-8), a sentence cannot.
PROSE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0621, max_codepoint=0x064A), st.sampled_from(" \n.،؟")
    ),
    min_size=20,
).filter(lambda text: sum(char.isalpha() for char in text) >= 10)


@FUZZ
@given(PROSE, st.sampled_from(["utf-8", "utf-16", "cp1256", "utf-8-sig"]))
def test_the_decoder_reads_back_what_it_accepts(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        decoded = decode(data)
    except IngestError:
        return
    assert arabic.words(decoded) == arabic.words(text.replace("\r\n", "\n").replace("\r", "\n"))
