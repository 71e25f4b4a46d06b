"""Benchmark ingest and search at growing archive sizes, against the naive icontains baseline.

    make bench                        # 10k, 100k, 300k articles on PostgreSQL
    make bench BENCH_ARGS=--quick     # 10k only (the CI smoke test)
    make bench BENCH_ARGS=--full      # ... and 1M
    DATABASE_URL=sqlite:///bench.sqlite3 make bench

Everything goes through the project's own code: ingestion (`articles.ingest.ingest_paths`,
with analysis, fingerprinting, tagging and indexing), `Article.objects.search` and the browse
page. The database named by DATABASE_URL gets "_bench" appended unless its name already
contains "bench"; that database is dropped and created anew, so a working archive is never
touched.
"""

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import hostile

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/newsroom_bench"
SIZES = [10_000, 100_000, 300_000]
FULL_SIZES = [*SIZES, 1_000_000]
PAGE = 20


# --- the database -----------------------------------------------------------------------------


def bench_url(url: str) -> str:
    """The benchmark's own database beside the one named: never the working archive itself."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = sqlite_path(url)
        if "bench" not in path.name:
            path = path.with_name(f"{path.stem}_bench{path.suffix or '.sqlite3'}")
        return f"sqlite:///{path}"
    name = parts.path.lstrip("/")
    if "bench" not in name:
        name = f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}"))


def sqlite_path(url: str) -> Path:
    import dj_database_url

    return Path(dj_database_url.parse(url)["NAME"]).absolute()


def _postgres_admin(statements: list[str], url: str) -> None:
    """Run DROP/CREATE DATABASE statements on the url's database, from "postgres"."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username,
        password=parts.password,
        host=parts.hostname,
        port=parts.port or 5432,
    )
    admin.autocommit = True
    database = sql.Identifier(parts.path.lstrip("/"))
    with admin.cursor() as cursor:
        for statement in statements:
            cursor.execute(sql.SQL(statement).format(database))
    admin.close()


def recreate_database(url: str) -> None:
    if urlsplit(url).scheme.startswith("sqlite"):
        path = sqlite_path(url)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    _postgres_admin(["DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}"], url)


def drop_database(url: str) -> None:
    """Free the disk the benchmark took (kept with --keep for inspection)."""
    from django.db import connections

    connections.close_all()
    if urlsplit(url).scheme.startswith("sqlite"):
        recreate_database(url)
        return
    _postgres_admin(["DROP DATABASE IF EXISTS {} WITH (FORCE)"], url)


# --- measuring --------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 0.95),
        "max": max(values),
    }


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def first_page(results) -> tuple[int, int]:
    """What the result page asks the database: a page of articles with their tags, the total.

    Through the pages' own paginator, as the pages call it: the page's ids in order with the
    total (counted up to its cap, "more than 10,000"), then the page's rows with their places
    and parties.
    """
    from articles.views import CappedPaginator

    paginator = CappedPaginator(results.without_index().with_related(), PAGE)
    page = paginator.get_page(1)
    return len(page), paginator.count


def search_page(query: str) -> tuple[int, int]:
    from articles.models import Article

    return first_page(Article.objects.search(query))


def baseline_page(query: str) -> tuple[int, int]:
    from articles.models import Article

    return first_page(Article.objects.filter(body__icontains=query))


def browse_page(client, query: str | None) -> int:
    from django.urls import reverse

    # secure: as behind the production proxy, which the HTTPS redirect expects
    response = client.get(reverse("article-list"), {"q": query} if query else {}, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"browse page answered {response.status_code} for q={query!r}")
    return len(response.content)


def measure(action, queries, *, warm: int, passes: int) -> tuple[list[float], dict]:
    """Run every query `warm` times untimed, then `passes` times timed."""
    for _ in range(warm):
        for query in queries:
            action(query)
    times, answers = [], {}
    for _ in range(passes):
        for query in queries:
            elapsed, answer = timed(lambda q=query: action(q))
            times.append(elapsed)
            answers[query] = answer
    return times, answers


def run_child(path: Path, env: dict) -> dict:
    """Ingest a file or folder in a fresh process and return its report."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.ingest_child", str(path)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"ingesting {path} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def after_ingest() -> None:
    """What autovacuum does on a real archive after a large import, done now rather than later.

    On PostgreSQL: merge the GIN index's pending list (which every search reads through), mark
    the new rows all-visible (so counting matches need not visit them) and refresh the planner's
    statistics; autovacuum does the same once enough rows have been inserted.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("PRAGMA optimize")


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


