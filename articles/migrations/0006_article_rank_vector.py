"""A small vector of the title and opening words, which PostgreSQL ranks matches by.

Kept in the row (storage MAIN: compressed rather than moved out of line), so ranking every
match of a common town name reads only the rows the search finds. Existing articles are
indexed again to fill it; SQLite ranks with its FTS5 table and leaves the column empty.
"""

import django.contrib.postgres.search
from django.db import migrations

from articles import search


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE articles_article ALTER COLUMN rank_vector SET STORAGE MAIN")
    article = apps.get_model("articles", "Article")
    articles = article.objects.using(schema_editor.connection.alias)
    search.index_articles(
        articles.only("pk", "title", "body").iterator(chunk_size=500),
        using=schema_editor.connection.alias,
    )


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
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
