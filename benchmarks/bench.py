"""`make bench`: the pipeline on the shared corpus replicated to N distinct articles.

Prints one JSON line per size: articles, seconds (end to end, a fresh `newsevents run` process
including Prefect's temporary server start), articles_per_s, peak_rss_mb, the cost of a re-run
with nothing new and with 1% new articles (ratio of the extra work to the full run's), and
seconds per stage (the pure stage functions timed over the same articles, without Prefect).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from tasks.clean import clean_articles
from tasks.dates import time_expressions_frame
from tasks.extract import extract_frames
from tasks.ingest import fingerprint_files, list_article_files, load_manifest, read_articles

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpora" / "gdelt-ukraine-news"
WORK_DIR = PROJECT_ROOT / "bench-data"
VARIATIONS = [
    "Officials gave no further details on the incident {n}.",
    "The report could not be independently verified, reference {n}.",
    "More information is expected later, the statement {n} said.",
]


def replicate_corpus(corpus_dir: Path, target: Path, size: int, seed: int = 7) -> None:
    """Write `size` distinct articles: corpus texts with one varied sentence inserted each."""
    rng = random.Random(seed)
    with (corpus_dir / "manifest.csv").open(encoding="utf-8") as handle:
        originals = [row for row in csv.DictReader(handle)]
    texts = {
        row["file"]: (corpus_dir / row["file"]).read_text(encoding="utf-8") for row in originals
    }
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with (target / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "source", "url", "published"])
        for n in range(size):
            original = originals[n % len(originals)]
            paragraphs = texts[original["file"]].split("\n\n")
            position = rng.randrange(1, len(paragraphs) + 1)
            paragraphs.insert(position, rng.choice(VARIATIONS).format(n=n))
            name = f"{n:07d}_{original['file']}"
            (target / name).write_text("\n\n".join(paragraphs), encoding="utf-8")
            writer.writerow([name, original.get("country", ""), "", original["published"]])


def add_new_articles(source: Path, first: int, count: int, seed: int = 11) -> None:
    """Add `count` new distinct articles (variations of existing ones) to a replicated corpus."""
    rng = random.Random(seed)
    existing = sorted(source.glob("*.txt"))
    for n in range(first, first + count):
        paragraphs = existing[n % len(existing)].read_text(encoding="utf-8").split("\n\n")
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), f"Late addition number {n}.")
        (source / f"{n:07d}_new.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")


def time_stages(source: Path) -> dict[str, float]:
    """Seconds per stage for the pure functions over all articles of `source`."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    fingerprints = fingerprint_files(list_article_files(source), source)
    manifest, _ = load_manifest(source)
    articles, _ = read_articles(fingerprints, source, manifest, pd.Timestamp.now(tz="UTC"))
    seconds["ingest"] = time.perf_counter() - started
    started = time.perf_counter()
    articles, _ = clean_articles(articles)
    seconds["clean"] = time.perf_counter() - started
    started = time.perf_counter()
    expressions = time_expressions_frame(articles)
    seconds["dates"] = time.perf_counter() - started
    started = time.perf_counter()
    extract_frames(articles, expressions)
    seconds["extract"] = time.perf_counter() - started
    return {stage: round(value, 3) for stage, value in seconds.items()}


