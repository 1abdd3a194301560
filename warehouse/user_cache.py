"""What a process derives the same way every time, kept in the user's own cache between runs.

The folder is XDG_CACHE_HOME (or ~/.cache) /newsevents, as trusted as the installed packages.
Each file is named by a hash of everything it was derived from, so a change to any of them
never reads a stale copy. A copy that can't be read is derived again; a folder that can't be
written only costs the time.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
UNREADABLE_COPY = (OSError, EOFError, ValueError, TypeError, AttributeError, pickle.UnpicklingError)


def user_cache_dir() -> Path:
    """This user's newsevents cache folder (it may not exist yet)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsevents"


def cached_pickle(path: Path, derive: Callable[[], T], is_valid: Callable[[object], bool]) -> T:
    """The object pickled at `path` if it reads and `is_valid` accepts it, else `derive()`,
    written there (whole or not at all) for the next process."""
    try:
        with path.open("rb") as handle:
            kept = pickle.load(handle)
        if is_valid(kept):
            return kept  # type: ignore[no-any-return]
    except UNREADABLE_COPY:
        pass
    derived = derive()
    with suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            pickle.dump(derived, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    return derived
