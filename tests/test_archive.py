"""Backups: export everything, restore it into an empty database, and find it all again."""

import gzip
import json
import tracemalloc
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.archive import DERIVED, MODELS, export_archive, import_archive
from articles.models import Article, Location, Source

from .archive_data import build_archive, many_articles

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[dict]]:
    """Every field of every row of every archived table."""
    tables = {}
    for name, model in MODELS.items():
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in DERIVED]
        tables[name] = list(model._base_manager.order_by("pk").values(*fields))
    return tables


def wipe():
    """What a new, freshly migrated database holds: no archive at all."""
    Location.objects.update(parent=None)  # the tree protects parents from deletion
    for model in reversed(list(MODELS.values())):
        model._base_manager.all().delete()


def read_lines(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def write_lines(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_every_field_of_every_row_and_search_finds_the_same(tmp_path):
    build_archive()
    before = snapshot()
    found_before = list(Article.objects.search("درعا").values_list("pk", flat=True))
    assert found_before  # the archive has something to find
    path = tmp_path / "backup.jsonl.gz"

    out = StringIO()
    call_command("export_archive", str(path), stdout=out)
    assert "3 article" in out.getvalue()
    header = read_lines(path)[0]
    assert header["format"] == "newsroom-archive" and header["version"] == 1

    wipe()
    assert not Article.objects.exists() and not Location.objects.exists()
    assert not Article.objects.search("درعا").exists()

    call_command("import_archive", str(path), stdout=StringIO())
    assert snapshot() == before
    assert list(Article.objects.search("درعا").values_list("pk", flat=True)) == found_before
    assert list(Article.objects.search("بدرعا").values_list("pk", flat=True))

    # New rows continue after the restored ones instead of colliding with them.
    newer = Source.objects.create(name_ar="عنب بلدي", name_en="Enab Baladi")
    assert newer.pk > max(row["id"] for row in before["source"])


def test_import_rebuilds_place_paths_instead_of_trusting_the_file(tmp_path):
    archive = build_archive()
    path = tmp_path / "backup.jsonl.gz"
    export_archive(path)
    lines = read_lines(path)
    for line in lines:
        if line.get("model") == "location":
            line["fields"]["path"] = "/stale/"
    write_lines(path, lines)
    expected = dict(Location.objects.values_list("pk", "path"))
    wipe()

    import_archive(path)
    assert dict(Location.objects.values_list("pk", "path")) == expected
    daraa = Location.objects.get(pk=archive.daraa.pk)
    assert {p.name_en for p in daraa.descendants()} == {"Tafas", "Busra al-Sham", "Alma"}
    assert Article.objects.in_location(daraa).count() == 2


def test_import_refuses_a_database_that_is_not_empty(tmp_path):
    build_archive()
    path = tmp_path / "backup.jsonl.gz"
    export_archive(path)
    before = snapshot()
    with pytest.raises(CommandError, match=r"not empty \(1 source|not empty \(2 source"):
        call_command("import_archive", str(path))
    assert snapshot() == before


def test_import_refuses_an_unknown_version_and_says_which(tmp_path):
    path = tmp_path / "future.jsonl.gz"
    write_lines(path, [{"format": "newsroom-archive", "version": 2}, {"end": True, "counts": {}}])
    with pytest.raises(CommandError, match="version 2; this program reads version 1"):
        call_command("import_archive", str(path))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"title,body\n", "not a complete gzip file"),
        (gzip.compress(b'{"format": "something-else"}\n'), "not a newsroom archive"),
        (gzip.compress(b""), "is empty"),
        (gzip.compress(b"\xff\xfe not text"), "not UTF-8"),
    ],
    ids=["csv", "other-json", "empty", "binary"],
)
def test_import_refuses_files_that_are_not_archives(tmp_path, content, message):
    path = tmp_path / "backup.jsonl.gz"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_archive", str(path))


def test_a_cut_short_archive_imports_nothing(tmp_path):
    build_archive()
    path = tmp_path / "backup.jsonl.gz"
    export_archive(path)
    lines = read_lines(path)
    wipe()
    write_lines(path, lines[: len(lines) // 2])
    with pytest.raises(CommandError, match="cut short"):
        call_command("import_archive", str(path))
    assert not Source.objects.exists() and not Location.objects.exists()


def test_a_damaged_row_names_its_line_and_imports_nothing(tmp_path):
    build_archive()
    path = tmp_path / "backup.jsonl.gz"
    export_archive(path)
    lines = read_lines(path)
    wipe()
    article_line = next(i for i, line in enumerate(lines) if line.get("model") == "article")
    lines[article_line]["fields"]["published"] = "not a date"
    write_lines(path, lines)
    with pytest.raises(CommandError, match=f"line {article_line + 1}"):
        call_command("import_archive", str(path))
    assert not Article.objects.exists() and not Source.objects.exists()


def peak_memory(function, *args, **kwargs) -> int:
    _fill_tuple_free_lists()
    tracemalloc.start()
    try:
        function(*args, **kwargs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _fill_tuple_free_lists() -> None:
    """Fill the lists of freed tuples that Python keeps for reuse (2,000 of each size).

    tracemalloc counts a freed tuple kept there as still allocated, and how full those lists
    are when a measure starts depends on when the last full collection emptied them (sooner
    or later, with the number of objects the process holds): up to half a megabyte more
    for one run than the other, that the function measured never kept. Full before the
    measure, they take in nothing traced.
    """
    for size in range(1, 21):
        held = [tuple(range(size)) for _ in range(2_000)]
        del held


def test_export_and_import_memory_stays_flat_as_the_archive_grows(tmp_path):
    """Four times the articles must not take four times the memory: rows stream through."""
    archive = build_archive()
    body = archive.seed.body  # about 2 KB of real Arabic reporting
    peaks = {}
    for size in (100, 400):
        wipe()
        archive = build_archive()
        many_articles(size, place=archive.daraa, party=archive.russia, source=archive.rozana)
        Article.objects.filter(fingerprint__startswith="many-").update(body=body)
        path = tmp_path / f"backup-{size}.jsonl.gz"
        # Small batches, so that both sizes hold many of them.
        exported = peak_memory(export_archive, path, batch_size=20)
        wipe()
        imported = peak_memory(import_archive, path, batch_size=20)
        assert Article.objects.count() == size + 3
        peaks[size] = (exported, imported)
    for small, large in zip(peaks[100], peaks[400], strict=True):
        assert large < small * 1.3, peaks
    # Export holds a batch of rows; import also a batch of analysed texts for the index.
    assert peaks[400][0] < 400 * len(body.encode()) / 2, peaks
