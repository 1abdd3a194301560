"""The `newsevents` command line.

newsevents run     --source DIR --data-dir DIR   run the pipeline once
newsevents query   "SQL" [--data-dir DIR]        print a query's result (read-only)
newsevents tables  [--data-dir DIR]              list tables and views with row counts
newsevents report  [--data-dir DIR] [--output F] write the HTML report
newsevents serve   --source DIR --data-dir DIR   run the schedules in this process

--data-dir may be an object-store URL (s3://bucket/prefix, gs://...): the Parquet files go there
and the DuckDB file, report and writer lock stay in the local --state-dir. Credentials and the
endpoint come from the environment (AWS_ACCESS_KEY_ID, AWS_ENDPOINT_URL, ...).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

DEFAULT_DATA_DIR = "data"
DATA_DIR_HELP = (
    "folder or object-store URL (s3://bucket/prefix, gs://...) of the Parquet files "
    "(default: data); one writer host per URL"
)
STATE_DIR_HELP = (
    "local folder of the DuckDB file, report and writer lock when --data-dir is a URL "
    "(default: ~/.cache/newsevents/<scheme>/<bucket>/<prefix>); a local --data-dir is its own"
)


def add_location_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help=DATA_DIR_HELP)
    parser.add_argument("--state-dir", default=None, help=STATE_DIR_HELP)


BATCH_SIZE_HELP = (
    "articles per batch (default: sized to the work, 3 batches per CPU worker, 200 to 2,000)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsevents", description="Turn news articles into a table of conflict events."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the pipeline once on a folder of articles")
    run.add_argument("--source", default="seeds", help="folder of articles (default: seeds)")
    add_location_options(run)
    run.add_argument("--batch-size", type=int, default=None, help=BATCH_SIZE_HELP)
    run.add_argument(
        "--cpu-workers",
        type=int,
        default=None,
        help="processes that run the stages (default: one per core; 1: all in this process)",
    )
    run.add_argument(
        "--task-runner",
        choices=["threads", "dask"],
        default="threads",
        help="where the batch tasks run: threads in this process (default) or a Dask cluster",
    )
    run.add_argument(
        "--dask-address",
        default=None,
        help="scheduler of an existing Dask cluster (tcp://host:8786); default: a local cluster",
    )
    run.add_argument(
        "--batches-in-flight",
        type=int,
        default=None,
        help="batches processed at once (default: one more than the CPU workers, or 2 per Dask "
        "worker)",
    )
    query = commands.add_parser("query", help="run one SQL query on the warehouse, read-only")
    query.add_argument("sql", help='e.g. "SELECT * FROM drone_attacks LIMIT 10"')
    add_location_options(query)
    query.add_argument("--max-rows", type=int, default=100, help="rows to print (default: 100)")
    tables = commands.add_parser("tables", help="list the warehouse's tables and row counts")
    add_location_options(tables)
    report = commands.add_parser("report", help="write the self-contained HTML report")
    add_location_options(report)
    report.add_argument(
        "--output", default=None, help="where to write it (default: STATE_DIR/report.html)"
    )
    serve = commands.add_parser(
        "serve", help="run the watch-folder and nightly schedules in this process (flow.serve)"
    )
    serve.add_argument("--source", default="seeds", help="folder to watch (default: seeds)")
    add_location_options(serve)
    serve.add_argument("--batch-size", type=int, default=None, help=BATCH_SIZE_HELP)
    return parser


def run_command(args: argparse.Namespace) -> int:
    counts = (args.batch_size, args.batches_in_flight, args.cpu_workers)
    if any(count is not None and count < 1 for count in counts):
        print(
            "newsevents: --batch-size, --batches-in-flight and --cpu-workers must be at least 1",
            file=sys.stderr,
        )
        return 2
    if not Path(args.source).is_dir():
        print(f"newsevents: source folder {args.source!r} does not exist", file=sys.stderr)
        return 2
    # An ad-hoc run needs no server: without an API URL, one is started for the run alone.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.temporary_server import TemporaryServerFailed

    try:
        summary = _run_flow(args)
    except TemporaryServerFailed as error:
        print(f"newsevents: {error}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


def _run_flow(args: argparse.Namespace) -> dict[str, int]:
    from flows.temporary_server import temporary_server_unless_configured

    with temporary_server_unless_configured() as server:
        # Imported while the temporary server starts up in its own process.
        from flows.pipeline import newsevents_flow
        from tasks.workers import discard_early_cpu_workers

        flow, in_flight = newsevents_flow, None  # None: one more than the CPU workers
        if args.task_runner == "dask":
            from flows.runners import dask_task_runner

            runner, workers = dask_task_runner(args.dask_address)
            flow = newsevents_flow.with_options(task_runner=runner)
            in_flight = 2 * workers  # one batch computing and one queued on each worker
        source_dir, fingerprint_cache = _prefetch_source_fingerprints(args)
        if args.task_runner == "threads" and args.cpu_workers is None:
            _start_cpu_workers_if_large(source_dir, fingerprint_cache)
        try:
            with server.in_use() if server else nullcontext(), heartbeats_only_if_configured():
                return flow(
                    source=args.source,
                    data_dir=args.data_dir,
                    state_dir=args.state_dir,
                    batch_size=args.batch_size,
                    batches_in_flight=args.batches_in_flight or in_flight,
                    cpu_worker_processes=args.cpu_workers,
                )
        finally:
            discard_early_cpu_workers()  # if the flow did not take them over


def _prefetch_source_fingerprints(args: argparse.Namespace) -> tuple[Path, Path]:
    """Start reading and hashing the source folder's files for the flow's plan while the flow
    waits for the Prefect server (see tasks.ingest.prefetch_fingerprints). Returns the folder and
    its fingerprint cache."""
    from tasks.ingest import prefetch_fingerprints
    from warehouse.store import WarehousePaths

    source_dir = Path(args.source).resolve()
    fingerprint_cache = WarehousePaths.at(args.data_dir, args.state_dir).fingerprint_cache(
        source_dir
    )
    prefetch_fingerprints(source_dir, fingerprint_cache)
    return source_dir, fingerprint_cache


def _start_cpu_workers_if_large(source_dir: Path, fingerprint_cache: Path) -> None:
    """Start the flow's CPU workers now if the prefetch, once it has listed the folder, finds a
    large run (a large folder is not one: a re-run over 100k files lists for 2-4 s): this
    process is about to wait for its temporary server with a core idle, and the workers start up
    there (measured at 20k articles: the first batch read 0.3-0.5 s after the flow run began,
    not 1.0-1.4 s). The flow takes them over (tasks.workers.cpu_workers); a small run computes in
    this process and starts none (tasks.workers.is_small_run)."""
    from flows.pipeline import PREFETCH_WAIT_SECONDS
    from tasks.ingest import prefetched_files_to_read
    from tasks.workers import (
        default_cpu_workers,
        start_cpu_workers_early,
        workers_start_before_plan,
    )

    files_to_read = prefetched_files_to_read(source_dir, fingerprint_cache, PREFETCH_WAIT_SECONDS)
    if workers_start_before_plan(files_to_read):
        start_cpu_workers_early(default_cpu_workers())


@contextmanager
def heartbeats_only_if_configured() -> Iterator[None]:
    """No flow-run heartbeats for a `newsevents run` unless the user set their frequency
    (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, in the environment or a profile).

    Heartbeats let a server's automation mark a vanished run Crashed; a temporary server ends
    with the run, and a running one acts on them only through an automation someone set up. They
    cost every run 0 to 1 s at its end: Prefect's heartbeat thread sleeps in 1 s steps, and the
    flow waits for it to wake up and stop. Deployments run by a Prefect worker keep them.
    """
    from prefect.settings import get_current_settings, temporary_settings

    if "heartbeat_frequency" in get_current_settings().flows.model_fields_set:
        yield
        return
    with temporary_settings(updates={"flows.heartbeat_frequency": None}):
        yield


def query_command(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.store import WarehouseMissing, WarehousePaths, connect_read_only

    try:
        with connect_read_only(WarehousePaths.at(args.data_dir, args.state_dir)) as con:
            relation = con.sql(args.sql)
            if relation is None:
                print("newsevents: the statement returned no rows", file=sys.stderr)
                return 0
            relation.show(max_rows=args.max_rows, max_width=200)
    except WarehouseMissing as error:
        print(f"newsevents: {error}", file=sys.stderr)
        return 2
    except duckdb.Error as error:
        print(f"newsevents: query failed: {error}", file=sys.stderr)
        return 1
    return 0


def tables_command(args: argparse.Namespace) -> int:
    from warehouse.store import (
        WarehouseMissing,
        WarehousePaths,
        connect_read_only,
        table_row_counts,
    )

    try:
        with connect_read_only(WarehousePaths.at(args.data_dir, args.state_dir)) as con:
            counts = table_row_counts(con)
    except WarehouseMissing as error:
        print(f"newsevents: {error}", file=sys.stderr)
        return 2
    width = max(len(name) for name, _, _ in counts)
    for name, kind, rows in counts:
        print(f"{name:<{width}}  {kind:<5}  {rows:>10,}")
    return 0


def report_command(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from warehouse.report import write_report
    from warehouse.store import WarehouseMissing, WarehousePaths, connect_read_only

    paths = WarehousePaths.at(args.data_dir, args.state_dir)
    output = Path(args.output) if args.output else paths.report_path
    try:
        with connect_read_only(paths) as con:
            write_report(con, output, datetime.now(UTC).date())
    except WarehouseMissing as error:
        print(f"newsevents: {error}", file=sys.stderr)
        return 2
    print(f"report written to {output}")
    return 0


def serve_command(args: argparse.Namespace) -> int:
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():  # from the environment or the active Prefect profile
        print(
            "newsevents: serve needs a Prefect server to hold its schedules: start one with "
            "`prefect server start` and export PREFECT_API_URL=http://127.0.0.1:4200/api",
            file=sys.stderr,
        )
        return 2
    from flows.schedules import serve
    from warehouse.store import WarehousePaths

    paths = WarehousePaths.at(args.data_dir, args.state_dir)
    state_dir = str(paths.state_dir) if paths.state_dir else None
    serve(str(Path(args.source).resolve()), paths.location, args.batch_size, state_dir)
    return 0


COMMANDS = {
    "run": run_command,
    "query": query_command,
    "tables": tables_command,
    "report": report_command,
    "serve": serve_command,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)


def console_main() -> None:
    """The `newsevents` command: main(), then, once it has returned, an exit that does not free
    the interpreter's objects one by one. A run's process holds Prefect, pandas and DuckDB, and
    that teardown took 0.3-0.4 s after the work was done and written (measured at 20k articles).
    Threads are still waited for and exit handlers (Prefect sends its last logs) still run: this
    one is registered first, so it runs last. An exception exits the usual way."""
    exit_code: list[int] = []
    atexit.register(_exit_without_teardown, exit_code)
    exit_code.append(main())
    sys.exit(exit_code[0])


def _exit_without_teardown(exit_code: list[int]) -> None:
    if exit_code:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code[0])


if __name__ == "__main__":
    console_main()
