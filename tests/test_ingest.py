"""Ingestion: decoding, fingerprints, reading a title/reporter/source, and saving articles."""

import codecs
import re

import pytest
from django.db import connection

from articles import arabic
from articles.ingest import (
    IngestError,
    article_ingest,
    decode,
    fingerprint,
    headline,
    lede,
    parse_text,
    read_also,
    recognise,
)
from articles.models import Article, Source

# Reasons asserted in English here; test_admin_import checks what editors read in Arabic.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# A few lines of a BBC Arabic article from the ANT corpus (Apache-2.0), as a second real text.
BBC_EXCERPT = (
    "أعرب السفير الروسي لدى الولايات المتحدة، أناتولي أنتونوف، عن قلق بلاده إزاء مؤشرات على "
    "استعدادات أمريكية لشن ضربات جوية أخرى ضد سوريا.\n"
    'وحذّر أنتونوف من "أي عدوان غير مبرر وغير شرعي على سوريا".\n'
    "أردوغان يتعهد بتحقيق السلام في سوريا والعراق\n"
    "وذكرت صفحة السفارة الروسية على موقع فيسبوك أن أنتونوف التقى مبعوث الولايات المتحدة الخاص "
    "بسوريا، جيمس جيفري.\n"
)


@pytest.fixture
def rozana():
    return Source.objects.create(
        name_ar="روزنة", name_en="Rozana", kind="radio", aliases="راديو روزنة", key="rozana"
    )


# --------------------------------------------------------------------------- decoding

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16 LE with BOM": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16 BE with BOM": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "windows-1256": lambda text: text.encode("cp1256"),
    # Notepad's "Unicode" without its mark: Arabic code units all have 0x06 as high byte.
    "utf-16 LE without BOM": lambda text: text.encode("utf-16-le"),
    "utf-16 BE without BOM": lambda text: text.encode("utf-16-be"),
}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("sample", ["seed", "bbc"])
def test_decode_reads_every_supported_encoding(encoding, sample, seed_text):
    text = seed_text if sample == "seed" else BBC_EXCERPT
    assert decode(ENCODINGS[encoding](text)) == text


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_decode_turns_windows_and_old_mac_line_endings_into_newlines(newline, seed_text):
    data = seed_text.replace("\n", newline).encode("cp1256")
    assert decode(data) == seed_text


def test_decode_keeps_diacritics_tatweel_and_spacing_verbatim():
    text = "وقال  مراسلـــنا: إنّ   الجولةَ فشلت.\n\n\tاقرأ أيضاً: خبر آخر\n"
    assert decode(text.encode("utf-8")) == text


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\t\r\n  ", "blank"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "NUL"),
        ("Daraa".encode("utf-16-le"), "NUL"),  # UTF-16 without a byte-order mark
        (bytes(range(1, 256)) * 4, "Windows-1256"),  # random bytes without NUL
        ("Le café était fermé à Montréal.".encode("cp1252"), "Windows-1256"),
        (codecs.BOM_UTF8 + b"\xd8\xaf\xff\xfe", "UTF-8"),
        ("درعا\x1b[31m".encode(), "U+001B"),
    ],
    ids=["empty", "blank", "png", "utf16-no-bom", "noise", "latin", "bad-utf8-bom", "escape"],
)
def test_decode_refuses_with_a_reason(data, reason):
    with pytest.raises(IngestError, match=re.escape(reason)):
        decode(data)


# --------------------------------------------------------------------------- fingerprints


@pytest.mark.parametrize(
    "variant",
    [
        lambda text: text.replace(" ", "  ").replace("\n", "\n\n"),
        lambda text: text.replace("\n", "\r\n") + "\n\n",
        lambda text: arabic.normalize(text),  # no diacritics, hamza folded
        lambda text: text.replace("إطلاق", "إِطْلَاق").replace("درعا", "درعــا"),
    ],
    ids=["whitespace", "line-endings", "normalised", "more-diacritics-and-tatweel"],
)
def test_fingerprint_ignores_spacing_and_diacritics(variant, seed_text):
    assert fingerprint(variant(seed_text)) == fingerprint(seed_text)


