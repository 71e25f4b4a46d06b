"""The archive served by a real gunicorn, started as the README's Production section says.

For tests whose point is real processes: several writers on one SQLite file, a worker timeout,
a slow client. The server and the test share one database: PostgreSQL's test database itself,
or, on SQLite, a file copy of the in-memory test database made once the test's rows exist
(the in-memory database cannot be opened by another process).
"""

import http.client
import os
import re
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from .conftest import PROJECT

GUNICORN = Path(sys.executable).parent / "gunicorn"


def production_command() -> list[str]:
    """The gunicorn command line of the README's Production section, as a list of arguments."""
    section = (PROJECT / "README.md").read_text("utf-8").split("\n## Production\n", 1)[1]
    line = next(line for line in section.splitlines() if "bin/gunicorn " in line)
    return shlex.split(line.strip())


def without_options(arguments: list[str], *names: str) -> list[str]:
    """The arguments less the named options and their values (the test gives its own)."""
    kept, skip = [], False
    for argument in arguments:
        if skip:
            skip = False
        elif argument in names:
            skip = True
        elif not argument.startswith(tuple(f"{name}=" for name in names)):
            kept.append(argument)
    return kept


class SharedDatabase:
    """The test's database as the server process opens it."""

    def __init__(self, tmp_path: Path):
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            auth_part = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = f"postgres://{auth_part}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
            self.sqlite_path = None
        else:
            self.sqlite_path = tmp_path / "served.sqlite3"
            self.url = f"sqlite:///{self.sqlite_path}"

    def publish(self) -> None:
        """Make the rows the test created visible to other processes (SQLite: copy them)."""
        if self.sqlite_path is None:
            return  # the test's transactions are committed: the server sees them
        connection.ensure_connection()
        with sqlite3.connect(self.sqlite_path) as target:
            connection.connection.backup(target)
        target.close()

    def rows(self, sql: str, params=()) -> list[tuple]:
        if self.sqlite_path is None:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        with sqlite3.connect(self.sqlite_path, timeout=30) as db:
            rows = db.execute(sql.replace("%s", "?"), params).fetchall()
        db.close()
        return rows


def editor_session(username: str, password: str = "") -> str:
    """An editor account (in the Editors group) and the key of a session logged in as it."""
    user = auth.get_user_model().objects.create_user(
        username, password=password or None, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    session = SessionStore()
    session[auth.SESSION_KEY] = str(user.pk)
    session[auth.BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the one that logs in
    session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookies(self) -> dict[str, str]:
        found = {}
        for header in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found


class Server:
    """A running gunicorn on a loopback port, and a browser-like way to talk to it."""

    def __init__(self, port: int, process: subprocess.Popen, log: Path):
        self.port, self.process, self.log = port, process, log

    def connection(self, receive_buffer: int | None = None) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        if receive_buffer is not None:
            # A small window makes a slow reader: the server waits on the socket mid-response.
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.settimeout(120)
            sock.connect(("127.0.0.1", self.port))
            conn.sock = sock
        return conn

    def request(
        self, method: str, path: str, *, cookies: dict, form: dict | list | None = None
    ) -> Response:
        conn = self.connection()
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        response = Response(answer.status, answer.headers, answer.read())
        conn.close()
        return response

    def server_log(self) -> str:
        return self.log.read_text("utf-8", "replace")[-4000:]


@contextmanager
def served(database: SharedDatabase, tmp_path: Path, *, debug: bool, timeout: int = 30):
    """gunicorn with the README's command (and so its config), on a free port of 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = without_options(production_command()[1:], "--bind", "-b", "--workers", "-w")
    command = [str(GUNICORN), *command]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", str(timeout)]
    command += ["--no-control-socket"]  # one per user at a fixed path: leave it to real servers
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "DJANGO_DEBUG": "1" if debug else "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = Server(port, process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"gunicorn exited:\n{server.server_log()}"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, f"gunicorn never answered:\n{log}"
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class FormReader(HTMLParser):
    """The fields a browser would send back from a page's form with the given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append([name, attrs.get("value") or ("on" if kind == "checkbox" else "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            self.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = [name, ""]
            self.fields.append(self._select)
        elif tag == "option" and self._select is not None and "selected" in attrs:
            self._select[1] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html: str, form_id: str) -> list[list[str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    # Django's textarea starts with a newline that browsers drop.
    return [[name, re.sub(r"\A\r?\n", "", value)] for name, value in reader.fields]
