"""The full-text index of the analyser's terms: GIN on PostgreSQL, an FTS5 table on SQLite.

Both live outside Django's model state, so this is RunPython calling search.py, which picks
the database vendor; it also indexes the articles that already exist.
"""

from django.db import migrations

from articles import search


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(search.install_index, search.uninstall_index),
    ]
