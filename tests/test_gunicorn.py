"""The production server accepts the longest search the archive accepts (issue 17, item 7).

Gunicorn, started as the README says with the committed newsroom/gunicorn.conf.py, on a free
loopback port: a search of MAX_QUERY_LENGTH Arabic characters with every filter reaches
Django instead of gunicorn's "414 Request-URI Too Long".
"""

import http.client
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest

from articles.search import MAX_QUERY_LENGTH

from .conftest import PROJECT

GUNICORN_DEFAULT_REQUEST_LINE = 4094


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    env.pop("DJANGO_DEBUG", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "newsroom.wsgi", "-c", "newsroom/gunicorn.conf.py"]
        + ["--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{server.stdout.read()}") from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_passes_a_search_of_max_length_arabic_with_every_filter(gunicorn):
    query = "د" * MAX_QUERY_LENGTH  # the longest in a URL: no space, 6 bytes every letter
    filters = {
        "source": 12,
        "location": 3456,
        "party": 78,
        "date_from": "2018-01-01",
        "date_to": "2018-12-31",
        "status": "confirmed",
        "sort": "newest",
        "page": 20,
    }
    path = "/articles/?" + urlencode({"q": query, **filters})
    assert len(f"GET {path} HTTP/1.1") > GUNICORN_DEFAULT_REQUEST_LINE + 1000

    connection = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    # Not 414 from gunicorn: Django answers, sending a visitor to the login page.
    assert response.status == 302, response.read()[:300]
    assert "/login/" in response.getheader("Location")
