"""Worker processes that prepare the next batches of a long import while this process saves one.

Preparing a text (its words, fingerprint, index document, names and reporter clauses) needs no
database, and the database works while this process waits for it: worker processes, one per
core, keep the cores busy. A short import (an upload, a test) prepares inline, where starting
the workers would cost more than it saves. The workers never touch the database and end with
the import, however it ends.
"""

import multiprocessing
import os
import pickle
import signal

from django.utils import translation

from ..gazetteer import Gazetteer
from ..tagging import gazetteer
from .prepare import prepare
from .stages import IngestResult, Prepared, Text

PARALLEL_AFTER = 200  # texts read: a longer import prepares its batches in worker processes
BATCHES_AHEAD = 2  # per worker: prepared or being prepared while this process saves


class Preparer:
    """Prepares batches of texts, inline or in worker processes; a ``with`` block ends the pool."""

    def __init__(self):
        self.read = 0
        self.pool = None
        self.matcher: tuple[Gazetteer, bytes] | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    @property
    def ahead(self) -> int:
        """How many batches may be prepared or in preparation before the oldest is saved."""
        return 0 if self.pool is None else BATCHES_AHEAD * (os.cpu_count() or 1)

    def submit(self, texts: list[Text]):
        """Start preparing a batch; its ``get()`` gives each text's `Prepared` or refusal."""
        self.read += len(texts)
        if self.pool is None and self.read > PARALLEL_AFTER and (os.cpu_count() or 1) > 1:
            # fork: the workers start at once with the analyser's tables and Django's settings,
            # and never touch the database connection they inherit.
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(os.cpu_count(), initializer=_start_worker)
        if self.pool is None:
            matcher = gazetteer()
            return _Ready([prepare(text, matcher) for text in texts])
        task = (texts, self._matcher_pickled(), translation.get_language())
        return self.pool.apply_async(_prepare_in_worker, task)

    def _matcher_pickled(self) -> bytes:
        """The current gazetteer for the workers, pickled again only when it changed."""
        matcher = gazetteer()
        if self.matcher is None or self.matcher[0] is not matcher:
            self.matcher = (matcher, pickle.dumps(matcher))
        return self.matcher[1]


class _Ready:
    """A batch prepared inline, answering ``get()`` as the pool's results do."""

    def __init__(self, prepared: list[Prepared | IngestResult]):
        self.prepared = prepared

    def get(self) -> list[Prepared | IngestResult]:
        return self.prepared


def _start_worker() -> None:
    # Ctrl-C is the importing process's to handle; the pool ends its workers with SIGTERM,
    # which must end them even where the importing process catches it (a gunicorn worker).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


_worker_matcher: tuple[bytes, Gazetteer] | None = None  # in a worker: the last one received


def _prepare_in_worker(texts: list[Text], matcher: bytes, language: str | None):
    global _worker_matcher
    if _worker_matcher is None or _worker_matcher[0] != matcher:
        _worker_matcher = (matcher, pickle.loads(matcher))
    with translation.override(language):
        return [prepare(text, _worker_matcher[1]) for text in texts]
