from django.db import migrations

# The archive's own order (newest first, undated last, then newest id): lists read it from an
# index instead of sorting every article for each page. PostgreSQL only: SQLite cannot index
# NULLS LAST, and its ordering by "published DESC" already puts NULLs last.
CREATE = (
    "CREATE INDEX IF NOT EXISTS article_newest_first "
    "ON articles_article (published DESC NULLS LAST, id DESC)"
)
DROP = "DROP INDEX IF EXISTS article_newest_first"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_article_version"),
    ]

    operations = [migrations.RunPython(create, drop)]
