"""Every text reaches the archive the same way: prepared once, saved by the one batch save.

A folder's .txt files, a zip's entries, a JSONL file's lines, the files of an upload and a
single ``article_ingest`` all go through ``save_batch``, a batch of up to 100 texts at a time
(one insert of articles per batch), and a saved article's body is analysed once.
"""

import io
import json
import os
import subprocess
import sys
import zipfile
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import arabic, jobs
from articles.ingest import article_ingest, fingerprint, ingest_paths, ingest_upload, save
from articles.models import Article

from .archive_data import ANTONOV, DISPLACED, TAFAS
from .conftest import PROJECT

pytestmark = pytest.mark.django_db

# The three texts alone and in pairs: nine different articles.
TEXTS = [
    TAFAS,
    DISPLACED,
    ANTONOV,
    f"{TAFAS} {DISPLACED}",
    f"{DISPLACED} {ANTONOV}",
    f"{ANTONOV} {TAFAS}",
    f"{TAFAS} {ANTONOV}",
    f"{DISPLACED} {TAFAS}",
    f"{ANTONOV} {DISPLACED}",
]


@pytest.fixture
def batches(monkeypatch):
    """The origins of each batch handed to ``save_batch``, in call order."""
    calls: list[list[str]] = []
    real = save.save_batch

    def counted(batch):
        calls.append([prepared.origin for prepared in batch])
        return real(batch)

    monkeypatch.setattr(save, "save_batch", counted)
    return calls


def article_inserts(queries) -> int:
    return sum(q["sql"].startswith('INSERT INTO "articles_article" ') for q in queries)


def folder_of(tmp_path, texts) -> list:
    folder = tmp_path / "texts"
    folder.mkdir()
    for number, text in enumerate(texts):
        (folder / f"{number}.txt").write_text(text, encoding="utf-8")
    return [folder]


def zip_of(tmp_path, texts) -> list:
    path = tmp_path / "texts.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, text in enumerate(texts):
            archive.writestr(f"texts/{number}.txt", text.encode("utf-16"))
    return [path]


def jsonl_of(tmp_path, texts) -> list:
    path = tmp_path / "texts.jsonl"
    records = ({"id": number, "text": text} for number, text in enumerate(texts))
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return [path]


@pytest.fixture
def upload_job(settings, tmp_path, django_user_model):
    """Run an admin upload of files as the job's own process runs it (in this process)."""
    settings.IMPORT_ROOT = tmp_path / "imports"
    user = django_user_model.objects.create_user("editor", password="x-long-password-1")

    def run(texts) -> list[tuple[str, str]]:
        uploads = [
            SimpleUploadedFile(f"{number}.txt", text.encode("cp1256"))
            for number, text in enumerate(texts)
        ]
        job = jobs.create_job(user=user, uploads=uploads, source=None, language="en")
        jobs.run(job.pk)
        return list(job.rows.order_by("position").values_list("origin", "status"))

    return run


@pytest.mark.parametrize("files", [folder_of, zip_of, jsonl_of], ids=["folder", "zip", "jsonl"])
def test_texts_of_a_folder_a_zip_and_a_jsonl_file_are_saved_in_one_batch(files, tmp_path, batches):
    paths = files(tmp_path, TEXTS)
    with CaptureQueriesContext(connection) as queries:
        results = list(ingest_paths(paths))
    assert [result.status for result in results] == ["created"] * len(TEXTS)
    assert batches == [[result.origin for result in results]]
    assert article_inserts(queries) == 1
    assert Article.objects.count() == len(TEXTS)


def test_the_files_of_an_upload_are_saved_together_in_one_batch(upload_job, batches):
    with CaptureQueriesContext(connection) as queries:
        rows = upload_job(TEXTS)
    assert rows == [(f"{number}.txt", "created") for number in range(len(TEXTS))]
    assert batches == [[f"{number}.txt" for number in range(len(TEXTS))]]
    assert article_inserts(queries) == 1


