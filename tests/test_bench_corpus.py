"""The benchmark's articles: the real corpus first, then distinct recombinations of it."""

import itertools

import pytest

from bench.corpus import articles, paragraphs, read_corpus

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus():
    return read_corpus()


def test_corpus_is_read_once_without_empty_texts(corpus):
    assert len(corpus) > 40_000  # 41,686 records less the empty and repeated texts
    assert all(record["text"].strip() for record in corpus)
    assert len({record["text"] for record in corpus}) == len(corpus)


def test_generated_articles_are_new_and_made_of_real_paragraphs(corpus):
    real = {record["text"] for record in corpus}
    real_paragraphs = {p for record in corpus for p in paragraphs(record["text"])}
    generated = list(itertools.islice(articles(corpus, seed=7), len(corpus), len(corpus) + 3000))
    texts = [record["text"] for record in generated]
    assert len(set(texts)) == len(texts)
    assert not real.intersection(texts)
    for text in texts[:300]:
        parts = paragraphs(text)
        assert len(parts) >= 2
        assert real_paragraphs.issuperset(parts)
    assert len({record["docno"] for record in generated}) == len(generated)


def test_generated_articles_follow_the_corpus_length_distribution(corpus):
    generated = itertools.islice(articles(corpus, seed=7), len(corpus), len(corpus) + 5000)
    real_median = sorted(len(r["text"]) for r in corpus)[len(corpus) // 2]
    lengths = sorted(len(r["text"]) for r in generated)
    assert 0.8 * real_median <= lengths[len(lengths) // 2] <= 1.25 * real_median


def test_same_seed_gives_the_same_archive(corpus):
    first = [r["text"] for r in itertools.islice(articles(corpus, seed=3), 0, 45_000, 500)]
    again = [r["text"] for r in itertools.islice(articles(corpus, seed=3), 0, 45_000, 500)]
    other = [r["text"] for r in itertools.islice(articles(corpus, seed=4), 0, 45_000, 500)]
    assert first == again
    assert first != other