def rss_kb(pid: int, field: str = "VmHWM") -> int:
    """A process's memory figure from /proc (VmHWM: its peak resident set so far), in kB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def child_pids(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run_flow(source: Path, data_dir: Path, fresh: bool = True) -> tuple[float, float, float]:
    """Seconds, peak RSS (MB) of the `newsevents run` process, and peak RSS of the temporary
    Prefect server it starts, sampled from /proc every 0.2 s."""
    if fresh:
        shutil.rmtree(data_dir, ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "newsevents"),
            "run",
            "--source",
            str(source),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak_run = peak_server = 0
    while process.poll() is None:
        peak_run = max(peak_run, rss_kb(process.pid))
        for child in child_pids(process.pid):
            peak_server = max(peak_server, rss_kb(child))
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"newsevents run failed with exit code {process.returncode}")
    return elapsed, peak_run / 1024, peak_server / 1024


ANCHOR_SAMPLE = 40
PAGE = (
    "<html><head><title>{title}</title></head><body><nav>Home | World | Ukraine | Subscribe</nav>"
    "<article><h1>{title}</h1>{paragraphs}</article><aside>Read more: related stories</aside>"
    "<footer>Sign up to our newsletter. All rights reserved.</footer></body></html>"
)


def anchors(source: Path) -> dict[str, float]:
    """The alternatives our stages replace, on a sample of the same articles, as ms per article:
    dateparser.search_dates over the whole text (vs our date stage), and trafilatura over the
    article wrapped in a page (vs our plain-text cleaner)."""
    from html import escape

    import dateparser.search
    import trafilatura

    from tasks.clean import clean_text
    from tasks.dates import tag_time_expressions

    texts = [path.read_text(encoding="utf-8") for path in sorted(source.glob("*.txt"))]
    texts = texts[:: max(len(texts) // ANCHOR_SAMPLE, 1)][:ANCHOR_SAMPLE]
    pages = [
        PAGE.format(
            title=escape(text.split("\n", 1)[0]),
            paragraphs="".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n")[1:]),
        )
        for text in texts
    ]

    def ms_per_article(work: object, items: list[str]) -> float:
        started = time.perf_counter()
        for item in items:
            work(item)  # type: ignore[operator]
        return round((time.perf_counter() - started) * 1000 / len(items), 3)

    published = date(2024, 4, 5)
    ours_dates = ms_per_article(lambda t: tag_time_expressions(t, published), texts)
    dateparser_ms = ms_per_article(
        lambda t: dateparser.search.search_dates(
            t, settings={"RELATIVE_BASE": datetime(2024, 4, 5)}, languages=["en"]
        ),
        texts,
    )
    ours_clean = ms_per_article(clean_text, texts)
    trafilatura_ms = ms_per_article(
        lambda page: trafilatura.extract(page, favor_precision=True), pages
    )
    return {
        "sample_articles": len(texts),
        "dates_ms_per_article": ours_dates,
        "dateparser_search_dates_ms_per_article": dateparser_ms,
        "dateparser_to_dates_ratio": round(dateparser_ms / max(ours_dates, 1e-9), 1),
        "clean_ms_per_article": ours_clean,
        "trafilatura_html_ms_per_article": trafilatura_ms,
        "trafilatura_to_clean_ratio": round(trafilatura_ms / max(ours_clean, 1e-9), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="20000", help="comma-separated article counts")
    args = parser.parse_args(argv)
    if not (CORPUS_DIR / "manifest.csv").is_file():
        print(f"bench: corpus not found at {CORPUS_DIR}; nothing to measure", file=sys.stderr)
        return 0
    for size in [int(value) for value in args.sizes.split(",")]:
        source = WORK_DIR / f"articles-{size}"
        replicate_corpus(CORPUS_DIR, source, size)
        stages = time_stages(source)
        data_dir = WORK_DIR / f"data-{size}"
        seconds, peak_rss_mb, server_rss_mb = run_flow(source, data_dir)
        noop_seconds = run_flow(source, data_dir, fresh=False)[0]
        add_new_articles(source, size, max(size // 100, 1))
        rerun_seconds = run_flow(source, data_dir, fresh=False)[0]
        line = {
            "articles": size,
            "seconds": round(seconds, 2),
            "articles_per_s": round(size / seconds, 1),
            "peak_rss_mb": round(peak_rss_mb, 1),
            "prefect_server_peak_rss_mb": round(server_rss_mb, 1),
            "noop_rerun_seconds": round(noop_seconds, 2),
            "rerun_1pct_new_seconds": round(rerun_seconds, 2),
            "rerun_1pct_cost_ratio": round(
                (rerun_seconds - noop_seconds) / max(seconds - noop_seconds, 1e-9), 4
            ),
            "stage_seconds": stages,
            "anchors": anchors(source),
            "stage_articles_per_s": {
                stage: round(size / value, 1) if value else None for stage, value in stages.items()
            },
        }
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