def test_a_single_text_is_a_batch_of_one_through_the_same_save(batches, tmp_path):
    result = article_ingest(text=TAFAS, origin="one.txt")
    [upload] = ingest_upload("two.txt", io.BytesIO(DISPLACED.encode()))
    assert (result.status, upload.status) == ("created", "created")
    assert batches == [["one.txt"], ["two.txt"]]


def test_a_long_import_is_saved_in_batches_of_100_in_order(tmp_path, batches):
    texts = [f"{TEXTS[n % 9]} {n}" for n in range(250)]  # a number of its own: 250 articles
    results = list(ingest_paths(zip_of(tmp_path, texts)))
    assert [len(batch) for batch in batches] == [100, 100, 50]
    assert [origin for batch in batches for origin in batch] == [r.origin for r in results]
    assert {result.status for result in results} == {"created"}


@pytest.mark.parametrize("route", ["article_ingest", "upload", "folder"])
def test_the_body_of_a_saved_article_is_tokenised_once(route, seed_text, tmp_path, monkeypatch):
    """One analysis gives the fingerprint, the search index and the places and parties."""
    analysed = Counter()
    tokenize = arabic.tokenize

    def counted(text):
        analysed[text] += 1
        return tokenize(text)

    monkeypatch.setattr(arabic, "tokenize", counted)
    if route == "article_ingest":
        result = article_ingest(text=seed_text, origin="seed.txt")
    elif route == "upload":
        [result] = ingest_upload("seed.txt", io.BytesIO(seed_text.encode()))
    else:
        [result] = ingest_paths(folder_of(tmp_path, [seed_text]))
    article = result.article
    assert article.byline == "علي المحاميد"  # the reporter's clause was read too
    assert analysed[article.body] == 1
    assert list(Article.objects.search("درعا")) == [article]


def test_a_duplicate_saved_by_another_run_during_the_batch_is_reported_and_the_rest_saved(
    tmp_path,
):
    """Another run saves the second text right after this batch's duplicate check."""
    digest = fingerprint(DISPLACED)
    raced = []

    def other_run_saves_after_our_check(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not raced and sql.startswith("SELECT") and digest in (params or ()):
            raced.append(True)
            Article.objects.bulk_create([Article(title="t", body="b", fingerprint=digest)])
        return result

    with connection.execute_wrapper(other_run_saves_after_our_check):
        results = list(ingest_paths(folder_of(tmp_path, [TAFAS, DISPLACED, ANTONOV])))
    assert raced, "the duplicate check did not run"
    assert [result.status for result in results] == ["created", "duplicate", "created"]
    assert results[1].duplicate_of == Article.objects.get(title="t")
    assert Article.objects.count() == 3
    assert list(Article.objects.search("أنتونوف")) == [results[2].article]


@pytest.mark.postgres_only(
    "a SQLite transaction takes the write lock as it begins: no writer comes in between"
)
@pytest.mark.django_db(transaction=True)
def test_a_text_another_process_commits_during_the_batch_is_its_duplicate(tmp_path):
    """Two imports at once: the other commits a text between our check and insert."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    env = {**os.environ, "DATABASE_URL": f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"}
    other = tmp_path / "other" / "displaced.txt"
    other.parent.mkdir()
    other.write_text(DISPLACED, encoding="utf-8")
    digest = fingerprint(DISPLACED)
    raced = []

    def other_import_commits_after_our_check(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not raced and sql.startswith("SELECT") and digest in (params or ()):
            raced.append(True)
            command = [sys.executable, "manage.py", "ingest", str(other)]
            subprocess.run(command, cwd=PROJECT, env=env, check=True, capture_output=True)
        return result

    with connection.execute_wrapper(other_import_commits_after_our_check):
        results = list(ingest_paths(folder_of(tmp_path, [TAFAS, DISPLACED, ANTONOV])))
    assert raced, "the duplicate check did not run"
    assert [result.status for result in results] == ["created", "duplicate", "created"]
    assert results[1].duplicate_of.origin == str(other)
    assert Article.objects.count() == 3
    assert list(Article.objects.search("الجولان")) == [results[1].duplicate_of]
