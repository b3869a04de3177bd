"""Validation of a Force Extract v1 directory against ../shared/contract/force-extract-v1.md.

Every check is one SQL predicate over the table as DuckDB reads it. For each table, one
aggregate query over the file counts the offending rows of every check at once (types, enums,
required values, intervals, references by LEFT JOIN on the referenced key sets, and, for CSV,
the rows the parser rejects); a second query counts duplicate keys. Only the checks that fail
run another query fetching their first examples (ORDER BY row LIMIT n). Nothing is
materialised but the key sets of referenced tables; files are read in place, in a streaming
fashion (DuckDB spills to disk beyond its memory limit). See docs/decisions/0010.

Row numbers are 1-based DATA row numbers: the header is row 0, the first row after it is row 1,
in CSV and Parquet alike. A CSV field holding a quoted line break does not shift the count.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb

from probity.extract import schema
from probity.extract.phones import install_phone_macro
from probity.extract.report import Issue, ValidationReport, display_value

__all__ = [
    "ProgressCallback",
    "TableSource",
    "validate_extract",
    "run_validation",
    "new_connection",
    "typed_select",
    "csv_scan_sql",
    "read_csv_header",
    "MAX_LINE_BYTES",
    "EXAMPLES_PER_CHECK",
    "VALIDATOR_VERSION",
]

# Bumped whenever a rule changes, so that cached reports of older rules are not reused.
VALIDATOR_VERSION = "1"
# Longest CSV row (bytes) accepted; a longer one is an error, not a crash or a memory blow-up.
MAX_LINE_BYTES = 32 * 1024 * 1024
# Examples kept per failing check (the total is always counted).
EXAMPLES_PER_CHECK = 20
# Structural CSV errors kept per file (rows past this are still counted as rejected rows).
_REJECTS_LIMIT = 10_000

ProgressCallback = Callable[[str, int, int], None]
"""progress(description, steps_done, steps_total)."""

MANIFEST = "manifest.json"
REQUIRED_MANIFEST_KEYS = (
    "format", "version", "force_code", "force_name", "period_start", "period_end",
    "extracted_at",
)
_SUFFIXES = (".csv.gz", ".csv", ".parquet")

_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TS_BASE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
_ZONE = r"(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)"
_TS_RE = _TS_BASE + _ZONE + "?"
_TS_ZONED_RE = _TS_BASE + _ZONE
_INT_RE = r"[+-]?[0-9]{1,19}"

_NATIVE_TIMESTAMPS = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S",
                      "TIMESTAMP WITH TIME ZONE"}
_NATIVE_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
                    "UINTEGER", "UBIGINT", "HUGEINT"}

MSG_REQUIRED = "required value is missing"
MSG_ID = f"expected an identifier of 1 to {schema.ID_MAX_LENGTH} characters"
MSG_DATE = "expected a date YYYY-MM-DD"
MSG_TIMESTAMP = "expected an ISO 8601 timestamp, e.g. 2024-03-01T22:15:04Z"
MSG_INTEGER = "expected a whole number"


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass
class TableSource:
    """One table file as read for validation and loading."""

    table: str
    file: str
    path: Path
    format: Literal["csv", "parquet"]
    header: list[str] = field(default_factory=list)  # every column name in the file, in order
    types: dict[str, str] = field(default_factory=dict)  # contract column -> type as read
    unusable: set[str] = field(default_factory=set)  # columns of a type that cannot be used
    rejected_rows: list[int] = field(default_factory=list)  # CSV rows the parser rejected
    loaded: bool = False  # header read and relations defined
    rows: int = 0
    rejects: str = ""  # DuckDB table of rows rejected by the CSV parser (first pass)
    first_pass: str = ""  # relation read by the first pass (CSV: with rejects stored)
    touch_all: list[str] = field(default_factory=list)  # columns the first pass must read

    @property
    def relation(self) -> str:
        return _q(f"_src_{self.table}")

    def present(self) -> list[str]:
        return [c for c in schema.table(self.table).column_names if c in self.types]

    def data_row(self, loaded_row: int) -> int:
        """The data row number of the n-th (1-based) row that the CSV parser accepted."""
        row = loaded_row
        for rejected in self.rejected_rows:
            if rejected <= row:
                row += 1
            else:
                break
        return row


# --- layout and manifest --------------------------------------------------------------------


def _table_of(name: str) -> str | None:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if stem in schema.TABLES else None
    return None


def _scan_layout(path: Path, report: ValidationReport) -> tuple[dict[str, Path], set[str]]:
    """The one file of each table (tables with two files are left out), and every table
    for which at least one file was found."""
    found: dict[str, list[Path]] = {}
    for entry in sorted(path.iterdir(), key=lambda p: p.name):
        if entry.name == MANIFEST:
            continue
        table_name = _table_of(entry.name) if entry.is_file() else None
        if table_name is None:
            hint = ""
            lowered = entry.name.lower()
            if entry.is_file() and lowered != entry.name and _table_of(lowered):
                hint = f" (file names are exact and lower case: {lowered}?)"
            what = "directory" if entry.is_dir() else "file"
            report.warn(Issue(entry.name, None, None, None,
                              f"{what} is not part of the contract; ignored{hint}"))
            continue
        found.setdefault(table_name, []).append(entry)
    layout: dict[str, Path] = {}
    for table_name, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            report.error(Issue(paths[0].name, None, None, None,
                               f"table {table_name} has {len(paths)} files ({names}); "
                               "keep exactly one"))
            continue
        layout[table_name] = paths[0]
    for table_name in schema.REQUIRED_TABLES:
        if table_name not in found:
            report.error(Issue(table_name, None, None, None,
                               f"required table {table_name} is missing: expected "
                               f"{table_name}.csv, {table_name}.csv.gz or {table_name}.parquet"))
    report.missing_optional = [t for t in schema.OPTIONAL_TABLES if t not in found]
    return layout, set(found)


def _valid_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(_DATE_RE, value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _valid_zoned_timestamp(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(_TS_ZONED_RE, value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


def _check_manifest(path: Path, report: ValidationReport) -> dict[str, Any] | None:
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        report.error(Issue(MANIFEST, None, None, None,
                           "manifest.json is missing; every extract needs one"))
        return None
    try:
        text = manifest_path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.error(Issue(MANIFEST, None, None, None,
                           f"not valid UTF-8 (byte {exc.start})"))
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        report.error(Issue(MANIFEST, None, None, None,
                           f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"))
        return None
    if not isinstance(data, dict):
        report.error(Issue(MANIFEST, None, None, None, "expected a JSON object"))
        return None
    report.manifest = data

    def bad(key: str, message: str) -> None:
        report.error(Issue(MANIFEST, None, key, display_value(json.dumps(data[key])), message))

    for key in REQUIRED_MANIFEST_KEYS:
        if key not in data or data[key] is None:
            report.error(Issue(MANIFEST, None, key, None, "required manifest key is missing"))
    if "format" in data and data["format"] != schema.FORMAT_NAME:
        bad("format", f'expected "{schema.FORMAT_NAME}"')
    if "version" in data and not (
        type(data["version"]) is int and data["version"] == schema.FORMAT_VERSION
    ):
        bad("version", f"expected {schema.FORMAT_VERSION} (this product reads version 1)")
    for key in ("force_code", "force_name"):
        if data.get(key) is not None and (
            not isinstance(data[key], str) or not data[key].strip()
        ):
            bad(key, "expected a non-empty string")
    for key in ("period_start", "period_end"):
        if data.get(key) is not None and not _valid_date(data[key]):
            bad(key, MSG_DATE)
    if (
        _valid_date(data.get("period_start"))
        and _valid_date(data.get("period_end"))
        and data["period_end"] < data["period_start"]
    ):
        bad("period_end", f"period_end is before period_start ({data['period_start']})")
    if data.get("extracted_at") is not None and not _valid_zoned_timestamp(data["extracted_at"]):
        bad("extracted_at", "expected an ISO 8601 timestamp with Z or an offset")
    if "row_counts" in data:
        counts = data["row_counts"]
        if not isinstance(counts, dict):
            bad("row_counts", "expected an object mapping table names to row counts")
        else:
            for table_name, count in counts.items():
                key = f"row_counts.{table_name}"
                if table_name not in schema.TABLES:
                    report.warn(Issue(MANIFEST, None, key, None,
                                      "not a table of the contract; ignored"))
                elif type(count) is not int or count < 0:
                    report.error(Issue(MANIFEST, None, key, display_value(json.dumps(count)),
                                       "expected a whole number of rows, 0 or more"))
    known = set(REQUIRED_MANIFEST_KEYS) | {"row_counts"}
    for key in data:
        if key not in known:
            report.warn(Issue(MANIFEST, None, key, None,
                              "manifest key is not part of the contract; ignored"))
    return data


# --- reading the files ----------------------------------------------------------------------


def new_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection set up as Probity reads extracts: UTC, phone macro."""
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # progress is the caller's (Rich) to show
    try:
        from probity.paths import data_dir

        tmp = data_dir() / "duckdb-tmp"
        con.execute(f"SET temp_directory = {_lit(str(tmp))}")
    except OSError:  # no writable data directory: DuckDB keeps its default
        pass
    install_phone_macro(con)
    return con


