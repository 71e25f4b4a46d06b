"""A large import through the admin, against gunicorn as production runs it: the request
returns at once, the import goes on in a process of its own, and its page shows the report.

Issue 17, item 5: a 14,227-line JSONL upload used to run inside the request; gunicorn cut it
at 30 s with a bare 500 after 11,895 articles, and the editor never saw what landed.
"""

import gzip
import json
import os
import re
import signal

import pytest

from articles.ingest import fingerprint

from . import live_archive
from .conftest import CORPUS

pytestmark = pytest.mark.corpus

LINES = 14_000


@pytest.fixture
def archive(transactional_db, tmp_path):
    with live_archive.running(tmp_path) as archive:
        yield archive


def corpus_feed(count: int, skip: int = 0) -> bytes:
    """``count`` JSONL lines of real news, every text a different article."""
    seen, lines = set(), []
    for path in sorted(CORPUS.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                key = fingerprint(record.get("text") or "")
                if not record.get("text", "").strip() or key in seen:
                    continue
                seen.add(key)
                if len(seen) > skip:
                    lines.append(line.strip())
                if len(lines) == count:
                    return ("\n".join(lines) + "\n").encode()
    raise AssertionError(f"the corpus has fewer than {count + skip} different texts")


def job_of(response) -> str:
    assert response.status_code == 302, response.status_code
    page = response.headers["Location"]
    assert re.fullmatch(r"/admin/articles/importjob/\d+/change/", page), page
    return page


def report_rows(html: str) -> int:
    """The report's rows: counted by its pager (500 a page), or on its only page."""
    pager = re.search(r"\((\d+) سطراً\)", html)
    return int(pager.group(1)) if pager else len(re.findall(r'<tr class="import-', html))


def test_a_14000_line_jsonl_import_runs_in_the_background_and_shows_its_report(archive):
    feed = corpus_feed(LINES)
    archive.log_in()

    response = archive.upload(("feed.jsonl", feed))

    # The request stored the file and returned: the import has barely begun, if at all.
    page = job_of(response)
    assert archive.status(page)["finished"] is False
    status = archive.wait(page, lambda status: status["finished"])
    assert status == {
        "state": "done",
        "label": "انتهى",
        "finished": True,
        "done": LINES,
        "total": LINES,
        "created": LINES,
        "duplicates": 0,
        "refused": 0,
    }
    html = archive.session.get(archive.url + page).text
    assert f"أُنشئ {LINES}، وتُخطّي 0 مكرراً، ورُفض 0." in html
    assert report_rows(html) == LINES
    assert html.count('<tr class="import-created">') == 500  # the first page of the report
    assert archive.query("SELECT count(*) FROM articles_article") == [(LINES,)]


def test_an_import_killed_midway_shows_what_landed_and_finishes_when_run_again(archive):
    feed = corpus_feed(3_000)
    archive.log_in()
    page = job_of(archive.upload(("feed.jsonl", feed)))
    job = int(page.split("/")[-3])
    archive.wait(page, lambda status: status["done"] >= 300)

    # As a server restart would: the import's process and its workers are killed outright.
    [(pid,)] = archive.query(f"SELECT pid FROM articles_importjob WHERE id = {job}")
    os.killpg(pid, signal.SIGKILL)

    status = archive.wait(page, lambda status: status["finished"])
    assert status["state"] == "interrupted" and status["label"] == "توقّف قبل أن ينتهي"
    landed = status["done"]
    assert 300 <= landed < 3_000 and status["created"] == landed
    html = archive.session.get(archive.url + page).text
    assert "توقّف هذا الاستيراد قبل أن ينتهي" in html
    assert report_rows(html) == landed  # what landed is listed

    again = archive.session.post(
        archive.url + page.replace("/change/", "/again/"),
        headers=archive.csrf(html),
        allow_redirects=False,
    )
    assert again.status_code == 302
    status = archive.wait(page, lambda status: status["finished"])
    assert status["state"] == "done"
    assert status["done"] == 3_000 and status["refused"] == 0
    # What had landed comes back as duplicates (a batch saved just before the kill, too).
    assert status["duplicates"] >= landed
    assert status["created"] + status["duplicates"] == 3_000
    assert archive.query("SELECT count(*) FROM articles_article") == [(3_000,)]
