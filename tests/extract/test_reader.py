"""open_extract: valid extracts in every format read back typed; broken ones raise, load nothing."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from extract_testkit import MANIFEST, csv_bytes, valid_tables, write_extract

from probity.errors import ExtractInvalid
from probity.extract import Issue, ValidationReport, open_extract, schema, validate_extract
from probity.extract import reader as reader_module

FORMATS = ["csv", "csv.gz", "parquet"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_extract_passes_and_reads_back_typed(make_extract, fmt: str) -> None:
    path = make_extract(fmt=fmt)
    report = validate_extract(path)
    assert report.ok, report.errors
    assert report.warnings == []
    assert report.row_counts == {t: len(rows) for t, rows in valid_tables().items()}
    with open_extract(path) as extract:
        assert extract.tables == set(schema.TABLES)
        assert extract.missing_optional() == []
        assert (extract.force_code, extract.period_start, extract.period_end) == (
            "TST", date(2024, 1, 1), date(2024, 12, 31))
        con = extract.con
        types = dict(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'staff'").fetchall())
        assert types["start_date"] == "DATE"
        assert types["staff_id"] == "VARCHAR"
        assert types["work_phone_e164"] == "VARCHAR"
        assert dict(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'comms'").fetchall())["duration_s"] == "BIGINT"
        assert con.execute(
            "SELECT opened_at, closed_at FROM incidents ORDER BY incident_id").fetchall() == [
            (datetime(2024, 3, 1, 8, 15, 4), datetime(2024, 3, 2, 9, 0)),  # +01:00 -> UTC
            (datetime(2024, 4, 1, 22, 15, 4), None),
        ]
        assert con.execute("SELECT duration_s FROM comms").fetchall() == [(125,)]
        assert con.execute(
            "SELECT staff_id, work_phone_e164, personal_phone_e164, end_date FROM staff "
            "ORDER BY staff_id").fetchall() == [
            ("S1", "+447700900123", "+447700900456", None),
            ("S2", "+441614960000", None, date(2024, 6, 30)),
        ]
        assert con.execute("SELECT counterpart_e164 FROM comms").fetchall() == [
            ("+447700900789",)]
        # every contract column can be referenced, in contract order
        for name, table in schema.TABLES.items():
            cols = [r[0] for r in con.execute(f'DESCRIBE "{name}"').fetchall()]
            assert [c for c in cols if not c.endswith("_e164")] == table.column_names


def test_absent_optional_columns_read_as_null_and_has_column_says_so(make_extract) -> None:
    tables = valid_tables()
    for row in tables["staff"]:
        del row["email"], row["personal_phone"]
    del tables["devices"], tables["device_apps"], tables["comms"]
    for row in tables["audit_events"]:
        row["device_id"] = ""
    path = make_extract(tables)
    with open_extract(path) as extract:
        assert not extract.has_column("staff", "email")
        assert extract.has_column("staff", "surname")
        assert extract.con.execute(
            "SELECT count(*), count(email), count(personal_phone_e164) FROM staff"
        ).fetchone() == (2, 0, 0)
        assert not extract.has("devices")
        assert extract.has("staff")
        assert extract.missing_optional() == ["devices", "device_apps", "comms"]
        with pytest.raises(KeyError):
            extract.has("stafff")
        with pytest.raises(KeyError):
            extract.has_column("staff", "nickname")


def test_header_only_table_is_valid_with_zero_rows(make_extract) -> None:
    tables = valid_tables()
    tables["declarations"] = []
    path = make_extract(tables)
    assert (path / "declarations.csv").read_text() == (
        ",".join(schema.table("declarations").column_names) + "\n")
    report = validate_extract(path)
    assert report.ok and report.row_counts["declarations"] == 0
    with open_extract(path) as extract:
        assert extract.has("declarations")
        assert extract.con.execute("SELECT count(*) FROM declarations").fetchone() == (0,)


def test_bom_crlf_quoting_and_embedded_line_breaks(make_extract) -> None:
    tables = valid_tables()
    tables["units"][0]["name"] = 'North "A" Response,\r\nand Rural'
    path = make_extract(tables)
    body = csv_bytes(tables["units"], newline="\r\n")
    assert b'"North ""A"" Response,\r\nand Rural"' in body
    (path / "units.csv").write_bytes(b"\xef\xbb\xbf" + body)
    # a broken value after the multi-line row is reported at its data row, not its line
    tables["units"][1]["function"] = "Dogs"
    (path / "staff.csv").write_bytes(b"\xef\xbb\xbf" + csv_bytes(tables["staff"], newline="\r\n"))
    assert validate_extract(path).ok
    with open_extract(path) as extract:
        assert extract.con.execute(
            "SELECT name FROM units WHERE unit_id = 'U1'").fetchone() == (
            'North "A" Response,\r\nand Rural',)
        assert extract.con.execute("SELECT staff_id FROM staff ORDER BY 1").fetchall() == [
            ("S1",), ("S2",)]
    (path / "units.csv").write_bytes(csv_bytes(tables["units"], newline="\r\n"))
    report = validate_extract(path)
    assert [(i.file, i.row, i.column, i.value) for i in report.errors] == [
        ("units.csv", 2, "function", "Dogs")]


def test_huge_field_is_read(make_extract) -> None:
    tables = valid_tables()
    tables["audit_events"][0]["reason"] = "x" * 3_000_000
    path = make_extract(tables, fmt="csv.gz")
    assert validate_extract(path).ok
    with open_extract(path) as extract:
        assert extract.con.execute(
            "SELECT length(reason) FROM audit_events WHERE event_id = 'E1'").fetchone() == (
            3_000_000,)


def test_parquet_with_native_types(make_extract, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = make_extract(fmt="parquet")
    pq.write_table(pa.table({
        "device_id": ["D1"],
        "ts": pa.array([datetime(2024, 3, 6, 23, 30)], pa.timestamp("us", tz="UTC")),
        "direction": ["out"], "channel": ["call"], "counterpart": ["07700 900789"],
        "duration_s": pa.array([125], pa.int32()),
    }), path / "comms.parquet")
    pq.write_table(pa.table({
        "staff_id": ["S1"], "start": pa.array([datetime(2024, 3, 1, 7)], pa.timestamp("ms")),
        "end": pa.array([datetime(2024, 3, 1, 17)], pa.timestamp("ms")),
    }), path / "shifts.parquet")
    report = validate_extract(path)
    assert report.ok, report.errors
    assert report.warnings == [
        Issue("shifts.parquet", 1, "start", "2024-03-01 07:00:00",
              "timestamp without a time zone (Parquet TIMESTAMP); read as UTC "
              "(1 row(s); the first is shown)"),
        Issue("shifts.parquet", 1, "end", "2024-03-01 17:00:00",
              "timestamp without a time zone (Parquet TIMESTAMP); read as UTC "
              "(1 row(s); the first is shown)"),
    ]
    with open_extract(path) as extract:
        assert extract.con.execute("SELECT ts, duration_s FROM comms").fetchone() == (
            datetime(2024, 3, 6, 23, 30), 125)
        assert extract.con.execute('SELECT "end" FROM shifts').fetchone() == (
            datetime(2024, 3, 1, 17),)


def test_broken_extract_raises_and_creates_nothing(make_extract, tmp_path: Path) -> None:
    tables = valid_tables()
    tables["staff"][0]["gender"] = "M"
    path = make_extract(tables)
    before = sorted(p.name for p in path.iterdir())
    with pytest.raises(ExtractInvalid) as caught:
        open_extract(path)
    report = caught.value.report
    assert isinstance(report, ValidationReport)
    assert report.errors == [Issue("staff.csv", 1, "gender", "M",
                                   "expected one of: female, male, other, unknown")]
    assert "1 error(s)" in str(caught.value)
    assert sorted(p.name for p in path.iterdir()) == before
    cache = tmp_path / "probity-data" / "validation-cache"
    assert not cache.exists() or list(cache.iterdir()) == []


def test_cache_skips_revalidation_and_notices_changes(make_extract, monkeypatch) -> None:
    path = make_extract()
    with open_extract(path) as extract:
        assert extract.con.execute("SELECT count(*) FROM audit_events").fetchone() == (2,)
    calls = []
    real = reader_module.run_validation

    def spy(*args, **kwargs):
        calls.append(kwargs.get("check", True))
        return real(*args, **kwargs)

    monkeypatch.setattr(reader_module, "run_validation", spy)
    with open_extract(path) as extract:
        assert extract.con.execute("SELECT count(*) FROM audit_events").fetchone() == (2,)
        assert extract.con.execute(
            "SELECT closed_at FROM incidents WHERE incident_id = 'I1'").fetchone() == (
            datetime(2024, 3, 2, 9, 0),)
    assert calls == [False]  # cached: layout only
    cache = Path(os.environ["PROBITY_DATA_DIR"]) / "validation-cache"
    typed = [p.name for p in cache.glob("*/*.parquet")]
    assert sorted(typed) == sorted(f"{t}.parquet" for t in schema.TABLES)
    # a changed file is validated again, and its new error is found
    tables = valid_tables()
    tables["staff"][0]["unit_id"] = "U404"
    (path / "staff.csv").write_bytes(csv_bytes(tables["staff"]))
    with pytest.raises(ExtractInvalid):
        open_extract(path)
    assert calls == [False, True]


def test_gzip_and_parquet_manifest_row_counts_are_checked(tmp_path: Path) -> None:
    tables = valid_tables()
    manifest = dict(MANIFEST, row_counts={"audit_events": 3})
    path = write_extract(tmp_path / "x", tables, fmt="csv.gz", manifest=manifest)
    with gzip.open(path / "audit_events.csv.gz", "rb") as handle:
        assert handle.read().count(b"\n") == 3
    report = validate_extract(path)
    assert [str(i) for i in report.errors] == [
        "audit_events.csv.gz, value '2': manifest row_counts says 3 rows; the file has 2 "
        "(truncated transfer?)"]
    json.dumps(report.to_dict())  # the report is JSON-ready


def test_without_cache_csv_tables_are_in_memory(make_extract, tmp_path: Path) -> None:
    path = make_extract()
    with open_extract(path, use_cache=False) as extract:
        kinds = dict(extract.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables").fetchall())
        assert kinds["staff"] == "BASE TABLE"
        assert extract.con.execute("SELECT count(*) FROM staff").fetchone() == (2,)
    assert not (tmp_path / "probity-data" / "validation-cache").exists()


def test_cache_keeps_a_bounded_number_of_entries(make_extract, monkeypatch) -> None:
    monkeypatch.setattr(reader_module, "CACHE_ENTRIES", 2)
    paths = [make_extract() for _ in range(3)]
    for path in paths:
        open_extract(path).close()
    cache = Path(os.environ["PROBITY_DATA_DIR"]) / "validation-cache"
    assert len(list(cache.glob("*.json"))) == 2
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 2
    assert reader_module._cache_read(reader_module.cache_key(paths[2]) or "") is not None


def test_mixed_line_ends_are_read(make_extract) -> None:
    path = make_extract()
    (path / "units.csv").write_bytes(b"unit_id,name,function,parent_unit_id\n"
                                     b"U1,North,response,\r\nU2,PP,public_protection,U1\n")
    assert validate_extract(path).ok
    with open_extract(path) as extract:
        assert extract.con.execute(
            "SELECT unit_id, parent_unit_id FROM units ORDER BY 1").fetchall() == [
            ("U1", None), ("U2", "U1")]
