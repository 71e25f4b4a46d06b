"""Imports that run outside the web request: an upload becomes a job, a process of its own runs it.

The admin's "Import texts" page stores the uploaded files in a folder of the job's own under
``IMPORT_ROOT`` and starts ``manage.py run_import_job <id>`` in a new session, detached from
the web server: it outlives the request, the worker's timeout and the worker itself. It saves
its progress and one report row per article as it goes; the job page polls them. Jobs run one
at a time (each keeps the cores busy already); the next waits its turn.

Whether a job is still being run is read from a lock on a file in its folder: the process
running it holds it, and the kernel releases it however that process ends (killed, or the
machine restarted). A job marked as running whose lock is free was interrupted; it is shown
so, with what landed, and can be run again: what landed comes back as duplicates.
"""

import fcntl
import os
import secrets
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .ingest import (
    ARCHIVE_SUFFIXES,
    JSONL_SUFFIXES,
    MAX_ENTRY_BYTES,
    SUPPORTED_SUFFIXES,
    IngestResult,
    ingest_uploads,
)
from .models import ImportJob, ImportJobRow, Source

RUN_LOCK = ".running"  # in the job's folder: held by the process running the job
QUEUE_LOCK = ".queue"  # in IMPORT_ROOT: held by the job being run, waited for by the others
LOG = "run.log"  # in the job's folder: what the process printed, for an operator
START_GRACE = timedelta(minutes=2)  # a queued job's process may take this long to start

INTERRUPTED = "interrupted"  # a state, not a status: a running job that nobody runs
FINISHED = {ImportJob.Status.DONE, ImportJob.Status.FAILED, INTERRUPTED}

REPORT_EVERY_ROWS = 100  # report rows and progress are saved this often ...
REPORT_EVERY_SECONDS = 1.0  # ... or this often, whichever comes first


class JobError(Exception):
    """A job that cannot be created or run again; the message says why, for an editor."""


# --------------------------------------------------------------------------- the web side


def create_job(*, user, uploads, source: Source | None, language: str) -> ImportJob:
    """A queued job holding a copy of each uploaded file; start it with ``start``."""
    job = ImportJob.objects.create(user=user, source=source, language=language)
    # Absolute: the import's process may start elsewhere than the web server did.
    folder = (Path(settings.IMPORT_ROOT) / f"{job.pk}-{secrets.token_hex(4)}").absolute()
    files = []
    try:
        folder.mkdir(parents=True, mode=0o700)
        for number, upload in enumerate(uploads, 1):
            # The name on disk is ours; the editor's name only labels the report.
            stored = f"{number:04d}{_suffix(upload.name)}"
            _store(upload, folder / stored)
            files.append({"name": upload.name, "stored": stored, "size": upload.size})
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        job.delete()
        raise JobError(str(error.strerror or error)) from error
    job.folder, job.files = str(folder), files
    job.save(update_fields=["folder", "files"])
    return job


def _suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if suffix in SUPPORTED_SUFFIXES else ".other"


def _store(upload, target: Path) -> None:
    if hasattr(upload, "temporary_file_path"):  # a large upload, already on disk
        shutil.move(upload.temporary_file_path(), target)
        return
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)


def start(job: ImportJob) -> None:
    """Run the job in a new process, once the transaction that queued it has committed."""
    transaction.on_commit(lambda: _spawn(job))


def _spawn(job: ImportJob) -> None:
    # A new session: neither the web server's signals nor its end reach the import.
    try:
        with (Path(job.folder) / LOG).open("ab") as log:
            subprocess.Popen(
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "run_import_job",
                    str(job.pk),
                ],
                cwd=settings.BASE_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
    except OSError as error:  # the page says so, and offers to run it again
        _finish(job, ImportJob.Status.FAILED, error=f"the import could not start: {error}")


def state(job: ImportJob) -> str:
    """The job's status, or ``INTERRUPTED`` when it is not finished and nobody runs it."""
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job.status
    if _held(job):
        return job.status
    if job.status == ImportJob.Status.QUEUED and timezone.now() - job.queued_at < START_GRACE:
        return job.status  # its process is still starting
    job.refresh_from_db()  # it may have finished a moment ago
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return job.status
    return INTERRUPTED


def can_run_again(job: ImportJob) -> bool:
    return state(job) in (INTERRUPTED, ImportJob.Status.FAILED) and _files_kept(job)


def run_again(job: ImportJob) -> None:
    """Queue an interrupted or failed job again and start it."""
    if not can_run_again(job):
        raise JobError("this import cannot be run again")
    job.status, job.queued_at, job.error = ImportJob.Status.QUEUED, timezone.now(), ""
    job.save(update_fields=["status", "queued_at", "error"])
    start(job)


def _files_kept(job: ImportJob) -> bool:
    folder = Path(job.folder) if job.folder else None
    return folder is not None and all((folder / file["stored"]).exists() for file in job.files)


def _held(job: ImportJob) -> bool:
    """Whether a process holds the job's lock, i.e. is running it or waiting its turn."""
    if not job.folder:
        return False
    try:
        descriptor = os.open(Path(job.folder) / RUN_LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)  # releases the shared lock just taken, if it was
    return False


# --------------------------------------------------------------------------- the job's process


