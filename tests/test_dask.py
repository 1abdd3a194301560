"""The batch tasks on a Dask cluster (LocalCluster, 2 worker processes) load the same tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import LOADED_TABLES, read_tables

pytestmark = pytest.mark.slow
RUN_DEPENDENT = {"ingested_at", "rejected_at"}  # when the run happened, not what it found


def test_dask_runner_loads_the_same_tables_as_the_default_runner(
    seeded_run: dict[str, Any], tmp_path: Path
) -> None:
    from flows.pipeline import newsevents_flow
    from flows.runners import dask_task_runner

    runner, workers = dask_task_runner()
    assert workers == 2
    on_dask = newsevents_flow.with_options(task_runner=runner)
    summary = on_dask(
        source=str(seeded_run["source"]), data_dir=str(tmp_path), batch_size=2, batches_in_flight=4
    )
    assert summary["articles_new"] == 5
    tables = read_tables(tmp_path / "warehouse.duckdb")
    for table in LOADED_TABLES:
        expected = seeded_run["tables"][table]
        columns = [c for c in expected.columns if c not in RUN_DEPENDENT]
        pd.testing.assert_frame_equal(tables[table][columns], expected[columns], obj=table)
