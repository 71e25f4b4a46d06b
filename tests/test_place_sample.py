"""The hand-labelled place and party sample is well-formed against the corpus and the gazetteer.

The sample (tests/fixtures/place_sample/, described in its README) is the held-out yardstick of
issue 12: place and party precision and recall are measured on it. A label that points at the
wrong characters, an identifier that no dataset has, or an article sitting in both halves would
silently skew those figures, so every line is checked here against the real data.
"""

import csv
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from .conftest import GAZETTEER_DATA as GAZETTEER
from .conftest import PROJECT, read_jsonl, sampled_corpus_records

PLACE_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "place_sample"
OUTLET_OF_FILE = {
    "Alarabia.jsonl.gz": "AlArabiya", "BBC.jsonl.gz": "BBC", "CNN.jsonl.gz": "CNN",
    "France24.jsonl.gz": "France24", "SkyNews.jsonl.gz": "SkyNews",
    "jawharafm.jsonl.gz": "JawharaFM",
}  # fmt: skip
OUTLETS = {"AlArabiya", "BBC", "CNN", "France24", "SkyNews"}
GOVERNORATES = {f"SY{n:02d}" for n in range(1, 15)}

ARTICLE_KEYS = {
    "corpus_file", "docno", "outlet", "category", "part", "exhaustive", "parties", "half",
    "sampling", "notes",
}  # fmt: skip
MENTION_KEYS = {
    "docno", "field", "start", "end", "surface", "is_place", "id", "accept", "kind", "name_en",
    "governorates", "level", "trap", "looks_like", "note",
}  # fmt: skip
PARTY_KEYS = {
    "docno", "field", "start", "end", "surface", "is_party", "key", "kind", "looks_like", "note",
}  # fmt: skip
LEVELS = {
    "governorate", "district", "subdistrict", "city", "town", "village", "countryside", "area",
    "camp", "neighbourhood", "crossing", "airport", "base", "region", "unspecified",
}  # fmt: skip
TRAP_KINDS = {"word", "name", "abroad", "org", "nisba", "other"}
CURATED_KINDS = {
    "region", "crossing", "camp", "base", "airport", "neighbourhood", "locality", "mountain",
}  # fmt: skip
PARTY_KINDS = {
    "government", "armed_force", "opposition", "civil", "foreign_state", "international", "media",
}  # fmt: skip
OCHA_KIND = {"C": "community", "N": "neighbourhood"}


