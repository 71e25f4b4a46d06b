"""The admin's "Import texts" page: upload files, see per file what was created or refused.

The import itself runs in a process of its own (articles/jobs.py); here the tests run that
process's command, ``run_import_job``, in the test's own process and database.
"""

import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import jobs
from articles.accounts import EDITORS, READERS
from articles.ingest import article_ingest, fingerprint
from articles.models import Article, ImportJob, ImportJobRow, Source

from .archive_data import DISPLACED, TAFAS
from .test_security import assert_nothing_inline

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:articles_article_import"


@pytest.fixture(autouse=True)
def import_root(settings, tmp_path):
    settings.IMPORT_ROOT = tmp_path / "imports"
    return settings.IMPORT_ROOT


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def rows(response) -> list[tuple[str, str]]:
    return [(row.origin, row.status) for row in response.context["rows"]]


def job_page(job) -> str:
    return reverse("admin:articles_importjob_change", args=[job.pk])


def import_files(client, files, **data):
    """Upload as an editor does, run the job the upload queued, and open the job's page."""
    response = client.post(reverse(IMPORT_URL), {"files": files, **data})
    job = ImportJob.objects.latest("pk")
    assert response.status_code == 302 and response.url == job_page(job)
    call_command("run_import_job", job.pk, stdout=StringIO())
    return client.get(response.url)


def test_article_list_links_to_the_import_page(editor_client):
    page = editor_client.get(reverse("admin:articles_article_changelist"))
    assert reverse(IMPORT_URL) in page.content.decode()


def test_import_page_is_an_arabic_right_to_left_upload_form(editor_client):
    page = editor_client.get(reverse(IMPORT_URL))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'lang="ar" dir="rtl"' in html
    assert "<title>استيراد نصوص" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="files"' in html and "multiple" in html


