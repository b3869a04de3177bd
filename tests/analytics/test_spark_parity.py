"""The Spark engine gives the DuckDB engine's results on the same force (issue 10).

One generated force (150 staff, 1 month, Parquet), one SparkSession in local mode. Everything
that needs Spark is in one test so that a parallel run starts one JVM, not one per worker.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from probity.analytics.link import link
from probity.analytics.scan import RANKED_COLUMNS, scan
from probity.extract import open_extract

pytest.importorskip("pyspark")

TOL = 1e-9


@pytest.fixture(scope="module")
def small_force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from probity.synth import generate

    out = tmp_path_factory.mktemp("spark") / "force"
    generate(out, staff=150, months=1, seed=7, fmt="parquet")
    return out


def _assert_same_scan(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert list(spark.columns) == RANKED_COLUMNS
    assert len(duck) == len(spark) > 0
    both = duck.merge(spark, on="staff_id", suffixes=("_duck", "_spark"), validate="1:1")
    assert len(both) == len(duck)
    assert (both["rank_duck"] == both["rank_spark"]).all()
    assert (both["persons_of_concern_duck"].fillna("")
            == both["persons_of_concern_spark"].fillna("")).all()
    assert (both["score_duck"] - both["score_spark"]).abs().max() <= TOL
    assert (duck["score"] > 0).sum() >= 5  # a real ranking, not all zeros


@pytest.mark.slow
def test_spark_engine_matches_duckdb(small_force: Path, tmp_path: Path) -> None:
    from probity.analytics.internals.spark.link import link_spark
    from probity.analytics.internals.spark.reader import _open_remote, open_spark_extract
    from probity.analytics.internals.spark.session import spark_session

    spark = spark_session()
    with open_extract(small_force) as extract:
        duck_scan = scan(extract)
        model = tmp_path / "model.json"
        duck_link = link(extract, model_path=model, retrain=True)

    # scan: identical ranks and persons of concern, scores within tolerance
    spark_extract = open_spark_extract(small_force, spark=spark)
    spark_scan = scan(spark_extract)
    _assert_same_scan(duck_scan.ranked, spark_scan.ranked)
    assert sorted(duck_scan.evidence["indicator"]) == sorted(spark_scan.evidence["indicator"])
    assert [s.indicator for s in duck_scan.skipped] == [s.indicator for s in spark_scan.skipped]

    # link: the same model on Splink's Spark backend gives the same pairs and probabilities
    spark_link = link_spark(spark_extract, model_path=model)
    assert not spark_link.trained
    pairs = duck_link.links.merge(spark_link.links, on=["staff_id", "nominal_id"],
                                  how="outer", suffixes=("_duck", "_spark"), indicator=True)
    assert len(duck_link.links) > 0
    assert (pairs["_merge"] == "both").all(), pairs[pairs["_merge"] != "both"]
    assert (pairs["match_probability_duck"] - pairs["match_probability_spark"]).abs().max() \
        <= 1e-6
    assert (pairs["incident_roles_duck"] == pairs["incident_roles_spark"]).all()
    assert list(duck_link.findings["nominal_id"]) == list(spark_link.findings["nominal_id"])

    # the object-store reader (the path any s3a:// or abfss:// URL takes) types the tables
    # exactly as the local reader does (phone E.164 columns included)
    remote = _open_remote(spark, str(small_force))
    assert remote.tables == spark_extract.tables
    for table in sorted(remote.tables):
        assert remote.frames[table].schema == spark_extract.frames[table].schema, table
    for table in ("staff", "nominals"):
        assert remote.frames[table].exceptAll(spark_extract.frames[table]).count() == 0
        assert remote.frames[table].count() == spark_extract.frames[table].count()
    with open_extract(small_force) as extract:
        duck_staff = extract.con.execute(
            "SELECT staff_id, work_phone_e164 FROM staff ORDER BY staff_id").fetchall()
    spark_staff = [tuple(r) for r in remote.frames["staff"].select(
        "staff_id", "work_phone_e164").orderBy("staff_id").collect()]
    assert spark_staff == duck_staff
