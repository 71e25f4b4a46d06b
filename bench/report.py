"""The benchmark's table, its verdict on the targets, and the results file with its chart."""

from pathlib import Path

from bench import hostile
from bench.corpus import ATTRIBUTION

# (what, check, target as said in issue 6); a check returns (value shown, met?) or None.
TARGET_INGEST_JSONL = 1000  # articles/second
TARGET_INGEST_TXT = 200  # files/second
TARGET_SEARCH_MEDIAN = 20  # ms at 300k
TARGET_SEARCH_P95 = 50  # ms at 300k
TARGET_RATIO = 50  # times faster than icontains
TARGET_BROWSE_P95 = 200  # ms at 300k
TARGET_GROWTH = 3  # search median, 10k -> 300k


def _f(value, digits=1, suffix=""):
    return "—" if value is None else f"{value:,.{digits}f}{suffix}"


def _peak(step: dict | None) -> float | None:
    return step["peak_rss_mb"] if step else None


def _worker_peak(step: dict | None) -> float | None:
    return step.get("worker_peak_rss_mb") if step else None


COLUMNS = [
    ("articles", lambda r: f"{r['articles']:,}"),
    ("JSONL ingest (art/s)", lambda r: _f(r["jsonl_rate"], 0)),
    (".txt ingest (files/s)", lambda r: _f(r["txt_rate"], 0)),
    ("ingest peak RSS (MB)", lambda r: _f(_peak(r["jsonl"]), 0)),
    ("each worker's peak RSS (MB)", lambda r: _f(_worker_peak(r["jsonl"]), 0)),
    ("search median (ms)", lambda r: _f(r["search"]["median"])),
    ("search p95 (ms)", lambda r: _f(r["search"]["p95"])),
    ("icontains median (ms)", lambda r: _f(r["baseline"]["median"])),
    ("icontains p95 (ms)", lambda r: _f(r["baseline"]["p95"])),
    ("speed-up (median)", lambda r: _f(r["ratio"], 0, "×")),
    ("browse median (ms)", lambda r: _f(r["browse"] and r["browse"]["median"])),
    ("browse p95 (ms)", lambda r: _f(r["browse"] and r["browse"]["p95"])),
    ("database (MB)", lambda r: _f(r["database_size_mb"], 0)),
    ("load avg", lambda r: f"{r['load_before']:.1f}–{r['load_after']:.1f}"),
]


def row_line(row: dict) -> str:
    return "  ".join(f"{name}: {show(row)}" for name, show in COLUMNS)


