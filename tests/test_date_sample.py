"""The hand-labelled date sample is well-formed against the real corpus.

The sample (tests/fixtures/date_sample/, described in its README) is the gold standard for the
date resolver of issue 13: a label that points at the wrong characters, names an interval that does
not fit its precision, or contradicts the weekday or year written in it would silently skew the
held-out figure, so every label is checked here, and so is the split into halves.
"""

import datetime
import re
from collections import Counter
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from .conftest import read_jsonl, sampled_corpus_records

DATE_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "date_sample"

ARTICLE_KEYS = {"corpus_file", "docno", "published", "exhaustive", "half", "notes"}
LABEL_KEYS = {
    "docno", "field", "start", "end", "surface", "category", "is_date", "first", "last",
    "precision", "published", "tags", "note",
}  # fmt: skip
DATE_CATEGORIES = {"relative_day", "weekday", "day_month", "month", "year", "week", "hijri"}
HALVES = {"tuning", "held_out"}
SATURDAY = 5

# Weekday names as written in the corpus (with or without hamza), Monday = 0 as in Python.
WEEKDAYS = {
    "الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الاربعاء": 2, "الخميس": 3,
    "الجمعة": 4, "السبت": 5, "الأحد": 6, "الاحد": 6,
}  # fmt: skip
WEEKDAY_NAME = re.compile("|".join(sorted(WEEKDAYS, key=len, reverse=True)))
YEAR = re.compile(r"(?<![0-9])(1[0-9]{3}|20[0-9]{2})(?![0-9])")
TO_ASCII = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


@pytest.fixture(scope="module")
def articles():
    return read_jsonl(DATE_SAMPLE / "articles.jsonl")


@pytest.fixture(scope="module")
def labels():
    return read_jsonl(DATE_SAMPLE / "dates.jsonl")


@pytest.fixture(scope="module")
def corpus_articles(articles):
    """The sampled articles, read from the corpus files the sample names."""
    return sampled_corpus_records(articles)


def publication_date(time: str) -> datetime.date:
    """The calendar date the corpus's `time` field writes, in each outlet's format."""
    if "," in time:  # RFC 2822 (the five multi-source outlets): "Sun, 18 Feb 2018 21:35:43 +0400"
        return parsedate_to_datetime(time).date()
    if "/" in time:  # JawharaFM: "17/05/2015" (day first)
        return datetime.datetime.strptime(time, "%d/%m/%Y").date()
    return datetime.date.fromisoformat(time[:10])  # JawharaFM: "2017-01-20T21:43:00+01:00"


def day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


@pytest.mark.corpus
def test_every_sampled_article_is_in_its_corpus_file(articles, corpus_articles):
    docnos = [a["docno"] for a in articles]
    assert len(docnos) == len(set(docnos)), "an article is listed twice"
    for a in articles:
        assert set(a) == ARTICLE_KEYS, a
        record = corpus_articles.get(a["docno"])
        assert record is not None, f"{a['docno']} is not in {a['corpus_file']}"
        assert a["published"] == publication_date(record["time"]).isoformat(), a["docno"]


@pytest.mark.corpus
def test_every_label_points_at_its_surface_text(articles, labels, corpus_articles):
    listed = {a["docno"] for a in articles}
    for m in labels:
        assert set(m) == LABEL_KEYS, m
        assert m["docno"] in listed, f"{m['docno']} has labels but is not in articles.jsonl"
        assert m["field"] in ("title", "text"), m
        text = corpus_articles[m["docno"]][m["field"]]
        assert text[m["start"] : m["end"]] == m["surface"], (
            f"{m['docno']} {m['field']}[{m['start']}:{m['end']}] is "
            f"{text[m['start'] : m['end']]!r}, the label says {m['surface']!r}"
        )


def test_labels_do_not_overlap(labels):
    spans = sorted((m["docno"], m["field"], m["start"], m["end"]) for m in labels)
    for a, b in zip(spans, spans[1:], strict=False):
        assert a[:2] != b[:2] or a[3] <= b[2], f"overlapping labels {a} and {b}"