def test_upload_shows_created_duplicate_and_refused_files_with_links(editor_client, seed_text):
    Source.objects.create(name_ar="روزنة", name_en="Rozana", key="rozana")
    original = Article.objects.create(title="طفس", body=TAFAS, fingerprint=fingerprint(TAFAS))
    files = [
        upload("seed.txt", seed_text.encode("cp1256")),
        upload("tafas-again.txt", b"\xef\xbb\xbf" + TAFAS.replace(" ", "  ").encode()),
        upload("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        upload("empty.txt", b""),
    ]

    response = import_files(editor_client, files)

    assert response.status_code == 200
    assert rows(response) == [
        ("seed.txt", "created"),
        ("tafas-again.txt", "duplicate"),
        ("photo.txt", "failed"),
        ("empty.txt", "failed"),
    ]
    created = Article.objects.exclude(pk=original.pk).get()
    assert created.byline == "علي المحاميد" and created.source.key == "rozana"
    html = response.content.decode()
    assert reverse("admin:articles_article_change", args=[created.pk]) in html
    assert reverse("admin:articles_article_change", args=[original.pk]) in html
    assert "فيه بايتات صفرية (NUL): ملف ثنائي" in html
    assert "الملف فارغ" in html
    assert "أُنشئ 1، وتُخطّي 1 مكرراً، ورُفض 2." in html


def test_upload_zip_and_jsonl_lists_each_article(editor_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("daraa/tafas.txt", TAFAS.encode("utf-16"))
        archive.writestr("../../etc/passwd", b"root:x:0:0")
    record = {"id": "n1", "title": "نزوح نحو الحدود الأردنية", "text": DISPLACED}
    feed = json.dumps(record, ensure_ascii=False) + '\n{"id": '  # the second line is cut off

    response = import_files(
        editor_client,
        [upload("batch.zip", buffer.getvalue()), upload("feed.jsonl", feed.encode())],
    )

    assert rows(response) == [
        ("batch.zip:../../etc/passwd", "failed"),
        ("batch.zip:daraa/tafas.txt", "created"),
        ("feed.jsonl:n1", "created"),
        ("feed.jsonl:2", "failed"),
    ]
    html = response.content.decode()
    assert "المسار يقود إلى خارج الأرشيف" in html
    assert "السطر 2: ليس JSON صالحاً" in html
    assert Article.objects.get(origin="feed.jsonl:n1").title == "نزوح نحو الحدود الأردنية"


def test_chosen_source_applies_to_texts_that_name_none(editor_client):
    enab = Source.objects.create(name_ar="عنب بلدي")
    import_files(editor_client, [upload("a.txt", TAFAS.encode())], source=enab.pk)
    assert Article.objects.get().source == enab


def test_submitting_without_files_asks_for_them(editor_client):
    response = editor_client.post(reverse(IMPORT_URL), {})
    assert response.status_code == 200
    assert response.context["form"].errors["files"]
    assert not Article.objects.exists() and not ImportJob.objects.exists()


def test_readers_cannot_import(client, account):
    client.force_login(account("reader", READERS, staff=True))
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    response = client.post(reverse(IMPORT_URL), {"files": [upload("a.txt", TAFAS.encode())]})
    assert response.status_code == 403
    assert not Article.objects.exists() and not ImportJob.objects.exists()
    page = client.get(reverse("admin:articles_article_changelist"))
    assert reverse(IMPORT_URL) not in page.content.decode()


# --------------------------------------------------------------------------- imports as jobs


def test_the_upload_returns_before_importing_and_the_job_imports_on_its_own(
    editor_client, import_root, seed_text
):
    response = editor_client.post(
        reverse(IMPORT_URL), {"files": [upload("seed.txt", seed_text.encode())]}
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job_page(job)
    # The request only stored the file: nothing was imported inside it.
    assert not Article.objects.exists()
    assert job.status == "queued" and job.user.username == "editor"
    [stored] = job.files
    assert stored["name"] == "seed.txt"
    assert (import_root / job.folder / stored["stored"]).read_bytes() == seed_text.encode()
    waiting = editor_client.get(job_page(job))
    html = waiting.content.decode()
    assert "<progress" in html and 'data-status-url="' in html and "js/import-job.js" in html
    assert "import-report" not in html  # the report comes when the import is over
    assert status(editor_client, job)["finished"] is False

    call_command("run_import_job", job.pk, stdout=StringIO())

    job.refresh_from_db()
    assert (job.status, job.created, job.done, job.total) == ("done", 1, 1, 1)
    assert Article.objects.get().origin == "seed.txt"
    # The report holds everything now: the uploaded copy is deleted at once.
    assert job.folder == "" and list(import_root.iterdir()) == [import_root / ".queue"]
    finished = editor_client.get(job_page(job))
    assert rows(finished) == [("seed.txt", "created")]
    assert "js/import-job.js" not in finished.content.decode()


def status(client, job) -> dict:
    response = client.get(reverse("admin:articles_importjob_status", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_the_status_the_page_polls_has_the_state_and_the_counts(editor_client):
    feed = "".join(
        json.dumps({"id": f"n{n}", "text": f"{DISPLACED} ({n})"}, ensure_ascii=False) + "\n"
        for n in range(1, 4)
    )
    response = editor_client.post(
        reverse(IMPORT_URL),
        {"files": [upload("feed.jsonl", (feed + feed.splitlines()[0] + "\n").encode())]},
    )
    job = ImportJob.objects.get()
    assert status(editor_client, job) == {
        "state": "queued",
        "label": "ينتظر دوره",
        "finished": False,
        "done": 0,
        "total": 0,
        "created": 0,
        "duplicates": 0,
        "refused": 0,
    }
    call_command("run_import_job", job.pk, stdout=StringIO())
    assert status(editor_client, job) == {
        "state": "done",
        "label": "انتهى",
        "finished": True,
        "done": 4,
        "total": 4,
        "created": 3,
        "duplicates": 1,
        "refused": 0,
    }
    assert response.status_code == 302


def test_a_20_mb_text_uploaded_in_the_admin_is_refused_with_its_reason(editor_client, seed_text):
    paragraph = (seed_text.replace("\n", " ") + "\n").encode()
    huge = (paragraph * (20 * 1024 * 1024 // len(paragraph) + 1))[: 20 * 1024 * 1024]

    response = import_files(
        editor_client, [upload("huge.txt", huge), upload("seed.txt", seed_text.encode())]
    )

    assert rows(response) == [("huge.txt", "failed"), ("seed.txt", "created")]
    assert (
        "حجم الملف 20 ميغابايت، والحد الأقصى للمقال 1 ميغابايت — قسّمه أو تحقّق من الملف"
        in response.content.decode()
    )
    assert Article.objects.get().origin == "seed.txt"


def test_a_long_report_comes_in_pages_and_by_result(editor_client):
    lines = [
        json.dumps({"id": f"n{n}", "text": f"{TAFAS} ({n})"}, ensure_ascii=False)
        for n in range(1, 1101)
    ]
    lines[99] = '{"id": "cut'  # a damaged line
    lines.append(lines[0])  # the same article again
    response = import_files(editor_client, [upload("feed.jsonl", "\n".join(lines).encode())])

    job = ImportJob.objects.get()
    assert (job.done, job.created, job.duplicates, job.refused) == (1101, 1099, 1, 1)
    assert len(response.context["rows"]) == 500
    assert response.context["page_obj"].paginator.count == 1101
    assert "أُنشئ 1099، وتُخطّي 1 مكرراً، ورُفض 1." in response.content.decode()
    last = editor_client.get(job_page(job) + "?page=3")
    assert rows(last)[-1] == ("feed.jsonl:n1", "duplicate")
    refused = editor_client.get(job_page(job) + "?status=failed")
    assert rows(refused) == [("feed.jsonl:100", "failed")]


@pytest.fixture
def other_editor(account):
    return account("other", EDITORS, staff=True)


def test_an_import_is_seen_by_the_editor_who_started_it_and_by_superusers_only(
    client, editor_client, other_editor, account, django_user_model
):
    import_files(editor_client, [upload("a.txt", TAFAS.encode())])
    job = ImportJob.objects.get()
    mine = editor_client.get(reverse("admin:articles_importjob_changelist"))
    assert [str(j) for j in mine.context["cl"].result_list] == [f"#{job.pk} a.txt"]
    assert job_page(job) in editor_client.get(reverse(IMPORT_URL)).content.decode()

    client.force_login(other_editor)
    theirs = client.get(reverse("admin:articles_importjob_changelist"))
    assert list(theirs.context["cl"].result_list) == []
    assert client.get(job_page(job)).status_code == 404
    assert client.get(reverse("admin:articles_importjob_status", args=[job.pk])).status_code == 404
    assert job_page(job) not in client.get(reverse(IMPORT_URL)).content.decode()

    client.force_login(account("reader", READERS, staff=True))
    assert client.get(job_page(job)).status_code == 403
    assert client.get(reverse("admin:articles_importjob_changelist")).status_code == 403
    assert "importjob" not in client.get(reverse("admin:index")).content.decode()

    boss = django_user_model.objects.create_superuser("boss", password="x-long-password-1")
    client.force_login(boss)
    assert client.get(job_page(job)).status_code == 200


def hold_lock(path) -> subprocess.Popen:
    """A real process holding a file lock, as the process running an import does."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(120)\n",
            str(path),
        ],
        stdout=subprocess.PIPE,
    )
    assert holder.stdout.readline() == b"locked\n"
    return holder


def test_an_import_whose_process_died_is_shown_interrupted_and_runs_again(editor_client, seed_text):
    response = editor_client.post(
        reverse(IMPORT_URL),
        {"files": [upload("seed.txt", seed_text.encode()), upload("a.txt", TAFAS.encode())]},
    )
    job = ImportJob.objects.get()
    # As the process running it had left it: running, the first text landed and reported.
    ingested = article_ingest(text=seed_text, origin="seed.txt")
    ImportJob.objects.filter(pk=job.pk).update(status="running", done=1, created=1, total=2)
    ImportJobRow.objects.create(
        job=job, position=0, status="created", origin="seed.txt", article_id=ingested.article.pk
    )
    holder = hold_lock(jobs.Path(job.folder) / jobs.RUN_LOCK)
    try:
        assert status(editor_client, job)["state"] == "running"
        running = editor_client.get(job_page(job)).content.decode()
        assert "توقّف" not in running and "<progress" in running
    finally:
        holder.kill()
        holder.wait()

    interrupted = editor_client.get(job_page(job))
    html = interrupted.content.decode()
    assert status(editor_client, job)["state"] == "interrupted"
    assert "توقّف هذا الاستيراد قبل أن ينتهي" in html
    assert rows(interrupted) == [("seed.txt", "created")]  # what landed
    assert reverse("admin:articles_importjob_again", args=[job.pk]) in html

    again = editor_client.post(reverse("admin:articles_importjob_again", args=[job.pk]))
    assert again.status_code == 302 and again.url == job_page(job)
    assert status(editor_client, job)["state"] == "queued"
    call_command("run_import_job", job.pk, stdout=StringIO())

    report = editor_client.get(job_page(job))
    assert rows(report) == [("seed.txt", "duplicate"), ("a.txt", "created")]
    assert Article.objects.count() == 2
    assert response.status_code == 302


def test_files_of_an_unfinished_import_are_kept_some_days_then_deleted(
    editor_client, settings, import_root
):
    editor_client.post(reverse(IMPORT_URL), {"files": [upload("a.txt", TAFAS.encode())]})
    stale = ImportJob.objects.get()
    ImportJob.objects.filter(pk=stale.pk).update(
        status="running", queued_at=timezone.now() - timedelta(days=settings.IMPORT_KEEP_DAYS + 1)
    )
    editor_client.post(reverse(IMPORT_URL), {"files": [upload("b.txt", DISPLACED.encode())]})
    recent = ImportJob.objects.exclude(pk=stale.pk).get()
    ImportJob.objects.filter(pk=recent.pk).update(status="running")

    assert jobs.prune() == 1

    stale.refresh_from_db()
    recent.refresh_from_db()
    assert stale.folder == "" and recent.folder
    assert sorted(p.name for p in import_root.iterdir()) == [jobs.Path(recent.folder).name]
    page = editor_client.get(job_page(stale)).content.decode()
    assert "لم تعد ملفاته محفوظة" in page
    assert reverse("admin:articles_importjob_again", args=[stale.pk]) not in page


def test_import_pages_need_no_inline_script_or_style(editor_client):
    import_files(editor_client, [upload("a.txt", TAFAS.encode())])
    editor_client.post(reverse(IMPORT_URL), {"files": [upload("b.txt", DISPLACED.encode())]})
    finished, waiting = ImportJob.objects.order_by("pk")
    for url in (reverse(IMPORT_URL), job_page(finished), job_page(waiting)):
        html = editor_client.get(url).content.decode()
        assert_nothing_inline(html)
        assert "<style" not in html


def test_an_upload_that_cannot_be_stored_is_answered_with_the_reason(
    editor_client, settings, tmp_path
):
    settings.IMPORT_ROOT = tmp_path / "not-a-folder"
    settings.IMPORT_ROOT.write_text("a file where the import folder should be")

    response = editor_client.post(reverse(IMPORT_URL), {"files": [upload("a.txt", b"x")]})

    assert response.status_code == 200
    assert "تعذّر حفظ الملفات" in response.content.decode()
    assert not ImportJob.objects.exists()
