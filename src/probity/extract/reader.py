"""Reading a Force Extract: `open_extract(path)` validates, then gives typed DuckDB tables.

Every table present in the extract is a relation of `Extract.con` named exactly as the table,
with every contract column (columns absent from the file are NULL) typed as:

- `date` -> DATE; `timestamp` -> TIMESTAMP holding UTC (offsets applied; a value without a
  zone is taken as UTC; the connection's TimeZone is UTC); `integer` -> BIGINT;
- `id`, `text`, `enum`, `list` -> VARCHAR (a list stays `;`-separated text);
- `phone` -> VARCHAR as written, plus `<column>_e164` (E.164 text, NULL when unreadable).

Parquet tables are views over the file. CSV and CSV.gz tables are parsed once into a typed
Parquet copy kept with the validation cache (`data_dir()/validation-cache/<key>/`), and are
views over it, so that opening an unchanged extract again costs nothing; with
`use_cache=False` they are in-memory DuckDB tables instead. Extra columns of a file are not
exposed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from probity.errors import ExtractInvalid
from probity.extract import schema
from probity.extract.report import ValidationReport
from probity.extract.validate import (
    MANIFEST,
    VALIDATOR_VERSION,
    ProgressCallback,
    TableSource,
    _q,
    csv_scan_sql,
    new_connection,
    read_csv_header,
    run_validation,
    typed_select,
)

__all__ = ["Extract", "open_extract", "cache_key", "CACHE_ENTRIES"]

# Validated extracts whose report (and typed copy of CSV tables) the cache keeps.
CACHE_ENTRIES = 8


class Extract:
    """A validated Force Extract, readable through DuckDB (`.con`). Close it when done."""

    def __init__(self, *, path: Path, con: duckdb.DuckDBPyConnection, report: ValidationReport,
                 columns: dict[str, list[str]]) -> None:
        self.path = path
        self.con = con
        self.report = report
        self.manifest: dict[str, Any] = dict(report.manifest or {})
        self.force_code: str = str(self.manifest["force_code"])
        self.force_name: str = str(self.manifest["force_name"])
        self.period_start: date = date.fromisoformat(self.manifest["period_start"])
        self.period_end: date = date.fromisoformat(self.manifest["period_end"])
        self.tables: set[str] = set(report.files)
        self.row_counts: dict[str, int] = dict(report.row_counts)
        self.warnings = list(report.warnings)
        self._columns = {t: set(cols) for t, cols in columns.items()}

    def has(self, table: str) -> bool:
        """True when the extract holds this table (even with zero rows)."""
        if table not in schema.TABLES:
            raise KeyError(f"{table!r} is not a table of Force Extract v1")
        return table in self.tables

    def has_column(self, table: str, column: str) -> bool:
        """True when the column was in the table's file (absent optional columns read NULL)."""
        if column not in schema.table(table).column_map:
            raise KeyError(f"{column!r} is not a column of table {table!r}")
        return column in self._columns.get(table, set())

    def missing_optional(self) -> list[str]:
        """Optional tables the extract does not hold, in contract order."""
        return [t for t in schema.OPTIONAL_TABLES if t not in self.tables]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Extract:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Extract({str(self.path)!r}, force_code={self.force_code!r})"


# --- validation cache -----------------------------------------------------------------------


def cache_key(path: Path) -> str | None:
    """A hash of everything validation depends on: names, sizes, mtimes, manifest, rules."""
    try:
        entries = []
        for entry in sorted(path.iterdir(), key=lambda p: p.name):
            stat = entry.stat()
            entries.append([entry.name, stat.st_size, stat.st_mtime_ns, entry.is_dir()])
        manifest = (path / MANIFEST).read_bytes()
    except OSError:
        return None
    payload = json.dumps([VALIDATOR_VERSION, str(path.resolve()), entries,
                          hashlib.sha256(manifest).hexdigest()])
    return hashlib.sha256(payload.encode()).hexdigest()


def _cache_dir() -> Path:
    from probity.paths import data_dir

    return data_dir() / "validation-cache"


def _cache_read(key: str) -> ValidationReport | None:
    try:
        data = json.loads((_cache_dir() / f"{key}.json").read_text("utf-8"))
        report = ValidationReport.from_dict(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return report if report.ok else None


def _cache_write(key: str, report: ValidationReport) -> None:
    directory = _cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(report.to_dict(), handle)
        os.replace(tmp, directory / f"{key}.json")
    except OSError:  # a cache that cannot be written only costs time
        return
    _cache_prune(keep=key)


def _cache_prune(*, keep: str) -> None:
    """Keep the CACHE_ENTRIES most recently used entries (report and typed tables)."""
    directory = _cache_dir()
    try:
        reports = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime_ns,
                         reverse=True)
        for old in reports[CACHE_ENTRIES:]:
            if old.stem == keep:
                continue
            old.unlink(missing_ok=True)
            shutil.rmtree(directory / old.stem, ignore_errors=True)
    except OSError:
        return


