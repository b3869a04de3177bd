"""Executors: where the analytics SQL runs (decision 0100).

The scan and link write DuckDB SQL once. An executor runs it:

- `DuckDBExecutor` runs it as written on a DuckDB connection;
- `SparkExecutor` translates each statement to Spark SQL (`dialect.to_spark`) and runs it on
  a SparkSession, over temporary views.

Both offer the same small surface, which is the part of DuckDB's connection API the engines
use (`execute(sql, params)` returning a result with `.df()`, `.fetchall()`, `.fetchone()`;
`register(name, frame)`; `unregister(name)`), so `SparkExecutor` can stand where an engine
expects `Extract.con`. Statements are handled as follows on Spark:

- `CREATE [OR REPLACE] TEMP TABLE t AS SELECT ...`: the query runs once and its result is
  kept (a local checkpoint: materialised on the executors, lineage cut) as temp view `t`,
  as DuckDB keeps a temp table;
- `CREATE [OR REPLACE] [TEMP] VIEW v AS ...`: a temp view, computed when read;
- `DROP TABLE|VIEW [IF EXISTS] t`: drops the temp view;
- `SET ...` (DuckDB session settings): ignored, the Spark session carries the equivalents
  (`session.REQUIRED_CONF`);
- a query: run lazily when its result is fetched.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import pandas as pd
import sqlglot
from sqlglot import exp

from probity.analytics.internals.spark.dialect import (
    DialectError,
    parse_macros,
    to_spark,
)

__all__ = ["Executor", "Result", "DuckDBExecutor", "SparkExecutor"]


class Result(Protocol):
    def df(self) -> pd.DataFrame: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...

    def fetchone(self) -> tuple[Any, ...] | None: ...


class Executor(Protocol):
    """What an engine needs of the database it runs on."""

    engine: str

    def execute(self, sql: str, params: list[Any] | None = None) -> Result: ...

    def register(self, name: str, frame: Any) -> Any: ...

    def unregister(self, name: str) -> Any: ...


class DuckDBExecutor:
    """The SQL as written, on a DuckDB connection (the default engine)."""

    engine = "duckdb"

    def __init__(self, con: Any) -> None:
        self.con = con

    def execute(self, sql: str, params: list[Any] | None = None) -> Any:
        return self.con.execute(sql, params or [])

    def register(self, name: str, frame: Any) -> Any:
        return self.con.register(name, frame)

    def unregister(self, name: str) -> Any:
        return self.con.unregister(name)


class _SparkResult:
    def __init__(self, frame: Any) -> None:
        self._frame = frame

    def df(self) -> pd.DataFrame:
        if self._frame is None:
            return pd.DataFrame()
        out = self._frame.toPandas()
        return out

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._frame is None:
            return []
        return [tuple(row) for row in self._frame.collect()]

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self.fetchall()
        return rows[0] if rows else None


def _literal(value: Any) -> Any:
    import datetime as dt

    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    if isinstance(value, dt.datetime):
        return exp.Cast(this=exp.Literal.string(value.strftime("%Y-%m-%d %H:%M:%S")),
                        to=exp.DataType.build("TIMESTAMP"))
    if isinstance(value, dt.date):
        return exp.Cast(this=exp.Literal.string(value.isoformat()),
                        to=exp.DataType.build("DATE"))
    return exp.Literal.string(str(value))


def _bind(sql: str, params: list[Any]) -> str:
    """DuckDB `?` parameters as literals (Spark SQL has no positional parameters here)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    holders = list(tree.find_all(exp.Placeholder))
    if len(holders) != len(params):
        raise DialectError(f"{len(params)} parameter(s) for {len(holders)} placeholder(s)")
    for holder, value in zip(holders, params, strict=True):
        holder.replace(_literal(value))
    return tree.sql(dialect="duckdb")


class SparkExecutor:
    """DuckDB SQL run on a SparkSession (see the module docstring)."""

    engine = "spark"

    def __init__(self, spark: Any, *, materialise: bool = True) -> None:
        self.spark = spark
        self.materialise = materialise
        self.timings: list[tuple[str, float]] = []
        self.array_columns: set[str] = set()
        self.macros: dict[str, tuple[str, Any]] = {}

    def _view(self, name: str, frame: Any, *, keep: bool) -> None:
        from pyspark.sql.types import ArrayType

        if keep and self.materialise:
            frame = frame.localCheckpoint(eager=True)
        self.array_columns |= {f.name for f in frame.schema.fields
                               if isinstance(f.dataType, ArrayType)}
        frame.createOrReplaceTempView(name)

    def _spark_sql(self, tree: Any) -> str:
        return to_spark(tree.sql(dialect="duckdb"), frozenset(self.array_columns))

    def execute(self, sql: str, params: list[Any] | None = None) -> _SparkResult:
        started = time.perf_counter()
        if params:
            sql = _bind(sql, params)
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
        result = _SparkResult(None)
        for tree in statements:
            result = self._one(tree)
        self.timings.append((" ".join(sql.split()[:8])[:80], time.perf_counter() - started))
        return result

    def _one(self, tree: Any) -> _SparkResult:
        if isinstance(tree, exp.Set) or (isinstance(tree, exp.Command)
                                         and str(tree.this).upper() in ("SET", "PRAGMA")):
            return _SparkResult(None)
        if isinstance(tree, exp.Create):
            kind = str(tree.args.get("kind") or "").upper()
            if kind == "MACRO":  # a DuckDB scalar macro: inlined where later SQL calls it
                self.macros.update(parse_macros(tree.sql(dialect="duckdb") + ";"))
                return _SparkResult(None)
            query = tree.expression
            if kind not in ("TABLE", "VIEW") or query is None:
                raise DialectError(f"only CREATE TABLE/VIEW ... AS query runs on Spark: "
                                   f"{tree.sql(dialect='duckdb')[:200]}")
            name = tree.this.name if isinstance(tree.this, exp.Table) else \
                tree.this.this.name
            frame = self.spark.sql(self._spark_sql(query))
            self._view(name, frame, keep=kind == "TABLE")
            return _SparkResult(None)
        if isinstance(tree, exp.Drop):
            # sqlglot keeps the dropped names in `tables` (older versions: `this`)
            for table in tree.args.get("tables") or [tree.this]:
                if table is not None:
                    self.spark.catalog.dropTempView(table.name)
            return _SparkResult(None)
        if isinstance(tree, exp.Query):
            return _SparkResult(self.spark.sql(self._spark_sql(tree)))
        raise DialectError(f"statement not supported on Spark: "
                           f"{tree.sql(dialect='duckdb')[:200]}")

    def register(self, name: str, frame: Any) -> None:
        import pyarrow as pa

        if isinstance(frame, pa.Table):
            frame = frame.to_pandas()
        if isinstance(frame, pd.DataFrame):
            if len(frame) == 0:
                ddl = ", ".join(
                    f"`{c}` {'DOUBLE' if pd.api.types.is_float_dtype(t) else 'STRING'}"
                    for c, t in frame.dtypes.items()) or "dummy STRING"
                frame = self.spark.createDataFrame([], ddl)
            else:
                frame = self.spark.createDataFrame(frame)
        frame.createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def table(self, name: str) -> Any:
        """The Spark DataFrame of a temp view (for Splink's SparkAPI)."""
        return self.spark.table(name)

    def close(self) -> None:
        return None
