"""A corpus of broken extracts: every rule of force-extract-v1.md broken at least once.

Each case starts from the small valid extract of conftest.py, breaks one thing, and asserts
the EXACT list of errors (file, row, column, value, message), so a changed message or a
missed or doubled error fails the test.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from extract_testkit import MANIFEST, Rows, csv_bytes, valid_tables, write_extract

from probity.extract import Issue, validate_extract
from probity.extract import validate as validate_module

Tables = dict[str, Rows]


@dataclass
class Case:
    id: str
    errors: list[Issue]
    tables: Callable[[Tables], None] | None = None  # edits the rows before writing
    files: Callable[[Path], None] | None = None  # edits the written directory
    manifest: Callable[[dict[str, Any]], None] | None = None  # edits the manifest
    fmt: str = "csv"
    warnings: list[Issue] | None = None  # when given, the exact warnings too
    setup: Callable[[pytest.MonkeyPatch], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _set(table: str, row: int, column: str, value: str) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        tables[table][row - 1][column] = value
    return edit


def _drop_column(table: str, column: str) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        for row in tables[table]:
            del row[column]
    return edit


def _manifest_set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(manifest: dict[str, Any]) -> None:
        if value is _DELETE:
            del manifest[key]
        else:
            manifest[key] = value
    return edit


_DELETE = object()


def _write_manifest_text(text: bytes) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        (path / "manifest.json").write_bytes(text)
    return edit


def _replace_in(file: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        data = (path / file).read_bytes()
        assert old in data, f"{old!r} not in {file}"
        (path / file).write_bytes(data.replace(old, new, 1))
    return edit


def _append(file: str, text: bytes) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        with open(path / file, "ab") as handle:
            handle.write(text)
    return edit


def _both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        for e in edits:
            e(path)
    return edit


def _rows(table: str, extra: Rows) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        tables[table].extend(extra)
    return edit


def _dup_row(table: str, row: int) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        tables[table].append(dict(tables[table][row - 1]))
    return edit


def _delete_table(table: str) -> Callable[[Tables], None]:
    def edit(tables: Tables) -> None:
        del tables[table]
    return edit


def _truncate_gzip(path: Path) -> None:
    body = csv_bytes([{**valid_tables()["audit_events"][0], "event_id": f"E{i}"}
                      for i in range(3, 20003)])
    body = (path / "audit_events.csv").read_bytes() + body.split(b"\n", 1)[1]
    data = gzip.compress(body)
    (path / "audit_events.csv").unlink()
    (path / "audit_events.csv.gz").write_bytes(data[: len(data) // 2])


def _parquet_wrong_type(path: Path) -> None:
    table = pq.read_table(path / "staff.parquet")
    index = table.schema.get_field_index("start_date")
    table = table.set_column(index, "start_date", pa.array([20100901, 20150105], pa.int64()))
    pq.write_table(table, path / "staff.parquet")


def _smaller_line_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module, "MAX_LINE_BYTES", 1024 * 1024)


M = "manifest.json"
ROWS_MSG = "row has {} fields; the header has {}"

CASES: list[Case] = [
    # --- manifest ---------------------------------------------------------------------------
    Case("manifest-missing", [Issue(M, None, None, None,
                                    "manifest.json is missing; every extract needs one")],
         files=lambda p: (p / M).unlink()),
    Case("manifest-not-json", [Issue(M, None, None, None,
                                     "not valid JSON: Expecting ',' delimiter at line 1 column 28")],
         files=_write_manifest_text(b'{"format": "force-extract" "version": 1}')),
    Case("manifest-not-object", [Issue(M, None, None, None, "expected a JSON object")],
         files=_write_manifest_text(b'["force-extract", 1]')),
    Case("manifest-not-utf8", [Issue(M, None, None, None, "not valid UTF-8 (byte 16)")],
         files=_write_manifest_text(b'{"force_name": "\xff"}')),
    Case("manifest-format-wrong", [Issue(M, None, "format", '"force-export"',
                                         'expected "force-extract"')],
         manifest=_manifest_set("format", "force-export")),
    Case("manifest-version-2", [Issue(M, None, "version", "2",
                                      "expected 1 (this product reads version 1)")],
         manifest=_manifest_set("version", 2)),
    Case("manifest-version-string", [Issue(M, None, "version", '"1"',
                                           "expected 1 (this product reads version 1)")],
         manifest=_manifest_set("version", "1")),
    Case("manifest-force-code-missing", [Issue(M, None, "force_code", None,
                                               "required manifest key is missing")],
         manifest=_manifest_set("force_code", _DELETE)),
    Case("manifest-force-name-blank", [Issue(M, None, "force_name", '"  "',
                                             "expected a non-empty string")],
         manifest=_manifest_set("force_name", "  ")),
    Case("manifest-period-start-impossible", [Issue(M, None, "period_start", '"2024-02-30"',
                                                    "expected a date YYYY-MM-DD")],
         manifest=_manifest_set("period_start", "2024-02-30")),
    Case("manifest-period-end-format", [Issue(M, None, "period_end", '"31/12/2024"',
                                              "expected a date YYYY-MM-DD")],
         manifest=_manifest_set("period_end", "31/12/2024")),
    Case("manifest-period-reversed", [Issue(M, None, "period_end", '"2023-12-31"',
                                            "period_end is before period_start (2024-01-01)")],
         manifest=_manifest_set("period_end", "2023-12-31")),
    Case("manifest-extracted-at-no-zone", [Issue(
        M, None, "extracted_at", '"2025-01-02T03:00:00"',
        "expected an ISO 8601 timestamp with Z or an offset")],
         manifest=_manifest_set("extracted_at", "2025-01-02T03:00:00")),
    Case("manifest-row-counts-not-object", [Issue(
        M, None, "row_counts", "[2]", "expected an object mapping table names to row counts")],
         manifest=_manifest_set("row_counts", [2])),
    Case("manifest-row-count-negative", [Issue(M, None, "row_counts.staff", "-2",
                                               "expected a whole number of rows, 0 or more")],
         manifest=_manifest_set("row_counts", {"staff": -2})),
    Case("manifest-row-count-mismatch", [Issue(
        "staff.csv", None, None, "2",
        "manifest row_counts says 3 rows; the file has 2 (truncated transfer?)")],
         manifest=_manifest_set("row_counts", {"staff": 3, "units": 2})),
    Case("manifest-row-count-absent-table", [Issue(
        M, None, "row_counts.comms", "5",
        "manifest counts rows of table comms, but the extract has no file for it")],
         tables=_delete_table("comms"), manifest=_manifest_set("row_counts", {"comms": 5})),
    # --- layout -----------------------------------------------------------------------------
    Case("two-files-one-table", [Issue(
        "staff.csv", None, None, None,
        "table staff has 2 files (staff.csv, staff.parquet); keep exactly one")],
         files=lambda p: (p / "staff.parquet").write_bytes(b"PAR1")),
    Case("required-table-missing", [Issue(
        "audit_events", None, None, None,
        "required table audit_events is missing: expected audit_events.csv, "
        "audit_events.csv.gz or audit_events.parquet")],
         tables=_delete_table("audit_events")),
    Case("table-name-upper-case", [Issue(
        "units", None, None, None,
        "required table units is missing: expected units.csv, units.csv.gz or units.parquet")],
         files=lambda p: (p / "units.csv").rename(p / "Units.csv"),
         warnings=[Issue("Units.csv", None, None, None,
                         "file is not part of the contract; ignored "
                         "(file names are exact and lower case: units.csv?)")]),
    # --- headers ----------------------------------------------------------------------------
    Case("required-column-missing", [Issue("staff.csv", None, "surname", None,
                                           "required column is missing")],
         tables=_drop_column("staff", "surname")),
    Case("column-name-upper-case", [Issue("units.csv", None, "name", None,
                                          "required column is missing")],
         files=_replace_in("units.csv", b"unit_id,name,", b"unit_id,Name,"),
         warnings=[Issue("units.csv", None, "Name", None,
                         "not a column of table units; ignored "
                         "(column names are exact and lower case: name?)")]),
    Case("duplicate-column", [Issue("units.csv", None, "name", None,
                                    "column appears 2 times in the header")],
         files=_replace_in("units.csv", b"unit_id,name,function,parent_unit_id",
                           b"unit_id,name,function,name")),
    Case("empty-file", [Issue("incidents.csv", None, None, None,
                              "file is empty: expected a header row")],
         files=lambda p: (p / "incidents.csv").write_bytes(b""),
         manifest=_manifest_set("row_counts", {})),
    Case("blank-header", [Issue("incidents.csv", None, None, None,
                                "header row is empty: expected column names")],
         files=lambda p: (p / "incidents.csv").write_bytes(b"\n\n"),
         manifest=_manifest_set("row_counts", {})),
    # --- values -----------------------------------------------------------------------------
    Case("required-value-missing", [Issue("staff.csv", 2, "forename", None,
                                          "required value is missing")],
         tables=_set("staff", 2, "forename", "")),
    Case("id-too-long", [Issue("audit_events.csv", 2, "object_id", "N" * 65,
                               "expected an identifier of 1 to 64 characters")],
         tables=_set("audit_events", 2, "object_id", "N" * 65)),
    Case("date-impossible", [Issue("staff.csv", 1, "start_date", "2010-13-01",
                                   "expected a date YYYY-MM-DD")],
         tables=_set("staff", 1, "start_date", "2010-13-01")),
    Case("date-uk-format", [Issue("vetting.csv", 1, "expires_on", "01/01/2030",
                                  "expected a date YYYY-MM-DD")],
         tables=_set("vetting", 1, "expires_on", "01/01/2030")),
    Case("timestamp-words", [Issue("audit_events.csv", 2, "ts", "yesterday",
                                   "expected an ISO 8601 timestamp, e.g. 2024-03-01T22:15:04Z")],
         tables=_set("audit_events", 2, "ts", "yesterday")),
    Case("timestamp-date-only", [Issue("incidents.csv", 1, "opened_at", "2024-03-01",
                                       "expected an ISO 8601 timestamp, e.g. "
                                       "2024-03-01T22:15:04Z")],
         tables=_set("incidents", 1, "opened_at", "2024-03-01")),
    Case("timestamp-impossible-hour", [Issue("comms.csv", 1, "ts", "2024-03-06T25:30:00Z",
                                             "expected an ISO 8601 timestamp, e.g. "
                                             "2024-03-01T22:15:04Z")],
         tables=_set("comms", 1, "ts", "2024-03-06T25:30:00Z")),
    Case("enum-capitalised", [Issue("staff.csv", 1, "gender", "Male",
                                    "expected one of: female, male, other, unknown")],
         tables=_set("staff", 1, "gender", "Male")),
    Case("enum-unknown-system", [Issue(
        "audit_events.csv", 1, "system", "niche",
        "expected one of: rms, pnc, pnd, command_control, intelligence, custody, "
        "case_file, other")],
         tables=_set("audit_events", 1, "system", "niche")),
    Case("integer-decimal", [Issue("comms.csv", 1, "duration_s", "12.5",
                                   "expected a whole number")],
         tables=_set("comms", 1, "duration_s", "12.5")),
    Case("integer-words", [Issue("comms.csv", 1, "duration_s", "two minutes",
                                 "expected a whole number")],
         tables=_set("comms", 1, "duration_s", "two minutes")),
    # --- references, keys, intervals --------------------------------------------------------
    Case("reference-unit-missing", [Issue("staff.csv", 2, "unit_id", "U9",
                                          "refers to units.unit_id, which has no such value")],
         tables=_set("staff", 2, "unit_id", "U9")),
    Case("reference-self-parent-unit", [Issue(
        "units.csv", 2, "parent_unit_id", "U7",
        "refers to units.unit_id, which has no such value")],
         tables=_set("units", 2, "parent_unit_id", "U7")),
    Case("reference-incident-missing", [Issue(
        "incident_nominals.csv", 2, "incident_id", "I3",
        "refers to incidents.incident_id, which has no such value")],
         tables=_set("incident_nominals", 2, "incident_id", "I3")),
    Case("reference-ids-compared-exactly", [Issue(
        "assignments.csv", 1, "staff_id", "s1",
        "refers to staff.staff_id, which has no such value")],
         tables=_set("assignments", 1, "staff_id", "s1")),
    Case("duplicate-primary-key", [Issue("staff.csv", 3, "staff_id", "S1",
                                         "duplicate staff_id; first at row 1")],
         tables=_dup_row("staff", 1), manifest=_manifest_set("row_counts", {})),
    Case("duplicate-complaint-subject", [Issue(
        "complaints.csv", 3, "complaint_id,staff_id", "C1, S2",
        "duplicate (complaint_id, staff_id); first at row 2")],
         tables=_dup_row("complaints", 2), manifest=_manifest_set("row_counts", {})),
    Case("interval-shift-ends-before-start", [Issue(
        "shifts.csv", 1, "end", "2024-03-01T06:59:59Z",
        "end is before start (2024-03-01T07:00:00Z)")],
         tables=_set("shifts", 1, "end", "2024-03-01T06:59:59Z")),
    Case("interval-offset-aware", [Issue(
        "incidents.csv", 1, "closed_at", "2024-03-01T09:00:00+01:00",
        "closed_at is before opened_at (2024-03-01T08:15:04Z)")],
         tables=_set("incidents", 1, "closed_at", "2024-03-01T09:00:00+01:00")),
    Case("interval-staff-left-before-joining", [Issue(
        "staff.csv", 2, "end_date", "2014-12-31", "end_date is before start_date (2015-01-05)")],
         tables=_set("staff", 2, "end_date", "2014-12-31")),
    # --- files and encodings ----------------------------------------------------------------
    Case("invalid-utf8-row", [Issue("nominals.csv", 2, "surname", None,
                                    "invalid UTF-8 at byte 152 of the file; the file must be UTF-8")],
         files=_replace_in("nominals.csv", b"Green", b"Gr\xe9en")),
    Case("invalid-utf8-header", [Issue("units.csv", None, None, None,
                                       "header row is not valid UTF-8 (byte 9 of the file)")],
         files=_replace_in("units.csv", b"unit_id,name", b"unit_id,n\xe4me")),
    Case("latin1-file", [Issue("staff.csv", 1, "surname", None,
                               "invalid UTF-8 at byte 168 of the file; the file must be UTF-8")],
         files=_replace_in("staff.csv", b"Smith", b"Sm\xefth")),
    Case("invalid-utf8-in-ignored-column", [Issue(
        "units.csv", 1, None, None, "invalid UTF-8 at byte 65 of the file; the file must be UTF-8")],
         files=lambda p: (p / "units.csv").write_bytes(
             b"unit_id,name,function,parent_unit_id,notes\nU1,North,response,,caf\xe9\n"
             b"U2,PP,public_protection,U1,ok\n"),
         warnings=[Issue("units.csv", None, "notes", None, "not a column of table units; ignored")]),
    Case("truncated-gzip", [Issue(
        "audit_events.csv.gz", None, None, None,
        "gzip stream is truncated or corrupt (Unexpected end of GZIP stream: "
        "{path}/audit_events.csv.gz)")],
         files=_truncate_gzip, manifest=_manifest_set("row_counts", {})),
    Case("too-many-fields", [Issue("units.csv", 3, None, "U3,Dogs,specialist,U1,extra",
                                   ROWS_MSG.format(5, 4))],
         files=_append("units.csv", b"U3,Dogs,specialist,U1,extra\n"),
         manifest=_manifest_set("row_counts", {"units": 3})),
    Case("too-few-fields", [Issue("units.csv", 3, "function", "U3,Dogs",
                                  ROWS_MSG.format(2, 4))],
         files=_append("units.csv", b"U3,Dogs\n"),
         manifest=_manifest_set("row_counts", {"units": 3})),
    Case("unterminated-quote", [Issue(
        "units.csv", 3, "name", 'U3,"Dogs,specialist,U1',
        "badly quoted field (RFC 4180: quote the whole field, double inner quotes)")],
         files=_append("units.csv", b'U3,"Dogs,specialist,U1\n'),
         manifest=_manifest_set("row_counts", {})),
    Case("row-too-long", [Issue("units.csv", 3, None, None,
                                "row is longer than the limit of 1048576 bytes")],
         files=_append("units.csv", b'U3,"' + b"x" * (2 * 1024 * 1024) + b'",other,\n'),
         manifest=_manifest_set("row_counts", {}), setup=_smaller_line_limit),
    Case("errors-after-rejected-row-keep-file-row-numbers", [
        Issue("units.csv", 3, None, "U3,Dogs,specialist,U1,extra", ROWS_MSG.format(5, 4)),
        Issue("units.csv", 4, "function", "dogs", "expected one of: response, neighbourhood, "
              "investigation, safeguarding, public_protection, custody, intelligence, "
              "contact_centre, professional_standards, roads_policing, specialist, training, "
              "support, other")],
         files=_append("units.csv", b"U3,Dogs,specialist,U1,extra\nU4,Dogs,dogs,U1\n"),
         manifest=_manifest_set("row_counts", {})),
    Case("parquet-native-type-wrong", [Issue(
        "staff.parquet", None, "start_date", "BIGINT",
        "expected a date column (or text), found Parquet type BIGINT")],
         fmt="parquet", files=_parquet_wrong_type),
    Case("parquet-not-parquet", [Issue(
        "units.parquet", None, None, None,
        "cannot read the Parquet file: File '{path}/units.parquet' too small to be a "
        "Parquet file")],
         fmt="parquet", files=lambda p: (p / "units.parquet").write_bytes(b"unit_id\nU1\n")),
]


def _build(case: Case, root: Path) -> Path:
    tables = valid_tables()
    if case.tables:
        case.tables(tables)
    manifest = dict(MANIFEST)
    manifest["row_counts"] = {name: len(rows) for name, rows in tables.items()}
    if case.manifest:
        case.manifest(manifest)
    path = write_extract(root / case.id, tables, fmt=case.fmt, manifest=manifest)
    if case.files:
        case.files(path)
    return path


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_extract_is_rejected_with_exact_errors(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.setup:
        case.setup(monkeypatch)
    path = _build(case, tmp_path)
    report = validate_extract(path)
    expected = [
        Issue(i.file, i.row, i.column, i.value, i.message.replace("{path}", str(path)))
        for i in case.errors
    ]
    assert report.errors == expected
    assert report.error_count == len(expected)
    assert not report.ok
    if case.warnings is not None:
        assert report.warnings == case.warnings


def test_manifest_json_is_loadable_after_edits(tmp_path: Path) -> None:
    path = _build(CASES[4], tmp_path)
    assert json.loads((path / "manifest.json").read_text())["format"] == "force-export"
