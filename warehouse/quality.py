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


def run_checks(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    results = []
    for path in sorted(CHECKS_DIR.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        offenders = con.sql(sql)
        rows = sorted(offenders.fetchall(), key=str)  # a stable sample: builds are reproducible
        sample = "; ".join(str(row) for row in rows[:SAMPLE_SIZE])
        results.append(CheckResult(path.stem, check_description(sql), len(rows), sample))
    return results
