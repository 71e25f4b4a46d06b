"""The hand-labelled location sample is well-formed against the real corpus and gazetteer.

The sample (tests/fixtures/location_sample/, described in its README) is the gold standard for
location-tagging precision and recall; a label that points at the wrong characters or at a place
the gazetteer does not have would silently skew those figures, so every label is checked here.
"""

import csv
import json

import pytest

from .conftest import GAZETTEER_DATA as GAZETTEER
from .conftest import LOCATION_SAMPLE, read_jsonl, sampled_corpus_records

MENTION_KEYS = {
    "docno", "field", "start", "end", "surface", "is_place", "pcode", "geonames_id",
    "name_en", "in_gazetteer", "level", "accept", "within", "note",
}  # fmt: skip


@pytest.fixture(scope="module")
def articles():
    return read_jsonl(LOCATION_SAMPLE / "articles.jsonl")


@pytest.fixture(scope="module")
def mentions():
    return read_jsonl(LOCATION_SAMPLE / "mentions.jsonl")


@pytest.fixture(scope="module")
def corpus_articles(articles):
    """The sampled articles, read from the corpus files the sample names."""
    return sampled_corpus_records(articles)


@pytest.fixture(scope="module")
def gazetteer_ids():
    pcodes = set()
    for level in ("governorates", "districts", "subdistricts"):
        with open(GAZETTEER / "opensyria" / f"{level}.json", encoding="utf-8") as f:
            pcodes |= {unit["externalIds"]["ochaPcode"] for unit in json.load(f)}
    with open(GAZETTEER / "geonames" / "sy_cities500.tsv", encoding="utf-8") as f:
        geonames = {row["geonameid"] for row in csv.DictReader(f, delimiter="\t")}
    return pcodes, geonames


@pytest.mark.corpus
def test_every_sampled_article_is_in_its_corpus_file(articles, corpus_articles):
    docnos = [a["docno"] for a in articles]
    assert len(docnos) == len(set(docnos)), "an article is listed twice"
    missing = [d for d in docnos if d not in corpus_articles]
    assert not missing, f"not found in the corpus: {missing}"
    assert all(a["exhaustive"] is True for a in articles)


@pytest.mark.corpus
def test_every_label_points_at_its_surface_text(articles, mentions, corpus_articles):
    listed = {a["docno"] for a in articles}
    for m in mentions:
        assert set(m) == MENTION_KEYS, m
        assert m["docno"] in listed, f"{m['docno']} has labels but is not in articles.jsonl"
        assert m["field"] in ("title", "text"), m
        text = corpus_articles[m["docno"]][m["field"]]
        assert text[m["start"] : m["end"]] == m["surface"], (
            f"{m['docno']} {m['field']}[{m['start']}:{m['end']}] is "
            f"{text[m['start'] : m['end']]!r}, the label says {m['surface']!r}"
        )


def test_labels_do_not_overlap(mentions):
    spans = sorted((m["docno"], m["field"], m["start"], m["end"]) for m in mentions)
    for a, b in zip(spans, spans[1:], strict=False):
        assert a[:2] != b[:2] or a[3] <= b[2], f"overlapping labels {a} and {b}"


@pytest.mark.corpus
def test_every_place_label_names_a_real_gazetteer_entry(mentions, gazetteer_ids):
    pcodes, geonames = gazetteer_ids
    for m in mentions:
        where = f"{m['docno']} {m['surface']!r}"
        if not m["is_place"]:
            assert m["pcode"] is m["geonames_id"] is m["name_en"] is None, where
            assert m["accept"] == [], where
            continue
        assert m["name_en"], where
        if m["within"] is not None:
            assert m["within"] in pcodes, where
        if m["in_gazetteer"]:
            assert m["pcode"] or m["geonames_id"], where
            assert m["pcode"] is None or m["pcode"] in pcodes, where
            assert m["geonames_id"] is None or m["geonames_id"] in geonames, where
            for ident in m["accept"]:
                kind, _, value = ident.rpartition(":")
                assert value in (geonames if kind == "geonames" else pcodes), where
        else:
            assert m["in_gazetteer"] is False, where
            assert m["pcode"] is m["geonames_id"] is None and m["accept"] == [], where


def test_sample_is_big_enough_to_measure_tagging(mentions):
    places = [m for m in mentions if m["is_place"] and m["in_gazetteer"]]
    traps = [m for m in mentions if not m["is_place"]]
    assert len(places) >= 300
    assert len(traps) >= 80
