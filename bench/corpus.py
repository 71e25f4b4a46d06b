"""Real articles from the ANT corpus, and further distinct articles recombined from them.

The corpus (Apache-2.0, antcorpus.github.io; see ../shared/data/corpus/SOURCE-*.md) is read
where it lies and never copied into the repository. Sizes beyond it are reached by
recombining real paragraphs from different articles: the text stays real Arabic news, the
length follows the corpus's own distribution, and every generated article is new.
"""

import gzip
import hashlib
import json
import os
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

ATTRIBUTION = (
    'ANT corpus (Apache-2.0): A. Chouigui, O. Ben Khiroun, B. Elayeb, "ANT Corpus: An Arabic '
    'News Text Collection for Textual Classification", AICCSA 2017, and "An Arabic '
    'Multi-source News Corpus", AJSE 46(8), 2021; antcorpus.github.io'
)

_FIELDS = ("docno", "url", "source", "category", "title", "time", "author", "text")


def corpus_dir() -> Path:
    """Where the corpus is: $BENCH_CORPUS, or shared/data/corpus beside the checkout."""
    candidates = [os.environ.get("BENCH_CORPUS", "")]
    here = Path(__file__).resolve().parents[1]
    candidates += [str(parent / "shared" / "data" / "corpus") for parent in here.parents]
    for candidate in candidates:
        if candidate and sorted(Path(candidate).glob("*.jsonl.gz")):
            return Path(candidate)
    raise FileNotFoundError(
        "the ANT corpus (*.jsonl.gz) was not found: set BENCH_CORPUS to its folder "
        "(shared/data/corpus)"
    )


def _text_key(text: str) -> bytes:
    """A cheap identity of a text, blind to spacing, to keep generated articles distinct."""
    return hashlib.blake2b(" ".join(text.split()).encode(), digest_size=12).digest()


def read_corpus(folder: Path | None = None) -> list[dict]:
    """Every article with text, once, in a fixed order (file by file, line by line)."""
    folder = folder or corpus_dir()
    seen: set[bytes] = set()
    records = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                raw = json.loads(line)
                text = (raw.get("text") or "").strip()
                key = _text_key(text)
                if not text or key in seen:
                    continue
                seen.add(key)
                record = {field: raw.get(field) or "" for field in _FIELDS}
                record["text"] = text
                records.append(record)
    return records


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def articles(records: list[dict], seed: int = 2018) -> Iterator[dict]:
    """Real articles (shuffled by seed) then, without end, recombined ones; all distinct."""
    rng = random.Random(seed)
    order = list(range(len(records)))
    rng.shuffle(order)
    seen = {_text_key(record["text"]) for record in records}
    for index in order:
        yield records[index]

    split = [paragraphs(record["text"]) for record in records]
    by_category: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        if split[index]:
            by_category.setdefault(record["category"] or "-", []).append(index)
    number = 0
    while True:
        pick = rng.randrange(len(records))
        template = records[pick]
        # The template gives the length, title, date and source; the paragraphs come from
        # other articles of the same category, so the mix stays topical. Paragraphs are added
        # while that brings the length closer to the template's (and at least two are taken).
        pool = by_category.get(template["category"] or "-") or order
        target = len(template["text"])
        chosen: list[str] = []
        donors: set[int] = set()
        length = 0
        while len(chosen) < 2 or length < target:
            donor = rng.choice(pool)
            paragraph = rng.choice(split[donor])
            if len(chosen) >= 2 and length + len(paragraph) - target > target - length:
                break
            chosen.append(paragraph)
            donors.add(donor)
            length += len(paragraph) + 1
        if len(donors) < 2:
            continue
        body = "\n".join(chosen)
        key = _text_key(body)
        if key in seen:
            continue
        seen.add(key)
        number += 1
        yield {
            **template,
            "docno": f"bench-{seed}-{number}",
            "url": f"{template['url']}#bench-{number}" if template["url"] else "",
            "text": body,
        }


def write_jsonl(path: Path, records: Iterable[dict]) -> int:
    """One JSON object per line, UTF-8, in the corpus's own field names."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def write_txt_folder(folder: Path, records: Iterable[dict]) -> int:
    """One UTF-8 .txt file per article: the title on the first line, a blank line, the text."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for record in records:
        count += 1
        name = f"{count:07d}-{record['docno'] or 'article'}.txt".replace("/", "_")
        (folder / name).write_text(f"{record['title']}\n\n{record['text']}\n", encoding="utf-8")
    return count
