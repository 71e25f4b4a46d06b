"""Load and fault test: gunicorn on PostgreSQL on loopback, editors searching and browsing.

    .venv/bin/python tests/load/run.py                 # 50 editors, 60 s, then a restart run
    .venv/bin/python tests/load/run.py --short         # what CI runs: 10 s, then 30 s

It owns everything it touches: a PostgreSQL cluster of its own on port 5433 (created with
pg_createcluster the first time, so restarting it never disturbs other work on the main
cluster), a database filled from the news corpus with ``manage.py ingest``, an account, and
a gunicorn on 127.0.0.1. Traffic goes to loopback only, bounded in users and time.

Run 1 (steady): zero errors and a 99th percentile below 500 ms over every page request.
Run 2 (fault): PostgreSQL is restarted a third of the way in; errors are allowed only while
it is down and for a few seconds after, and every request after that must succeed.
Exit status 0 when both hold; the figures are printed and written to --report as JSON.
"""

import argparse
import csv
import gzip
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CORPUS = PROJECT.parent / "shared" / "data" / "corpus"
PYTHON = sys.executable
CLUSTER = "newsroom_load"
PORT = 5433
DATABASE = "newsroom_load"
USERNAME = "loadtest-editor"
P99_LIMIT_MS = int(os.environ.get("LOAD_P99_LIMIT_MS", "500"))
RECOVERY_LIMIT_S = 5


def say(message: str) -> None:
    print(f"[load] {message}", flush=True)


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"), key=float)[-1]


def cluster(action: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), CLUSTER, action],
        check=True,
    )


def pg_ready() -> bool:
    result = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PORT)], check=False)
    return result.returncode == 0


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"[load] gave up waiting for {what}")
        time.sleep(0.1)


