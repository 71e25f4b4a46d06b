"""Ingestion of files, folders, zip archives and JSONL: one result per article, none lost."""

import io
import json
import multiprocessing
import stat
import zipfile

import pytest

from articles.ingest import fingerprint, ingest_paths, ingest_upload
from articles.models import Article, Source

from .archive_data import ANTONOV, DISPLACED, TAFAS

# Reasons asserted in English here; test_admin_import checks what editors read in Arabic.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(params=["inline", "in workers"])
def preparation(request, monkeypatch):
    """Batches prepared in this process, or in worker processes as a long import's are."""
    if request.param == "in workers":
        monkeypatch.setattr("articles.ingest.workers.PARALLEL_AFTER", 0)
    return request.param


def statuses(results):
    return [(result.status, result.origin) for result in results]


def make_zip(entries: dict[str, bytes], symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def test_folder_is_read_recursively_in_order_and_bad_files_lose_nothing(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_bytes(TAFAS.encode("cp1256"))
    (tmp_path / "b" / "c.txt").write_bytes(b"\xff\xfe" + DISPLACED.encode("utf-16-le"))
    (tmp_path / "b" / "empty.txt").write_bytes(b"")
    (tmp_path / "b" / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "b" / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")

    results = list(ingest_paths([tmp_path]))

    assert statuses(results) == [
        ("created", str(tmp_path / "a.txt")),
        ("created", str(tmp_path / "b" / "c.txt")),
        ("failed", str(tmp_path / "b" / "empty.txt")),
        ("failed", str(tmp_path / "b" / "notes.docx")),
        ("failed", str(tmp_path / "b" / "photo.txt")),
    ]
    reasons = [result.reason for result in results if result.status == "failed"]
    assert reasons == [
        "the file is empty",
        "not a .txt, .zip or .jsonl file",
        "contains NUL bytes: a binary file, or UTF-16 without a byte-order mark",
    ]
    assert sorted(Article.objects.values_list("body", flat=True)) == sorted([TAFAS, DISPLACED])


def test_same_text_in_another_encoding_is_a_duplicate_naming_the_original(tmp_path):
    (tmp_path / "1.txt").write_bytes(TAFAS.encode("utf-8"))
    (tmp_path / "2.txt").write_bytes(b"\xfe\xff" + TAFAS.replace(" ", "\t").encode("utf-16-be"))
    first, second = ingest_paths([tmp_path / "1.txt", tmp_path / "2.txt"])
    assert (first.status, second.status) == ("created", "duplicate")
    assert second.duplicate_of == first.article


def test_interrupted_run_can_simply_be_run_again(tmp_path):
    (tmp_path / "1.txt").write_text(TAFAS)
    list(ingest_paths([tmp_path]))  # the first run stopped after one file
    (tmp_path / "2.txt").write_text(DISPLACED)
    assert [result.status for result in ingest_paths([tmp_path])] == ["duplicate", "created"]
    assert Article.objects.count() == 2


def test_missing_path_fails_alone(tmp_path):
    (tmp_path / "1.txt").write_text(TAFAS)
    results = list(ingest_paths([tmp_path / "nope.txt", tmp_path / "1.txt"]))
    assert statuses(results) == [
        ("failed", str(tmp_path / "nope.txt")),
        ("created", str(tmp_path / "1.txt")),
    ]
    assert results[0].reason == "no such file or folder"


def test_zip_of_texts_lands_each_entry_with_its_inner_path(tmp_path):
    archive = tmp_path / "batch.zip"
    archive.write_bytes(
        make_zip(
            {
                "daraa/tafas.txt": TAFAS.encode("cp1256"),
                "daraa/displaced.txt": codecs_bom_utf8(DISPLACED),
                "__MACOSX/daraa/._tafas.txt": b"\x00\x05\x16\x07",
                "picture.jpg": b"\xff\xd8\xff",
            }
        )
    )
    results = list(ingest_paths([archive]))
    assert statuses(results) == [
        ("created", f"{archive}:daraa/displaced.txt"),
        ("created", f"{archive}:daraa/tafas.txt"),
        ("failed", f"{archive}:picture.jpg"),
    ]
    assert Article.objects.get(body=TAFAS).origin == f"{archive}:daraa/tafas.txt"


def codecs_bom_utf8(text: str) -> bytes:
    return "\ufeff".encode() + text.encode()


def test_zip_with_escaping_paths_and_links_is_refused_and_writes_nothing(tmp_path, monkeypatch):
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    archive = tmp_path / "evil.zip"
    archive.write_bytes(
        make_zip(
            {
                "../../etc/passwd": "root:x:0:0:root:/root:/bin/bash\nدرعا".encode(),
                "/tmp/absolute.txt": TAFAS.encode(),
                "..\\..\\windows.txt": DISPLACED.encode(),
                "ok.txt": ANTONOV.encode(),
            },
            symlinks={"link.txt": "/etc/passwd"},
        )
    )
    before = sorted(tmp_path.rglob("*"))

    results = {result.origin.split(":", 1)[1]: result for result in ingest_paths([archive])}

    assert {name: result.status for name, result in results.items()} == {
        "../../etc/passwd": "failed",
        "/tmp/absolute.txt": "failed",
        "..\\..\\windows.txt": "failed",
        "link.txt": "failed",
        "ok.txt": "created",
    }
    assert "outside the archive" in results["../../etc/passwd"].reason
    assert "absolute path" in results["/tmp/absolute.txt"].reason
    assert "symbolic link" in results["link.txt"].reason
    assert sorted(tmp_path.rglob("*")) == before
    assert list(Article.objects.values_list("body", flat=True)) == [ANTONOV]


def test_zip_bomb_entry_is_refused_without_reading_it_whole(tmp_path):
    archive = tmp_path / "bomb.zip"
    archive.write_bytes(make_zip({"bomb.txt": ("درعا " * 2_000_000).encode(), "ok.txt": b"x y"}))
    results = {result.origin: result for result in ingest_paths([archive])}
    assert results[f"{archive}:bomb.txt"].status == "failed"
    assert "zip bomb" in results[f"{archive}:bomb.txt"].reason
    assert results[f"{archive}:ok.txt"].status == "created"


def test_not_a_zip_is_refused(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(TAFAS.encode())
    [result] = ingest_paths([archive])
    assert result.status == "failed"
    assert "not a readable zip archive" in result.reason


def jsonl(*records) -> bytes:
    return "\n".join(
        record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)
        for record in records
    ).encode()


def test_jsonl_malformed_line_fails_alone_with_its_line_number(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(
        jsonl(
            {"id": "tafas-1", "title": "منع دخول الشرطة الروسية إلى طفس", "text": TAFAS},
            '{"id": "broken", "title": "نص مقطوع", "text": "بلا نهاية',
            "",
            {"id": "displaced-1", "title": "نزوح نحو الحدود الأردنية", "text": DISPLACED},
            {"id": "no-text", "title": "عنوان فقط"},
        )
    )
    results = list(ingest_paths([feed]))
    assert statuses(results) == [
        ("created", f"{feed}:tafas-1"),
        ("failed", f"{feed}:2"),
        ("created", f"{feed}:displaced-1"),
        ("failed", f"{feed}:no-text"),
    ]
    assert results[1].reason.startswith("line 2: not valid JSON")
    assert results[3].reason == "line 5: no “text”"
    assert set(Article.objects.values_list("title", flat=True)) == {
        "منع دخول الشرطة الروسية إلى طفس",
        "نزوح نحو الحدود الأردنية",
    }


def test_jsonl_text_with_a_stray_control_character_lands_without_it(tmp_path):
    feed = tmp_path / "feed.jsonl"
    damaged = TAFAS.replace("طفس", "طفس\x8f").replace("درعا", "درعا\x02")
    feed.write_bytes(jsonl({"id": "tafas-1", "title": "منع دخول الشرطة إلى طفس", "text": damaged}))
    (result,) = ingest_paths([feed])
    assert result.status == "created", result.reason
    assert Article.objects.get().body == TAFAS


def test_jsonl_fields_fill_the_article_and_unknown_sources_are_created(tmp_path):
    bbc = Source.objects.create(name_ar="بي بي سي عربي", name_en="BBC Arabic", aliases="BBC")
    feed = tmp_path / "corpus.jsonl"
    feed.write_bytes(
        jsonl(
            {
                "id": "BB-1024",
                "title": 'روسيا تحذر من "عدوان غير شرعي على سوريا"',
                "text": ANTONOV,
                "source": "bbc",
                "published": "2018-08-30T08:11:31+00:00",
                "author": "أحمد الريدي",
                "url": "https://www.bbc.com/arabic/world-45356331",
            },
            {"text": TAFAS, "source": "عنب بلدي", "published": "أمس"},
        )
    )
    first, second = ingest_paths([feed])
    article = first.article
    assert (article.title, article.source, article.byline) == (
        'روسيا تحذر من "عدوان غير شرعي على سوريا"',
        bbc,
        "أحمد الريدي",
    )
    assert (str(article.published), article.url, article.origin) == (
        "2018-08-30",
        "https://www.bbc.com/arabic/world-45356331",
        f"{feed}:BB-1024",
    )
    assert second.origin == f"{feed}:2"
    assert second.article.source.name_ar == "عنب بلدي"
    assert second.article.published is None
    assert any("أمس" in note for note in second.notes)
    assert second.article.title.startswith("من جهتها منعت فصائل الجيش الحر")


def test_given_source_applies_to_texts_that_name_none(tmp_path):
    rozana = Source.objects.create(name_ar="روزنة", key="rozana")
    [result] = ingest_upload("tafas.txt", io.BytesIO(TAFAS.encode()), source=rozana)
    assert result.article.source == rozana
    assert result.article.fingerprint == fingerprint(TAFAS)


def test_jsonl_batches_report_duplicates_in_line_order_and_save_each_text_once(
    tmp_path, monkeypatch, preparation
):
    monkeypatch.setattr("articles.ingest.save.BATCH_SIZE", 2)  # so the batches split the file
    Article.objects.create(title="سابق", body=ANTONOV, fingerprint=fingerprint(ANTONOV))
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(
        jsonl(
            {"id": "a", "title": "طفس", "text": TAFAS},
            {"id": "b", "title": "طفس مرة أخرى", "text": "  " + TAFAS.replace("،", " ،")},
            {"id": "c", "title": "نزوح", "text": DISPLACED},
            "not json",
            {"id": "d", "title": "أنتونوف", "text": ANTONOV},
            {"id": "e", "title": "نزوح مكرر", "text": DISPLACED},
        )
    )
    results = list(ingest_paths([feed]))
    assert statuses(results) == [
        ("created", f"{feed}:a"),
        ("duplicate", f"{feed}:b"),
        ("created", f"{feed}:c"),
        ("failed", f"{feed}:4"),
        ("duplicate", f"{feed}:d"),
        ("duplicate", f"{feed}:e"),
    ]
    assert results[1].duplicate_of == results[0].article
    assert results[5].duplicate_of == results[2].article
    assert results[4].duplicate_of.title == "سابق"
    assert Article.objects.count() == 3


def test_jsonl_articles_are_searchable_and_have_their_history(tmp_path, preparation):
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(
        jsonl(
            {"id": "a", "title": "منع دخول الشرطة الروسية إلى طفس", "text": TAFAS},
            {"id": "b", "title": "نزوح نحو الحدود الأردنية", "text": DISPLACED},
        )
    )
    tafas, displaced = (result.article for result in ingest_paths([feed]))
    assert list(Article.objects.search("درعا").order_by("pk")) == [tafas, displaced]
    assert list(Article.objects.search("طفس")) == [tafas]
    assert tafas.history.count() == 1
    assert tafas.fingerprint == fingerprint(TAFAS)


def test_jsonl_articles_get_places_reporter_notes_and_reasons_in_any_process(
    tmp_path, seed_gazetteer, preparation
):
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(
        jsonl(
            {"id": "a", "text": f"وقال مراسل روزنة في درعا علي المحاميد إن {TAFAS}", "time": "?"},
            {"id": "b", "title": "نزوح", "text": DISPLACED, "source": "راديو الجنوب"},
            {"id": "c", "title": "فراغ", "text": "... !!! ..."},
        )
    )
    reporter, displaced, empty = ingest_paths([feed])
    assert (reporter.article.byline, reporter.article.source.key) == ("علي المحاميد", "rozana")
    assert reporter.notes == ["published date “?” not understood; left empty"]
    assert {"درعا", "طفس"} <= {place.name_ar for place in reporter.article.locations.all()}
    assert displaced.notes == ["new source “راديو الجنوب” added"]
    assert displaced.article.source.name_ar == "راديو الجنوب"
    assert (empty.status, empty.reason) == ("failed", "the text has no words")
    assert list(Article.objects.search("طفس")) == [reporter.article]


def test_an_import_stopped_midway_leaves_no_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setattr("articles.ingest.workers.PARALLEL_AFTER", 0)
    monkeypatch.setattr("articles.ingest.save.BATCH_SIZE", 1)
    feed = tmp_path / "feed.jsonl"
    feed.write_bytes(jsonl(*({"id": n, "text": text} for n, text in enumerate([TAFAS, ANTONOV]))))
    results = ingest_paths([feed])
    assert next(results).status == "created"
    results.close()  # an editor's upload cut short, or an error further on
    assert multiprocessing.active_children() == []


def test_folder_of_texts_in_batches_keeps_file_order_and_finds_duplicates(
    tmp_path, monkeypatch, preparation
):
    monkeypatch.setattr("articles.ingest.save.BATCH_SIZE", 2)
    (tmp_path / "1.txt").write_text(f"منع دخول الشرطة إلى طفس\n\n{TAFAS}", encoding="utf-8")
    (tmp_path / "2.txt").write_bytes(DISPLACED.encode("cp1256"))
    (tmp_path / "3.txt").write_bytes(b"")
    (tmp_path / "4.txt").write_text(f"عنوان آخر\n\n{TAFAS}", encoding="utf-8")
    results = list(ingest_paths([tmp_path]))
    assert statuses(results) == [
        ("created", str(tmp_path / "1.txt")),
        ("created", str(tmp_path / "2.txt")),
        ("failed", str(tmp_path / "3.txt")),
        ("duplicate", str(tmp_path / "4.txt")),
    ]
    assert results[0].article.title == "منع دخول الشرطة إلى طفس"
    assert results[3].duplicate_of == results[0].article
    assert list(Article.objects.search("طفس")) == [results[0].article]