def read_csv_header(path: Path) -> list[str] | str:
    """The header of a CSV (or .csv.gz) file, or a message saying why it cannot be read."""
    try:
        if path.stat().st_size == 0:
            return "file is empty: expected a header row"
        raw: io.BufferedIOBase
        if path.name.endswith(".gz"):
            raw = gzip.open(path, "rb")  # type: ignore[assignment]
        else:
            raw = open(path, "rb")  # noqa: SIM115
        with raw:
            first = raw.readline(MAX_LINE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return f"cannot read the file: {exc}"
    if not first:
        return "file is empty: expected a header row"
    try:
        line = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"header row is not valid UTF-8 (byte {exc.start} of the file)"
    line = line.removeprefix("\ufeff").rstrip("\r\n")
    if not line.strip():
        return "header row is empty: expected column names"
    return next(csv.reader([line], strict=True))


def csv_scan_sql(path: Path, header: list[str], *, rejects: str | None = None,
                 ignore_errors: bool = False) -> str:
    """SQL reading a contract CSV with every column as text; extra columns get safe names."""
    names = csv_column_names(header)
    columns = ", ".join(f"{_lit(n)}: 'VARCHAR'" for n in names)
    options = [
        f"columns = {{{columns}}}", "header = true", "auto_detect = false", "delim = ','",
        "quote = '\"'", "escape = '\"'", "strict_mode = true",
        f"max_line_size = {MAX_LINE_BYTES}", f"buffer_size = {2 * MAX_LINE_BYTES + 1024}",
    ]
    if ignore_errors:
        options.append("ignore_errors = true")
    if rejects:
        options += [
            "store_rejects = true", f"rejects_table = {_lit(rejects)}",
            f"rejects_scan = {_lit(rejects + '_scan')}", f"rejects_limit = {_REJECTS_LIMIT}",
        ]
    return f"read_csv({_lit(str(path))}, {', '.join(options)})"


def csv_column_names(header: list[str]) -> list[str]:
    """Names the CSV columns are read under: the first column of a contract name keeps it,
    every other column is `_extra_<i>` (so odd or repeated names never reach SQL)."""
    contract = _contract_names_all()
    seen: set[str] = set()
    names = []
    for i, name in enumerate(header):
        if name in contract and name not in seen:
            seen.add(name)
            names.append(name)
        else:
            names.append(f"_extra_{i}")
    return names


def _contract_names_all() -> set[str]:
    return {c for t in schema.TABLES.values() for c in t.column_names}


def _first_line(exc: BaseException) -> str:
    """The first line of a DuckDB error, without its "IO Error: " style prefix."""
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return re.sub(r"^[A-Za-z ]*Error: ", "", line)


def _bad_utf8_offset(path: Path, row_start: int) -> int | None:
    """The file offset of the first invalid UTF-8 byte of the row starting at `row_start`."""
    if path.name.endswith(".gz"):
        return None
    with open(path, "rb") as handle:
        handle.seek(row_start)
        chunk = handle.read(MAX_LINE_BYTES)
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or exc.start < len(chunk) - 4:
            return row_start + exc.start
    return None


_REJECT_MESSAGES = {
    "UNQUOTED VALUE": "badly quoted field (RFC 4180: quote the whole field, double inner quotes)",
    "LINE SIZE OVER MAXIMUM": "row is longer than the limit of {limit} bytes",
}


def _csv_read_error(exc: BaseException) -> str:
    message = _first_line(exc)
    if "gzip" in message.lower():
        return f"gzip stream is truncated or corrupt ({message})"
    if "invalid state" in message:
        return f"not a readable CSV file (RFC 4180, UTF-8, one header row): {message}"
    return f"cannot read the file: {message}"


def _open_csv(con: duckdb.DuckDBPyConnection, src: TableSource,
              report: ValidationReport) -> None:
    """Read the header and define the table's relations; the rows are read by `_scan`."""
    header = read_csv_header(src.path)
    if isinstance(header, str):
        report.error(Issue(src.file, None, None, None, header))
        return
    src.header = header
    if not _check_header(src, report):
        return
    columns = ", ".join(_q(c) for c in src.present()) or "NULL AS _none"
    # Rows in file order: DuckDB computes row_number() OVER () as a streaming window over the
    # ordered scan. Rows the parser rejects are skipped here (and listed by the first pass).
    scan = csv_scan_sql(src.path, header, ignore_errors=True)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {src.relation} AS "
                f"SELECT row_number() OVER () AS _row, {columns} FROM {scan}")
    src.rejects = f"_rejects_{src.table}"
    # The first pass reads every column, extra ones too, so that DuckDB checks all of it
    # (projection pushdown would otherwise skip the UTF-8 check of unused columns).
    src.first_pass = f"(SELECT * FROM {csv_scan_sql(src.path, header, rejects=src.rejects)})"
    src.touch_all = [_q(n) for n in csv_column_names(header)]
    src.loaded = True


