"""The hand-labelled story-pair sample is well-formed against the real corpus.

The sample (tests/fixtures/story_pairs/, described in its README) is what story grouping is
measured against (issue 14, item 4): pairs of corpus articles labelled by reading both texts. A
pair that names a missing article, a label outside the five, an article in both halves or a
similarity column that does not match the texts would silently skew the held-out figures, so
every pair is checked here.
"""

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from articles import arabic

from .conftest import read_jsonl, sampled_corpus_records

STORY_PAIRS = Path(__file__).resolve().parent / "fixtures" / "story_pairs" / "pairs.jsonl"

PAIR_KEYS = {
    "pair", "corpus_file_a", "docno_a", "source_a", "time_a",
    "corpus_file_b", "docno_b", "source_b", "time_b",
    "bin", "similarity", "jaccard", "label", "half", "note",
}  # fmt: skip
# The grouping target: the first three belong in one story, the last two never.
SAME_COPY = {"reprint", "light_edit", "update"}
NOT_SAME_COPY = {"same_event_other_report", "different_story"}
HALVES = {"tuning", "heldout"}
# Containment bins: [low, high) of the word 5-shingle containment recorded in `similarity`.
BINS = {
    ">=0.9": (0.9, 1.01),
    "0.7-0.9": (0.7, 0.9),
    "0.5-0.7": (0.5, 0.7),
    "0.3-0.5": (0.3, 0.5),
    "0.1-0.3": (0.1, 0.3),
    "<0.1": (0.0, 0.1),
}
SHINGLE = 5


@pytest.fixture(scope="module")
def pairs():
    return read_jsonl(STORY_PAIRS)


@pytest.fixture(scope="module")
def corpus_articles(pairs):
    """The paired articles, read from the corpus files the sample names."""
    sides = [
        {"corpus_file": p[f"corpus_file_{side}"], "docno": p[f"docno_{side}"]}
        for p in pairs
        for side in "ab"
    ]
    return sampled_corpus_records(sides)


def shingles(text: str) -> set[str]:
    """Word 5-shingles of the analyser's normalised words (a text shorter than that is one)."""
    words = arabic.words(text)
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def test_sample_is_big_enough_to_measure_grouping(pairs):
    assert len(pairs) >= 200
    assert len({p["pair"] for p in pairs}) == len(pairs), "a pair id is used twice"
    unordered = Counter(frozenset((p["docno_a"], p["docno_b"])) for p in pairs)
    assert max(unordered.values()) == 1, "the same two articles are paired twice"


def test_every_pair_is_labelled_with_one_of_the_five_labels(pairs):
    for p in pairs:
        assert set(p) == PAIR_KEYS, p["pair"]
        assert p["docno_a"] != p["docno_b"], p["pair"]
        assert p["label"] in SAME_COPY | NOT_SAME_COPY, p
        assert p["half"] in HALVES, p
        assert p["bin"] in BINS, p
        low, high = BINS[p["bin"]]
        assert low <= p["similarity"] < high, (
            f"pair {p['pair']}: {p['similarity']} not in {p['bin']}"
        )
        assert 0 <= p["jaccard"] <= p["similarity"], p["pair"]
        assert p["note"].strip(), f"pair {p['pair']} has no note"


def test_halves_share_no_article(pairs):
    articles = defaultdict(set)
    for p in pairs:
        articles[p["half"]] |= {p["docno_a"], p["docno_b"]}
    shared = articles["tuning"] & articles["heldout"]
    assert not shared, f"articles in both halves: {sorted(shared)}"


def test_every_label_and_bin_is_in_both_halves(pairs):
    for field, values in (("label", SAME_COPY | NOT_SAME_COPY), ("bin", set(BINS))):
        for half in HALVES:
            present = {p[field] for p in pairs if p["half"] == half}
            assert present == values, f"{half}: {field}s {sorted(values ^ present)} differ"


@pytest.mark.corpus
def test_every_paired_article_is_in_its_corpus_file(pairs, corpus_articles):
    for p in pairs:
        for side in "ab":
            docno = p[f"docno_{side}"]
            assert docno in corpus_articles, f"pair {p['pair']}: {docno} not in the corpus"
            assert corpus_articles[docno]["source"] == p[f"source_{side}"], (p["pair"], docno)


@pytest.mark.corpus
def test_no_pair_is_an_exact_duplicate_the_archive_already_stores_once(pairs, corpus_articles):
    for p in pairs:
        a, b = (corpus_articles[p[f"docno_{side}"]]["text"] for side in "ab")
        assert arabic.words(a) != arabic.words(b), f"pair {p['pair']} has identical texts"


@pytest.mark.corpus
def test_recorded_similarity_is_the_shingle_containment_of_the_two_texts(pairs, corpus_articles):
    """The `bin` column stratifies the sample; it must be what the README says it is."""
    for p in pairs:
        a, b = (shingles(corpus_articles[p[f"docno_{side}"]]["text"]) for side in "ab")
        shared = len(a & b)
        containment = shared / min(len(a), len(b))
        jaccard = shared / len(a | b)
        # Rounded to three places when recorded; a later change of the analyser may move a
        # value slightly, never across the sample's story.
        assert containment == pytest.approx(p["similarity"], abs=0.02), p["pair"]
        assert jaccard == pytest.approx(p["jaccard"], abs=0.02), p["pair"]