def ensure_cluster() -> None:
    """A PostgreSQL cluster for this test alone, trusting loopback like the main one."""
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    if not any(line.split()[1] == CLUSTER for line in listed.splitlines() if line.strip()):
        say(f"creating PostgreSQL cluster {CLUSTER} on port {PORT}")
        subprocess.run(
            [
                "pg_createcluster",
                pg_version(),
                CLUSTER,
                "-p",
                str(PORT),
                "--",
                "--auth=trust",
                "--encoding=UTF8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if not pg_ready():
        cluster("start")
    wait_for(pg_ready, 60, "PostgreSQL to start")


def manage(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "manage.py", *args], cwd=PROJECT, env=env, check=True, **kwargs)


def prepare(env: dict, articles: int, users: int) -> tuple[list[str], dict]:
    """Database, corpus articles, an editor with a session per user; returns them and ids."""
    import psycopg2  # the project's own driver

    admin = psycopg2.connect(host="127.0.0.1", port=PORT, user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if not cursor.fetchone():
            cursor.execute(f"CREATE DATABASE {DATABASE}")
    admin.close()
    manage(env, "migrate", "--no-input", "-v0")
    have = int(
        manage(
            env,
            "shell",
            "-c",
            "from articles.models import Article; print(Article.objects.count())",
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
    )
    if have < articles * 0.9:  # some corpus lines are duplicates and land once
        corpus = CORPUS / "SkyNews.jsonl.gz"
        if not corpus.exists():
            raise SystemExit(f"[load] the news corpus is missing: {corpus}")
        say(f"ingesting {articles - have} corpus articles (the archive has {have})")
        with tempfile.TemporaryDirectory() as folder:
            batch = Path(folder) / "corpus.jsonl"
            with gzip.open(corpus, "rt", encoding="utf-8") as source, batch.open("w") as out:
                out.writelines(itertools.islice(source, articles))
            manage(env, "ingest", str(batch), stdout=subprocess.DEVNULL)
    script = f"""
import json
from django.contrib import auth
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from articles.models import Article, Location, Source
user, _ = auth.get_user_model().objects.get_or_create(username={USERNAME!r})
user.is_staff = True
user.set_unusable_password()
user.save()
user.groups.add(Group.objects.get(name="Editors"))
sessions = []
for _ in range({users}):
    session = SessionStore()
    session[auth.SESSION_KEY] = str(user.pk)
    session[auth.BACKEND_SESSION_KEY] = "articles.accounts.ArchiveBackend"
    session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
ids = lambda rows: list(rows.order_by("?").values_list("pk", flat=True)[:500])
print(json.dumps([sessions, dict(articles=ids(Article.objects), locations=ids(Location.objects),
                                 sources=ids(Source.objects))]))
"""
    out = manage(env, "shell", "-c", script, capture_output=True, text=True).stdout
    manage(env, "collectstatic", "--no-input", "-v0")
    sessions, ids = json.loads(out.strip().splitlines()[-1])
    return sessions, ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "newsroom.wsgi",
            "-c",  # as production runs it (README): threaded workers, long request lines
            "newsroom/gunicorn.conf.py",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=PROJECT,
        env=env,
    )

    def answering() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            assert server.poll() is None, "gunicorn exited"
            return False

    wait_for(answering, 60, "gunicorn")
    return server, f"http://127.0.0.1:{port}"


def warm_up(host: str, session: str, ids: dict, workers: int) -> None:
    """Load each worker's code and caches before anything is measured."""
    from urllib.request import Request, urlopen

    paths = ["/articles/", "/articles/?q=%D8%AF%D8%B1%D8%B9%D8%A7", "/api/articles/?q=x"]
    paths += [f"/articles/{pk}/" for pk in ids["articles"][:3]]
    paths += [f"/sources/{pk}/" for pk in ids["sources"][:2]]
    for path in paths * workers * 2:
        request = Request(host + path, headers={"Cookie": f"sessionid={session}"})
        with urlopen(request, timeout=60) as response:
            response.read()


def swarm(host: str, users: int, seconds: int, env: dict, log: Path) -> list[dict]:
    subprocess.run(
        [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{seconds}s",
            "--host",
            host,
            "--only-summary",
            "--loglevel",
            "ERROR",
            "--stop-timeout",
            "5",
        ],
        cwd=PROJECT,
        env={**env, "LOAD_LOG": str(log)},
        check=False,  # locust exits 1 on any failure; the figures below judge the run
        stdout=subprocess.DEVNULL,
    )
    with log.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["start"], row["ms"] = float(row["start"]), float(row["ms"])
        row["failed"] = row["error"] != "None"
    return rows


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summarise(rows: list[dict], seconds: int) -> dict:
    pages = rows
    times = [r["ms"] for r in pages]
    return {
        "requests": len(pages),
        "requests_per_second": round(len(pages) / seconds, 1),
        "errors": sum(r["failed"] for r in rows),
        "p50_ms": round(percentile(times, 0.50)),
        "p95_ms": round(percentile(times, 0.95)),
        "p99_ms": round(percentile(times, 0.99)),
        "max_ms": round(max(times, default=0)),
        "errors_by_page": {
            name: sum(r["failed"] for r in pages if r["name"] == name)
            for name in sorted({r["name"] for r in pages})
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60, help="length of the steady run")
    parser.add_argument("--fault-seconds", type=int, default=40, help="length of the fault run")
    parser.add_argument("--articles", type=int, default=5000, help="corpus articles to load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--short", action="store_true", help="CI: 10 s + 30 s, 1000 articles")
    parser.add_argument("--report", type=Path, help="write the figures here as JSON")
    options = parser.parse_args()
    if options.short:
        options.seconds, options.fault_seconds, options.articles = 10, 30, 1000
    if shutil.which("pg_createcluster") is None:
        raise SystemExit("[load] PostgreSQL's server tools (pg_createcluster) are needed")

    ensure_cluster()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PORT}/{DATABASE}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: no TLS proxy in front here.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
    }
    sessions, ids = prepare(env, options.articles, options.users)
    env.update(LOAD_SESSIONS=json.dumps(sessions), LOAD_IDS=json.dumps(ids))
    server, host = start_gunicorn(env, options.workers)
    warm_up(host, sessions[0], ids, options.workers)
    report = {"users": options.users, "workers": options.workers, "articles": options.articles}
    ok = True
    try:
        with tempfile.TemporaryDirectory() as folder:
            say(f"steady run: {options.users} editors for {options.seconds} s on {host}")
            rows = swarm(host, options.users, options.seconds, env, Path(folder) / "steady.csv")
            steady = summarise(rows, options.seconds)
            report["steady"] = steady
            say(f"steady: {json.dumps(steady, ensure_ascii=False)}")
            if steady["errors"] or steady["p99_ms"] >= P99_LIMIT_MS or not steady["requests"]:
                ok = False
                say(f"FAILED: steady run must have 0 errors and p99 < {P99_LIMIT_MS} ms")

            say(f"fault run: {options.fault_seconds} s, PostgreSQL restarted a third in")
            window = {}

            def restart():
                time.sleep(options.fault_seconds / 3)
                window["down"] = time.time()
                cluster("restart")
                wait_for(pg_ready, 60, "PostgreSQL to come back")
                window["up"] = time.time()

            fault = threading.Thread(target=restart)
            fault.start()
            rows = swarm(host, options.users, options.fault_seconds, env, Path(folder) / "f.csv")
            fault.join()
            failed = [r for r in rows if r["failed"]]
            # A request in flight when the server went down fails too: judge by its end.
            late = [r for r in failed if r["start"] > window["up"] + RECOVERY_LIMIT_S]
            early = [r for r in failed if r["start"] + r["ms"] / 1000 < window["down"]]
            last_error = max((r["start"] for r in failed), default=window["up"])
            after = [r for r in rows if r["start"] > window["up"] + RECOVERY_LIMIT_S]
            report["fault"] = {
                **summarise(rows, options.fault_seconds),
                "postgres_down_seconds": round(window["up"] - window["down"], 2),
                "errors_during_restart": len(failed),
                "recovered_seconds_after_up": round(max(0.0, last_error - window["up"]), 2),
                "errors_before_restart": len(early),
                "errors_after_recovery": len(late),
                "requests_after_recovery": len(after),
                "p99_after_recovery_ms": round(percentile([r["ms"] for r in after], 0.99)),
            }
            say(f"fault: {json.dumps(report['fault'], ensure_ascii=False)}")
            if early or late or not after:
                ok = False
                say(f"FAILED: errors must stay within the restart (+{RECOVERY_LIMIT_S} s)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    if options.report:
        options.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    say("PASSED" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
