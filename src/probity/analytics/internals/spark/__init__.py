"""The Spark engine: the scan's and link's DuckDB SQL, translated and run on PySpark.

- `session.spark_session()`: the SparkSession (local mode here, the cluster's on a cluster);
- `reader.open_spark_extract(location)`: a Force Extract (local path or object-store URL)
  as Spark temp views, typed exactly as the DuckDB reader types it;
- `executor.SparkExecutor` / `executor.DuckDBExecutor`: where the engines' SQL runs;
- `dialect.to_spark(sql)`: DuckDB SQL -> Spark SQL (SQLGlot plus a few rewrites).

See docs/decisions/0100-one-definition-two-engines.md and docs/scale.md.
"""
