"""Killing an ingest run mid-way loses nothing and half-saves nothing; running it again finishes.

The run is a real ``manage.py ingest`` in a child process, killed with SIGKILL (no clean-up
of any kind), against a database the test inspects with plain SQL afterwards.
"""

import gzip
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.db import connection

from articles.ingest import parse_text
from articles.search import FTS_TABLE

from .conftest import CORPUS, PROJECT

pytestmark = pytest.mark.corpus

FILES = 240
KILL_AFTER = 25  # articles committed before the kill


def corpus_texts(count: int) -> list[str]:
    path = CORPUS / "BBC.jsonl.gz"
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, count * 2):
            record = json.loads(line)
            if record.get("title") and len(record.get("text", "")) > 200:
                texts.append(f"{record['title'].strip()}\n\n{record['text'].strip()}\n")
    return texts[:count]


class Database:
    """The same database for the test and the child process, read with plain SQL."""

    def __init__(self, tmp_path):
        self.env = {**os.environ}
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
            self.sqlite_path = None
        else:
            self.sqlite_path = tmp_path / "crash.sqlite3"
            self.env["DATABASE_URL"] = f"sqlite:///{self.sqlite_path}"
            manage(["migrate", "--no-input", "-v0"], self.env)

    def rows(self, sql: str) -> list[tuple]:
        if self.sqlite_path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        with sqlite3.connect(self.sqlite_path, timeout=30) as db:
            return db.execute(sql).fetchall()

    def count(self, sql: str) -> int:
        return self.rows(sql)[0][0]

    def unindexed(self) -> int:
        if self.sqlite_path is None:
            return self.count("SELECT count(*) FROM articles_article WHERE search_vector IS NULL")
        return self.count(
            f"SELECT count(*) FROM articles_article WHERE id NOT IN (SELECT rowid FROM {FTS_TABLE})"
        )


def manage(args: list[str], env: dict, **kwargs):
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=PROJECT, env=env, check=True, timeout=600, **kwargs)


def assert_nothing_half_saved(db: Database, expected: dict[str, tuple[str, str]]):
    for model in ("locationmention", "partymention"):
        orphans = db.count(
            f"SELECT count(*) FROM articles_{model} m "
            "LEFT JOIN articles_article a ON a.id = m.article_id WHERE a.id IS NULL"
        )
        assert orphans == 0, f"{orphans} {model} rows point at no article"
    for origin, title, body in db.rows("SELECT origin, title, body FROM articles_article"):
        assert (title, body) == expected[origin], f"{origin} was saved incompletely"
    assert db.unindexed() == 0, "an article was saved without its search index entry"


@pytest.mark.django_db(transaction=True)
def test_ingest_killed_mid_run_leaves_no_partial_article_and_a_rerun_lands_each_file_once(
    tmp_path,
):
    folder = tmp_path / "texts"
    folder.mkdir()
    expected = {}
    for number, text in enumerate(corpus_texts(FILES)):
        path = folder / f"{number:04d}.txt"
        path.write_text(text, encoding="utf-8")
        expected[str(path)] = tuple(parse_text(text))
    assert len(expected) == FILES
    db = Database(tmp_path)

    run = subprocess.Popen(
        [sys.executable, "manage.py", "ingest", str(folder)],
        cwd=PROJECT,
        env=db.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while db.count("SELECT count(*) FROM articles_article") < KILL_AFTER:
        assert run.poll() is None, "the ingest run ended before it could be killed"
        assert time.monotonic() < deadline, "the ingest run saved nothing for five minutes"
        time.sleep(0.02)
    run.send_signal(signal.SIGKILL)
    assert run.wait(timeout=60) == -signal.SIGKILL

    landed = db.count("SELECT count(*) FROM articles_article")
    assert KILL_AFTER <= landed < FILES, "the kill did not come mid-run"
    assert_nothing_half_saved(db, expected)

    rerun = manage(["ingest", str(folder)], db.env, capture_output=True, text=True)
    assert f"{FILES - landed} created, {landed} duplicate, 0 failed" in rerun.stdout

    origins = [row[0] for row in db.rows("SELECT origin FROM articles_article")]
    assert sorted(origins) == sorted(expected)  # every file exactly once
    assert_nothing_half_saved(db, expected)
