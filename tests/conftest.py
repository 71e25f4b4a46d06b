import gzip
import json
from collections import defaultdict
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PROJECT = Path(__file__).resolve().parents[1]
CORPUS = SHARED_DATA / "corpus"
# The hand-labelled location sample: articles of the corpus and their place names.
LOCATION_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "location_sample"


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


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests do not run collectstatic, so templates resolve static files without a manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def seed_text() -> str:
    return (PROJECT / "seeds" / "articles" / "000_5e3cd00a1820727e.txt").read_text("utf-8")


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
def reader(client, account):
    """The test client, logged in as a member of Readers: may read the archive, change nothing."""
    from articles.accounts import READERS

    client.force_login(account("reader", READERS))
    return client
