"""`manage.py ingest`: one line per article, a summary, and an exit status that tells failure."""

import fcntl
import os
import struct
import subprocess
import sys
import termios
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Source

from .conftest import PROJECT

# Reasons asserted in English here; test_admin_import checks what editors read in Arabic.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


SEEDS = PROJECT / "seeds" / "articles"
TAFAS = (
    "من جهتها منعت فصائل الجيش الحر في مدينة طفس غرب درعا دخول الشرطة الروسية وقوات النظام، "
    "ورفضت شروط المفاوضات بعد موافقتهم الأولية عليها."
)


def ingest(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ingest", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_ingesting_the_seeds_twice_creates_the_article_once():
    Source.objects.create(name_ar="روزنة", name_en="Rozana", key="rozana")
    seed = SEEDS / "000_5e3cd00a1820727e.txt"

    first, _ = ingest(SEEDS)
    article = Article.objects.get()
    assert first.splitlines() == [
        f"created #{article.pk} {seed}",
        "1 created, 0 duplicate, 0 failed",
    ]
    assert (article.byline, article.source.key) == ("علي المحاميد", "rozana")

    second, _ = ingest(SEEDS)
    assert second.splitlines() == [
        f"duplicate of #{article.pk} {seed}",
        "0 created, 1 duplicate, 0 failed",
    ]
    assert Article.objects.count() == 1


def test_a_failed_file_is_reported_and_the_command_fails_after_saving_the_rest(tmp_path):
    (tmp_path / "good.txt").write_text(TAFAS)
    (tmp_path / "empty.txt").write_bytes(b"")
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("ingest", str(tmp_path), stdout=out, stderr=StringIO())
    assert failure.value.returncode == 1
    article = Article.objects.get()
    assert out.getvalue().splitlines() == [
        f"failed {tmp_path / 'empty.txt'}: the file is empty",
        f"created #{article.pk} {tmp_path / 'good.txt'}",
        "1 created, 0 duplicate, 1 failed",
    ]


def test_source_option_names_the_source_of_texts_that_name_none(tmp_path):
    rozana = Source.objects.create(name_ar="روزنة", name_en="Rozana", aliases="راديو روزنة")
    (tmp_path / "a.txt").write_text(TAFAS)
    ingest(tmp_path, "--source", "راديو روزنه")
    assert Article.objects.get().source == rozana


def test_unknown_source_option_is_refused_before_anything_is_read(tmp_path):
    Source.objects.create(name_ar="روزنة")
    (tmp_path / "a.txt").write_text(TAFAS)
    with pytest.raises(CommandError, match="No source called 'Enab'.*روزنة"):
        ingest(tmp_path, "--source", "Enab")
    assert not Article.objects.exists()


def test_dry_run_reports_and_saves_nothing(tmp_path):
    (tmp_path / "a.txt").write_text(TAFAS)
    (tmp_path / "b.txt").write_text(TAFAS.replace(" ", "  "))
    out, _ = ingest(tmp_path, "--dry-run")
    lines = out.splitlines()
    assert lines[0].startswith("created #") and lines[1].startswith("duplicate of #")
    assert lines[-1] == "1 created, 1 duplicate, 0 failed (dry run: nothing saved)"
    assert not Article.objects.exists()


def test_real_exit_status_of_the_command(tmp_path):
    """The process exits 0 when nothing failed and 1 otherwise."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "DJANGO_DEBUG": "0",
    }

    def manage(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *map(str, args)],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            **kwargs,
        )

    assert manage("migrate", "--no-input").returncode == 0
    first = manage("ingest", "seeds/articles")
    assert (first.returncode, first.stdout.splitlines()[-1]) == (
        0,
        "1 created, 0 duplicate, 0 failed",
    )
    second = manage("ingest", "seeds/articles")
    assert second.returncode == 0
    assert second.stdout.splitlines() == [
        "duplicate of #1 seeds/articles/000_5e3cd00a1820727e.txt",
        "0 created, 1 duplicate, 0 failed",
    ]
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    failed = manage("ingest", "seeds/articles", tmp_path / "bad.txt")
    assert failed.returncode == 1
    # The process speaks the site's language (LANGUAGE_CODE = "ar"); the keywords stay fixed.
    assert f"failed {tmp_path / 'bad.txt'}: فيه بايتات صفرية (NUL)" in failed.stdout
    assert failed.stdout.splitlines()[-1] == "0 created, 1 duplicate, 1 failed"


def test_progress_bar_shows_on_a_terminal_and_stays_off_stdout(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    for number in range(25):
        (texts / f"{number:02}.txt").write_text(f"{TAFAS} {number}")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--no-input"],
        cwd=PROJECT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    terminal, stderr = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # rows, columns
    with subprocess.Popen(
        [*manage, "ingest", str(texts)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    ) as process:
        os.close(stderr)
        shown = b""
        while True:
            try:
                chunk = os.read(terminal, 4096)
            except OSError:  # the terminal closes when the process exits
                break
            if not chunk:
                break
            shown += chunk
        out = process.stdout.read()
    os.close(terminal)
    assert process.returncode == 0
    assert out.splitlines()[-1] == "25 created, 0 duplicate, 0 failed"
    assert len(out.splitlines()) == 26 and "articles/s" not in out
    assert b"25 articles" in shown
