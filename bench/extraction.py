"""Article-extraction benchmark: the ensemble against bare trafilatura and readability.

Runs the three on the same pages in the same process, one after the other, and
prints F1, precision, recall, accuracy and milliseconds per page (the metric is
in ``bench/extraction_metric.py``). Timings are wall-clock for the whole
extraction call, parsing included, so the ratio to bare trafilatura is fair.

    .venv/bin/python bench/extraction.py [--data DIR] [--json] [--check] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import lxml.html
import trafilatura
from readability import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extraction_metric import evaluate
from mustreads.ingest.extract import EnsembleExtractor

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
FLOORS = ROOT / "tests" / "quality_floors.json"


@dataclass(frozen=True, slots=True)
class BenchPage:
    key: str
    url: str
    html: str
    truth: str


def load_pages(data: Path, limit: int | None = None) -> list[BenchPage]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        raw = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        pages.append(
            BenchPage(
                key, truth[key]["url"], raw.decode("utf-8", "replace"), truth[key]["articleBody"]
            )
        )
    return pages


def _readability_text(page: BenchPage) -> str:
    summary = Document(page.html, url=page.url).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


def _ensemble() -> Callable[[BenchPage], str | None]:
    extractor = EnsembleExtractor()  # as shipped: default min_words, page kinds on
    return lambda page: extractor.extract(page.html, page.url).text


CONTENDERS: dict[str, Callable[[], Callable[[BenchPage], str | None]]] = {
    "ensemble": _ensemble,
    "trafilatura": lambda: lambda page: trafilatura.extract(page.html, url=page.url),
    "readability": lambda: _readability_text,
}


@dataclass(frozen=True, slots=True)
class Row:
    extractor: str
    f1: float
    precision: float
    recall: float
    accuracy: float
    ms_per_page: float
    ratio_to_trafilatura: float
    pages: int


def measure(pages: list[BenchPage], names: list[str], repeat: int = 1) -> list[Row]:
    """Score and time each extractor on every page.

    The extractors take turns page by page, so a burst of load on a shared
    machine hits all of them alike; with ``repeat`` > 1 each page's time is the
    fastest of its runs.
    """
    runners = {name: CONTENDERS[name]() for name in names}
    predictions: dict[str, list[str | None]] = {name: [] for name in names}
    times: dict[str, float] = dict.fromkeys(names, 0.0)
    for page in pages:
        for name, run in runners.items():
            best = float("inf")
            for _ in range(max(1, repeat)):
                start = time.perf_counter()
                text = run(page)
                best = min(best, time.perf_counter() - start)
            predictions[name].append(text)
            times[name] += best
    rows = []
    base_ms = times["trafilatura"] * 1000 / len(pages) if "trafilatura" in times else float("nan")
    for name in names:
        s = evaluate(zip((p.truth for p in pages), predictions[name], strict=True))
        ms = times[name] * 1000 / max(1, len(pages))
        rows.append(Row(name, s.f1, s.precision, s.recall, s.accuracy, ms, ms / base_ms, s.pages))
    return rows


def read_floor(path: Path = FLOORS) -> float | None:
    floors = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    value = floors.get("extraction", {}).get("f1")
    return float(value) if value is not None else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="fail when F1 is below the floor")
    parser.add_argument("--limit", type=int, default=None, help="use the first N pages only")
    parser.add_argument(
        "--repeat", type=int, default=1, help="time each page N times and keep the fastest"
    )
    parser.add_argument(
        "--only", choices=sorted(CONTENDERS), action="append", help="run only these extractors"
    )
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark at {args.data}", file=sys.stderr)
        return 2
    pages = load_pages(args.data, args.limit)
    names = args.only or list(CONTENDERS)
    if args.check and "ensemble" not in names:
        names.insert(0, "ensemble")
    rows = measure(pages, names, args.repeat)
    if args.json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
    else:
        print(f"{len(pages)} pages from {args.data}")
        header = ("extractor", "F1", "prec", "recall", "acc", "ms/page", "ratio")
        print("{:<12} {:>6} {:>6} {:>6} {:>6} {:>8} {:>6}".format(*header))
        for row in rows:
            print(
                f"{row.extractor:<12} {row.f1:6.3f} {row.precision:6.3f} {row.recall:6.3f} "
                f"{row.accuracy:6.3f} {row.ms_per_page:8.1f} {row.ratio_to_trafilatura:6.2f}"
            )
    if args.check:
        floor = read_floor()
        f1 = next(row.f1 for row in rows if row.extractor == "ensemble")
        if floor is None:
            print("no extraction floor in tests/quality_floors.json", file=sys.stderr)
            return 1
        if f1 < floor:
            print(f"ensemble F1 {f1:.4f} is below the floor {floor:.4f}", file=sys.stderr)
            return 1
        print(f"ensemble F1 {f1:.4f} meets the floor {floor:.4f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
