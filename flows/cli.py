"""The `newsevents` command line: `newsevents run --source DIR --data-dir DIR`."""

from __future__ import annotations

import argparse
import json
import os
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsevents", description="Turn news articles into a table of conflict events."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the pipeline once on a folder of articles")
    run.add_argument("--source", default="seeds", help="folder of articles (default: seeds)")
    run.add_argument("--data-dir", default="data", help="output folder (default: data)")
    run.add_argument(
        "--batch-size", type=int, default=500, help="articles per batch (default: 500)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # An ad-hoc run needs no Prefect server: without PREFECT_API_URL, Prefect starts a temporary one.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows.pipeline import newsevents_flow  # imported late: Prefect reads settings at import

    if args.command == "run":
        if args.batch_size < 1:
            print("newsevents: --batch-size must be at least 1", file=sys.stderr)
            return 2
        summary = newsevents_flow(
            source=args.source, data_dir=args.data_dir, batch_size=args.batch_size
        )
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
