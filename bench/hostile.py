"""Queries that once made one request work without bound (issue 17), beside plain equivalents.

"Damascus" stands for sixty spellings of the city in the gazetteer; repeated forty times
(360 characters) it took 254 s on SQLite at 10k articles. Each hostile query is timed with
the plain Arabic query a reader would type for the same thing, through the same code path
(the first page of 20 with its count, and the browse page); the bar is that the hostile one
answers within 0.5 s and costs no more than a fraction of a second over the plain one.

The issue measured "the 5,782-article test corpus", which it does not define further: the
benchmark reads it as the first 5,782 articles of its own stream (the ANT corpus shuffled
with the benchmark's seed; `--sizes 5782`, plus the seed article `load_seeds` adds).
"""

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
TARGET_MS = 500  # the bar for each hostile query
SEED_ARTICLE = PROJECT / "seeds" / "articles" / "000_5e3cd00a1820727e.txt"


def long_arabic() -> tuple[str, str]:
    """The seed article's first MAX_QUERY_LENGTH characters pasted as a query, and the words
    of it the archive searches."""
    from articles import arabic, search

    length = search.MAX_QUERY_LENGTH
    clauses = getattr(search, "MAX_CLAUSES", 20)  # older checkouts had no such limit
    text = " ".join(SEED_ARTICLE.read_text("utf-8").split())[:length]
    words = list(dict.fromkeys(text.split()))
    words = [w for w in words if arabic.words(w)]
    return text, " ".join(words[:clauses])


def pairs() -> list[tuple[str, str, str]]:
    """(what, hostile query, its plain Arabic equivalent)."""
    pasted, first_words = long_arabic()
    return [
        ("60 spellings of a name", "Damascus", "دمشق"),
        ("a Latin name repeated 40 times", "Damascus " * 40, "دمشق"),
        ("a Latin two-word name", "Deir ez-Zor", '"دير الزور"'),
        ("a phrase of common words", '"في ريف دمشق"', "في ريف دمشق"),
        ("1,000 pasted characters", pasted, first_words),
    ]


def measure(search_page, browse_page, passes: int) -> list[dict]:
    """Each pair timed alike: one untimed run, then ``passes`` timed runs of each query."""
    from bench.run import measure as timed_runs
    from bench.run import summary

    rows = []
    for what, hostile, plain in pairs():
        row = {"what": what, "hostile": hostile, "plain": plain}
        for key, query in (("hostile", hostile), ("plain", plain)):
            times, answers = timed_runs(search_page, [query], warm=1, passes=passes)
            row[f"{key}_search"] = summary(times)
            row[f"{key}_found"] = answers[query][1]
            if browse_page is not None:
                times, _ = timed_runs(browse_page, [query], warm=0, passes=passes)
                row[f"{key}_browse"] = summary(times)
        rows.append(row)
    return rows


def _ms(summary: dict | None) -> str:
    return "—" if not summary else f"{summary['median']:,.0f}"


def _shown(query: str) -> str:
    if len(query) > 40:
        return f"{query[:24]}… ({len(query):,} characters)"
    return query


def section(rows: list[dict]) -> str:
    """The results file's table: per size, each hostile query against its plain equivalent."""
    lines = [
        "| articles | query | plain equivalent | search ms (max) | plain ms | extra ms | "
        "browse ms | plain browse ms | found / plain | within 0.5 s |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for row in rows:
        for pair in row.get("hostile") or []:
            hostile, plain = pair["hostile_search"], pair["plain_search"]
            extra = hostile["median"] - plain["median"]
            worst = max(hostile["max"], (pair.get("hostile_browse") or {}).get("max", 0))
            lines.append(
                f"| {row['articles']:,} | {pair['what']}: `{_shown(pair['hostile'])}` | "
                f"`{_shown(pair['plain'])}` | {_ms(hostile)} ({hostile['max']:,.0f}) | "
                f"{_ms(plain)} | {extra:+,.0f} | {_ms(pair.get('hostile_browse'))} | "
                f"{_ms(pair.get('plain_browse'))} | "
                f"{pair['hostile_found']:,} / {pair['plain_found']:,} | "
                f"{'yes' if worst <= TARGET_MS else '**no**'} |"
            )
    loads = ", ".join(
        f"{row['load_before_hostile']:.1f} at {row['articles']:,}"
        for row in rows
        if "load_before_hostile" in row
    )
    return "\n".join(lines) + f"\n\nLoad average (1 minute) before these queries: {loads}."