def table(rows: list[dict]) -> str:
    head = "| " + " | ".join(name for name, _ in COLUMNS) + " |"
    rule = "|" + "|".join("---:" for _ in COLUMNS) + "|"
    lines = [head, rule]
    lines += ["| " + " | ".join(show(row) for _, show in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def verdicts(rows: list[dict]) -> list[tuple[str, str, str, bool | None]]:
    """(target, where, measured, met) for each target of issue 6."""
    out = []
    jsonl = [r["jsonl_rate"] for r in rows if r["jsonl_rate"]]
    txt = [r["txt_rate"] for r in rows if r["txt_rate"]]
    if jsonl:
        out.append(
            (
                f"JSONL ingest ≥ {TARGET_INGEST_JSONL:,} articles/s",
                "slowest step",
                _f(min(jsonl), 0),
                min(jsonl) >= TARGET_INGEST_JSONL,
            )
        )
    if txt:
        out.append(
            (
                f".txt folder ingest ≥ {TARGET_INGEST_TXT} files/s",
                "slowest step",
                _f(min(txt), 0),
                min(txt) >= TARGET_INGEST_TXT,
            )
        )
    flat = memory_flat(rows)
    if flat:
        out.append(("ingest memory flat", flat[0], flat[1], flat[2]))
    big = next((r for r in rows if r["target_size"] == 300_000), None) or rows[-1]
    at = f"{big['articles']:,} articles"
    out.append(
        (
            f"search median ≤ {TARGET_SEARCH_MEDIAN} ms",
            at,
            _f(big["search"]["median"], 1, " ms"),
            big["search"]["median"] <= TARGET_SEARCH_MEDIAN,
        )
    )
    out.append(
        (
            f"search p95 ≤ {TARGET_SEARCH_P95} ms",
            at,
            _f(big["search"]["p95"], 1, " ms"),
            big["search"]["p95"] <= TARGET_SEARCH_P95,
        )
    )
    out.append(
        (
            f"≥ {TARGET_RATIO}× faster than icontains (median)",
            at,
            _f(big["ratio"], 0, "×"),
            big["ratio"] >= TARGET_RATIO,
        )
    )
    if big["browse"]:
        out.append(
            (
                f"browse page with facets p95 ≤ {TARGET_BROWSE_P95} ms",
                at,
                _f(big["browse"]["p95"], 1, " ms"),
                big["browse"]["p95"] <= TARGET_BROWSE_P95,
            )
        )
    else:
        out.append(("browse page with facets", at, big.get("browse_error", "not run"), None))
    if len(rows) > 1:
        growth = big["search"]["median"] / rows[0]["search"]["median"]
        out.append(
            (
                f"search median grows < {TARGET_GROWTH}× from the smallest size",
                at,
                _f(growth, 2, "×"),
                growth < TARGET_GROWTH,
            )
        )
    if big["target_size"] != 300_000:
        out = [
            (what, where + " (the targets are set at 300k)", shown, met)
            for what, where, shown, met in out
        ]
    return out


def memory_flat(rows):
    """Peak RSS of the ingesting process and its largest worker: largest step against smallest."""
    steps = [
        (r["jsonl_written"], r["jsonl"]["peak_rss_mb"] + (_worker_peak(r["jsonl"]) or 0))
        for r in rows
        if r.get("jsonl")
    ]
    if not steps:
        return None
    small, large = min(steps), max(steps)
    shown = f"{small[1]:,.0f} MB for {small[0]:,} → {large[1]:,.0f} MB for {large[0]:,}"
    if small == large:
        return ("one step only", shown, None)
    return (
        "peak RSS per ingest run, importer + largest worker",
        shown,
        large[1] <= small[1] * 1.25 + 50,
    )


def verdict_table(rows) -> str:
    lines = ["| target | where | measured | met |", "|---|---|---:|:---:|"]
    for what, where, shown, met in verdicts(rows):
        mark = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {what} | {where} | {shown} | {mark} |")
    return "\n".join(lines)


def chart(path: Path, rows: list[dict], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["articles"] for r in rows]
    fig, (latency, throughput) = plt.subplots(1, 2, figsize=(12, 4.8))
    series = [
        ("search median", [r["search"]["median"] for r in rows], "o-"),
        ("search p95", [r["search"]["p95"] for r in rows], "o--"),
        ("icontains median", [r["baseline"]["median"] for r in rows], "s-"),
        ("icontains p95", [r["baseline"]["p95"] for r in rows], "s--"),
    ]
    if all(r["browse"] for r in rows):
        series.append(("browse page p95", [r["browse"]["p95"] for r in rows], "^-"))
    for label, values, style in series:
        latency.plot(sizes, values, style, label=label)
    latency.axhline(TARGET_SEARCH_MEDIAN, color="grey", linestyle=":", linewidth=1)
    latency.set(
        xscale="log",
        yscale="log",
        xlabel="articles in the archive",
        ylabel="milliseconds",
        title="latency (first page of 20 + count)",
    )
    latency.legend(fontsize=8)
    latency.grid(True, which="both", alpha=0.3)
    throughput.plot(sizes, [r["jsonl_rate"] or 0 for r in rows], "o-", label="JSONL (articles/s)")
    throughput.plot(sizes, [r["txt_rate"] or 0 for r in rows], "s-", label=".txt folder (files/s)")
    throughput.axhline(TARGET_INGEST_JSONL, color="C0", linestyle=":", linewidth=1)
    throughput.axhline(TARGET_INGEST_TXT, color="C1", linestyle=":", linewidth=1)
    throughput.set(
        xscale="log",
        xlabel="articles in the archive",
        ylabel="per second",
        title="ingest throughput (tagging and indexing included)",
    )
    throughput.set_ylim(bottom=0)
    throughput.legend(fontsize=8)
    throughput.grid(True, which="both", alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ingest_notes(rows) -> str:
    lines = []
    for r in rows:
        for kind in ("jsonl", "txt"):
            step = r.get(kind)
            if not step:
                continue
            counts = ", ".join(f"{n:,} {status}" for status, n in sorted(step["counts"].items()))
            samples = step["rss_samples"]
            rss = " → ".join(f"{mb:,.0f}" for _, mb in samples[:: max(1, len(samples) // 6)])
            lines.append(
                f"- {r['articles']:,}: {kind} {step['seconds']:,.1f} s ({counts}); "
                f"RSS MB over the run {rss}, peak {step['peak_rss_mb']:,.0f}"
                + (
                    f", largest worker's peak {step['worker_peak_rss_mb']:,.0f}"
                    if step.get("worker_peak_rss_mb")
                    else ""
                )
            )
            for reason, n in step.get("failures", []):
                lines.append(f"  - failed ×{n}: {reason}")
    return "\n".join(lines)


def write(folder: Path, meta: dict, rows: list[dict], plans: dict) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = "-".join(filter(None, [meta["date"][:10], meta["vendor"], meta.get("label")]))
    png = folder / f"{stem}.png"
    chart(png, rows, f"{meta['database_version']}, {meta['machine'].split(' (')[0]}")
    last = rows[-1]
    answers = "\n".join(
        f"| {query} | {total:,} | {last['baseline_answers'].get(query, '—')} |"
        for query, total in last["answers"].items()
    )
    text = f"""# Benchmark: {meta["database_version"]}, {meta["date"]}

Command: `{meta["command"]}` (commit {meta["commit"]}; run took {meta["total_minutes"]:.1f} min).
Machine: {meta["machine"]}.

Data: {meta["corpus_articles"]:,} distinct articles of the {ATTRIBUTION}; larger archives add
articles recombined from real paragraphs of different articles of the same category
(bench/corpus.py). Gazetteer: the project's seeds, loaded in {meta["gazetteer_seconds"]:.1f} s.

Each size is reached by ingesting the difference through `articles.ingest.ingest_paths` in a
fresh process (a JSONL file, and a folder of `.txt` files for up to 2,000 of the articles).
Search: {len(last["answers"])} town-name queries (bench/queries.py), one warm-up pass then
timed passes, each the first page of 20 with its places and parties plus the total count (up
to the pages' cap of 10,000, as the result page counts),
through `Article.objects.search`. Baseline: `Article.objects.filter(body__icontains=...)`, the
same page and count, one pass, over {last["baseline"]["n"]} of the queries at the last size
(all of them at 10k; beyond, an even spread over the list, as each reads the whole table).
Browse: the article list page with facets through the Django test client, without and
with each query.

The machine was shared with other work during the run: the "load avg" column gives the
1-minute load average before and after each size's measurements (2 cores: anything above 2
means the timings include waiting for a CPU).

## Results

{table(rows)}

## Targets (issue 6)

{verdict_table(rows)}

## Hostile queries (issue 17)

{hostile.__doc__.split(chr(10) + chr(10), 1)[1].strip()}

Each query: one untimed run, then timed runs (the median, and the slowest in brackets); the
search is the first page of 20 with its count, the browse page is the results page with its
snippets and facets; "within 0.5 s" takes the slowest of both.

{hostile.section(rows)}

## Ingest runs

{ingest_notes(rows)}

## Result counts at {last["articles"]:,} articles

| query | search | icontains |
|---|---:|---:|
{answers}

## Query plans

Search for درعا (every SQL statement of the first page and the count):

```
{plans["search"]}
```

Search for the phrase دير الزور:

```
{plans["search_phrase"]}
```

Search for Damascus (sixty spellings):

```
{plans.get("hostile", "not measured")}
```

The icontains baseline's count for درعا:

```
{plans["baseline"]}
```

![latency and throughput against archive size]({png.name})
"""
    md = folder / f"{stem}.md"
    md.write_text(text, encoding="utf-8")
    return [md, png]
