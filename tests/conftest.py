from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PROJECT = Path(__file__).resolve().parents[1]

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
