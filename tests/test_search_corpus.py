"""Town-name search measured on real news: the ANT corpus, 31,525 Arabic articles from 2018.

The truth is an independent reading of the raw text (bench/search_quality.py: a regular
expression per name with explicit proclitics and word boundaries, not the analyser). The bar
from the issue: precision and recall of at least 0.99, on SQLite and on PostgreSQL alike.
"""

import pytest

from bench.search_quality import (
    NAMES,
    archive_search,
    load_corpus,
    populate,
    score,
    table,
    truth,
)

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_town_names_are_found_with_precision_and_recall_of_99_percent(corpus):
    articles = populate(corpus)
    assert len(articles) == len(corpus) == 31_525

    expected = truth(articles, NAMES)
    scores = score(archive_search(NAMES), expected)
    print("\n" + table({"archive": scores}))

    total = scores[-1]
    assert total.relevant > 5_000  # the names really are all over the corpus
    assert all(row.relevant > 0 for row in scores), "a name that never occurs measures nothing"
    assert total.precision >= 0.99, table({"archive": scores})
    assert total.recall >= 0.99, table({"archive": scores})
    weak = [row.name for row in scores if min(row.precision, row.recall) < 0.95]
    assert not weak, f"names below 0.95: {weak}"
