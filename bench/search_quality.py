"""Precision and recall of town-name search on the ANT news corpus (31,525 articles, 2018).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom \
        .venv/bin/python -m bench.search_quality
    .venv/bin/python -m bench.search_quality              # SQLite

Runs in a throwaway test database (``test_<name>``), loads the five multi-source files of the
corpus, indexes them with ``index_articles`` and searches each town name. The truth is an
independent reading of the raw text: a regular expression per name over the text with its
diacritics removed, with an explicit alternation of proclitics and word boundaries; it shares
no code with the analyser. On PostgreSQL the script also measures the built-in ``arabic`` and
``simple`` text-search configurations and a plain ``icontains`` on the same articles.

The corpus test (tests/test_search_corpus.py) uses the same functions and asserts the bar.
"""

import gzip
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT.parent / "shared" / "data" / "corpus"
FILES = ["Alarabia", "BBC", "CNN", "France24", "SkyNews"]  # the multi-source part

# Syrian places: cities and towns, common and rare, one and two words.
NAMES = [
    "درعا",
    "دمشق",
    "حلب",
    "حمص",
    "حماة",
    "إدلب",
    "الرقة",
    "دير الزور",
    "اللاذقية",
    "طرطوس",
    "الحسكة",
    "القامشلي",
    "تدمر",
    "الغوطة الشرقية",
    "دوما",
    "حرستا",
    "داريا",
    "عفرين",
    "منبج",
    "جرابلس",
    "الباب",
    "تل رفعت",
    "عين العرب",
    "كوباني",
    "خان شيخون",
    "معرة النعمان",
    "سراقب",
    "البوكمال",
    "الميادين",
    "القنيطرة",
    "السويداء",
    "نوى",
    "بصرى الشام",
    "طفس",
    "إزرع",
    "الصنمين",
    "جاسم",
    "داعل",
    "الحراك",
    "علما",
    "عربين",
]


class CorpusArticle(NamedTuple):
    key: str
    title: str
    body: str


def corpus_available() -> bool:
    return all((CORPUS / f"{name}.jsonl.gz").exists() for name in FILES)


def load_corpus() -> list[CorpusArticle]:
    articles = []
    for name in FILES:
        with gzip.open(CORPUS / f"{name}.jsonl.gz", "rt", encoding="utf-8") as lines:
            for n, line in enumerate(lines):
                record = json.loads(line)
                key = f"{name}/{record.get('docno') or n}"
                articles.append(
                    CorpusArticle(key, record.get("title") or "", record.get("text") or "")
                )
    return articles


# -- The independent reading -------------------------------------------------------------------

# Harakat, tanwin, shadda, sukun, dagger alef, Quranic marks, tatweel, invisible controls.
_STRIP = re.compile(
    "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
    "\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_LETTER_CLASS = {
    "ا": "[اأإآٱ]",
    "أ": "[اأإآٱ]",
    "إ": "[اأإآٱ]",
    "آ": "[اأإآٱ]",
    "ى": "[ىي]",
    "ي": "[ىي]",
    "ة": "[ةه]",
    "ه": "[ةه]",
}
_NOT_LETTER_BEFORE = r"(?<![^\W_])"
_NOT_LETTER_AFTER = r"(?![^\W_])"


def _spelled(word: str) -> str:
    return "".join(_LETTER_CLASS.get(ch, re.escape(ch)) for ch in word)


def truth_pattern(name: str) -> re.Pattern:
    """The name in any spelling and with any proclitics: و/ف, then ب/ك/ل, then ال."""
    first, *rest = name.split()
    if first.startswith("ال"):
        core = first[2:]
        forms = [r"[وف]?(?:[بك]?" + _spelled("ال") + "|لل)" + _spelled(core)]
        if core.startswith("ل"):  # ل + اللاذقية is written للاذقية
            forms.append("[وف]?ل" + _spelled(core))
    else:
        forms = [r"[وف]?(?:[بك]?(?:" + _spelled("ال") + ")?|لل|ل)" + _spelled(first)]
    tail = "".join(r"\s+" + _spelled(word) for word in rest)
    return re.compile(_NOT_LETTER_BEFORE + "(?:" + "|".join(forms) + ")" + tail + _NOT_LETTER_AFTER)


def plain(text: str) -> str:
    return _STRIP.sub("", text)


_WORD = re.compile(r"[^\W_]+")


def truth(articles: dict[int, CorpusArticle], names: Iterable[str]) -> dict[str, set[int]]:
    """Which articles contain each name, read straight from the text.

    A word of the text is tested once against the first word of every name (cached by
    spelling); only the articles where a first word matched are read with the whole pattern.
    """
    names = list(names)
    firsts = {name: truth_pattern(name.split()[0]) for name in names}
    patterns = {name: truth_pattern(name) for name in names}
    heads: dict[str, tuple[str, ...]] = {}
    found: dict[str, set[int]] = {name: set() for name in names}
    for pk, article in articles.items():
        text = plain(article.title) + "\n" + plain(article.body)
        hits: set[str] = set()
        for word in set(_WORD.findall(text)):
            if word not in heads:
                heads[word] = tuple(n for n, p in firsts.items() if p.fullmatch(word))
            hits.update(heads[word])
        for name in hits:
            if " " not in name or patterns[name].search(text):
                found[name].add(pk)
    return found


