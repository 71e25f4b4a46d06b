"""A large export to a slow reader, under gunicorn started as the README says: all of it arrives.

gunicorn's default sync worker is killed once a request outlasts its timeout, even while it
streams, and the editor's CSV ended mid-body with HTTP 200. Here the timeout is 2 s and the
export takes several times that, because the reader stops reading half-way (a slow link, a
busy laptop): the server waits on a full socket in the middle of the export.
"""

import csv
import datetime
import io
import secrets
import time

import pytest
from django.contrib.auth.models import Group

from articles.models import Article, Source

from .served import SharedDatabase, editor_session, served

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 3000  # about 10 MB of CSV, several times what the sockets' buffers hold
TIMEOUT = 2  # gunicorn --timeout, in seconds
PASSWORD = "long-enough-pw-7"


def big_articles(count: int) -> list[int]:
    source = Source.objects.create(name_ar="روزنة")
    articles = Article.objects.bulk_create(
        Article(
            title=f"{n} " + "تقرير مطول عن الأوضاع في ريف درعا الغربي " * 11,
            body="نص قصير.",
            source=source,
            byline="مراسل روزنة في درعا " * 9,
            published=datetime.date(2018, 1, 1) + datetime.timedelta(days=n % 900),
            url=f"https://example.org/{n}/" + "a" * 900,
            origin=f"archive/{n}/" + "b" * 900,
            fingerprint=f"export-{n}",
        )
        for n in range(count)
    )
    return [article.pk for article in articles]


def test_a_long_export_to_a_slow_reader_arrives_whole_and_editors_log_in_meanwhile(
    tmp_path, django_user_model
):
    ids = big_articles(ROWS)
    reader = editor_session("reader")
    amal = django_user_model.objects.create_user("amal", password=PASSWORD, is_staff=True)
    amal.groups.add(Group.objects.get(name="Editors"))
    database = SharedDatabase(tmp_path)
    database.publish()

    with served(database, tmp_path, debug=False, timeout=TIMEOUT) as server:
        connection = server.connection(receive_buffer=4096)
        connection.request("GET", "/articles/export.csv", headers={"Cookie": f"sessionid={reader}"})
        export = connection.getresponse()
        assert export.status == 200
        received = export.read(64 * 1024)

        # The export is under way and waits for the reader. Meanwhile another editor logs in
        # (a write: the session, the last login): the probe saw logins fail with "database is
        # locked" while a slow request held SQLite.
        token = secrets.token_hex(16)
        login = server.request(
            "POST",
            "/login/",
            cookies={"csrftoken": token},
            form={"csrfmiddlewaretoken": token, "username": "amal", "password": PASSWORD},
        )
        assert login.status == 302, server.server_log()
        assert login.cookies().get("sessionid")

        time.sleep(3 * TIMEOUT)  # the reader is slow: the export outlasts the worker timeout
        received += export.read()  # http.client raises IncompleteRead if the body is cut
        connection.close()
        log = server.server_log()

    assert "WORKER TIMEOUT" not in log
    rows = list(csv.reader(io.StringIO(received.decode("utf-8-sig"))))
    assert rows[0][0] == "id"
    assert len(rows) == ROWS + 1, log
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(ids)
