"""Editors at work: search and browse the archive, each in their own session, pausing to read.

The sessions are opened by run.py beforehand (LOAD_SESSIONS): a password check costs a
deliberate third of a second of CPU, and fifty of them at once would measure the password
hasher instead of the archive.

Run by tests/load/run.py, which starts gunicorn and reads the request log this file writes
(LOAD_LOG): one line per request with its start time, so errors can be placed in time.
"""

import csv
import itertools
import json
import os
import random
import time

from locust import FastHttpUser, between, events, task

SEARCHES = [
    "درعا",
    "بدرعا",
    "سوريا",
    "روسيا",
    "دمشق",
    "حلب OR إدلب",
    '"وقف إطلاق النار"',
    "الانتخابات",
    "مصر -القاهرة",
    "ترامب",
    "Daraa",
    "اللاجئين",
]
IDS = json.loads(os.environ.get("LOAD_IDS", "{}"))
SESSIONS = itertools.cycle(json.loads(os.environ.get("LOAD_SESSIONS", "[]")))
LOG: list[tuple] = []


@events.request.add_listener
def record(request_type, name, response_time, response_length, exception, **kwargs):
    finished = time.time()
    LOG.append((finished - response_time / 1000, name, round(response_time, 1), repr(exception)))


@events.quitting.add_listener
def write_log(environment, **kwargs):
    with open(os.environ["LOAD_LOG"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["start", "name", "ms", "error"])
        writer.writerows(LOG)


class Editor(FastHttpUser):
    wait_time = between(1.0, 4.0)  # reading the page before the next click

    def on_start(self):
        self.headers = {"Cookie": f"sessionid={next(SESSIONS)}"}

    def get(self, path, name, **params):
        response = self.client.get(path, params=params or None, name=name, headers=self.headers)
        if "/login/" in (response.url or ""):
            response.failure("sent to the login page: the session was lost")
        return response

    @task(4)
    def search(self):
        query = random.choice(SEARCHES)
        self.get("/articles/", "/articles/?q=…", q=query)

    @task(2)
    def browse_list(self):
        self.get("/articles/", "/articles/", page=random.randint(1, 20))

    @task(3)
    def read_article(self):
        self.get(f"/articles/{random.choice(IDS['articles'])}/", "/articles/<id>/")

    @task(1)
    def open_place(self):
        if IDS.get("locations"):
            pk = random.choice(IDS["locations"])
            self.get(f"/locations/{pk}/", "/locations/<id>/")

    @task(1)
    def open_source(self):
        if IDS.get("sources"):
            self.get(f"/sources/{random.choice(IDS['sources'])}/", "/sources/<id>/")

    @task(1)
    def api_search(self):
        query = random.choice(SEARCHES)
        self.get("/api/articles/", "/api/articles/?q=…", q=query)