def _collect_rejects(con: duckdb.DuckDBPyConnection, src: TableSource,
                     report: ValidationReport) -> None:
    """Report the rows the CSV parser rejected during the first pass (one error per row)."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                         [src.rejects]).fetchone()
    if not exists or not exists[0]:
        return  # DuckDB creates the table only when it stores something
    rejected = con.execute(
        f"SELECT line, byte_position, column_name, error_type, csv_line, error_message "
        f"FROM {_q(src.rejects)} ORDER BY line, column_idx"
    ).fetchall()
    seen: set[int] = set()
    for line, byte_position, column_name, error_type, csv_line, error_message in rejected:
        data_row = int(line) - 1
        if data_row in seen:
            continue
        seen.add(data_row)
        if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS"):
            found = re.search(r"Found: (\d+)", str(error_message))
            fields = found.group(1) if found else "a different number of"
            message = f"row has {fields} fields; the header has {len(src.header)}"
        elif error_type == "INVALID ENCODING":
            offset = _bad_utf8_offset(src.path, int(byte_position))
            message = (f"invalid UTF-8 at byte {offset} of the file; the file must be UTF-8"
                       if offset is not None else
                       f"invalid UTF-8 in the row starting at byte {byte_position} of the "
                       "uncompressed data; the file must be UTF-8")
        elif error_type in _REJECT_MESSAGES:
            message = _REJECT_MESSAGES[error_type].format(limit=MAX_LINE_BYTES)
        else:
            message = f"unreadable row: {error_message}"
        column = column_name if column_name in src.types else None
        value = None if error_type in ("INVALID ENCODING", "LINE SIZE OVER MAXIMUM") else (
            display_value(str(csv_line).strip("\r\n")))
        report.error(Issue(src.file, data_row, column, value, message))
    src.rejected_rows = sorted(seen)
    con.execute(f"DROP TABLE IF EXISTS {_q(src.rejects)}")
    con.execute(f"DROP TABLE IF EXISTS {_q(src.rejects + '_scan')}")


def _check_header(src: TableSource, report: ValidationReport) -> bool:
    """Record the contract columns of a file; False when the file cannot be read further."""
    contract = schema.table(src.table)
    ok = True
    counts: dict[str, int] = {}
    for name in src.header:
        counts[name] = counts.get(name, 0) + 1
    for name, n in counts.items():
        if name in contract.column_map and n > 1:
            report.error(Issue(src.file, None, name, None,
                               f"column appears {n} times in the header"))
            ok = False
    for name in dict.fromkeys(src.header):
        if name in contract.column_map:
            src.types.setdefault(name, "VARCHAR")
            continue
        hint = ""
        if name.lower().strip() in contract.column_map:
            hint = f" (column names are exact and lower case: {name.lower().strip()}?)"
        report.warn(Issue(src.file, None, name, None,
                          f"not a column of table {src.table}; ignored{hint}"))
    for name in contract.required_columns:
        if name not in counts:
            report.error(Issue(src.file, None, name, None, "required column is missing"))
    return ok


def _open_parquet(con: duckdb.DuckDBPyConnection, src: TableSource,
                  report: ValidationReport) -> None:
    scan = f"read_parquet({_lit(str(src.path))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    except duckdb.Error as exc:
        report.error(Issue(src.file, None, None, None,
                           f"cannot read the Parquet file: {_first_line(exc)}"))
        return
    types = {str(r[0]): str(r[1]) for r in described if r[0] != "file_row_number"}
    src.header = list(types)
    _check_header(src, report)
    contract = schema.table(src.table)
    selects = ["file_row_number + 1 AS _row"]
    for name in src.present():
        column = contract.column_map[name]
        native = types[name]
        expected = {"date": {"DATE"}, "timestamp": _NATIVE_TIMESTAMPS,
                    "integer": _NATIVE_INTEGERS}.get(column.type)
        if expected is not None and native != "VARCHAR" and native not in expected:
            report.error(Issue(src.file, None, name, native,
                               f"expected a {column.type} column (or text), found Parquet "
                               f"type {native}"))
            src.unusable.add(name)
            selects.append(f"CAST(NULL AS VARCHAR) AS {_q(name)}")
            continue
        if expected is None and native != "VARCHAR":
            src.types[name] = "VARCHAR"
            selects.append(f"CAST({_q(name)} AS VARCHAR) AS {_q(name)}")
            continue
        src.types[name] = native
        selects.append(_q(name))
    con.execute(f"CREATE OR REPLACE TEMP VIEW {src.relation} AS "
                f"SELECT {', '.join(selects)} FROM {scan}")
    src.loaded = True


# --- typed values ---------------------------------------------------------------------------


def typed_expr(column: schema.Column, source_type: str, ref: str) -> str:
    """SQL turning a column as read (text, or a native Parquet type) into its contract type."""
    if column.type == "date":
        return ref if source_type == "DATE" else f"try_cast({ref} AS DATE)"
    if column.type == "timestamp":
        if source_type == "VARCHAR":
            return f"CAST(try_cast({ref} AS TIMESTAMPTZ) AS TIMESTAMP)"
        return f"CAST({ref} AS TIMESTAMP)"
    if column.type == "integer":
        if source_type == "VARCHAR":
            return f"try_cast({ref} AS BIGINT)"
        return f"CAST({ref} AS BIGINT)"
    return f"CAST({ref} AS VARCHAR)"


SQL_TYPES = {"date": "DATE", "timestamp": "TIMESTAMP", "integer": "BIGINT"}


def typed_select(table_name: str, types: dict[str, str]) -> str:
    """The select list giving every contract column of a table its type (absent ones NULL).

    `types` maps the columns present in the file to their type as read. Phone columns get a
    companion `<column>_e164` (E.164 text or NULL).
    """
    parts = []
    for column in schema.table(table_name).columns:
        sql_type = SQL_TYPES.get(column.type, "VARCHAR")
        if column.name in types:
            expr = typed_expr(column, types[column.name], _q(column.name))
        else:
            expr = f"CAST(NULL AS {sql_type})"
        parts.append(f"{expr} AS {_q(column.name)}")
        if column.type == "phone":
            e164 = (f"probity_e164({_q(column.name)})" if column.name in types
                    else "CAST(NULL AS VARCHAR)")
            parts.append(f"{e164} AS {_q(column.name + '_e164')}")
    return ", ".join(parts)


# --- checks ---------------------------------------------------------------------------------


@dataclass
class _Check:
    column: str
    predicate: str  # true for an offending row
    message: str  # may use {other}: the value of `other` in the same row
    warning: bool = False
    summary: bool = False  # one issue for the column (first example), not one per row
    other: str | None = None  # a second column shown in the message (interval start)
    join: str = ""  # LEFT JOIN bringing in a reference's key set
    target: str | None = None  # referenced table
    column_level: bool = False  # one issue for the column, without row or value


def _column_checks(src: TableSource) -> list[_Check]:
    contract = schema.table(src.table)
    checks: list[_Check] = []
    for name in src.present():
        if name in src.unusable:
            continue
        column = contract.column_map[name]
        ref = _q(name)
        source_type = src.types[name]
        text = source_type == "VARCHAR"
        if column.required:
            checks.append(_Check(name, f"{ref} IS NULL", MSG_REQUIRED))
        if column.type == "id":
            checks.append(_Check(
                name, f"{ref} IS NOT NULL AND NOT length({ref}) BETWEEN 1 AND "
                f"{schema.ID_MAX_LENGTH}", MSG_ID))
        elif column.type == "enum":
            allowed = ", ".join(_lit(v) for v in column.enum)
            checks.append(_Check(name, f"{ref} IS NOT NULL AND {ref} NOT IN ({allowed})",
                                 "expected one of: " + ", ".join(column.enum)))
        elif column.type == "date" and text:
            checks.append(_Check(
                name, f"{ref} IS NOT NULL AND (NOT regexp_full_match({ref}, {_lit(_DATE_RE)}) "
                f"OR try_cast({ref} AS DATE) IS NULL)", MSG_DATE))
        elif column.type == "timestamp" and text:
            # CASE evaluates its ELSE only for the rows that reach it: the usual writing
            # (2024-03-01T22:15:04Z) is recognised by cheap string tests before any regex
            usual = (f"length({ref}) = 20 AND ends_with({ref}, 'Z') "
                     f"AND substr({ref}, 11, 1) = 'T'")
            checks.append(_Check(
                name, f"{ref} IS NOT NULL AND (CASE WHEN {usual} THEN false "
                f"ELSE NOT regexp_full_match({ref}, {_lit(_TS_RE)}) END "
                f"OR try_cast({ref} AS TIMESTAMPTZ) IS NULL)", MSG_TIMESTAMP))
            checks.append(_Check(
                name, f"{ref} IS NOT NULL AND CASE WHEN ends_with({ref}, 'Z') THEN false "
                f"ELSE regexp_full_match({ref}, {_lit(_TS_BASE)}) END",
                "timestamp without a time zone; read as UTC", warning=True, summary=True))
        elif column.type == "timestamp" and source_type != "TIMESTAMP WITH TIME ZONE":
            checks.append(_Check(
                name, f"{ref} IS NOT NULL",
                f"timestamp without a time zone (Parquet {source_type}); read as UTC",
                warning=True, summary=True))
        elif column.type == "integer" and text:
            checks.append(_Check(
                name, f"{ref} IS NOT NULL AND (NOT regexp_full_match({ref}, {_lit(_INT_RE)}) "
                f"OR try_cast({ref} AS BIGINT) IS NULL)", MSG_INTEGER))
        elif column.type == "phone":
            checks.append(_Check(
                name, f"{ref} IS NOT NULL AND probity_e164({ref}) IS NULL",
                "phone number that cannot be read as a UK or international number; "
                "it will match nothing", warning=True, summary=True))
    for start, end in contract.intervals:
        if any(c not in src.types or c in src.unusable for c in (start, end)):
            continue
        start_typed = typed_expr(contract.column_map[start], src.types[start], _q(start))
        end_typed = typed_expr(contract.column_map[end], src.types[end], _q(end))
        checks.append(_Check(end, f"{end_typed} < {start_typed}",
                             f"{end} is before {start} ({{other}})", other=start))
    return checks


def _keys_table(table_name: str, column: str) -> str:
    return _q(f"_keys_{table_name}_{column}")


def _reference_checks(con: duckdb.DuckDBPyConnection, src: TableSource,
                      sources: dict[str, TableSource], found: set[str],
                      report: ValidationReport) -> list[_Check]:
    """Checks that every `references` of the table resolves, as LEFT JOINs on key sets.

    A reference into an optional table that the extract does not hold cannot be checked:
    one warning per column that has values. References into a table that could not be read,
    or had rows rejected by the CSV parser, are not checked (its own errors are reported).
    """
    checks = []
    for index, name in enumerate(src.present()):
        column = schema.table(src.table).column_map[name]
        if not column.references or name in src.unusable:
            continue
        target_table, target_column = column.references.split(".")
        if target_table not in found:
            if target_table in schema.REQUIRED_TABLES:
                continue  # reported as a missing required table already
            checks.append(_Check(
                name, f"{_q(name)} IS NOT NULL",
                f"refers to {column.references}, but the extract has no {target_table} "
                "table; not checked", warning=True, column_level=True))
            continue
        target = sources.get(target_table)
        if (target is None or not target.loaded or target_column not in target.types
                or target_column in target.unusable or target.rejected_rows):
            continue
        keys = _keys_table(target_table, target_column)
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {keys} AS SELECT DISTINCT "
                    f"{_q(target_column)} AS k FROM {target.relation} "
                    f"WHERE {_q(target_column)} IS NOT NULL")
        alias = f"_ref{index}"
        checks.append(_Check(
            name, f"{_q(name)} IS NOT NULL AND {alias}.k IS NULL",
            f"refers to {column.references}, which has no such value",
            join=f" LEFT JOIN {keys} {alias} ON {_q(name)} = {alias}.k",
            target=target_table))
    return checks


def _key_queries(src: TableSource) -> list[tuple[tuple[str, ...], str]]:
    """For each unique key: a query counting the rows that repeat an earlier row's key.

    Run apart from the first pass: in one query with the other aggregates, DuckDB's DISTINCT
    aggregate slows the whole pass down more than a second read of the key column costs.
    """
    out = []
    for key in schema.table(src.table).unique_keys:
        if any(k not in src.types or k in src.unusable for k in key):
            continue
        not_null = " AND ".join(f"{_q(k)} IS NOT NULL" for k in key)
        value = _q(key[0]) if len(key) == 1 else "(" + ", ".join(_q(k) for k in key) + ")"
        out.append((key, f"SELECT count(*) - count(DISTINCT {value}) FROM {src.relation} "
                         f"WHERE {not_null}"))
    return out


def _scan(con: duckdb.DuckDBPyConnection, src: TableSource, report: ValidationReport,
          checks: list[_Check]) -> bool:
    """The first pass over the table: row count and every check counted at once; then keys."""
    aggregates = ["count(*)"]
    aggregates += [f"count(*) FILTER (WHERE {c.predicate})" for c in checks]
    aggregates += [f"count({c})" for c in src.touch_all]
    joins = "".join(c.join for c in checks)
    relation = src.first_pass or src.relation
    try:
        # fetchall, not fetchone: DuckDB writes the rejects table when the result completes
        rows = con.execute(f"SELECT {', '.join(aggregates)} FROM {relation} {joins}").fetchall()
    except duckdb.Error as exc:
        message = (_csv_read_error(exc) if src.format == "csv"
                   else f"cannot read the Parquet file: {_first_line(exc)}")
        report.error(Issue(src.file, None, None, None, message))
        src.loaded = False
        return False
    values = [int(v or 0) for v in (rows[0] if rows else [0] * len(aggregates))]
    if src.format == "csv":
        _collect_rejects(con, src, report)
    src.rows = values[0] + len(src.rejected_rows)
    check_counts = values[1: 1 + len(checks)]
    for check, count in zip(checks, check_counts, strict=True):
        if count and not (check.target == src.table and src.rejected_rows):
            _report_check(con, src, report, check, count)
    for key, query in _key_queries(src):
        counted = con.execute(query).fetchone()
        if counted and counted[0]:
            _report_duplicates(con, src, report, key, int(counted[0]))
    return True


def _report_check(con: duckdb.DuckDBPyConnection, src: TableSource, report: ValidationReport,
                  check: _Check, count: int) -> None:
    if check.column_level:
        add = report.warn if check.warning else report.error
        add(Issue(src.file, None, check.column, None, check.message))
        return
    limit = 1 if check.summary else EXAMPLES_PER_CHECK
    other = f"CAST({_q(check.other)} AS VARCHAR)" if check.other else "NULL"
    examples = con.execute(
        f"SELECT _row, CAST({_q(check.column)} AS VARCHAR), {other} FROM {src.relation}"
        f"{check.join} WHERE {check.predicate} ORDER BY _row LIMIT {limit}"
    ).fetchall()
    add = report.warn if check.warning else report.error
    if check.summary:
        first_row, value, _ = examples[0]
        add(Issue(src.file, src.data_row(int(first_row)), check.column, display_value(value),
                  f"{check.message} ({count} row(s); the first is shown)"))
        return
    for loaded_row, value, other_value in examples:
        add(Issue(src.file, src.data_row(int(loaded_row)), check.column, display_value(value),
                  check.message.format(other=other_value)))
    if count > len(examples):
        if check.warning:
            report.warning_count += count - len(examples)
        else:
            report.error_count += count - len(examples)


def _report_duplicates(con: duckdb.DuckDBPyConnection, src: TableSource,
                       report: ValidationReport, key: tuple[str, ...], count: int) -> None:
    cols = ", ".join(_q(k) for k in key)
    not_null = " AND ".join(f"{_q(k)} IS NOT NULL" for k in key)
    joined = " AND ".join(f"s.{_q(k)} = d.{_q(k)}" for k in key)
    shown = " || ', ' || ".join(f"s.{_q(k)}" for k in key)
    examples = con.execute(
        f"WITH d AS (SELECT {cols}, min(_row) AS first FROM {src.relation} "
        f"WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1) "
        f"SELECT s._row, {shown}, d.first FROM {src.relation} s JOIN d ON {joined} "
        f"WHERE s._row <> d.first ORDER BY s._row LIMIT {EXAMPLES_PER_CHECK}"
    ).fetchall()
    column = ",".join(key)
    what = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
    for loaded_row, value, first in examples:
        report.error(Issue(src.file, src.data_row(int(loaded_row)), column,
                           display_value(value),
                           f"duplicate {what}; first at row {src.data_row(int(first))}"))
    report.error_count += count - len(examples)


def _check_row_counts(sources: dict[str, TableSource], found: set[str],
                      report: ValidationReport) -> None:
    manifest = report.manifest or {}
    counts = manifest.get("row_counts")
    if not isinstance(counts, dict):
        return
    for table_name, expected in counts.items():
        if table_name not in schema.TABLES or type(expected) is not int or expected < 0:
            continue
        if table_name not in found:
            if table_name in schema.REQUIRED_TABLES:
                continue  # reported as a missing required table already
            report.error(Issue(MANIFEST, None, f"row_counts.{table_name}", str(expected),
                               f"manifest counts rows of table {table_name}, but the extract "
                               "has no file for it"))
            continue
        src = sources.get(table_name)
        if src is None or not src.loaded:
            continue
        if src.rows != expected:
            report.error(Issue(src.file, None, None, str(src.rows),
                               f"manifest row_counts says {expected} rows; the file has "
                               f"{src.rows} (truncated transfer?)"))


def _table_order() -> list[str]:
    """Tables in an order where every referenced table comes before the tables that refer
    to it (self-references aside), so that reference checks run in each table's first pass."""
    order: list[str] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in order or name in stack:
            return
        for column in schema.table(name).columns:
            if column.references:
                target = column.references.split(".")[0]
                if target != name:
                    visit(target, (*stack, name))
        order.append(name)

    for name in schema.TABLES:
        visit(name, ())
    return order