def read_tsv(name: str) -> dict[str, dict]:
    with (PLACE_SAMPLE / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    keys = [row["key"] for row in rows]
    assert len(keys) == len(set(keys)), f"{name} lists a key twice"
    return {row["key"]: row for row in rows}


def ocha_kind(code: str) -> str:
    """The kind of place an OCHA p-code names, read from its shape (SY12, SY1200, SY120002, C…)."""
    if code[0] in OCHA_KIND:
        return OCHA_KIND[code[0]]
    return {4: "governorate", 6: "district", 8: "subdistrict"}[len(code)]


@pytest.fixture(scope="module")
def articles():
    return read_jsonl(PLACE_SAMPLE / "articles.jsonl")


@pytest.fixture(scope="module")
def mentions():
    return read_jsonl(PLACE_SAMPLE / "mentions.jsonl")


@pytest.fixture(scope="module")
def parties():
    return read_jsonl(PLACE_SAMPLE / "parties.jsonl")


@pytest.fixture(scope="module")
def curated():
    return read_tsv("curated_places.tsv")


@pytest.fixture(scope="module")
def party_keys():
    return read_tsv("parties.tsv")


@pytest.fixture(scope="module")
def corpus_articles(articles):
    return sampled_corpus_records(articles)


@pytest.fixture(scope="module")
def ocha():
    """Every OCHA p-code (admin units, communities, neighbourhoods) with its governorate."""
    governorate_of = {}
    path = GAZETTEER / "ocha" / "syr_locations_ocha_20200816.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for column in ("admin1Pcode", "admin2Pcode", "admin3Pcode", "Location_Pcode"):
                governorate_of[row[column]] = row["admin1Pcode"]
    for level in ("governorates", "districts", "subdistricts"):
        with (GAZETTEER / "opensyria" / f"{level}.json").open(encoding="utf-8") as handle:
            for unit in json.load(handle):
                code = unit["externalIds"]["ochaPcode"]
                governorate_of.setdefault(code, code[:4])
    return governorate_of


@pytest.mark.corpus
def test_every_sampled_article_is_in_its_corpus_file(articles, corpus_articles):
    docnos = [a["docno"] for a in articles]
    assert len(docnos) == len(set(docnos)), "an article is listed twice"
    missing = [d for d in docnos if d not in corpus_articles]
    assert not missing, f"not found in the corpus: {missing}"
    for a in articles:
        assert set(a) == ARTICLE_KEYS, a
        record = corpus_articles[a["docno"]]
        assert a["outlet"] == OUTLET_OF_FILE[a["corpus_file"]], a
        assert a["category"] == record["category"], a
        assert a["part"] in ("a", "b") and a["half"] in ("tuning", "heldout"), a
        # Part a articles were read in full; part b labels one sampled word per article.
        assert a["exhaustive"] is (a["part"] == "a"), a
        assert not a["parties"] or a["part"] == "a", a


@pytest.mark.corpus
def test_every_label_points_at_its_surface_text(articles, mentions, parties, corpus_articles):
    listed = {a["docno"] for a in articles}
    for rows, keys in ((mentions, MENTION_KEYS), (parties, PARTY_KEYS)):
        for m in rows:
            assert set(m) == keys, m
            assert m["docno"] in listed, f"{m['docno']} has labels but is not in articles.jsonl"
            assert m["field"] in ("title", "text"), m
            text = corpus_articles[m["docno"]][m["field"]]
            assert text[m["start"] : m["end"]] == m["surface"], (
                f"{m['docno']} {m['field']}[{m['start']}:{m['end']}] is "
                f"{text[m['start'] : m['end']]!r}, the label says {m['surface']!r}"
            )


@pytest.mark.corpus
def test_spans_are_whole_words_and_do_not_overlap(mentions, parties, corpus_articles):
    letter = re.compile(r"[\u0621-\u064a]")
    for rows in (mentions, parties):
        for m in rows:
            text = corpus_articles[m["docno"]][m["field"]]
            before = text[m["start"] - 1] if m["start"] else " "
            after = text[m["end"]] if m["end"] < len(text) else " "
            assert not letter.match(before) and not letter.match(after), f"cuts a word: {m}"
        spans = sorted((m["docno"], m["field"], m["start"], m["end"]) for m in rows)
        for a, b in zip(spans, spans[1:], strict=False):
            assert a[:2] != b[:2] or a[3] <= b[2], f"overlapping labels {a} and {b}"


@pytest.mark.corpus
def test_every_place_label_names_a_real_place(mentions, curated, ocha):
    for key, row in curated.items():
        assert row["kind"] in CURATED_KINDS and row["name_ar"] and row["name_en"], row
        assert set(row["governorates"].split()) <= GOVERNORATES and row["governorates"], row
        assert not row["named_after"] or row["named_after"] in ocha, row
        assert key.split(":")[0] == row["kind"], key
    for m in mentions:
        where = f"{m['docno']} {m['surface']!r}"
        if not m["is_place"]:
            assert m["trap"] in TRAP_KINDS, where
            assert m["id"] is m["kind"] is m["name_en"] is m["level"] is None, where
            assert m["accept"] == [] and m["governorates"] == [], where
            continue
        assert m["trap"] is None and m["looks_like"] is None and m["name_en"], where
        assert m["level"] in LEVELS, where
        assert m["id"] in m["accept"], where
        assert len(m["accept"]) == len(set(m["accept"])), where
        for ident in m["accept"]:
            assert ident in ocha or ident in curated, f"{where}: unknown identifier {ident}"
        if m["id"] in curated:
            assert m["kind"] == curated[m["id"]]["kind"], where
            assert m["governorates"] == curated[m["id"]]["governorates"].split(), where
        else:
            assert m["kind"] == ocha_kind(m["id"]), where
            assert m["governorates"] == [ocha[m["id"]]], where


def test_every_party_label_names_a_listed_party(parties, party_keys):
    for row in party_keys.values():
        assert row["kind"] in PARTY_KINDS and row["name_ar"] and row["name_en"], row
        assert not row["parent"] or row["parent"] in party_keys, row
    # The project's seed parties keep their keys, so scoring can map the tagger's tags.
    seeds = json.loads((PROJECT / "seeds" / "parties.json").read_text("utf-8"))
    for seed in seeds:
        assert party_keys[seed["key"]]["kind"] == seed["kind"], seed["key"]
    for p in parties:
        where = f"{p['docno']} {p['surface']!r}"
        if p["is_party"]:
            assert p["key"] in party_keys and p["looks_like"] is None, where
            assert p["kind"] == party_keys[p["key"]]["kind"], where
        else:
            assert p["key"] is p["kind"] is None, where


@pytest.mark.corpus
def test_halves_are_by_article_and_never_share_a_text(articles, corpus_articles):
    """One article, one half; a reprint of the same text must not sit in the other half."""

    def fingerprint(text: str) -> str:
        text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
        return re.sub(r"\s+", " ", text)[:300]

    half_of_text = {}
    for a in articles:
        fp = fingerprint(corpus_articles[a["docno"]]["text"])
        assert half_of_text.setdefault(fp, a["half"]) == a["half"], f"{a['docno']} in both halves"
    for half in ("tuning", "heldout"):
        chosen = [a for a in articles if a["half"] == half]
        assert {a["outlet"] for a in chosen if a["part"] == "a"} == OUTLETS, half
        assert any(a["part"] == "b" for a in chosen), half
        assert any(a["parties"] for a in chosen), half


def test_sample_has_the_size_issue_12_asks_for(articles, mentions, parties):
    part = {a["docno"]: a for a in articles}
    in_a = [m for m in mentions if part[m["docno"]]["part"] == "a"]
    in_b = [m for m in mentions if part[m["docno"]]["part"] == "b"]
    assert len(mentions) >= 1000
    assert sum(m["is_place"] for m in in_a) >= 700
    # Names that are also words: at least 300 read in context, both senses well represented.
    assert len(in_b) >= 300
    places_b = sum(m["is_place"] for m in in_b)
    assert 0.35 <= places_b / len(in_b) <= 0.65, places_b
    # ... sampled across the whole corpus, Tunisian and non-news categories included.
    b_articles = [a for a in articles if a["part"] == "b"]
    assert any(a["outlet"] == "JawharaFM" for a in b_articles)
    assert {"sport", "culture", "technology"} <= {a["category"] for a in b_articles}
    # Communities from all 14 governorates are among the places read.
    with_community = Counter(
        m["governorates"][0]
        for m in mentions
        if m["is_place"] and any(ident.startswith("C") for ident in m["accept"])
    )
    assert set(with_community) == GOVERNORATES, sorted(with_community)
    assert sum(p["is_party"] for p in parties) >= 300
    assert {a["outlet"] for a in articles if a["parties"]} == OUTLETS
