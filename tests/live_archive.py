"""The archive as production runs it, for tests that need the real thing: gunicorn with the
README's command and production settings, its own import folder, and an editor logged in.

On PostgreSQL it serves the test database (the test must use ``transactional_db`` so that what
it writes is committed and flushed afterwards); on SQLite, whose test database lives in the
test's memory, a database file of its own, migrated first.
"""

import functools
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from django.db import connection

from .conftest import PROJECT

PYTHON = Path(sys.executable)
PASSWORD = "a-long-live-password-9"


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=PROJECT, env=env, check=True, timeout=600, **kwargs
    )


@functools.cache
def collect_static() -> None:
    """Production settings read static files through collectstatic's manifest (once a run)."""
    manage(
        {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "collectstatic-only"},
        "collectstatic",
        "--no-input",
        "-v0",
    )


class LiveArchive:
    """gunicorn serving the archive on loopback, and a logged-in editor's session."""

    def __init__(self, tmp_path: Path):
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "live-test-not-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",  # plain HTTP on loopback
            "DJANGO_IMPORT_ROOT": str(tmp_path / "imports"),
        }
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
            self.sqlite_path = None
        else:
            self.sqlite_path = tmp_path / "live.sqlite3"
            self.env["DATABASE_URL"] = f"sqlite:///{self.sqlite_path}"
            manage(self.env, "migrate", "--no-input", "-v0")
        manage(
            self.env,
            "shell",
            "-c",
            "from django.contrib.auth.models import Group, User\n"
            f"user = User.objects.create_user('editor', password='{PASSWORD}', is_staff=True)\n"
            "user.groups.add(Group.objects.get(name='Editors'))\n",
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        # The README's production command (gunicorn's default 30 s worker timeout).
        self.server = subprocess.Popen(
            [str(PYTHON.parent / "gunicorn"), "newsroom.wsgi", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=PROJECT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_for_server()
        self.session = requests.Session()

    def _wait_for_server(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.server.poll() is None, "gunicorn exited"
            try:
                requests.get(self.url + "/admin/login/", timeout=5)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer within 60 s")

    def log_in(self) -> None:
        self.session.post(
            self.url + "/admin/login/",
            data={"username": "editor", "password": PASSWORD, "next": "/admin/"},
            headers=self.csrf(self.session.get(self.url + "/admin/login/").text),
        ).raise_for_status()
        assert "sessionid" in self.session.cookies

    def csrf(self, html: str) -> dict:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        return {"X-CSRFToken": token}

    def upload(self, *files: tuple[str, bytes]) -> requests.Response:
        page = self.session.get(self.url + "/admin/articles/article/import/")
        return self.session.post(
            page.url,
            files=[("files", (name, data, "application/octet-stream")) for name, data in files],
            headers=self.csrf(page.text),
            allow_redirects=False,
        )

    def status(self, job_page: str) -> dict:
        response = self.session.get(self.url + job_page.replace("/change/", "/status/"))
        response.raise_for_status()
        return response.json()

    def wait(self, job_page: str, until, limit: float = 900) -> dict:
        """Poll the job as its page does until ``until(status)``; fails after ``limit`` s."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            status = self.status(job_page)
            if until(status):
                return status
            time.sleep(0.5)
        raise AssertionError(f"the import did not get there in {limit} s: {status}")

    def query(self, sql: str) -> list[tuple]:
        """Plain SQL on the server's database (the test's own on PostgreSQL)."""
        if self.sqlite_path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        with sqlite3.connect(self.sqlite_path, timeout=30) as db:
            return db.execute(sql).fetchall()

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=60)
        # Import processes still running (a failed test) end with the server.
        for (pid,) in self.query(
            "SELECT pid FROM articles_importjob WHERE status IN ('queued', 'running') "
            "AND pid IS NOT NULL"
        ):
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


@contextmanager
def running(tmp_path: Path) -> Iterator[LiveArchive]:
    """The archive served by gunicorn until the block ends; use with ``transactional_db``."""
    collect_static()
    archive = LiveArchive(tmp_path)
    try:
        yield archive
    finally:
        archive.stop()
