"""`newsevents report`: one self-contained HTML page (inline SVG and CSS, no script, no network).

Everything that comes from an article is escaped: a hostile page cannot inject markup.
"""

from __future__ import annotations

from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"
SIDE_COLOURS = {"UA": "#0057b7", "RU": "#d52b1e", "unknown": "#888888"}
LATEST_INCIDENTS = 50


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pd.DataFrame:
    sql = (SQL_DIR / f"report_{name}.sql").read_text(encoding="utf-8")
    return con.execute(sql, params or None).df()


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d") if not pd.isna(value) else ""


def weekly_bars_svg(weekly: pd.DataFrame, width: int = 900, height: int = 260) -> str:
    """Grouped bars: drones claimed destroyed per week, one bar per attacking side."""
    if weekly.empty:
        return '<p class="empty">No dated events yet.</p>'
    weeks = sorted(weekly["week"].unique())
    sides = sorted(weekly["attacker"].unique())
    peak = max(int(weekly["drones_destroyed"].max()), 1)
    slot = (width - 60) / len(weeks)
    bar = max(slot / (len(sides) + 1), 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 40}" role="img" '
        'aria-label="Drones claimed destroyed per week by attacking side">'
    ]
    values = weekly.set_index(["week", "attacker"])
    for i, week in enumerate(weeks):
        for j, side in enumerate(sides):
            if (week, side) not in values.index:
                continue
            row = values.loc[(week, side)]
            value = int(row["drones_destroyed"])
            h = value / peak * height
            x = 50 + i * slot + j * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{SIDE_COLOURS.get(side, "#888")}">'
                f"<title>{escape(_day(week))} {escape(side)}: {int(row['drones_destroyed'])} "
                f"destroyed, {int(row['events'])} events</title></rect>"
            )
        if i % max(len(weeks) // 10, 1) == 0:
            parts.append(
                f'<text x="{50 + i * slot:.1f}" y="{height + 15}" class="tick">'
                f"{escape(_day(week))}</text>"
            )
    parts.append(f'<text x="0" y="12" class="tick">{peak}</text>')
    legend = " ".join(
        f'<tspan fill="{SIDE_COLOURS.get(s, "#888")}">■ drones launched by {escape(s)}</tspan>'
        for s in sides
    )
    parts.append(f'<text x="50" y="{height + 35}" class="tick">{legend}</text></svg>')
    return "".join(parts)


def heat_map_table(region_week: pd.DataFrame) -> str:
    """Regions x weeks, each cell shaded by the number of events."""
    if region_week.empty:
        return '<p class="empty">No dated events yet.</p>'
    grid = region_week.pivot_table(
        index=["admin1_code", "region_name"],
        columns="week",
        values="events",
        aggfunc="sum",
        fill_value=0,
    )
    peak = max(int(grid.to_numpy().max()), 1)
    head = "".join(f'<th class="week">{escape(_day(week))}</th>' for week in grid.columns)
    rows = []
    for (code, name), counts in grid.iterrows():
        cells = "".join(
            f'<td style="background: rgba(213,43,30,{int(n) / peak:.2f})" title="{int(n)} events">'
            f"{int(n) or ''}</td>"
            for n in counts
        )
        rows.append(f"<tr><th>{escape(code)} {escape(str(name))}</th>{cells}</tr>")
    return f'<table class="heat"><tr><th>region</th>{head}</tr>{"".join(rows)}</table>'


def _article_link(article: dict[str, object]) -> str:
    title = escape(str(article.get("title") or "article"))
    url = article.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return f'<a href="{escape(url)}" rel="noopener noreferrer">{title}</a>'
    return title


def _count_range(low: Any, high: Any) -> str:  # a number, or None/NaN/NA when not known
    if pd.isna(low):
        return ""
    return f"{int(low)}" if low == high else f"{int(low)}–{int(high)}"


def latest_incidents_table(latest: pd.DataFrame) -> str:
    """The latest incidents: date, region, side, claimed counts, who claims, and source links."""
    if latest.empty:
        return '<p class="empty">No incidents yet.</p>'
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "event",
            "date",
            "region",
            "attacker",
            "destroyed",
            "claimed by",
            "articles",
            "conflict",
        )
    )
    rows = []
    for row in latest.itertuples(index=False):
        links = "<br>".join(_article_link(article) for article in row.articles)
        cells = (
            escape(row.event_type.replace("_", " ")),
            escape(str(row.event_date)),
            f"{escape(row.admin1_code)} {escape(str(row.region_name or ''))}",
            escape(str(row.attacker or "")),
            _count_range(row.drones_destroyed_min, row.drones_destroyed_max),
            escape(str(row.claimants or "")),
            links,
            "yes" if row.conflicting_claims else "",
        )
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 12px; }
td, th { border: 1px solid #ddd; padding: 3px 6px; }
th.week { writing-mode: vertical-rl; } .heat td { text-align: center; min-width: 1.5em; }
.evidence { max-width: 40em; } .chart { width: 100%; max-width: 960px; } .tick { font-size: 10px; }
.empty { color: #888; }
"""


def render_report(con: duckdb.DuckDBPyConnection, generated_on: date) -> str:
    weekly = _query(con, "weekly_by_side")
    region_week = _query(con, "region_week")
    latest = _query(con, "latest_events", limit=LATEST_INCIDENTS)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>newsevents report {generated_on}</title><style>{STYLE}</style></head><body>"
        f"<h1>newsevents: drone attacks, as reported (generated {generated_on})</h1>"
        "<h2>Drones claimed destroyed per week, by attacking side</h2>"
        f'<div id="weekly">{weekly_bars_svg(weekly)}</div>'
        f'<h2>Events per region and week</h2><div id="heatmap">{heat_map_table(region_week)}</div>'
        f'<h2>Latest incidents</h2><div id="latest">{latest_incidents_table(latest)}</div>'
        "</body></html>"
    )


def write_report(con: duckdb.DuckDBPyConnection, output: Path, generated_on: date) -> Path:
    """Render the report and write it atomically (a browser never sees half a page)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    partial.write_text(render_report(con, generated_on), encoding="utf-8")
    partial.replace(output)
    return output
