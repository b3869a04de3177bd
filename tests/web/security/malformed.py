"""Generate malformed Force Extracts by mutating the small valid extract of tests/extract.

Each case breaks exactly one thing and says where the error must point: the file, and the
row and/or column when the problem has one. Mutations are derived from the contract
(probity.extract.schema), so every required column, typed column, key, interval and
reference of every table is broken at least once, plus file- and manifest-level damage.
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from probity.extract import schema

sys.path.insert(0, str(Path(__file__).parents[2] / "extract"))
from extract_testkit import MANIFEST, Rows, csv_bytes, valid_tables  # noqa: E402

Tables = dict[str, Rows]
BAD_VALUES = {"date": "31/12/2024", "timestamp": "yesterday at noon", "integer": "12.5x",
              "enum": "not_in_the_list", "id": "X" * (schema.ID_MAX_LENGTH + 1)}


@dataclass
class Case:
    id: str
    file: str  # the file the error must name ("" = the directory)
    row: int | None = None
    column: str | None = None
    tables: Callable[[Tables], None] | None = None
    raw: Callable[[Path], None] | None = None  # damage to the written directory
    manifest: Callable[[dict[str, Any]], None] | None = None
    only: tuple[str, ...] | None = None  # tables to write (default: required + touched)

    def write(self, root: Path) -> Path:
        tables = valid_tables()
        if self.tables is not None:
            self.tables(tables)
        keep = self.only or tuple(dict.fromkeys(
            [*schema.REQUIRED_TABLES, *([self.file.split(".")[0]] if self.file else [])]))
        tables = {name: rows for name, rows in tables.items() if name in keep}
        root.mkdir(parents=True)
        for name, rows in tables.items():
            columns = list(rows[0]) if rows else schema.table(name).column_names
            (root / f"{name}.csv").write_bytes(csv_bytes(rows, columns=columns))
        data: dict[str, Any] = copy.deepcopy(MANIFEST)
        data["row_counts"] = {name: len(rows) for name, rows in tables.items()}
        if self.manifest is not None:
            self.manifest(data)
        (root / "manifest.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
        if self.raw is not None:
            self.raw(root)
        return root


def _set(table: str, row: int, column: str, value: str) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        tables[table][row - 1][column] = value
    return edit


def _drop(table: str, column: str) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        for row in tables[table]:
            del row[column]
    return edit


def _duplicate_first(table: str) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        tables[table].append(dict(tables[table][0]))
    return edit


def _swap_interval(table: str, start: str, end: str) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        row = next(r for r in tables[table] if r.get(start) and r.get(end))
        row[start], row[end] = row[end], row[start]
    return edit


def _raw(table: str, damage: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / f"{table}.csv"
        path.write_bytes(damage(path.read_bytes()))
    return edit


def _manifest_set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return edit


def _row_count(table: str, delta: int) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["row_counts"][table] += delta
    return edit


def _first_row_with(rows: Rows, column: str) -> int | None:
    for n, row in enumerate(rows, 1):
        if row.get(column):
            return n
    return None


def cases() -> list[Case]:
    """About 250 cases; every kind of damage at least once per table it applies to."""
    out: list[Case] = []
    base = valid_tables()
    for name, rows in base.items():
        contract = schema.table(name)
        file = f"{name}.csv"
        required = name in schema.REQUIRED_TABLES
        dropped_one = False
        for column in contract.columns:
            c = column.name
            if column.required:
                out.append(Case(f"{name}.{c}.blank", file, 1, c, tables=_set(name, 1, c, "")))
                if not dropped_one:
                    out.append(Case(f"{name}.{c}.missing_column", file, None, c,
                                    tables=_drop(name, c)))
                    dropped_one = True
            row = _first_row_with(rows, c) or 1
            if column.type in BAD_VALUES:
                out.append(Case(f"{name}.{c}.bad_{column.type}", file, row, c,
                                tables=_set(name, row, c, BAD_VALUES[column.type])))
            if column.type == "date":
                out.append(Case(f"{name}.{c}.impossible_date", file, row, c,
                                tables=_set(name, row, c, "2024-02-30")))
            if column.references and column.references.split(".")[0] in schema.REQUIRED_TABLES:
                out.append(Case(f"{name}.{c}.dangling_reference", file, row, c,
                                tables=_set(name, row, c, "NO_SUCH_ID_9")))
        if contract.primary_key:
            out.append(Case(f"{name}.duplicate_key", file, len(rows) + 1, contract.primary_key,
                            tables=_duplicate_first(name)))
        for start, end in contract.intervals:
            if any(r.get(start) and r.get(end) for r in rows):
                out.append(Case(f"{name}.{end}_before_{start}", file, None, None,
                                tables=_swap_interval(name, start, end)))
        out.append(Case(f"{name}.row_count_high", file, None, None,
                        manifest=_row_count(name, 1)))
        if required:  # damage to the file itself
            out.append(Case(f"{name}.not_utf8", file, None, None,
                            raw=_raw(name, lambda b: b.replace(b"\n", b"\n\xe9\xff,", 1))))
            out.append(Case(f"{name}.binary", file, None, None,
                            raw=_raw(name, lambda b: bytes(range(256)) * 4)))
            out.append(Case(f"{name}.unclosed_quote", file, None, None,
                            raw=_raw(name, lambda b: b + b'"never closed,\n')))
            out.append(Case(f"{name}.file_missing", name, None, None,
                            raw=lambda root, n=name: (root / f"{n}.csv").unlink()))
    out.append(Case("staff.empty_file", "staff.csv", None, None, raw=_raw("staff", lambda b: b"")))
    out.append(Case("units.gzip_named_csv", "units.csv", None, None,
                    raw=_raw("units", lambda b: gzip.compress(b))))
    # the manifest
    for key in ("format", "version", "force_code", "period_start", "period_end", "extracted_at"):
        out.append(Case(f"manifest.{key}.missing", "manifest.json", None, key,
                        manifest=_manifest_set(key, None)))
    for key, value in [("format", "force-extrakt"), ("version", 2), ("version", "1"),
                       ("period_start", "2024-13-01"), ("period_end", "soon"),
                       ("period_end", "2023-01-01"), ("extracted_at", "2025-01-02 03:00"),
                       ("force_code", ""), ("row_counts", "all of them"),
                       ("row_counts", {"staff": -1})]:
        out.append(Case(f"manifest.{key}={value!r}", "manifest.json", None, None,
                        manifest=_manifest_set(key, value)))
    out.append(Case("manifest.not_json", "manifest.json", None, None,
                    raw=lambda root: (root / "manifest.json").write_text("{format: force")))
    out.append(Case("manifest.missing", "manifest.json", None, None,
                    raw=lambda root: (root / "manifest.json").unlink()))
    out.append(Case("manifest.is_a_list", "manifest.json", None, None,
                    raw=lambda root: (root / "manifest.json").write_text("[1, 2]")))
    return out
