"""An archive made before the search index is upgraded by migrate, on either database."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.models import Article

# From the seed article and BBC Arabic (2018).
REPORTER = "وقال مراسل روزنة في {} علي المحاميد، إن الجولة الثانية لم تفضِ لأي نتيجة."
FILLER = (
    "وكان تحليل الحمض النووي قد أثبت أن أخناتون هو بالفعل والد توت عنخ أمون، لكن علماء "
    "دراسات تاريخ مصر القديم لم يتفقوا حتى الآن على هوية والدته. "
) * 6


@pytest.mark.django_db(transaction=True)
def test_an_archive_from_before_the_search_index_is_indexed_by_migrate():
    """Migrations 0002 and 0006 make room for the index; migrate then fills it."""
    call_command("migrate", "articles", "0001", verbosity=0)
    try:
        state = MigrationExecutor(connection).loader.project_state(("articles", "0001_initial"))
        old = state.apps.get_model("articles", "Article")
        headline = old.objects.create(title="قصف على بدرعا", body=FILLER, fingerprint="a").pk
        deep = old.objects.create(
            title="تقرير", body=FILLER + REPORTER.format("درعا"), fingerprint="b"
        ).pk
        old.objects.create(title="خبر", body=REPORTER.format("حمص"), fingerprint="c")
    finally:
        call_command("migrate", stdout=(out := StringIO()))
    assert "3 articles indexed" in out.getvalue()
    # Found by the analyser's terms, and ranked: on PostgreSQL by the vector 0006 added.
    assert [a.pk for a in Article.objects.search("درعا")] == [headline, deep]
    if connection.vendor == "postgresql":
        assert not Article.objects.filter(rank_vector__isnull=True).exists()
    call_command("migrate", stdout=(again := StringIO()))
    assert "indexed" not in again.getvalue()  # filled once
