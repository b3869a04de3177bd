"""Force Extracts read by Spark, from local paths or object-store URLs.

`open_spark_extract(location, spark=...)` gives a `SparkExtract`: every table of the extract
is a Spark temp view named exactly as the table, with every contract column typed as the
DuckDB reader types it (`probity.extract.reader`): the select list is the reader's own
(`validate.typed_select`), translated to Spark SQL, with the phone macro
(`phones.PHONE_MACRO_SQL`) inlined, so the two readers cannot drift apart.

- Local directories (`/data/force`, `file:///data/force`) are first validated in full by
  `probity.extract.open_extract` (the validation cache makes a repeat free). Parquet tables
  are then read by Spark from the extract itself; CSV tables from a typed Parquet copy made
  by DuckDB.
- Object-store URLs (`s3a://`, `abfss://`, `gs://`, `hdfs://`, `dbfs:/`; the scheme is passed
  to Spark, whose cluster configuration holds the credentials) must hold `manifest.json` and
  one `<table>.parquet` (a file or a directory of part files) per table. They are checked
  for the contract's tables, columns and manifest, not row by row: run `probity validate`
  where the extract is produced, before it is uploaded (docs/deploy-spark.md).
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import sqlglot

from probity.analytics.internals.spark.dialect import inline_macros, parse_macros, to_spark
from probity.analytics.internals.spark.executor import SparkExecutor
from probity.errors import ExtractInvalid
from probity.extract import schema
from probity.extract.phones import PHONE_MACRO_SQL
from probity.extract.validate import SQL_TYPES, typed_select

__all__ = ["SparkExtract", "open_spark_extract", "is_remote", "REMOTE_SCHEMES"]

REMOTE_SCHEMES = ("s3a://", "s3://", "abfss://", "abfs://", "wasbs://", "gs://", "hdfs://",
                  "dbfs:/")


def _url(location: str | Path) -> str:
    """`s3a:/bucket/x` (a URL that went through pathlib) back to `s3a://bucket/x`."""
    text = str(location)
    match = re.match(r"^([a-z][a-z0-9+.-]*):/([^/].*)$", text, re.I)
    if match and match.group(1).lower() != "dbfs" and f"{match.group(1).lower()}://" in \
            REMOTE_SCHEMES:
        return f"{match.group(1)}://{match.group(2)}"
    return text


def is_remote(location: str | Path) -> bool:
    return _url(location).lower().startswith(REMOTE_SCHEMES)


class SparkExtract:
    """A Force Extract as Spark temp views; duck-types `probity.extract.Extract` for the
    engines (`con`, `has`, `has_column`, `manifest`, `force_code`, `period_end`)."""

    def __init__(self, *, location: str, spark: Any, manifest: dict[str, Any],
                 columns: dict[str, set[str]], frames: dict[str, Any]) -> None:
        self.path = location
        self.spark = spark
        self.con = SparkExecutor(spark)
        self.manifest = manifest
        self.force_code = str(manifest["force_code"])
        self.force_name = str(manifest.get("force_name", ""))
        self.period_start = date.fromisoformat(str(manifest["period_start"]))
        self.period_end = date.fromisoformat(str(manifest["period_end"]))
        self.tables = set(frames)
        self.frames = frames
        self._columns = columns
        self.activate()

    def activate(self) -> None:
        """(Re)register this extract's tables as the temp views the engines read."""
        for name in schema.TABLES:
            self.spark.catalog.dropTempView(name)
        for name, frame in self.frames.items():
            frame.createOrReplaceTempView(name)

    def has(self, table: str) -> bool:
        if table not in schema.TABLES:
            raise KeyError(f"{table!r} is not a table of Force Extract v1")
        return table in self.tables

    def has_column(self, table: str, column: str) -> bool:
        if column not in schema.table(table).column_map:
            raise KeyError(f"{column!r} is not a column of table {table!r}")
        return column in self._columns.get(table, set())

    def close(self) -> None:
        for name in self.frames:
            self.spark.catalog.dropTempView(name)

    def __enter__(self) -> SparkExtract:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SparkExtract({self.path!r}, force_code={self.force_code!r})"


# --- the typed select list, in Spark SQL -----------------------------------------------------

def _source_type(data_type: Any) -> str:
    from pyspark.sql import types as T

    if isinstance(data_type, T.DateType):
        return "DATE"
    if isinstance(data_type, T.TimestampType | T.TimestampNTZType):
        return "TIMESTAMP"
    if isinstance(data_type, T.IntegralType):
        return "BIGINT"
    if isinstance(data_type, T.StringType):
        return "VARCHAR"
    return data_type.simpleString().upper()


