"""The full-text index of the analyser's terms: GIN on PostgreSQL, an FTS5 table on SQLite.

Both live outside Django's model state, so this is RunPython. The statements are copied from
articles/search (postgres.py, sqlite.py) as they were when this migration was last changed: a
migration must not change with the live code, nor import it. Filling the index needs the
analyser, so it is left to the search package's post_migrate receiver
(``search.install_after_migrate``), which indexes every article the index lacks and replaces an
index of an older format.
"""

from django.db import migrations

FTS_TABLE = "articles_article_fts"
FTS_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '_'"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_vector_gin "
            "ON articles_article USING gin (search_vector)"
        )
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        f'title, body, tokenize = "{FTS_TOKENIZE}")'
    )
    # Also catches deletes that send no signal (queryset fast-deletes, test flushes).
    schema_editor.execute(
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE "
        f"ON articles_article BEGIN DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
    )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_vector_gin")
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete")
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
