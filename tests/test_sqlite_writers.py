"""Several writers at once on the default database, SQLite, as a real server meets them.

The in-memory test database cannot show this (one process, shared cache, no file locks): these
tests serve a real SQLite file with gunicorn (two worker processes, each with its own
connection) or write to it from a second process. On PostgreSQL they run against its test
database and must hold there too.
"""

import gzip
import json
import os
import subprocess
import sys
import threading

import pytest

from articles.models import Article

from .conftest import PROJECT
from .served import SharedDatabase, editor_session, form_fields, served

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 3  # races run; each must end in one save and one conflict message
CONFLICT = "saved this article"  # the message, in English: the test asks for English pages
NOT_SAVED = "your changes were NOT saved"


def at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index):
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_editors_saving_one_article_at_once_get_one_save_and_one_conflict_message(
    tmp_path, seed_text
):
    title, _, body = seed_text.partition("\n")
    article = Article.objects.create(title=title.strip(), body=body, fingerprint="seed")
    sessions = {name: editor_session(name) for name in ("amal", "basel")}
    database = SharedDatabase(tmp_path)
    database.publish()
    url = f"/admin/articles/article/{article.pk}/change/"

    # DEBUG on: the admin's pages need collected static files otherwise (not the point here).
    with served(database, tmp_path, debug=True) as server:
        for round_number in range(1, ROUNDS + 1):
            # Both editors open the article before either saves: the same based_on_version.
            loaded = {}
            for name, session in sessions.items():
                cookies = {"sessionid": session, "django_language": "en"}
                page = server.request("GET", url, cookies=cookies)
                assert page.status == 200, page.text[:2000]
                cookies.update(page.cookies())
                fields = dict(form_fields(page.text, "article_form"))
                assert fields["based_on_version"] == str(round_number)
                fields["title"] = f"نسخة {name} {round_number}"
                loaded[name] = (cookies, fields)

            amal, basel = at_once(
                *(
                    lambda cookies=cookies, fields=fields: server.request(
                        "POST", url, cookies=cookies, form=fields
                    )
                    for cookies, fields in (loaded["amal"], loaded["basel"])
                )
            )

            statuses = sorted([amal.status, basel.status])
            assert statuses == [200, 302], (statuses, server.server_log())
            refused = amal if amal.status == 200 else basel
            assert CONFLICT in refused.text and NOT_SAVED in refused.text
            winner = "amal" if amal.status == 302 else "basel"
            [(saved_title, version)] = database.rows(
                "SELECT title, version FROM articles_article WHERE id = %s", [article.pk]
            )
            assert (saved_title, version) == (f"نسخة {winner} {round_number}", round_number + 1)
            # The refused editor's text is still on screen, to copy.
            loser = "basel" if winner == "amal" else "amal"
            assert f"نسخة {loser} {round_number}" in refused.text

    [(changes,)] = database.rows(
        "SELECT count(*) FROM articles_historicalarticle WHERE id = %s AND history_type = '~'",
        [article.pk],
    )
    assert changes == ROUNDS


def test_a_backup_in_progress_does_not_hold_up_an_editors_save(tmp_path):
    """`manage.py export_archive` reads every table as of one moment; editors save meanwhile."""
    # Enough text that the backup cannot finish while nobody reads it: it waits mid-way.
    filler = " ".join(f"كلمة{n}" for n in range(3000))
    articles = Article.objects.bulk_create(
        Article(title=f"مقال {n}", body=f"{n} {filler}", fingerprint=f"backup-{n}")
        for n in range(60)
    )
    database = SharedDatabase(tmp_path)
    database.publish()
    backup = tmp_path / "backup.jsonl.gz"
    # The backup is written to "<name>.partial" first: a pipe there lets the test hold the
    # backup in the middle of its work, inside its snapshot, for as long as it likes.
    os.mkfifo(tmp_path / "backup.jsonl.gz.partial")
    run = subprocess.Popen(
        [sys.executable, "manage.py", "export_archive", str(backup)],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database.url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with open(tmp_path / "backup.jsonl.gz.partial", "rb") as pipe:
            # The backup has begun its snapshot and opened its file; it waits for a reader.
            if database.sqlite_path is None:
                Article.objects.filter(pk=articles[0].pk).update(title="عنوان جديد")
            else:
                editor = _sqlite_writer(database.sqlite_path, articles[0].pk)
                assert editor.returncode == 0, editor.stderr
            backup_bytes = pipe.read()
        assert run.wait(timeout=300) == 0, run.stderr.read()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert len(backup_bytes) > 64 * 1024  # more than a pipe holds: the backup was mid-way
    end = json.loads(gzip.decompress(backup_bytes).splitlines()[-1])
    assert end["end"] and end["counts"]["article"] == len(articles)  # and it is whole
    [(title,)] = database.rows("SELECT title FROM articles_article WHERE id = %s", [articles[0].pk])
    assert title == "عنوان جديد"


def _sqlite_writer(path, pk: int) -> subprocess.CompletedProcess:
    """An editor's save from another process, through the app's own database settings."""
    script = (
        f"from articles.models import Article; "
        f"Article.objects.filter(pk={pk}).update(title='عنوان جديد')"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