def test_fingerprint_tells_different_texts_apart(seed_text):
    assert fingerprint(seed_text) != fingerprint(seed_text.replace("درعا", "حمص", 1))
    assert fingerprint(seed_text) != fingerprint(BBC_EXCERPT)


# --------------------------------------------------------------------------- reading a text


def test_seed_article_title_is_its_first_sentence_cut_at_a_clause(seed_text):
    title, body = parse_text(seed_text)
    assert title == (
        "فشلت الجولة الثانية من المفاوضات بين المعارضة وروسيا بشأن وقف إطلاق النار في درعا…"
    )
    assert body == seed_text.rstrip("\n")


def test_short_first_line_followed_by_a_blank_line_is_the_title(seed_text):
    text = "فشل الجولة الثانية من مفاوضات درعا\n\n" + seed_text
    title, body = parse_text(text)
    assert title == "فشل الجولة الثانية من مفاوضات درعا"
    assert body == seed_text.rstrip("\n")


def test_long_first_line_is_not_a_title_even_before_a_blank_line(seed_text):
    first_paragraph = seed_text.split("\n")[0]
    title, body = parse_text(first_paragraph + "\n\n" + "وأضاف مراسلنا أن المفاوضات توقفت.")
    assert len(title) <= 121 and title.endswith("…")
    assert body.startswith(first_paragraph)


@pytest.mark.parametrize(
    "paragraph, title",
    [
        ("قصف على طفس غرب درعا. ونزح المدنيون.", "قصف على طفس غرب درعا."),
        ("هل تنجح المفاوضات؟ يبدو ذلك صعباً", "هل تنجح المفاوضات؟"),
        ("بلغ سعر الدولار 3.5 ليرة في درعا اليوم", "بلغ سعر الدولار 3.5 ليرة في درعا اليوم"),
        ("كلمة " * 40, ("كلمة " * 24).strip() + "…"),
        ("ا" * 200, "ا" * 120 + "…"),
    ],
    ids=["full-stop", "arabic-question-mark", "decimal-point", "word-boundary", "one-long-word"],
)
def test_headline_is_the_first_sentence_cut_at_a_word_boundary(paragraph, title):
    assert headline(paragraph) == title


def test_read_also_line_is_never_the_title_or_lede():
    text = "اقرأ أيضاً: اتفاق بين النظام وفصيل معارض حول بصرى الشام بدرعا\n\nقصف على طفس. ونزوح."
    title, body = parse_text(text)
    assert title == "قصف على طفس."
    assert lede(body) == "قصف على طفس. ونزوح."


def test_read_also_lists_cross_reference_titles(seed_text):
    assert read_also(seed_text) == ["اتفاق بين النظام وفصيل معارض حول بصرى الشام بدرعا"]
    assert read_also("شاهد أيضا: سلطات الهجرة الأمريكية تعتقل أم\nنص") == [
        "سلطات الهجرة الأمريكية تعتقل أم"
    ]
    assert read_also(BBC_EXCERPT) == []


def test_seed_article_names_its_reporter_and_source(seed_text, rozana):
    assert recognise(seed_text) == ("علي المحاميد", rozana)


@pytest.mark.parametrize(
    "sentence, byline, source",
    [
        ("وقال مراسل روزنة في درعا علي المحاميد، إن الجولة فشلت.", "علي المحاميد", "روزنة"),
        ("وقال مراسل روزنة في درعا علي المحاميد إن الجولة فشلت.", "علي المحاميد", "روزنة"),
        ("وأفاد مراسل راديو روزنة في ريف درعا الشرقي محمد أبو حسن، بأن", "محمد أبو حسن", "روزنة"),
        ("وأكدت مراسلة روزنه في حلب عبد الله الحلبي، أن القصف توقف", "عبد الله الحلبي", "روزنة"),
        ("وقال مراسل Rozana سامر العلي، إن القصف توقف", "سامر العلي", "روزنة"),
        ("وقال مراسل عنب بلدي في درعا علي المحاميد، إن", "علي المحاميد", None),
        ("ونقل مراسل روزنة عن مصادر محلية أن الطريق مغلق", "", "روزنة"),
        ("وقال مراسلنا إن الطريق مغلق", "", None),
        ("صورة من المراسل", "", None),  # the word ends the line: nothing follows it
    ],
)
def test_recognise_reporter_and_source_in_a_sentence(sentence, byline, source, rozana):
    found = recognise(sentence)
    assert found.byline == byline
    assert (found.source.name_ar if found.source else None) == source


