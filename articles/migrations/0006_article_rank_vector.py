"""A small vector of the title and opening words, which PostgreSQL ranks matches by.

Kept in the row (storage MAIN: compressed rather than moved out of line), so ranking every
match of a common town name reads only the rows the search finds. SQLite ranks with its FTS5
table and leaves the column empty. Filling it for the articles that exist needs the analyser,
which a migration must not import: the search package's post_migrate receiver
(``search.install_after_migrate``) indexes every article whose vector is empty, right after.
"""

import django.contrib.postgres.search
from django.db import migrations


def keep_in_row(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE articles_article ALTER COLUMN rank_vector SET STORAGE MAIN")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_article_newest_first_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="rank_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(keep_in_row, migrations.RunPython.noop),
    ]
