"""The scheduled-run story against a real Prefect server: the README's "Schedule it" commands.

A server (SQLite in a tmp PREFECT_HOME), `prefect work-pool create`, `prefect deploy --all` from a
copy of the checkout, and a process worker with NEWSEVENTS_HOME at the copy; then deployment runs
of `watch-folder` whose data_dir points into tmp. Nothing is written into the repository.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from tests.conftest import LOADED_TABLES, SEEDS_DIR, read_tables
from tests.helpers_prefect_server import DeployedProject, deployed_project

pytestmark = pytest.mark.slow

WATCH_FOLDER = "newsevents/watch-folder"
MAINTENANCE = "newsevents-maintenance/nightly-maintenance"
ARTIFACT_KEYS = {
    "newsevents-run-summary": "markdown",
    "newsevents-new-events": "table",
    "newsevents-data-quality": "table",
}
SCHEDULER_WAIT_SECONDS = 60
BATCH_TASK_PREFIXES = [
    "ingest-batch-",
    "clean-batch-",
    "dates-batch-",
    "extract-batch-",
    "load-batch-",
]
# An article the seeds do not hold, for the run that changes the warehouse under an open reader.
EXTRA_ARTICLE = """\
Drones attack Belgorod region overnight

Russia's Defence Ministry said on Tuesday that air defence systems destroyed 12 Ukrainian drones
over the Belgorod region overnight. Regional governor Vyacheslav Gladkov said two people were
injured and several houses were damaged in the town of Shebekino.
"""


def articles_count(duckdb_path: Path) -> int:
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM articles").fetchone()
    assert row is not None
    return int(row[0])


def parquet_files(data_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(data_dir)) for p in (data_dir / "parquet").rglob("*.parquet"))


def seeds_copy(directory: Path) -> Path:
    shutil.copytree(SEEDS_DIR, directory)
    return directory


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployedProject]:
    with deployed_project(tmp_path_factory.mktemp("prefect")) as project:
        yield project


@pytest.fixture(scope="module")
def seeded(project: DeployedProject, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two runs of watch-folder over the seeds into one tmp data_dir, and what each left."""
    source = seeds_copy(tmp_path_factory.mktemp("source") / "seeds")
    data_dir = tmp_path_factory.mktemp("data")
    params = {"source": str(source), "data_dir": str(data_dir)}
    first = project.wait_for(project.run_deployment(WATCH_FOLDER, **params))
    tables = read_tables(data_dir / "warehouse.duckdb") if first.state.is_completed() else None
    files = parquet_files(data_dir)
    second = project.wait_for(project.run_deployment(WATCH_FOLDER, **params))
    return {
        "first": first,
        "second": second,
        "data_dir": data_dir,
        "tables": tables,
        "parquet_files": files,
    }


def assert_completed(project: DeployedProject, flow_run: Any) -> None:
    assert flow_run.state.is_completed(), (
        f"flow run {flow_run.name} ended {flow_run.state.name}: {flow_run.state.message}\n"
        f"{project.diagnostics()}"
    )


def declared(project: DeployedProject) -> dict[str, dict[str, Any]]:
    """prefect.yaml's deployments by name."""
    config = yaml.safe_load((project.checkout / "prefect.yaml").read_text())
    return {d["name"]: d for d in config["deployments"]}


def as_declared(schedule: Any, entry: dict[str, Any]) -> dict[str, Any]:
    """The server's schedule in prefect.yaml's spelling, for the keys the entry declares."""
    value = {key: getattr(schedule, key, None) for key in entry}
    if isinstance(interval := value.get("interval"), timedelta):
        value["interval"] = interval.total_seconds()
    return value


def test_deployments_hold_what_prefect_yaml_declares(project: DeployedProject) -> None:
    with project.server.client() as client:
        deployments = {d.name: d for d in client.read_deployments()}
    assert set(deployments) == set(declared(project)) == {"watch-folder", "nightly-maintenance"}
    for name, entry in declared(project).items():
        deployment = deployments[name]
        assert [
            as_declared(s.schedule, e)
            for s, e in zip(deployment.schedules, entry["schedules"], strict=True)
        ] == entry["schedules"], name
        assert all(s.active for s in deployment.schedules), name
        assert deployment.parameters == entry["parameters"], name
        assert deployment.work_pool_name == "newsevents-pool"
        assert deployment.global_concurrency_limit.limit == 1  # runs never overlap
        assert deployment.pull_steps == [
            {
                "prefect.deployments.steps.set_working_directory": {
                    "directory": "{{ $NEWSEVENTS_HOME }}"
                }
            }
        ]


def scheduled_runs(project: DeployedProject, name: str) -> list[Any]:
    """The runs the server's scheduler made for a deployment, still Scheduled, soonest first."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    with project.server.client() as client:
        deployment = client.read_deployment_by_name(name)
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
        )
    return [r for r in runs if r.auto_scheduled and r.state and r.state.is_scheduled()]


def wait_for_scheduled_runs(project: DeployedProject) -> dict[str, list[Any]]:
    """Both deployments' scheduled runs, once the scheduler made some (it visits new ones ~5 s)."""
    deadline = time.monotonic() + SCHEDULER_WAIT_SECONDS
    while True:
        scheduled = {name: scheduled_runs(project, name) for name in (WATCH_FOLDER, MAINTENANCE)}
        if all(scheduled.values()) or time.monotonic() > deadline:
            return scheduled
        time.sleep(1)


