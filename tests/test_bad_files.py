"""Odd files never crash an import and never cost the good files next to them."""

import io
import json
import tracemalloc
import zipfile

import pytest
from django.utils import translation

from articles.ingest import MAX_TEXT_FILE_BYTES, ingest_paths
from articles.models import MAX_ARTICLE_BYTES, Article, megabytes

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


def prose(seed_text: str, size: int) -> str:
    """Real Arabic news, repeated to ``size`` bytes of UTF-8 or a little more."""
    paragraph = seed_text.replace("\n", " ") + "\n"
    return paragraph * (size // len(paragraph.encode()) + 1)


def refusal(what: str) -> str:
    return f"{what}; an article may have at most 1 MB — split it or check the file"


def test_a_50_mb_text_file_is_refused_without_reading_it_all(tmp_path, seed_text):
    huge = tmp_path / "huge.txt"
    line = (seed_text.replace("\n", " ") + "\n").encode()
    with huge.open("wb") as out:
        while out.tell() < 50 * 1024 * 1024:
            out.write(line)

    with translation.override("en"):
        results, peak = measured(ingest, huge)
    result = results[str(huge)]
    size = megabytes(huge.stat().st_size)
    assert result.status == "failed" and result.reason == refusal(f"the file is {size} MB")
    assert peak < MAX_TEXT_FILE_BYTES * 1.5, f"{peak / 1e6:.0f} MB of memory for a refused file"
    assert not Article.objects.exists()


def test_a_20_mb_text_is_refused_with_its_size_and_the_good_file_beside_it_lands(
    tmp_path, seed_text
):
    (tmp_path / "good.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "feed-pasted-as-one.txt").write_bytes(
        prose(seed_text, 20 * 1024 * 1024).encode()[: 20 * 1024 * 1024]
    )

    with translation.override("en"):
        results = ingest(tmp_path)

    huge = results[str(tmp_path / "feed-pasted-as-one.txt")]
    assert huge.status == "failed"
    assert huge.reason == refusal("the file is 20 MB")
    assert results[str(tmp_path / "good.txt")].status == "created"
    assert Article.objects.count() == 1


def zipped(**entries: bytes) -> bytes:
    buffer = io.BytesIO()
    # Stored, not compressed: repeated prose would pack like a zip bomb.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name.replace("__", "."), data)
    return buffer.getvalue()


def jsonl(*texts: str) -> bytes:
    return "".join(
        json.dumps({"id": f"n{n}", "text": text}, ensure_ascii=False) + "\n"
        for n, text in enumerate(texts, 1)
    ).encode()


@pytest.mark.parametrize(
    "name, build, refused, reason",
    [
        # Windows-1256 on disk is half its size in UTF-8, as stored: the text is what counts.
        (
            "long.txt",
            lambda big, small: big(1.4).encode("cp1256"),
            "long.txt",
            "the text is 1.4 MB",
        ),
        (
            "batch.zip",
            lambda big, small: zipped(good__txt=small.encode(), long__txt=big(3).encode()),
            "batch.zip:long.txt",
            "the file is 3 MB",
        ),
        (
            "feed.jsonl",
            lambda big, small: jsonl(big(1.5), small),
            "feed.jsonl:n1",
            "the text is 1.5 MB",
        ),
        (
            "feed.jsonl",  # past the line limit: skipped unread, the next line still lands
            lambda big, small: jsonl(small, big(19.9), small + " وفي خبر آخر"),  # 20 MB with JSON
            "feed.jsonl:2",
            "line 2 is 20 MB",
        ),
        (
            "batch.zip",
            lambda big, small: zipped(feed__jsonl=jsonl(big(1.2), small)),
            "batch.zip:feed.jsonl:n1",
            "the text is 1.2 MB",
        ),
    ],
)
def test_a_text_over_the_limit_is_refused_by_every_route_and_its_neighbours_land(
    tmp_path, seed_text, name, build, refused, reason
):
    def big(megabytes_: float) -> str:
        size = int(megabytes_ * 1024 * 1024)
        return prose(seed_text, size).encode()[:size].decode("utf-8", "ignore").rstrip()

    small = "قصف على نوى في ريف درعا الغربي صباح اليوم."
    path = tmp_path / name
    path.write_bytes(build(big, small))

    with translation.override("en"):
        results = [(r.origin.removeprefix(str(tmp_path) + "/"), r) for r in ingest_paths([path])]

    failed = {origin: r.reason for origin, r in results if r.status == "failed"}
    assert failed == {refused: refusal(reason)}
    assert sum(r.status == "created" for _origin, r in results) == len(results) - 1
    assert all(
        len(body) <= MAX_ARTICLE_BYTES for body in Article.objects.values_list("body", flat=True)
    )


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
    assert peak < 2.5 * MAX_TEXT_FILE_BYTES, f"{peak / 1e6:.0f} MB of memory for a zip bomb"
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
