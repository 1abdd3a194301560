"""What a run did, for its log and the Prefect UI: per-batch summaries, merged into artifacts.

Article text is never trusted: everything from an article is escaped before it reaches markdown.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from tasks.retries import IO_RETRIES
from warehouse.report import write_report
from warehouse.store import BuildResult, WarehousePaths, connect_read_only

EVENT_TABLE_LIMIT = 500
TOP_REGIONS = 10


@dataclass(frozen=True)
class BatchSummary:
    articles: int
    rejected: tuple[tuple[str, str], ...]  # (source_uri, reason)
    removed_by_reason: dict[str, int]
    events_by_type_side: dict[str, int]  # "drone_attack by UA" -> n
    events_by_region: dict[str, int]
    totals: int
    new_events: tuple[dict[str, object], ...]
    files_written: tuple[str, ...] = field(default=())


def summarise_batch(frames: dict[str, pd.DataFrame], files_written: list[str]) -> BatchSummary:
    events, removed, rejected = (
        frames["events"],
        frames["removed_lines"],
        frames["rejected_articles"],
    )
    reasons = removed["reason"].astype(str).str.split(":").str[0] if len(removed) else pd.Series([])
    sides = (
        events["event_type"] + " by " + events["attacker"].fillna("unknown") if len(events) else []
    )
    columns = [
        "event_date",
        "admin1_code",
        "location",
        "attacker",
        "drones_launched",
        "drones_destroyed",
        "claimed_by",
        "article_id",
    ]
    return BatchSummary(
        articles=len(frames["articles"]),
        rejected=tuple(zip(rejected["source_uri"], rejected["reason"], strict=True)),
        removed_by_reason=dict(Counter(reasons)),
        events_by_type_side=dict(Counter(sides)),
        events_by_region=dict(Counter(events["admin1_code"])) if len(events) else {},
        totals=len(frames["drone_totals"]),
        new_events=tuple(
            events[columns].astype(object).where(events[columns].notna(), None).to_dict("records")
        )
        if len(events)
        else (),
        files_written=tuple(files_written),
    )


def progress_line(batch: int, batches: int, articles_done: int, seconds: float) -> str:
    """ "batch 3/40: 1,500 articles, 812 articles/s" for the run log."""
    rate = articles_done / seconds if seconds > 0 else 0.0
    return f"batch {batch}/{batches}: {articles_done:,} articles, {rate:,.0f} articles/s"


def merge_counts(dicts: list[dict[str, int]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for counts in dicts:
        total.update(counts)
    return total


def escape(value: object) -> str:
    """Article-derived text made inert for markdown and HTML (no script injection from a page)."""
    text = html.escape("" if value is None else str(value), quote=True)
    for char in "\\`*_{}[]()#+!|<>":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def render_summary(
    summaries: list[BatchSummary], files_found: int, build: BuildResult, paths: WarehousePaths
) -> str:
    """The run's markdown summary: articles, rejections, removed lines, events, checks, files."""
    rejected = [item for s in summaries for item in s.rejected]
    removed = merge_counts([s.removed_by_reason for s in summaries])
    by_side = merge_counts([s.events_by_type_side for s in summaries])
    regions = merge_counts([s.events_by_region for s in summaries])
    files = [name for s in summaries for name in s.files_written]
    lines = [
        "# newsevents run",
        "",
        f"- articles read: **{files_found}** files found, "
        f"**{sum(s.articles for s in summaries)}** new, **{len(rejected)}** rejected",
        f"- lines removed by the cleaner: **{sum(removed.values())}**",
        f"- new drone events: **{sum(by_side.values())}**, nationwide totals: "
        f"**{sum(s.totals for s in summaries)}**",
        f"- data quality: **{len(build.checks) - len(build.failed_checks)}/{len(build.checks)}** "
        "checks passed",
        f"- report: [{escape(paths.report_path)}](file://{paths.report_path})",
        f"- warehouse: `{escape(paths.duckdb_path)}` "
        + ", ".join(f"{table} {count}" for table, count in build.row_counts.items()),
        "",
    ]
    if rejected:
        lines += ["## Rejected files", "", "| file | reason |", "| --- | --- |"]
        lines += [f"| {escape(uri)} | {escape(reason)} |" for uri, reason in rejected]
        lines.append("")
    if removed:
        lines += ["## Lines removed, by reason", "", "| reason | lines |", "| --- | --- |"]
        lines += [f"| {escape(reason)} | {n} |" for reason, n in removed.most_common()]
        lines.append("")
    if by_side:
        lines += ["## Events by type and side", "", "| event | rows |", "| --- | --- |"]
        lines += [f"| {escape(kind)} | {n} |" for kind, n in by_side.most_common()]
        lines += ["", "## Top regions", "", "| region | events |", "| --- | --- |"]
        lines += [f"| {escape(code)} | {n} |" for code, n in regions.most_common(TOP_REGIONS)]
        lines.append("")
    if files:
        lines += ["## Data files written", ""] + [f"- `{escape(name)}`" for name in files]
    return "\n".join(lines)


def quality_rows(build: BuildResult) -> list[dict[str, object]]:
    return [
        {
            "check": c.check,
            "passed": c.passed,
            "failing_rows": c.failing_rows,
            "description": c.description,
            "sample": escape(c.sample),
        }
        for c in build.checks
    ]


def _cell(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    return escape(value)


@task(name="write-report", cache_policy=NO_CACHE, **IO_RETRIES)
def write_report_task(paths: WarehousePaths, generated_on: date) -> str:
    with connect_read_only(paths) as con:
        output = write_report(con, paths.report_path, generated_on)
    get_run_logger().info("report: %s", output)
    return str(output)


class DataQualityError(RuntimeError):
    """A post-load check failed: the run is marked Failed (the data is loaded and inspectable)."""


@task(name="report-run", cache_policy=NO_CACHE)
def report_run(
    summaries: list[BatchSummary], files_found: int, build: BuildResult, paths: WarehousePaths
) -> dict[str, int]:
    """Publish the run's artifacts and log; raise DataQualityError when a check failed."""
    create_markdown_artifact(
        render_summary(summaries, files_found, build, paths),
        key="newsevents-run-summary",
        description="What this run read, rejected, removed, found and wrote.",
    )
    events = [
        {key: _cell(value) for key, value in event.items()}
        for s in summaries
        for event in s.new_events
    ][:EVENT_TABLE_LIMIT]
    create_table_artifact(
        events or [{"event_date": None, "admin1_code": None, "note": "no new events"}],
        key="newsevents-new-events",
        description=f"The drone events this run added (first {EVENT_TABLE_LIMIT}).",
    )
    create_table_artifact(
        quality_rows(build),
        key="newsevents-data-quality",
        description="Post-load data-quality checks (warehouse/checks/*.sql).",
    )
    counts = {
        "files_found": files_found,
        "articles_new": sum(s.articles for s in summaries),
        "rejected_new": sum(len(s.rejected) for s in summaries),
        "events_new": sum(sum(s.events_by_type_side.values()) for s in summaries),
        "totals_new": sum(s.totals for s in summaries),
        **{f"rows_{table}": n for table, n in build.row_counts.items()},
    }
    logger = get_run_logger()
    logger.info("run: %s", ", ".join(f"{key}={value}" for key, value in counts.items()))
    if build.failed_checks:
        failed = "; ".join(
            f"{c.check}: {c.failing_rows} rows ({c.sample})" for c in build.failed_checks
        )
        raise DataQualityError(f"data-quality checks failed: {failed}")
    return counts