def _cache_touch(key: str) -> None:
    try:
        os.utime(_cache_dir() / f"{key}.json")
    except OSError:
        return


# --- opening --------------------------------------------------------------------------------


def _materialise(con: duckdb.DuckDBPyConnection, src: TableSource, *,
                 typed_dir: Path | None) -> None:
    """Create the typed relation named after the table.

    Parquet: a view over the file. CSV: with `typed_dir`, a view over a typed Parquet copy
    kept there (written once per unchanged extract, so that opening it again is instant);
    without, an in-memory DuckDB table.
    """
    select = typed_select(src.table, src.types)
    name = _q(src.table)
    if src.format == "parquet":
        con.execute(f"CREATE VIEW {name} AS SELECT {select} FROM {_parquet_scan(src.path)}")
    else:
        scan = csv_scan_sql(src.path, src.header)
        typed = typed_dir / f"{src.table}.parquet" if typed_dir else None
        if typed is not None and not typed.is_file():
            try:
                typed.parent.mkdir(parents=True, exist_ok=True)
                tmp = typed.with_name(f".{src.table}.{os.getpid()}.tmp")
                con.execute(f"COPY (SELECT {select} FROM {scan}) TO "
                            f"'{_sql_path(tmp)}' (FORMAT parquet)")
                os.replace(tmp, typed)
            except (OSError, duckdb.IOException):
                typed = None
        if typed is not None:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {_parquet_scan(typed)}")
        else:
            con.execute(f"CREATE TABLE {name} AS SELECT {select} FROM {scan}")
    con.execute(f"DROP VIEW IF EXISTS {src.relation}")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _parquet_scan(path: Path) -> str:
    return f"read_parquet('{_sql_path(path)}')"


def _header_types(src: TableSource, con: duckdb.DuckDBPyConnection) -> None:
    """Column types of a file without validating it (used with a cached valid report)."""
    contract = schema.table(src.table)
    if src.format == "csv":
        header = read_csv_header(src.path)
        if isinstance(header, str):
            raise ExtractInvalid(f"{src.file}: {header}")
        src.header = header
        src.types = {c: "VARCHAR" for c in dict.fromkeys(header) if c in contract.column_map}
        return
    described = con.execute(f"DESCRIBE SELECT * FROM {_parquet_scan(src.path)}").fetchall()
    for name, native, *_ in described:
        column = contract.column_map.get(str(name))
        if column is None:
            continue
        keep = column.type in ("date", "timestamp", "integer")
        src.types[str(name)] = str(native) if keep else "VARCHAR"


def open_extract(path: Path, *, progress: ProgressCallback | None = None,
                 use_cache: bool = True) -> Extract:
    """Validate a Force Extract and open it for reading; the one way commands read extracts.

    Raises ExtractInvalid (carrying the full ValidationReport as `.report`) when the extract
    breaks the contract; nothing is loaded then. A report of an unchanged extract (same file
    names, sizes and modification times, same manifest) that validated before is reused from
    `probity.paths.data_dir()/validation-cache`, so repeated opens skip the checks.
    """
    path = Path(path)
    key = cache_key(path) if use_cache and path.is_dir() else None
    cached = _cache_read(key) if key else None
    typed_dir = _cache_dir() / key if key else None
    con = new_connection()
    try:
        if cached is not None:
            report = cached
            report.path = path
            _cache_touch(key or "")
            _, sources = run_validation(path, con=con, progress=progress, check=False)
            for src in sources.values():
                _header_types(src, con)
                _materialise(con, src, typed_dir=typed_dir)
        else:
            report, sources = run_validation(path, con=con, progress=progress)
            if not report.ok:
                raise ExtractInvalid(
                    f"{path} is not a valid Force Extract v1: {report.error_count} error(s); "
                    f"first: {report.errors[0] if report.errors else '?'} "
                    f"(run `probity validate {path}` for the full list)",
                    report,
                )
            if typed_dir is not None:
                shutil.rmtree(typed_dir, ignore_errors=True)  # leftovers of an older run
            for src in sources.values():
                _materialise(con, src, typed_dir=typed_dir)
            if key:
                _cache_write(key, report)
        columns = {t: [c for c in schema.table(t).column_names if c in s.types]
                   for t, s in sources.items()}
        return Extract(path=path, con=con, report=report, columns=columns)
    except BaseException:
        con.close()
        raise