def typed_select_spark(table_name: str, types: dict[str, str]) -> str:
    """The reader's typed select list for one table, as Spark SQL."""
    duck = typed_select(table_name, types)
    tree = inline_macros(sqlglot.parse_one(f"SELECT {duck} FROM __src", read="duckdb"),
                         parse_macros(PHONE_MACRO_SQL))
    return to_spark(tree.sql(dialect="duckdb"))


def _typed_frame(spark: Any, raw: Any, table_name: str) -> tuple[Any, set[str]]:
    contract = schema.table(table_name).column_map
    types: dict[str, str] = {}
    for field in raw.schema.fields:
        column = contract.get(field.name)
        if column is None:
            continue
        native = _source_type(field.dataType)
        types[field.name] = native if column.type in ("date", "timestamp", "integer") \
            else "VARCHAR"
    view = f"__probity_src_{table_name}"
    raw.createOrReplaceTempView("__src")
    query = typed_select_spark(table_name, types)
    frame = spark.sql(query)
    spark.catalog.dropTempView("__src")
    frame.createOrReplaceTempView(view)
    return spark.table(view), set(types)


# --- opening --------------------------------------------------------------------------------


def _join(location: str, name: str) -> str:
    return location.rstrip("/") + "/" + name


def _read_manifest(spark: Any, location: str) -> dict[str, Any]:
    url = _join(location, "manifest.json")
    try:
        rows = spark.read.text(url, wholetext=True).collect()
        data = json.loads(rows[0][0])
    except Exception as exc:  # noqa: BLE001 - any read or parse failure is the same problem
        raise ExtractInvalid(f"{url}: cannot read the manifest ({str(exc).splitlines()[0]}); "
                             f"an extract holds manifest.json and one file per table") from exc
    missing = [k for k in ("force_code", "period_start", "period_end") if not data.get(k)]
    if missing:
        raise ExtractInvalid(f"{url}: manifest lacks {', '.join(missing)}")
    return dict(data)


def _open_remote(spark: Any, location: str) -> SparkExtract:
    manifest = _read_manifest(spark, location)
    frames: dict[str, Any] = {}
    columns: dict[str, set[str]] = {}
    errors: list[str] = []
    for name in schema.TABLES:
        url = _join(location, f"{name}.parquet")
        try:
            raw = spark.read.parquet(url)
            raw.schema  # noqa: B018 - resolves the files now
        except Exception as exc:  # noqa: BLE001 - a missing path and an unreadable one alike
            if "PATH_NOT_FOUND" in str(exc) or "does not exist" in str(exc):
                if name in schema.REQUIRED_TABLES:
                    errors.append(f"{url}: required table {name} is missing")
                continue
            errors.append(f"{url}: cannot be read as Parquet ({str(exc).splitlines()[0]})")
            continue
        present = set(raw.columns)
        lacking = [c for c in schema.table(name).required_columns if c not in present]
        if lacking:
            errors.append(f"{url}: required column(s) {', '.join(lacking)} missing "
                          f"(expected the columns of Force Extract v1 table {name})")
            continue
        frames[name], columns[name] = _typed_frame(spark, raw, name)
    if errors:
        raise ExtractInvalid(f"{location} is not a readable Force Extract v1: "
                             + "; ".join(errors))
    return SparkExtract(location=location, spark=spark, manifest=manifest, columns=columns,
                        frames=frames)


def _open_local(spark: Any, path: Path) -> SparkExtract:
    from probity.extract import open_extract

    with open_extract(path) as extract:
        frames: dict[str, Any] = {}
        columns: dict[str, set[str]] = {}
        copies: Path | None = None
        for name in sorted(extract.tables):
            file_name = extract.report.files[name]
            columns[name] = {c for c in schema.table(name).column_names
                             if extract.has_column(name, c)}
            if file_name.endswith(".parquet"):
                raw = spark.read.parquet(str(path / file_name))
                frames[name], _ = _typed_frame(spark, raw, name)
                continue
            if copies is None:
                copies = Path(tempfile.mkdtemp(prefix="probity-spark-"))
            target = copies / f"{name}.parquet"
            extract.con.execute(f"COPY (SELECT * FROM \"{name}\") TO "
                                f"'{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
            frames[name] = spark.read.parquet(str(target)).localCheckpoint(eager=True)
        manifest = dict(extract.manifest)
    return SparkExtract(location=str(path), spark=spark, manifest=manifest, columns=columns,
                        frames=frames)


def open_spark_extract(location: str | Path, *, spark: Any | None = None) -> SparkExtract:
    """Open a Force Extract for the Spark engine (see the module docstring)."""
    from probity.analytics.internals.spark.session import spark_session

    spark = spark or spark_session()
    text = _url(location)
    if is_remote(text):
        return _open_remote(spark, text)
    if text.startswith("file://"):
        text = text[len("file://"):]
    return _open_local(spark, Path(text))


__all__ += ["typed_select_spark", "SQL_TYPES"]
