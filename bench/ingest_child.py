"""Ingest one file or folder through the project's ingestion code, in a process of its own.

Run by bench/run.py so that the peak memory measured is the ingesting process's alone.
Prints one JSON line: counts by status, seconds, peak and sampled resident memory (of this
process, and the largest peak of its worker processes, 0 when the import ran inline).
"""

import json
import os
import resource
import sys
import time
from collections import Counter
from pathlib import Path

SAMPLE_EVERY = 1000


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """This process's high-water mark (getrusage's would include the parent's before exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(path: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from articles.ingest import ingest_paths

    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    samples = [(0, round(rss_mb(), 1))]
    started = time.perf_counter()
    for number, result in enumerate(ingest_paths([Path(path)]), 1):
        counts[result.status] += 1
        if result.status == "failed":
            reasons[str(result.reason)[:120]] += 1
        if number % SAMPLE_EVERY == 0:
            samples.append((number, round(rss_mb(), 1)))
    seconds = time.perf_counter() - started
    samples.append((sum(counts.values()), round(rss_mb(), 1)))
    return {
        "path": path,
        "counts": dict(counts),
        "failures": reasons.most_common(5),
        "seconds": seconds,
        "peak_rss_mb": peak_rss_mb(),
        # The import's worker processes have ended (the pool is joined): the largest one's peak.
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "rss_samples": samples,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), ensure_ascii=False))
