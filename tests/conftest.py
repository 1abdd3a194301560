"""Shared fixtures. The Prefect test harness starts once per pytest session (about 20 s)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

PROJECT_ROOT = Path(__file__).parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpora" / "gdelt-ukraine-news"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway local Prefect API (SQLite) for flow tests; unit tests never need it."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real-news corpus; tests that use it skip when it is absent."""
    if not (CORPUS_DIR / "manifest.csv").is_file():
        pytest.skip(f"corpus not found at {CORPUS_DIR}")
    return CORPUS_DIR
