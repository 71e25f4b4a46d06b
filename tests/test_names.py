"""One snapshot of the gazetteer's names serves the search and the tagger."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import arabic, names, search, tagging
from articles.models import Location, Party

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("load_seeds", "--no-articles", stdout=StringIO())
    names.forget()
    yield
    names.forget()


def reads_of(table: str, queries) -> int:
    return sum(f'FROM "{table}"' in query["sql"] for query in queries)


def test_search_and_tagging_check_and_read_the_names_once(seeded, monkeypatch):
    calls = []
    words = arabic.words
    monkeypatch.setattr(arabic, "words", lambda text: calls.append(text) or words(text))
    with CaptureQueriesContext(connection) as queries:
        known = search.known_names()
        matcher = tagging.gazetteer()
    assert "درعا" in known.arabic and matcher.location_trie.root
    # One state check (rows and edits of each table) and one read of the rows, not two.
    for table in ("articles_location", "articles_party"):
        assert reads_of(table, queries.captured_queries) == 2, table
        assert reads_of(table.replace("_", "_historical", 1), queries.captured_queries) == 1
    # Each name analysed once; the matcher adds only the phrases that are not names.
    spelled = {n for model in (Location, Party) for r in model.objects.all() for n in r.all_names()}
    not_places = tagging.read_not_places(tagging.not_places_file())
    assert len(calls) <= len(spelled) + len(not_places)


def test_the_snapshot_is_kept_until_a_place_changes_and_then_read_once_for_both(seeded):
    first = names.current()
    matcher = tagging.gazetteer()
    assert names.current() is first and tagging.gazetteer() is matcher  # ingest's workers
    place = Location.objects.create(name_ar="تل شهاب", name_en="Tell Shihab", kind="village")
    assert "tell shihab" in search.known_names().variants
    assert [m.pk for m in tagging.find_mentions("", "من بلدة تل شهاب")] == [place.pk]
    assert tagging.gazetteer() is not matcher