# -- Scoring -----------------------------------------------------------------------------------


class Score(NamedTuple):
    name: str
    relevant: int
    retrieved: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.retrieved if self.retrieved else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.relevant if self.relevant else 1.0


def score(results: dict[str, set[int]], expected: dict[str, set[int]]) -> list[Score]:
    rows = [
        Score(name, len(expected[name]), len(results[name]), len(results[name] & expected[name]))
        for name in expected
    ]
    total = Score(
        "all names",
        sum(r.relevant for r in rows),
        sum(r.retrieved for r in rows),
        sum(r.correct for r in rows),
    )
    return [*rows, total]


def table(columns: dict[str, list[Score]]) -> str:
    """A Markdown table: one row per name, precision/recall per method."""
    methods = list(columns)
    first = columns[methods[0]]
    head = ["name", "articles"] + [f"{m} P / R" for m in methods]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for i, row in enumerate(first):
        cells = [row.name if i < len(first) - 1 else f"**{row.name}**", str(row.relevant)]
        for method in methods:
            other = columns[method][i]
            cells.append(f"{other.precision:.3f} / {other.recall:.3f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- Loading into the archive and searching ----------------------------------------------------


def populate(corpus: list[CorpusArticle], batch_size: int = 1000) -> dict[int, CorpusArticle]:
    """Bulk-create the articles and index them (this measures search, not ingestion)."""
    from articles.models import Article
    from articles.search import index_articles

    created: dict[int, CorpusArticle] = {}
    for start in range(0, len(corpus), batch_size):
        chunk = corpus[start : start + batch_size]
        objs = Article.objects.bulk_create(
            Article(
                title=a.title[:500],
                body=a.body,
                origin=a.key,
                fingerprint=hashlib.sha256(a.key.encode()).hexdigest(),
            )
            for a in chunk
        )
        if any(obj.pk is None for obj in objs):  # backends that do not return ids
            keys = [a.key for a in chunk]
            by_key = dict(Article.objects.filter(origin__in=keys).values_list("origin", "pk"))
            for obj in objs:
                obj.pk = by_key[obj.origin]
        index_articles(objs, batch_size=batch_size)
        created.update((obj.pk, a) for obj, a in zip(objs, chunk, strict=True))
    return created


def query_for(name: str) -> str:
    return f'"{name}"' if " " in name else name


def archive_search(names: Iterable[str]) -> dict[str, set[int]]:
    from articles.models import Article

    return {
        name: set(Article.objects.search(query_for(name)).values_list("pk", flat=True))
        for name in names
    }


def postgres_baselines(names: Iterable[str]) -> dict[str, dict[str, set[int]]]:
    """The built-in configurations and icontains, for comparison (PostgreSQL only)."""
    from django.db import connection
    from django.db.models import Q

    from articles.models import Article

    results: dict[str, dict[str, set[int]]] = {"arabic": {}, "simple": {}, "icontains": {}}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE baseline AS SELECT id, "
            "to_tsvector('arabic', title || ' ' || body) AS arabic, "
            "to_tsvector('simple', title || ' ' || body) AS simple FROM articles_article"
        )
        for name in names:
            for config in ("arabic", "simple"):
                cursor.execute(
                    f"SELECT id FROM baseline WHERE {config} @@ phraseto_tsquery(%s, %s)",
                    [config, name],
                )
                results[config][name] = {row[0] for row in cursor.fetchall()}
            matches = Article.objects.filter(Q(title__icontains=name) | Q(body__icontains=name))
            results["icontains"][name] = set(matches.values_list("pk", flat=True))
        cursor.execute("DROP TABLE baseline")
    return results


def main() -> int:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    import django

    django.setup()
    from django.db import connection, transaction

    if not corpus_available():
        print(f"The ANT corpus is not at {CORPUS}.", file=sys.stderr)
        return 1
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.monotonic()
        corpus = load_corpus()
        with transaction.atomic():
            articles = populate(corpus)
        loaded = time.monotonic() - started
        expected = truth(articles, NAMES)
        started = time.monotonic()
        columns = {"archive": score(archive_search(NAMES), expected)}
        searched = time.monotonic() - started
        if connection.vendor == "postgresql":
            for method, found in postgres_baselines(NAMES).items():
                columns[method] = score(found, expected)
        print(
            f"{connection.vendor}: {len(articles)} articles loaded and indexed in {loaded:.0f} s;"
        )
        print(f"{len(NAMES)} names searched in {searched:.1f} s.\n")
        print(table(columns))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