def test_every_interval_fits_its_precision(articles, labels):
    published = {a["docno"]: a["published"] for a in articles}
    for m in labels:
        where = f"{m['docno']} {m['surface']!r}"
        assert m["published"] == published[m["docno"]], where
        if m["category"] in ("negative", "out_of_scope"):
            assert m["is_date"] is (False if m["category"] == "negative" else None), where
            assert m["first"] is m["last"] is m["precision"] is None, where
            assert m["note"], f"{where}: a label that is not a date says why"
            continue
        assert m["category"] in DATE_CATEGORIES and m["is_date"] is True, where
        first, last = day(m["first"]), day(m["last"])
        assert first <= last, where
        days = (last - first).days + 1
        hijri = m["category"] == "hijri"
        if m["precision"] == "day":
            # A night that runs from one evening into the next morning covers both days.
            assert days == 1 or (days == 2 and "night" in m["tags"]), where
        elif m["precision"] == "week":
            assert days == 7 and first.weekday() == SATURDAY, f"{where}: weeks run Sat-Fri"
        elif m["precision"] == "month":
            calendar_month = first.day == 1 and (last + datetime.timedelta(1)).day == 1
            assert calendar_month and first.month == last.month or hijri and days in (29, 30), where
        elif m["precision"] == "year":
            calendar_year = (first.month, first.day, last.month, last.day) == (1, 1, 12, 31)
            assert calendar_year and first.year == last.year or hijri and days in (354, 355), where
        else:
            pytest.fail(f"{where}: unknown precision {m['precision']!r}")


def test_weekdays_written_in_a_label_match_its_days(labels):
    """A weekday written in a label ("الخميس", "ليل الأحد الاثنين") is a day of its interval."""
    checked = 0
    for m in labels:
        if not m["is_date"] or m["precision"] != "day":
            continue
        named = [WEEKDAYS[w] for w in WEEKDAY_NAME.findall(m["surface"])]
        first, last = day(m["first"]), day(m["last"])
        if len(named) == 1 and first == last:
            assert first.weekday() == named[0], f"{m['docno']} {m['surface']!r} on {first}"
            checked += 1
        elif len(named) == 2 and "night" in m["tags"]:
            assert [first.weekday(), last.weekday()] == named, f"{m['docno']} {m['surface']!r}"
            checked += 1
    assert checked >= 150


def test_gregorian_years_written_in_a_label_are_its_years(labels):
    checked = 0
    for m in labels:
        if not m["is_date"] or m["category"] == "hijri" or "typo" in m["tags"]:
            continue
        written = {int(y) for y in YEAR.findall(m["surface"].translate(TO_ASCII))}
        if written:
            years = set(range(day(m["first"]).year, day(m["last"]).year + 1))
            assert written == years, f"{m['docno']} {m['surface']!r}: {m['first']}..{m['last']}"
            checked += 1
    assert checked >= 150


def test_halves_are_drawn_by_article(articles, labels):
    assert {a["half"] for a in articles} == HALVES
    half = {a["docno"]: a["half"] for a in articles}
    for kind in (True, False):  # both halves hold read-in-full and targeted articles
        assert {a["half"] for a in articles if a["exhaustive"] is kind} == HALVES
    dates = Counter(half[m["docno"]] for m in labels if m["is_date"])
    assert min(dates.values()) >= 200, dates
    for category in DATE_CATEGORIES | {"negative"}:
        per_half = Counter(half[m["docno"]] for m in labels if m["category"] == category)
        assert min(per_half[h] for h in HALVES) >= 7, (category, per_half)


def test_sample_covers_what_the_issue_asks_to_measure(articles, labels):
    dates = [m for m in labels if m["is_date"]]
    assert len(dates) >= 300
    assert sum(m["category"] == "negative" for m in labels) >= 40
    categories = Counter(m["category"] for m in dates)
    assert all(categories[c] >= 15 for c in DATE_CATEGORIES), categories
    # Every month-name system and way of writing a day the corpus uses.
    tags = Counter(t for m in dates for t in m["tags"])
    for form in ("western", "combined", "maghrebi", "words", "arabic_indic", "numeric"):
        assert tags[form] >= 15, (form, tags[form])
    # Day + Levantine month alone is rare in this corpus (most hits are "14 آذار", a trap).
    assert tags["levantine"] >= 10, tags["levantine"]
    for kind in ("forward", "no_year", "night", "same_weekday", "prayer"):
        assert tags[kind] >= 5, (kind, tags[kind])
    # Most of the sample comes from articles read in full, where precision can be measured.
    exhaustive = {a["docno"] for a in articles if a["exhaustive"]}
    assert len(exhaustive) >= 60
    assert sum(m["docno"] in exhaustive for m in dates) >= 250