def run(job_id: int) -> ImportJob:
    """Import a job's files (in the process ``start`` began, or by hand); returns it finished."""
    job = ImportJob.objects.get(pk=job_id)
    if not _files_kept(job):
        if job.status != ImportJob.Status.DONE:
            _finish(job, ImportJob.Status.FAILED, error="the uploaded files are gone")
        return job
    folder = Path(job.folder)
    with _locked(folder / RUN_LOCK), _locked(Path(settings.IMPORT_ROOT) / QUEUE_LOCK):
        job.refresh_from_db()
        if job.status == ImportJob.Status.DONE:  # another process ran it meanwhile
            return job
        prune()
        _start_running(job)
        try:
            with translation.override(job.language or settings.LANGUAGE_CODE):
                _import(job, folder)
        except BaseException as error:
            _finish(job, ImportJob.Status.FAILED, error=f"{type(error).__name__}: {error}")
            raise
        _finish(job, ImportJob.Status.DONE)
        shutil.rmtree(folder, ignore_errors=True)  # the report says everything; see README
        ImportJob.objects.filter(pk=job.pk).update(folder="")
        job.folder = ""
    return job


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # waits while another process holds it
        yield
    finally:
        os.close(descriptor)


def _start_running(job: ImportJob) -> None:
    ImportJobRow.objects.filter(job=job).delete()  # run again: the report starts afresh
    job.status, job.pid, job.error = ImportJob.Status.RUNNING, os.getpid(), ""
    job.started_at, job.finished_at = timezone.now(), None
    job.done = job.created = job.duplicates = job.refused = 0
    job.total = estimate(job)
    job.save()


def _finish(job: ImportJob, status: str, *, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    if status == ImportJob.Status.DONE:
        job.total = job.done  # the estimate, corrected
    job.save(update_fields=["status", "error", "finished_at", "total"])


def _import(job: ImportJob, folder: Path) -> None:
    report = _Report(job)
    try:
        # All the files' texts are saved together, in batches, as one folder's would be.
        for result in ingest_uploads(_opened(job, folder), source=job.source):
            report.add(result)
    finally:
        report.save()  # what landed is listed, however the run ends


def _opened(job: ImportJob, folder: Path) -> Iterator[tuple[str, BinaryIO]]:
    """Each file of the job, opened in turn, with the name its editor gave it."""
    for file in job.files:
        with (folder / file["stored"]).open("rb") as stream:
            yield file["name"], stream


class _Report:
    """The job's report rows and counts, saved in small batches as results come."""

    COUNTERS = {
        IngestResult.CREATED: "created",
        IngestResult.DUPLICATE: "duplicates",
        IngestResult.FAILED: "refused",
    }

    def __init__(self, job: ImportJob):
        self.job = job
        self.rows: list[ImportJobRow] = []
        self.saved_at = time.monotonic()

    def add(self, result: IngestResult) -> None:
        job = self.job
        article = result.article or result.duplicate_of
        self.rows.append(
            ImportJobRow(
                job=job,
                position=job.done,
                status=result.status,
                origin=result.origin,
                article_id=article.pk if article else None,
                reason=result.reason,
                notes="\n".join(result.notes),
            )
        )
        job.done += 1
        counter = self.COUNTERS[result.status]
        setattr(job, counter, getattr(job, counter) + 1)
        if (
            len(self.rows) >= REPORT_EVERY_ROWS
            or time.monotonic() - self.saved_at >= REPORT_EVERY_SECONDS
        ):
            self.save()

    def save(self) -> None:
        job = self.job
        job.total = max(job.total, job.done)
        with transaction.atomic():
            ImportJobRow.objects.bulk_create(self.rows)
            job.save(update_fields=["done", "total", *self.COUNTERS.values()])
        self.rows = []
        self.saved_at = time.monotonic()


def estimate(job: ImportJob) -> int:
    """How many articles the job's files hold, for the progress bar (counted, not read)."""
    folder = Path(job.folder)
    return sum(_articles_in(folder / file["stored"], file["name"]) for file in job.files)


def _articles_in(path: Path, name: str) -> int:
    suffix = PurePosixPath(name).suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open("rb") as stream:
                return _lines(stream)
        if suffix in ARCHIVE_SUFFIXES:
            with zipfile.ZipFile(path) as archive:
                return sum(_entries(archive, info) for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        pass  # the import itself says what is wrong with the file
    return 1


def _entries(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    if info.is_dir():
        return 0
    if PurePosixPath(info.filename).suffix.lower() in JSONL_SUFFIXES:
        if info.compress_size * 100 < info.file_size:
            return 1  # the import refuses it
        with archive.open(info) as entry:
            return _lines(entry, MAX_ENTRY_BYTES)
    return 1


def _lines(stream, limit: int | None = None) -> int:
    count, read, last = 0, 0, b"\n"
    while (chunk := stream.read(1024 * 1024)) and (limit is None or read <= limit):
        count += chunk.count(b"\n")
        read += len(chunk)
        last = chunk[-1:]
    return count + (last != b"\n")


def prune() -> int:
    """Delete the files of failed and interrupted jobs older than IMPORT_KEEP_DAYS."""
    cutoff = timezone.now() - timedelta(days=settings.IMPORT_KEEP_DAYS)
    pruned = 0
    old = ImportJob.objects.exclude(folder="").filter(queued_at__lt=cutoff)
    for job in old.exclude(status=ImportJob.Status.DONE):
        if state(job) in (INTERRUPTED, ImportJob.Status.FAILED):
            shutil.rmtree(job.folder, ignore_errors=True)
            ImportJob.objects.filter(pk=job.pk).update(folder="")
            pruned += 1
    return pruned
