import csv

import pytest

from articles.arabic import analyse_word, normalize, strip_proclitics, tokenize

from .conftest import FIXTURES


def lucene_normalization_vectors():
    path = FIXTURES / "lucene" / "lucene_arabic_normalization.tsv"  # Apache-2.0, see its README
    with path.open(encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t") if row and row[0][0] != "#"]
    return [pytest.param(row[1], row[2], id=row[0]) for row in rows]


@pytest.mark.parametrize("word, expected", lucene_normalization_vectors())
def test_normalize_agrees_with_lucene_vectors(word, expected):
    assert normalize(word) == expected


@pytest.mark.parametrize(
    "word, expected",
    [
        ("إدلب", "ادلب"),
        ("أدلب", "ادلب"),
        ("ٱلقنيطرة", "القنيطره"),
        ("بصرى", "بصري"),
        ("حماة", "حماه"),
        ("مؤتمر", "موتمر"),
        ("رئيس", "رييس"),
        ("٢٠١٨", "2018"),
        ("۲۰۱۸", "2018"),
        ("کرد", "كرد"),
        ("سوری", "سوري"),
        ("در\u200cعا", "درعا"),
        ("\u200fدرعا\u200e", "درعا"),
        ("DARAA", "daraa"),
        ("ﺩﺭﻋﺎ", "درعا"),  # presentation forms, as pasted from old PDFs
        ("دَرْعَا", "درعا"),
        ("درعـــا", "درعا"),
    ],
)
def test_normalize_folds_spelling_variants(word, expected):
    assert normalize(word) == expected


@pytest.mark.parametrize(
    "word, terms",
    [
        ("درعا", {"درعا"}),
        ("بدرعا", {"بدرعا", "درعا"}),
        ("ودرعا", {"ودرعا", "درعا"}),
        ("لدرعا", {"لدرعا", "درعا"}),
        ("وبدرعا", {"وبدرعا", "بدرعا", "درعا"}),
        ("والحراك", {"والحراك", "الحراك", "حراك"}),
        ("بالحراك", {"بالحراك", "الحراك", "حراك"}),
        ("للحراك", {"للحراك", "لحراك", "الحراك", "حراك"}),
        ("وللحراك", {"وللحراك", "للحراك", "لحراك", "الحراك", "حراك"}),
        ("فالمليحة", {"فالمليحه", "المليحه", "مليحه"}),
    ],
)
def test_proclitic_forms_are_index_terms(word, terms):
    norm, indexed = analyse_word(word)
    assert indexed[0] == norm
    assert set(indexed) == terms


@pytest.mark.parametrize(
    "word, never",
    [
        ("علماء", "علما"),  # scholars are not the town of Alma
        ("علم", "علما"),
        ("عربين", "عرب"),  # no suffix stripping
        ("الباب", "ال"),
        ("بلد", "د"),  # at least two letters remain
    ],
)
def test_no_stemming_beyond_proclitics(word, never):
    assert normalize(never) not in analyse_word(word)[1]


def test_strip_proclitics_keeps_two_letters():
    assert strip_proclitics("ول") == ()
    assert strip_proclitics("بلد") == ("لد",)


def test_tokens_keep_spans_in_the_original_text():
    text = "قال مراسل روزنة في درعا: «بِدَرْعَا» وبصرى الشام."
    tokens = tokenize(text)
    assert [text[t.start : t.end] for t in tokens] == [
        "قال",
        "مراسل",
        "روزنة",
        "في",
        "درعا",
        "بِدَرْعَا",
        "وبصرى",
        "الشام",
    ]
    assert tokens[5].norm == "بدرعا"
    assert "درعا" in tokens[5].terms
    assert "بصري" in tokens[6].terms


def test_tokenize_seed_article_finds_every_daraa(seed_text):
    daraa = [t for t in tokenize(seed_text) if "درعا" in t.terms]
    surfaces = {seed_text[t.start : t.end] for t in daraa}
    assert surfaces == {"درعا", "بدرعا"}
    assert len(daraa) == 9
