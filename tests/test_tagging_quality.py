"""Location tagging measured against the hand-labelled sample (tests/fixtures/location_sample).

The sample was labelled independently of the tagger (see its README). Scoring follows the
sample's own rules: a found place mention is right when it overlaps a gold place and the place
chosen is one the label accepts; it is wrong when it overlaps a trap, names another place, or
overlaps nothing in an exhaustively labelled article. Places the datasets lack are left out,
and so are the country itself and places abroad, which the sample does not label.

    .venv/bin/pytest -m corpus tests/test_tagging_quality.py -s     # prints the figures
"""

from collections import Counter, defaultdict

import pytest

from articles.models import Location
from articles.tagging import FOUND, find_mentions

from .conftest import LOCATION_SAMPLE, read_jsonl, sampled_corpus_records

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]

SAMPLE = LOCATION_SAMPLE
FIELDS = {"title": "title", "text": "body"}


def sample_articles() -> dict[str, dict]:
    """The sampled articles from the corpus, by docno (with the sample's own fields)."""
    chosen = read_jsonl(SAMPLE / "articles.jsonl")
    texts = sampled_corpus_records(chosen)
    return {item["docno"]: {**item, **texts[item["docno"]]} for item in chosen}


def identifiers(place: Location) -> set[str]:
    ids = {place.ocha_pcode} if place.ocha_pcode else set()
    if place.geonames_id:
        ids.add(f"geonames:{place.geonames_id}")
    return ids


def evaluate() -> dict:
    """Precision and recall of the asserted (found) place mentions on the sample."""
    articles = sample_articles()
    gold = defaultdict(list)
    for label in read_jsonl(SAMPLE / "mentions.jsonl"):
        gold[label["docno"], FIELDS[label["field"]]].append(label)
    places = Location.objects.in_bulk()
    syria = Location.objects.get(key="sy")

    counts = Counter()
    errors = []
    for docno, article in articles.items():
        predicted = [
            m
            for m in find_mentions(article["title"], article["text"])
            if m.model == "location"
            and m.pk != syria.pk
            and places[m.pk].path.startswith(syria.path)
        ]
        hits = set()
        for m in predicted:
            if m.status != FOUND:
                counts["proposed"] += 1
                continue
            labels = [g for g in gold[docno, m.field] if g["start"] < m.end and m.start < g["end"]]
            place = places[m.pk]
            right = [
                g for g in labels if g["is_place"] and g["in_gazetteer"]
                and identifiers(place) & set(g["accept"])
            ]  # fmt: skip
            outside = [g for g in labels if g["is_place"] and not g["in_gazetteer"]]
            if right:
                counts["tp"] += 1
                hits.update(id(g) for g in right)
            elif outside and not [g for g in labels if g["in_gazetteer"]]:
                counts["not in the data"] += 1
            elif labels or article["exhaustive"]:
                counts["fp"] += 1
                text = article["title"] if m.field == "title" else article["text"]
                errors.append(f"FP {docno} {text[m.start : m.end]!r} -> {place.name_ar}")
        if article["exhaustive"]:
            for field in FIELDS.values():
                for g in gold[docno, field]:
                    if g["is_place"] and g["in_gazetteer"] and id(g) not in hits:
                        counts["fn"] += 1
                        errors.append(f"FN {docno} {g['surface']!r} ({g['name_en']})")
    counts["precision"] = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    counts["recall"] = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    return {"counts": counts, "errors": errors}


def test_location_tagging_precision_and_recall_on_the_labelled_sample(seed_gazetteer):
    result = evaluate()
    counts = result["counts"]
    print(
        f"\nplaces: precision {counts['precision']:.3f}, recall {counts['recall']:.3f} "
        f"(tp {counts['tp']}, fp {counts['fp']}, fn {counts['fn']}; "
        f"{counts['proposed']} proposed for review, "
        f"{counts['not in the data']} found places the datasets lack)"
    )
    print("\n".join(result["errors"]))
    assert counts["tp"] >= 250  # the sample really was scored
    assert counts["precision"] >= 0.95
    assert counts["recall"] >= 0.95