# --- entry points ---------------------------------------------------------------------------


def run_validation(path: Path, *, con: duckdb.DuckDBPyConnection,
                   progress: ProgressCallback | None = None,
                   check: bool = True) -> tuple[ValidationReport, dict[str, TableSource]]:
    """Validate `path`, leaving each table readable in `con` as the view `_src_<table>`.

    With `check=False` only the layout, manifest and headers are read (the reader uses this
    when a cached report says the unchanged extract is valid).
    """
    started = time.perf_counter()
    path = Path(path)
    report = ValidationReport(path=path)
    sources: dict[str, TableSource] = {}
    if not path.is_dir():
        report.error(Issue("", None, None, str(path),
                           "not a directory: an extract is a directory holding manifest.json "
                           "and one file per table"))
        return report, sources
    _check_manifest(path, report)
    layout, found = _scan_layout(path, report)
    for table_name in sorted(layout):
        file_path = layout[table_name]
        src = TableSource(table=table_name, file=file_path.name, path=file_path,
                          format="parquet" if file_path.name.endswith(".parquet") else "csv")
        sources[table_name] = src
        report.files[table_name] = src.file
    if not check:
        report.seconds = time.perf_counter() - started
        return report, sources
    # headers first, in file-name order, so that header issues read in a stable order
    for table_name in sorted(sources):
        src = sources[table_name]
        if src.format == "csv":
            _open_csv(con, src, report)
        else:
            _open_parquet(con, src, report)
        report.columns[table_name] = src.present()
    ordered = [t for t in _table_order() if t in sources]
    for step, table_name in enumerate(ordered):
        src = sources[table_name]
        if progress is not None:
            progress(f"checking {src.file}", step, len(ordered))
        if not src.loaded:
            continue
        checks = _column_checks(src) + _reference_checks(con, src, sources, found, report)
        if _scan(con, src, report, checks):
            report.row_counts[table_name] = src.rows
    for table_name in ordered:
        for column in schema.table(table_name).column_names:
            con.execute(f"DROP TABLE IF EXISTS {_keys_table(table_name, column)}")
    _check_row_counts(sources, found, report)
    if progress is not None:
        progress("done", len(ordered), len(ordered))
    report.seconds = time.perf_counter() - started
    return report, sources


def validate_extract(path: Path, *, progress: ProgressCallback | None = None) -> ValidationReport:
    """Check a Force Extract v1 directory against the contract; every error at once.

    Never raises for a broken extract: the returned report says what is wrong
    (`report.ok`, `report.errors`, `report.warnings`, `report.error_count`).
    """
    con = new_connection()
    try:
        report, _ = run_validation(Path(path), con=con, progress=progress)
    finally:
        con.close()
    return report
