"""The project's settings as production runs them (DEBUG off), for measuring."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from newsroom.settings import *  # noqa: E402,F403
from newsroom.settings import STORAGES  # noqa: E402

# DEBUG would keep every SQL query in memory and distort both time and memory.
DEBUG = False
# The benchmark does not run collectstatic; pages resolve static files without a manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
