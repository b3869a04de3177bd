"""The Spark session Probity runs on.

`spark_session()` returns the active session if there is one (on a cluster, `spark-submit`
or Databricks has made it, with the cluster's own settings), else builds a local-mode session
sized for one machine. Every session gets the settings the scan and link rely on:

- `spark.sql.session.timeZone=UTC` and `spark.sql.timestampType=TIMESTAMP_NTZ`: timestamps
  are UTC wall-clock values, as in the DuckDB engine (the extract contract's timestamps);
- `spark.sql.ansi.enabled=false`: NULL rather than an error for an impossible cast or a
  division by zero, as DuckDB's `try_cast` and the indicator SQL expect;
- `spark.sql.constraintPropagation.enabled=false`: planning time (see REQUIRED_CONF);
- Splink's Scala similarity functions (`jaro_winkler`, ...) registered from the jar shipped
  with Splink, so link comparisons and the association rule run on the executors.

Local mode (the defaults suit a 2-core, 24 GB machine; every value can be overridden by
environment variables, see docs/deploy-spark.md):

| variable | default | meaning |
|---|---|---|
| PROBITY_SPARK_MASTER | local[*] | Spark master URL |
| PROBITY_SPARK_DRIVER_MEMORY | 8g | driver heap (in local mode the executors live in it) |
| PROBITY_SPARK_SHUFFLE_PARTITIONS | 8 | partitions after a shuffle (2 x cores is plenty locally) |
| PROBITY_SPARK_LOCAL_DIR | system temp | spill directory |
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import Any

__all__ = ["spark_session", "REQUIRED_CONF", "stop_spark_session"]

REQUIRED_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.ansi.enabled": "false",
    # the scan's wide CASE projections make constraint inference blow up (the candidate-pair
    # query took 160 s to plan with it, 11 s without, on the test force)
    "spark.sql.constraintPropagation.enabled": "false",
}

_lock = threading.Lock()


def _similarity_jar() -> str:
    from splink.internals.spark.jar_location import similarity_jar_location

    return str(similarity_jar_location())


def _register_similarity_udfs(spark: Any) -> None:
    from splink.internals.spark.jar_location import get_scala_udfs

    for name, class_path, return_type in get_scala_udfs():
        spark.udf.registerJavaFunction(name, class_path, return_type)


def spark_session(*, app_name: str = "probity", master: str | None = None) -> Any:
    """The active SparkSession with Probity's settings, or a new local-mode one."""
    from pyspark.sql import SparkSession

    with _lock:
        active = SparkSession.getActiveSession()
        if active is None:
            env = os.environ
            builder = (
                SparkSession.builder.appName(app_name)
                .master(master or env.get("PROBITY_SPARK_MASTER", "local[*]"))
                .config("spark.driver.memory", env.get("PROBITY_SPARK_DRIVER_MEMORY", "8g"))
                .config("spark.sql.shuffle.partitions",
                        env.get("PROBITY_SPARK_SHUFFLE_PARTITIONS", "8"))
                .config("spark.default.parallelism",
                        env.get("PROBITY_SPARK_SHUFFLE_PARTITIONS", "8"))
                .config("spark.sql.adaptive.enabled", "true")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.jars", _similarity_jar())
                .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR")
                .config("spark.sql.warehouse.dir",
                        os.path.join(tempfile.gettempdir(), "probity-spark-warehouse"))
            )
            if env.get("PROBITY_SPARK_LOCAL_DIR"):
                builder = builder.config("spark.local.dir", env["PROBITY_SPARK_LOCAL_DIR"])
            for key, value in REQUIRED_CONF.items():
                builder = builder.config(key, value)
            active = builder.getOrCreate()
            active.sparkContext.setLogLevel("ERROR")
        for key, value in REQUIRED_CONF.items():
            active.conf.set(key, value)
        _register_similarity_udfs(active)
        return active


def stop_spark_session() -> None:
    from pyspark.sql import SparkSession

    with _lock:
        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
