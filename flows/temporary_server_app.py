"""The app of a temporary Prefect server (flows/temporary_server.py): Prefect's own, built
without the cyclic garbage collector.

Importing Prefect's server and building its app creates a few hundred thousand objects
(pydantic models, FastAPI routes), and the collector walks them again and again as they are
made, although none is garbage. A run waits for that start-up (it needs the server's API before
its flow begins), so the collector is off until the app is built, and what the start-up made is
then frozen: kept out of the collections that follow for the life of the server. Measured on
this project's 2-core machine: 2.55-2.8 s -> 1.97-2.1 s of CPU to import it.

This module imports nothing heavy itself: uvicorn imports it, then calls create_app.
"""

from __future__ import annotations

import gc
from typing import Any


def create_app() -> Any:
    """Prefect's server app (prefect.server.api.server.create_app), for uvicorn's --factory."""
    gc.disable()
    try:
        from prefect.server.api.server import create_app as create_prefect_app

        return create_prefect_app()
    finally:
        gc.freeze()
        gc.enable()
