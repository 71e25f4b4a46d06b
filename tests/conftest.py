"""What every test module shares: accounts, small archives, the data folders and the markers.

Markers (registered in pyproject.toml, applied here once):

- ``corpus``: the test reads the real data in ``../shared/data`` (the ANT corpus, the gazetteer
  files). Where that folder is absent the test is skipped, and the run ends with one line per
  skipped test saying where the data goes; with ``CI`` set it is a failure instead, since CI has
  the data and must run them.
- ``postgres_only(reason)``: the behaviour is PostgreSQL's (its planner, its ranking); on SQLite
  the test is skipped with the reason. ``.ci/run`` runs the suite on both databases.
- ``sqlite_only(reason)``: the same for SQLite's own machinery (the FTS5 table).
"""

import gzip
import json
import os
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
# The project's real data lives beside the checkout, never in it (README, "Data and attribution").
SHARED_DATA = PROJECT.parent / "shared" / "data"
CORPUS = SHARED_DATA / "corpus"
GAZETTEER_DATA = SHARED_DATA / "gazetteer"
# The hand-labelled location sample: articles of the corpus and their place names.
LOCATION_SAMPLE = FIXTURES / "location_sample"
# What accounts made by these fixtures log in with (the browser tests type it).
PASSWORD = "a-long-test-password-7"

# The twelve places the seed article names (issue: each must find it, each must be tagged).
SEED_PLACES = [
    "درعا",
    "بصرى الشام",
    "طفس",
    "الغارية الغربية",
    "الحراك",
    "رخم",
    "الصورة",
    "علما",
    "المليحة الغربية",
    "المليحة الشرقية",
    "داعل",
    "الجولان",
]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sampled_corpus_records(chosen: list[dict]) -> dict[str, dict]:
    """The corpus records of the sample's articles, by docno, from the files the sample names."""
    wanted = defaultdict(set)
    for item in chosen:
        wanted[item["corpus_file"]].add(item["docno"])
    found = {}
    for name, docnos in wanted.items():
        with gzip.open(CORPUS / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record["docno"] in docnos:
                    found[record["docno"]] = record
    return found


# -- Markers -----------------------------------------------------------------------------------

_SKIPPED_FOR_DATA = pytest.StashKey[list[str]]()


def missing_shared_data() -> str:
    """The folders of ../shared/data that the ``corpus`` tests read and that are not there."""
    return ", ".join(str(path) for path in (CORPUS, GAZETTEER_DATA) if not path.is_dir())


# Where the data goes and how to get it, for the skip summary and the CI failure.
GET_THE_DATA = (
    f"put the project's data folder at {SHARED_DATA}, beside this checkout: corpus/ (the ANT "
    "corpus, one .jsonl.gz per outlet) and gazetteer/ (OpenSyria, GeoNames, OCHA); README, "
    '"Data and attribution", says where each part comes from'
)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Apply the markers above before any fixture reads a file or the database."""
    missing = item.get_closest_marker("corpus") and missing_shared_data()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(
                f"CI is set and the real data is missing ({missing}): CI runs the corpus tests, "
                f"never skips them. To get it, {GET_THE_DATA}.",
                pytrace=False,
            )
        item.config.stash.setdefault(_SKIPPED_FOR_DATA, []).append(item.nodeid)
        pytest.skip(f"no real data here ({missing} missing)")
    for name, vendor in (("postgres_only", "postgresql"), ("sqlite_only", "sqlite")):
        marker = item.get_closest_marker(name)
        if marker:
            from django.db import connection

            if connection.vendor != vendor:
                pytest.skip(f"{vendor} only: {marker.args[0] if marker.args else name}")


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Why and how to get the data, then one line per test skipped for want of it."""
    skipped = config.stash.get(_SKIPPED_FOR_DATA, [])
    if not skipped:
        return
    terminalreporter.section(f"{len(skipped)} corpus tests skipped: the real data is not here")
    terminalreporter.line(
        f"They need {missing_shared_data()}, which this machine does not have. To run them, "
        f"{GET_THE_DATA}. With CI set, a missing folder fails these tests instead."
    )
    for nodeid in skipped:
        terminalreporter.line(f"skipped, no real data: {nodeid}")


# -- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests do not run collectstatic, so templates resolve static files without a manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_names():
    """No test sees the place and party names of another.

    The one snapshot of names (articles.names) is dropped when a place or party is saved or
    deleted, and otherwise rechecked every few seconds; a test's rollback sends no signal, so the
    next test could tag with places that no longer exist (a foreign-key error on PostgreSQL) or
    parse with names it never made.
    """
    from articles.names import forget

    forget()
    yield
    forget()


@pytest.fixture
def english():
    """Messages asserted in English (the editors' Arabic is checked in the admin's tests)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def seed_text() -> str:
    return (PROJECT / "seeds" / "articles" / "000_5e3cd00a1820727e.txt").read_text("utf-8")


@pytest.fixture
def seed_gazetteer(db):
    """The whole starting gazetteer of seeds/ (sources, parties, places), without the articles."""
    from django.core.management import call_command

    call_command("load_seeds", "--no-articles", stdout=StringIO())


@pytest.fixture
def seeded(db):
    """The real starting data as ``make run`` loads it: the seed article and the whole
    gazetteer, tagged. Returns the seed article and the governorate of Daraa."""
    from django.core.management import call_command

    from articles.models import Article, Location

    call_command("load_seeds", stdout=StringIO(), stderr=StringIO())
    seed = Article.objects.get(origin__endswith="000_5e3cd00a1820727e.txt")
    daraa = Location.objects.get(name_ar="درعا", kind=Location.Kind.GOVERNORATE)
    return seed, daraa


@pytest.fixture
def archive(db):
    """A small archive made by hand: the seed article, corpus excerpts, places and mentions."""
    from .archive_data import build_archive

    return build_archive()


@pytest.fixture
def account(django_user_model):
    """Make an account, optionally in one of the archive's groups (Readers, Editors)."""
    from django.contrib.auth.models import Group

    def make(username: str, group: str | None = None, *, staff: bool = False, password=None):
        user = django_user_model.objects.create_user(username, password=password, is_staff=staff)
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def editor(account):
    """An editor as ``make run`` makes one: staff, in Editors; adds, changes, imports, deletes
    nothing."""
    from articles.accounts import EDITORS

    return account("editor", EDITORS, staff=True, password=PASSWORD)


@pytest.fixture
def editor_client(client, editor):
    """The test client, logged in as the editor."""
    client.force_login(editor)
    return client


@pytest.fixture
def reader(client, account):
    """The test client, logged in as a member of Readers: may read the archive, change nothing."""
    from articles.accounts import READERS

    client.force_login(account("reader", READERS))
    return client