def explain(query: str) -> str:
    """The database's plan, with real timings on PostgreSQL, of each SQL a search runs."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        search_page(query)
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else ("EXPLAIN QUERY PLAN ")
    )
    blocks = []
    # Replayed in one transaction, as a search runs its lookups (a setting made for one of
    # them applies to the next); transaction control itself has no plan.
    with transaction.atomic(), connection.cursor() as cursor:
        for number, executed in enumerate(captured.captured_queries, 1):
            statement = executed["sql"]
            if statement.split(" ", 1)[0].upper() in TRANSACTION_CONTROL:
                continue
            cursor.execute(prefix + statement)
            plan = "\n".join(" | ".join(str(part) for part in row) for row in cursor.fetchall())
            blocks.append(f"-- query {number}\n{statement}\n\n{plan}")
    return "\n\n".join(blocks)


def explain_baseline(query: str) -> str:
    from django.db import connection

    from articles.models import Article

    if connection.vendor != "postgresql":
        return Article.objects.filter(body__icontains=query).explain()
    return Article.objects.filter(body__icontains=query).explain(analyze=True)


# --- one size ---------------------------------------------------------------------------------


def measure_size(args, size: int, child_env: dict, steps: dict) -> dict:
    from django.db import connection
    from django.test import Client

    from articles.models import Article
    from bench.queries import QUERIES

    row = {"target_size": size, **steps, "load_before": os.getloadavg()[0]}
    row["articles"] = Article.objects.count()
    queries = QUERIES

    search_times, answers = measure(search_page, queries, warm=1, passes=args.passes)
    row["search"] = summary(search_times)
    row["answers"] = {query: answer[1] for query, answer in answers.items()}

    # icontains reads every article for every query: past 10k a spread of the queries (every
    # n-th, commoner and rarer alike) keeps the run within the hour.
    limit = args.baseline_queries or (len(queries) if size <= 10_000 else 9)
    baseline_queries = queries[:: max(1, len(queries) // limit)][:limit]
    baseline_times, baseline_answers = measure(baseline_page, baseline_queries, warm=0, passes=1)
    row["baseline"] = summary(baseline_times)
    row["baseline_answers"] = {query: answer[1] for query, answer in baseline_answers.items()}
    row["ratio"] = row["baseline"]["median"] / row["search"]["median"]

    browse = None
    try:
        client = Client()
        # Every page needs a login (an internal tool): browse as an editor would.
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group

        editor, _ = get_user_model().objects.get_or_create(username="bench-editor")
        editor.groups.add(Group.objects.get(name="Editors"))  # reading needs Readers or Editors
        client.force_login(editor)
        browse_times, _ = measure(
            lambda query: browse_page(client, query), [None, *queries], warm=1, passes=1
        )
        row["browse"] = summary(browse_times)
        browse = lambda query: browse_page(client, query)  # noqa: E731
    except Exception as error:  # the page may not exist yet on this checkout
        row["browse"] = None
        row["browse_error"] = f"{type(error).__name__}: {error}"
    row["load_before_hostile"] = os.getloadavg()[0]
    row["hostile"] = hostile.measure(search_page, browse, args.passes)
    row["database_size_mb"] = database_size_mb(connection)
    row["load_after"] = os.getloadavg()[0]
    return row


def database_size_mb(connection) -> float | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0] / 2**20
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute("PRAGMA page_size")
        return pages * cursor.fetchone()[0] / 2**20


def ingest_step(stream, count: int, txt_files: int, workdir: Path, env: dict) -> dict:
    from bench.corpus import write_jsonl, write_txt_folder

    jsonl = workdir / "articles.jsonl"
    folder = workdir / "articles-txt"
    written_jsonl = write_jsonl(jsonl, islice(stream, count - txt_files))
    written_txt = write_txt_folder(folder, islice(stream, txt_files)) if txt_files else 0
    step = {"jsonl": run_child(jsonl, env), "jsonl_written": written_jsonl}
    jsonl.unlink()
    if written_txt:
        step["txt"] = run_child(folder, env)
        step["txt_written"] = written_txt
    shutil.rmtree(folder, ignore_errors=True)
    return step


def rate(report: dict | None) -> float | None:
    if not report:
        return None
    created = report["counts"].get("created", 0)
    return created / report["seconds"] if report["seconds"] else None


# --- main -------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k articles only (CI smoke test)")
    parser.add_argument("--full", action="store_true", help="up to 1M articles")
    parser.add_argument("--sizes", help="comma-separated archive sizes, e.g. 10000,50000")
    parser.add_argument(
        "--txt-files",
        type=int,
        default=2000,
        help="articles of each step ingested as a folder of .txt files (at most a fifth)",
    )
    parser.add_argument("--passes", type=int, default=2, help="timed passes over the queries")
    parser.add_argument(
        "--baseline-queries",
        type=int,
        default=0,
        help="queries for the baseline (0: all at 10k, 9 beyond)",
    )
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--out", type=Path, default=PROJECT / "bench" / "results")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--label", default="", help="added to the results file's name")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the benchmark database as it is (kept by --keep or a stopped run)",
    )
    args = parser.parse_args(argv)
    if args.sizes:
        args.sizes = sorted({int(size.replace("_", "")) for size in args.sizes.split(",")})
    else:
        args.sizes = [SIZES[0]] if args.quick else FULL_SIZES if args.full else SIZES
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    url = bench_url(os.environ.get("DATABASE_URL") or DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(PROJECT))
    started = time.perf_counter()
    print(f"benchmark database: {url}", flush=True)
    if not args.measure_only:
        recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import report
    from bench.corpus import articles, read_corpus

    call_command("migrate", verbosity=0)
    seconds_seeds, _ = (0.0, None) if args.measure_only else timed(load_gazetteer)
    print(f"gazetteer loaded in {seconds_seeds / 1000:.1f} s", flush=True)
    records = read_corpus()
    stream = articles(records, args.seed)
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    rows: list[dict] = []
    written: list[Path] = []
    current = 0
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "vendor": connection.vendor,
        "database_version": database_version(connection),
        "machine": machine(),
        "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
        "commit": git_commit(),
        "corpus_articles": len(records),
        "gazetteer_seconds": seconds_seeds / 1000,
        "sizes": args.sizes,
        "label": args.label,
    }
    if args.measure_only:
        from articles.models import Article

        args.sizes = [Article.objects.count()]
        meta["sizes"] = args.sizes
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-") as workdir:
        for size in args.sizes:
            increment = size - current
            txt_files = min(args.txt_files, increment // 5)
            print(f"== {size:,} articles: ingesting {increment:,}", flush=True)
            steps = (
                {"jsonl": None, "jsonl_written": 0}
                if args.measure_only
                else ingest_step(stream, increment, txt_files, Path(workdir), env)
            )
            current = size
            after_ingest()
            row = measure_size(args, size, env, steps)
            row["jsonl_rate"] = rate(steps["jsonl"])
            row["txt_rate"] = rate(steps.get("txt"))
            rows.append(row)
            print(report.row_line(row), flush=True)
            # Written after every size, so a run stopped at 300k still leaves 10k and 100k.
            meta["total_minutes"] = (time.perf_counter() - started) / 60
            plans = {
                "search": explain("درعا"),
                "search_phrase": explain("دير الزور"),
                "hostile": explain("Damascus"),
                "baseline": explain_baseline("درعا"),
            }
            written = report.write(args.out, meta, rows, plans)
    print(report.table(rows))
    for path in written:
        print(f"wrote {path}")
    if not args.keep and not args.measure_only:
        drop_database(url)
    return 1 if failed(rows) else 0


def failed(rows: list[dict]) -> list[str]:
    """What makes a run worthless whatever its timings (CI checks these, not the timings)."""
    problems = []
    for row in rows:
        if row["articles"] < 0.95 * row["target_size"]:
            problems.append(f"only {row['articles']:,} of {row['target_size']:,} articles saved")
        if row.get("browse_error"):
            problems.append(f"browse page: {row['browse_error']}")
        if not any(row["answers"].values()):
            problems.append("no search found anything")
    for problem in problems:
        print(f"benchmark failed: {problem}", file=sys.stderr)
    return problems


def load_gazetteer() -> None:
    """The whole Syrian gazetteer from seeds/, as `make run` loads it."""
    from django.core.management import call_command, get_commands

    if "load_seeds" in get_commands():
        call_command("load_seeds", verbosity=0)
        return
    try:
        from articles.gazetteer import load_seeds
    except ImportError:
        print("no gazetteer on this checkout: articles are ingested without tagging")
        return
    load_seeds()


def database_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}"


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