def spacing(runs: list[Any]) -> set[float]:
    """The seconds between consecutive future runs (a run brought forward by a test is left out)."""
    now = datetime.now(UTC).timestamp()
    starts = [t for r in runs if (t := r.expected_start_time.timestamp()) > now]
    assert len(starts) >= 2, runs
    return {b - a for a, b in zip(starts, starts[1:], strict=False)}


def test_the_scheduler_creates_the_scheduled_runs(project: DeployedProject) -> None:
    """The server's scheduler turns both schedules into runs (issue 2: it made no cron runs)."""
    scheduled = wait_for_scheduled_runs(project)
    assert spacing(scheduled[WATCH_FOLDER]) == {15 * 60.0}  # every 15 minutes
    assert spacing(scheduled[MAINTENANCE]) == {24 * 3600.0}  # nightly
    assert scheduled[WATCH_FOLDER][0].parameters == declared(project)["watch-folder"]["parameters"]


def test_a_scheduled_run_runs_from_newsevents_home(project: DeployedProject) -> None:
    """A watch-folder run the scheduler made, brought forward to now, runs on the worker with
    prefect.yaml's own parameters: source=seeds and data_dir=data resolve in NEWSEVENTS_HOME.

    The latest one is moved, so the worker cannot be starting it at the same moment.
    """
    from prefect.states import Scheduled

    upcoming = wait_for_scheduled_runs(project)[WATCH_FOLDER][-1]
    with project.server.client() as client:
        client.set_flow_run_state(
            upcoming.id, Scheduled(scheduled_time=datetime.now(UTC)), force=True
        )
    assert_completed(project, project.wait_for(upcoming.id))
    assert articles_count(project.checkout / "data" / "warehouse.duckdb") == 5


def test_deployment_run_loads_the_seeds(project: DeployedProject, seeded: dict[str, Any]) -> None:
    assert_completed(project, seeded["first"])
    assert articles_count(seeded["data_dir"] / "warehouse.duckdb") == 5
    assert (seeded["data_dir"] / "report.html").is_file()
    assert any((seeded["data_dir"] / "parquet" / "articles").glob("published_month=*/*.parquet"))


def test_deployment_run_publishes_its_artifacts(
    project: DeployedProject, seeded: dict[str, Any]
) -> None:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with project.server.client() as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[seeded["first"].id])
            )
        )
    assert {a.key: a.type for a in artifacts} == ARTIFACT_KEYS
    summary = next(a for a in artifacts if a.key == "newsevents-run-summary")
    assert "**5** new" in str(summary.data)


def test_deployment_run_names_its_batch_task_runs_and_links_its_stages(
    project: DeployedProject, seeded: dict[str, Any]
) -> None:
    """The seeds are one batch, whose stage tasks are called in turn, not submitted: the flow
    run's graph still links each stage to the one it took its input from."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.objects import TaskRunResult

    with project.server.client() as client:
        task_runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[seeded["first"].id]))
        )
    names = sorted(t.name for t in task_runs)
    for prefix in BATCH_TASK_PREFIXES:
        assert f"{prefix}0001" in names, (prefix, names)
    assert all(t.state and t.state.is_completed() for t in task_runs), names
    name_of = {t.id: t.name for t in task_runs}
    upstream = {
        t.name: [
            name_of[given.id]
            for inputs in t.task_inputs.values()
            for given in inputs
            if isinstance(given, TaskRunResult)
        ]
        for t in task_runs
        if t.name.endswith("-batch-0001")
    }
    assert upstream == {
        "ingest-batch-0001": [],
        "clean-batch-0001": ["ingest-batch-0001"],
        "dates-batch-0001": ["clean-batch-0001"],
        "extract-batch-0001": ["dates-batch-0001"],
        "load-batch-0001": ["extract-batch-0001"],
    }


def test_second_deployment_run_changes_nothing(
    project: DeployedProject, seeded: dict[str, Any]
) -> None:
    assert_completed(project, seeded["second"])
    assert seeded["tables"] is not None
    again = read_tables(seeded["data_dir"] / "warehouse.duckdb")
    assert len(again["articles"]) == 5
    for table in LOADED_TABLES:
        assert again[table].equals(seeded["tables"][table]), table
    assert parquet_files(seeded["data_dir"]) == seeded["parquet_files"]  # no new batch written


def test_open_reader_keeps_the_complete_earlier_state(
    project: DeployedProject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A read-only session open across a run that adds an article still reads the old file."""
    source = seeds_copy(tmp_path_factory.mktemp("source-reader") / "seeds")
    data_dir = tmp_path_factory.mktemp("data-reader")
    params = {"source": str(source), "data_dir": str(data_dir)}
    warehouse = data_dir / "warehouse.duckdb"
    assert_completed(project, project.wait_for(project.run_deployment(WATCH_FOLDER, **params)))

    (source / "zzz_extra_article.txt").write_text(EXTRA_ARTICLE)
    with duckdb.connect(str(warehouse), read_only=True) as reader:
        before = {t: reader.sql(f"SELECT * FROM {t} ORDER BY ALL").df() for t in LOADED_TABLES}
        flow_run = project.wait_for(project.run_deployment(WATCH_FOLDER, **params))
        assert_completed(project, flow_run)
        after = {t: reader.sql(f"SELECT * FROM {t} ORDER BY ALL").df() for t in LOADED_TABLES}
    assert len(before["articles"]) == 5
    for table in LOADED_TABLES:
        assert after[table].equals(before[table]), table
    assert articles_count(warehouse) == 6  # a new session sees the swapped-in file
