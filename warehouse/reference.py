"""Reference data loaded into every DuckDB build (rebuilt from packages, not from Parquet)."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pycountry


@cache
def admin1_regions() -> pd.DataFrame:
    """Every first-level ISO 3166-2 subdivision: code, country, name and type."""
    rows = [
        (sub.code, sub.country_code, sub.name, sub.type)
        for sub in pycountry.subdivisions
        if getattr(sub, "parent_code", None) is None
    ]
    return pd.DataFrame(rows, columns=["admin1_code", "country_code", "name", "subdivision_type"])