# --------------------------------------------------------------------------- saving


def test_ingest_seed_article_fills_title_byline_source_and_origin(seed_text, rozana):
    result = article_ingest(text=seed_text, origin="seeds/articles/000.txt")
    assert result.status == "created", result.reason
    article = Article.objects.get()
    assert result.article == article
    assert article.title.startswith("فشلت الجولة الثانية من المفاوضات")
    assert article.body == seed_text.rstrip("\n")
    assert (article.byline, article.source, article.origin) == (
        "علي المحاميد",
        rozana,
        "seeds/articles/000.txt",
    )
    assert article.fingerprint == fingerprint(seed_text)


def test_given_fields_win_over_what_the_text_suggests(seed_text, rozana):
    other = Source.objects.create(name_ar="عنب بلدي", key="enab")
    result = article_ingest(
        text=seed_text,
        origin="x.jsonl:7",
        source=other,
        title="عنوان من المحرر",
        byline="محرر",
        published="2018-07-05",
        url="https://example.org/a/1",
    )
    article = result.article
    assert (article.title, article.source, article.byline) == ("عنوان من المحرر", other, "محرر")
    assert str(article.published) == "2018-07-05"
    assert article.url == "https://example.org/a/1"


@pytest.mark.parametrize(
    "variant",
    [
        lambda text: text.replace(" ", "  "),
        lambda text: text.replace("\n", "\r\n\r\n"),
        lambda text: text.replace("إطلاق", "اطلاق").replace("اتّخذت", "اتخذت"),
        lambda text: "مفاوضات درعا\n\n" + text,  # the same body under a title line
    ],
    ids=["whitespace", "blank-lines", "diacritics-and-hamza", "with-title-line"],
)
def test_ingest_skips_duplicate_and_names_the_original(variant, seed_text):
    original = article_ingest(text=seed_text, origin="first.txt").article
    again = article_ingest(text=variant(seed_text), origin="again.txt")
    assert again.status == "duplicate"
    assert again.duplicate_of == original
    assert again.article is None
    assert Article.objects.count() == 1


def test_ingest_reports_a_duplicate_saved_by_a_concurrent_run(seed_text):
    """Another run saves the same text right after our duplicate check has found nothing."""
    digest = fingerprint(seed_text)
    raced = []

    def other_run_saves_after_our_check(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not raced and sql.startswith("SELECT") and digest in (params or ()):
            raced.append(True)
            Article.objects.bulk_create([Article(title="t", body="b", fingerprint=digest)])
        return result

    with connection.execute_wrapper(other_run_saves_after_our_check):
        result = article_ingest(text=seed_text, origin="late.txt")
    assert raced, "the duplicate check did not run"
    assert result.status == "duplicate"
    assert result.duplicate_of == Article.objects.get()
    assert result.duplicate_of.title == "t"


def test_ingest_refuses_text_without_words():
    result = article_ingest(text="... !!! ؟؟", origin="dots.txt")
    assert (result.status, result.reason) == ("failed", "the text has no words")
    assert not Article.objects.exists()


def test_unparseable_date_is_left_empty_with_a_note(seed_text):
    result = article_ingest(text=seed_text, origin="a", published="قبل يومين")
    assert result.status == "created"
    assert result.article.published is None
    assert any("قبل يومين" in note for note in result.notes)


@pytest.mark.parametrize(
    "published, date",
    [
        ("2018-07-05", "2018-07-05"),
        ("2018-07-05T23:30:00+00:00", "2018-07-06"),  # already the next day in Damascus
        ("Thu, 30 Aug 2018 08:11:31 GMT", "2018-08-30"),
    ],
)
def test_published_dates_in_iso_and_rss_form(published, date, seed_text):
    assert (
        str(article_ingest(text=seed_text, origin="a", published=published).article.published)
        == date
    )
