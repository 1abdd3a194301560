"""The schedules of `newsevents serve`; prefect.yaml declares the same (a test keeps them equal)."""

from __future__ import annotations

from typing import Any, cast

WATCH_FOLDER = "watch-folder"
NIGHTLY_MAINTENANCE = "nightly-maintenance"
WATCH_CRON = "*/15 * * * *"  # every 15 minutes
MAINTENANCE_CRON = "30 2 * * *"


def serve(
    source: str, data_dir: str, batch_size: int | None = None, state_dir: str | None = None
) -> None:
    """Run both schedules in this process (flow.serve): no work pool or worker needed."""
    from prefect import serve as prefect_serve
    from prefect.deployments.runner import RunnerDeployment

    from flows.maintenance import maintenance_flow
    from flows.pipeline import newsevents_flow

    parameters: dict[str, Any] = {"source": source, "data_dir": data_dir}
    if batch_size:  # otherwise the flow sizes its batches to the work, as prefect.yaml leaves it
        parameters["batch_size"] = batch_size
    location: dict[str, Any] = {"data_dir": data_dir}
    if state_dir:  # only for an object-store data_dir; the default keeps prefect.yaml's parameters
        parameters["state_dir"] = location["state_dir"] = state_dir
    # to_deployment returns the deployment itself when called outside an event loop, as here
    # (its type also allows the coroutine an async caller gets).
    watch = newsevents_flow.to_deployment(
        name=WATCH_FOLDER, cron=WATCH_CRON, parameters=parameters, concurrency_limit=1
    )
    maintenance = maintenance_flow.to_deployment(
        name=NIGHTLY_MAINTENANCE, cron=MAINTENANCE_CRON, parameters=location, concurrency_limit=1
    )
    prefect_serve(
        cast(RunnerDeployment, watch),
        cast(RunnerDeployment, maintenance),
    )
