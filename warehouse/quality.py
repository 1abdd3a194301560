"""Post-load data-quality checks: one SQL file per check in warehouse/checks/.

A check passes when its query returns no rows (dbt style); the rows it returns are the offenders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

CHECKS_DIR = Path(__file__).parent / "checks"
SAMPLE_SIZE = 5


@dataclass(frozen=True)
class CheckResult:
    check: str
    description: str
    failing_rows: int
    sample: str  # a few offending rows, for the log and the run's artifact

    @property
    def passed(self) -> bool:
        return self.failing_rows == 0


def check_description(sql: str) -> str:
    """The first comment line of a check file says what it checks."""
    for line in sql.splitlines():
        if line.startswith("--"):
            return line.lstrip("- ").strip()
    return ""


# A check whose file holds this line reads only the rows the build loaded (the temporary views
# new_<table>, or the tables' rows of new_articles; every row in a full build): the rows loaded
# before were checked then, and never change (Parquet files are immutable; a compaction or a
# changed check forces a full build). Its failures add to the build before's, so an incremental
# build's counts are those a full build finds, at a cost that follows the new rows (at 20k
# articles, the two checks that compare rows with their article's body took 0.4 s of every run
# when they read every row). A check without the line reads whole tables and counts afresh.
ROWS_OF_THIS_BUILD = "-- checks: the rows this build loaded"


def checks_only_this_builds_rows(sql: str) -> bool:
    return ROWS_OF_THIS_BUILD in sql.splitlines()


def run_checks(
    con: duckdb.DuckDBPyConnection, previous: dict[str, CheckResult] | None = None
) -> list[CheckResult]:
    """Every check's result. `previous`: an incremental build's results of the build before,
    to which the failing rows of checks that read only this build's rows are added."""
    results = []
    for path in sorted(CHECKS_DIR.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        # execute, not sql(): a relation is bound once more before it runs (~2 ms a check).
        rows = sorted(con.execute(sql).fetchall(), key=str)  # a stable sample: reproducible builds
        sample = "; ".join(str(row) for row in rows[:SAMPLE_SIZE])
        failing = len(rows)
        before = (previous or {}).get(path.stem)
        if before is not None and checks_only_this_builds_rows(sql):
            failing += before.failing_rows
            sample = sample or before.sample
        results.append(CheckResult(path.stem, check_description(sql), failing, sample))
    return results
