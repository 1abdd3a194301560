"""The whole flow with its data directory on S3: a moto server on 127.0.0.1 stands in for it.

The Parquet files go to s3://newsevents-test/warehouse/parquet/ through s3fs, DuckDB reads them
through the registered fsspec filesystem (no httpfs extension, no network), and the DuckDB file
stays in a local state folder. Credentials and endpoint come from the standard AWS variables.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from tests.conftest import LOADED_TABLES, read_tables

pytestmark = pytest.mark.slow
BUCKET = "newsevents-test"
DATA_URL = f"s3://{BUCKET}/warehouse"
RUN_DEPENDENT = {"ingested_at", "rejected_at"}  # when the run happened, not what it found
EXTRA_ARTICLE = (
    " date 2024-05-02 Drones downed over Kursk\n\n"
    "Russian air defences shot down seven Ukrainian drones over the Kursk region overnight, "
    "the Defence Ministry said on Thursday. There were no casualties, the governor said.\n"
)


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """A moto S3 server on a free port of 127.0.0.1, with a bucket, and the AWS_* environment
    pointing at it (dummy credentials)."""
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    pytest.importorskip("s3fs")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE"):
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_ENDPOINT_URL", endpoint)
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        try:
            yield endpoint
        finally:
            server.stop()


def bucket_keys() -> list[str]:
    import boto3

    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def without_run_times(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {
        table: frame[[c for c in frame.columns if c not in RUN_DEPENDENT]].reset_index(drop=True)
        for table, frame in tables.items()
    }


@pytest.fixture(scope="module")
def s3_runs(
    s3_server: str,
    seeded_run: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """Run, run again, add an article and run, then the nightly maintenance, all on S3."""
    from flows.maintenance import maintenance_flow
    from flows.pipeline import newsevents_flow

    source = tmp_path_factory.mktemp("s3-source")
    for path in seeded_run["source"].iterdir():
        shutil.copy(path, source / path.name)
    state = tmp_path_factory.mktemp("s3-state")
    params: dict[str, Any] = {"source": str(source), "data_dir": DATA_URL, "state_dir": str(state)}
    duckdb_path = state / "warehouse.duckdb"
    runs: dict[str, Any] = {"state": state}
    runs["first"] = newsevents_flow(**params, batch_size=2)
    runs["keys_first"], runs["tables_first"] = bucket_keys(), read_tables(duckdb_path)
    runs["second"] = newsevents_flow(**params, batch_size=2)
    runs["keys_second"], runs["tables_second"] = bucket_keys(), read_tables(duckdb_path)
    (source / "zzz_extra.txt").write_text(EXTRA_ARTICLE)
    runs["third"] = newsevents_flow(**params, batch_size=2)
    runs["keys_third"], runs["tables_third"] = bucket_keys(), read_tables(duckdb_path)
    runs["maintenance"] = maintenance_flow(data_dir=DATA_URL, state_dir=str(state))
    runs["keys_compacted"], runs["tables_compacted"] = bucket_keys(), read_tables(duckdb_path)
    return runs


def test_an_s3_run_loads_the_same_tables_as_a_local_run(
    s3_runs: dict[str, Any], seeded_run: dict[str, Any]
) -> None:
    assert s3_runs["first"] == seeded_run["first"]  # new articles, rejections, rows per table
    local, on_s3 = (
        without_run_times(seeded_run["tables"]),
        without_run_times(s3_runs["tables_first"]),
    )
    for table in LOADED_TABLES:
        pd.testing.assert_frame_equal(on_s3[table], local[table], obj=table)


def test_the_bucket_holds_month_partitions_and_one_commit_per_batch(
    s3_runs: dict[str, Any],
) -> None:
    keys = s3_runs["keys_first"]
    tables = s3_runs["tables_first"]
    assert all(key.startswith("warehouse/parquet/") for key in keys)
    months = sorted({f"{d:%Y-%m}" for d in tables["articles"]["published_date"]})
    assert months == ["2022-12", "2023-02", "2023-09", "2024-04"]
    partitions = {key.rsplit("/", 1)[0] for key in keys if key.endswith(".parquet")}
    for month in months:
        assert f"warehouse/parquet/articles/published_month={month}" in partitions
        assert f"warehouse/parquet/time_expressions/published_month={month}" in partitions
    rejected_month = f"{tables['rejected_articles']['rejected_at'].iloc[0]:%Y-%m}"
    assert f"warehouse/parquet/rejected_articles/published_month={rejected_month}" in partitions
    commits = [key for key in keys if key.startswith("warehouse/parquet/_commits/")]
    assert len(commits) == 4  # 5 articles and 3 rejected files in batches of 2
    assert not [key for key in keys if key.endswith(".partial")]
    assert (s3_runs["state"] / "warehouse.duckdb").is_file()
    assert (s3_runs["state"] / "report.html").is_file()


def test_a_second_run_on_s3_changes_nothing(s3_runs: dict[str, Any]) -> None:
    assert (s3_runs["second"]["articles_new"], s3_runs["second"]["rejected_new"]) == (0, 0)
    assert s3_runs["keys_second"] == s3_runs["keys_first"]
    for table in LOADED_TABLES:
        pd.testing.assert_frame_equal(
            s3_runs["tables_second"][table], s3_runs["tables_first"][table], obj=table
        )


def test_a_new_article_loads_only_itself(s3_runs: dict[str, Any]) -> None:
    assert (s3_runs["third"]["articles_new"], s3_runs["third"]["rejected_new"]) == (1, 0)
    new_keys = sorted(set(s3_runs["keys_third"]) - set(s3_runs["keys_second"]))
    assert set(s3_runs["keys_second"]) <= set(s3_runs["keys_third"])  # nothing rewritten away
    (commit,) = [key for key in new_keys if "/_commits/" in key]
    batch = commit.rsplit("/", 1)[1].removesuffix(".json")
    assert all(key.endswith(f"/{batch}.parquet") for key in new_keys if key != commit)
    assert "warehouse/parquet/articles/published_month=2024-05/" + batch + ".parquet" in new_keys
    before, after = s3_runs["tables_second"]["articles"], s3_runs["tables_third"]["articles"]
    assert sorted(set(after["source_uri"]) - set(before["source_uri"])) == ["zzz_extra.txt"]
    events = s3_runs["tables_third"]["events"]
    extra_id = after.set_index("source_uri").loc["zzz_extra.txt", "article_id"]
    assert events.loc[events["article_id"] == extra_id, "admin1_code"].tolist() == ["RU-KRS"]


def test_compaction_on_s3_keeps_every_row_in_one_file_per_month(s3_runs: dict[str, Any]) -> None:
    for table in LOADED_TABLES:
        pd.testing.assert_frame_equal(
            s3_runs["tables_compacted"][table], s3_runs["tables_third"][table], obj=table
        )
    assert s3_runs["maintenance"]["rows_articles"] == 6
    keys = s3_runs["keys_compacted"]
    files = [key for key in keys if key.endswith(".parquet")]
    partitions = [key.rsplit("/", 1)[0] for key in files]
    assert len(partitions) == len(set(partitions))  # one file per table and month
    assert len([key for key in keys if "/_commits/" in key]) == 1


def test_an_analyst_reads_the_partitioned_parquet_on_s3_directly(
    s3_runs: dict[str, Any],
) -> None:
    """The query docs/scaling.md shows, through s3fs (the httpfs extension works the same)."""
    from warehouse.store import filesystem_for

    fs, _ = filesystem_for(DATA_URL)
    with duckdb.connect() as con:
        con.register_filesystem(fs)
        rows = con.execute(
            "SELECT published_month, count(*) FROM read_parquet("
            f"'{DATA_URL}/parquet/articles/*/*.parquet', hive_partitioning = true) "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert rows == [("2022-12", 1), ("2023-02", 1), ("2023-09", 2), ("2024-04", 1), ("2024-05", 1)]


def test_the_cli_reads_an_s3_warehouse_from_its_state_folder(
    s3_runs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import main

    state = str(s3_runs["state"])
    assert main(["tables", "--data-dir", DATA_URL, "--state-dir", state]) == 0
    assert "articles" in capsys.readouterr().out
    missing = str(Path(state) / "nowhere")
    assert main(["tables", "--data-dir", DATA_URL, "--state-dir", missing]) == 2
    assert f"--state-dir {missing}" in capsys.readouterr().err
