"""Odd files never crash an import and never cost the good files next to them."""

import io
import json
import tracemalloc
import zipfile

import pytest

from articles.ingest import MAX_TEXT_BYTES, ingest_paths
from articles.models import Article

pytestmark = pytest.mark.django_db


def ingest(*paths):
    return {result.origin: result for result in ingest_paths(paths)}


def measured(function, *args):
    """Run function, returning (its result, the peak of Python memory it took)."""
    tracemalloc.start()
    try:
        return function(*args), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_folder_of_bad_files_loses_none_of_the_good_one(tmp_path, seed_text):
    files = {
        "good.txt": seed_text.encode(),
        "blank.txt": b" \n\t\r\n   \n",
        "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        "broken-utf8.txt": seed_text.encode()[:300] + b"\xc3\x28\xa0\xa1" + b"\xff" * 40,
        "mixed.txt": "درعا: قصف على نوى\n".encode() + "قصف على طفس\n".encode("cp1256"),
        "empty.txt": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    results = ingest(tmp_path)
    assert results[str(tmp_path / "good.txt")].status == "created"
    for name in ("blank.txt", "photo.txt", "empty.txt"):
        result = results[str(tmp_path / name)]
        assert result.status == "failed" and result.reason, name
    # Damaged UTF-8 and UTF-8 mixed with Windows-1256 are refused, not saved as mojibake.
    for name in ("broken-utf8.txt", "mixed.txt"):
        result = results[str(tmp_path / name)]
        assert result.status == "failed", (name, result.article and result.article.title)
        assert "not valid UTF-8" in result.reason
    assert list(Article.objects.values_list("origin", flat=True)) == [str(tmp_path / "good.txt")]


def test_a_50_mb_text_file_is_refused_without_reading_it_all(tmp_path, seed_text):
    huge = tmp_path / "huge.txt"
    line = (seed_text.replace("\n", " ") + "\n").encode()
    with huge.open("wb") as out:
        while out.tell() < 50 * 1024 * 1024:
            out.write(line)

    results, peak = measured(ingest, huge)
    result = results[str(huge)]
    assert result.status == "failed" and str(MAX_TEXT_BYTES // 2**20) in result.reason
    assert peak < MAX_TEXT_BYTES * 1.5, f"{peak / 1e6:.0f} MB of memory for a refused file"
    assert not Article.objects.exists()


def test_a_zip_bomb_is_refused_before_it_fills_memory(tmp_path, seed_text):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("first.txt", seed_text)
        with archive.open("zeros.txt", "w") as entry:
            chunk = b"0" * (1024 * 1024)
            for _ in range(300):  # 300 MB that pack into well under 1 MB
                entry.write(chunk)
    assert bomb.stat().st_size < 2 * 1024 * 1024

    results, peak = measured(ingest, bomb)
    statuses = {origin.rsplit(":", 1)[-1]: r.status for origin, r in results.items()}
    assert statuses == {"first.txt": "created", "zeros.txt": "failed"}
    # Reading stops at the per-entry limit: memory is bounded by it, not by the bomb.
    assert peak < 2.5 * MAX_TEXT_BYTES, f"{peak / 1e6:.0f} MB of memory for a zip bomb"
    assert Article.objects.count() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb.zip"]  # nothing extracted


def test_a_zip_inside_a_zip_is_answered_not_crashed_on(tmp_path, seed_text):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("inner.txt", seed_text)
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr("inner.zip", inner.getvalue())
        archive.writestr("other.txt", "قصف على نوى في ريف درعا الغربي صباح اليوم.\n")

    results = ingest(outer)
    assert len(results) == 2
    for result in results.values():
        assert result.status == "created" or result.reason
    assert Article.objects.filter(body__contains="قصف على نوى").count() == 1


def test_arabic_file_names_with_spaces_keep_their_name_as_origin(tmp_path, seed_text):
    folder = tmp_path / "تقارير روزنة"
    folder.mkdir()
    plain = folder / "تقرير من درعا اليوم.txt"
    plain.write_text(seed_text, encoding="utf-8")
    packed = tmp_path / "أرشيف تموز.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("أخبار الجنوب/خبر عن طفس.txt", "اشتباكات في مدينة طفس بريف درعا.\n")

    results = ingest(folder, packed)
    assert [r.status for r in results.values()] == ["created", "created"]
    origins = set(Article.objects.values_list("origin", flat=True))
    assert str(plain) in origins
    assert any("أخبار الجنوب/خبر عن طفس.txt" in origin for origin in origins)


def test_jsonl_lines_of_the_wrong_shape_fail_alone_with_a_reason(tmp_path):
    good = {"title": "قصف على نوى", "text": "قصف على نوى في ريف درعا الغربي صباح اليوم."}
    lines = [
        json.dumps(good, ensure_ascii=False),
        json.dumps({"title": "بلا نص"}, ensure_ascii=False),  # text missing
        json.dumps({"text": 12345}),
        json.dumps({"text": ["قصف", "على", "طفس"]}, ensure_ascii=False),
        json.dumps({"text": None}),
        json.dumps(["قصف على طفس"], ensure_ascii=False),
        "null",
        "42",
        '{"text": "قصف على داعل", "published": {"year": 2018}, "url": 7, "source": []}',
        '{"text": "مقطوع',
        "",
        json.dumps({**good, "text": "اشتباكات في طفس بريف درعا الشمالي."}, ensure_ascii=False),
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")

    results = list(ingest_paths([feed]))
    created = [r for r in results if r.status == "created"]
    failed = [r for r in results if r.status == "failed"]
    assert all(r.reason for r in failed)
    assert {r.article.body for r in created} >= {
        good["text"],
        "اشتباكات في طفس بريف درعا الشمالي.",
    }
    assert len(failed) >= 7
    assert Article.objects.count() == len(created)
