"""Warnings (the extract stays valid), phone normalisation, and `probity validate`."""

from __future__ import annotations

import json

import duckdb
import pytest
import typer
from extract_testkit import valid_tables
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from probity.errors import ExtractInvalid
from probity.extract import Issue, install_phone_macro, normalise_phone, validate_extract
from probity.extract.commands import validate_command


def test_warnings_leave_the_extract_valid(make_extract) -> None:
    tables = valid_tables()
    tables["shifts"][0]["start"] = "2024-03-01T07:00:00"  # no zone
    tables["shifts"][0]["end"] = "2024-03-01 17:00"  # no zone, space, no seconds
    tables["nominals"][1]["phone"] = "ex-directory"
    for row in tables["staff"]:
        row["nickname"] = "x"  # extra column
    del tables["posts"]  # staff.post_id now refers to an absent optional table
    path = make_extract(tables, manifest=None)
    (path / "notes.txt").write_text("hello")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["row_counts"]["widgets"] = 3
    manifest["software"] = "RMS 9"
    (path / "manifest.json").write_text(json.dumps(manifest))
    report = validate_extract(path)
    assert report.errors == []
    assert report.ok
    assert report.warnings == [
        Issue("manifest.json", None, "row_counts.widgets", None,
              "not a table of the contract; ignored"),
        Issue("manifest.json", None, "software", None,
              "manifest key is not part of the contract; ignored"),
        Issue("notes.txt", None, None, None, "file is not part of the contract; ignored"),
        Issue("staff.csv", None, "nickname", None, "not a column of table staff; ignored"),
        Issue("staff.csv", None, "post_id", None,
              "refers to posts.post_id, but the extract has no posts table; not checked"),
        Issue("shifts.csv", 1, "start", "2024-03-01T07:00:00",
              "timestamp without a time zone; read as UTC (1 row(s); the first is shown)"),
        Issue("shifts.csv", 1, "end", "2024-03-01 17:00",
              "timestamp without a time zone; read as UTC (1 row(s); the first is shown)"),
        Issue("nominals.csv", 2, "phone", "ex-directory",
              "phone number that cannot be read as a UK or international number; it will "
              "match nothing (1 row(s); the first is shown)"),
    ]
    assert report.missing_optional == ["posts"]


def test_errors_are_capped_but_counted(make_extract) -> None:
    tables = valid_tables()
    base = tables["audit_events"][0]
    tables["audit_events"] = [
        {**base, "event_id": f"E{i}", "action": "peek"} for i in range(500)]
    report = validate_extract(make_extract(tables, manifest=None))
    assert report.error_count == 500
    assert len(report.errors) == 20  # examples kept per check
    assert report.errors[0] == Issue(
        "audit_events.csv", 1, "action", "peek",
        "expected one of: search, view, create, update, print, export, delete")
    assert report.errors[19].row == 20


UK_WRITINGS = [
    ("07700 900123", "+447700900123"),
    ("07700900123", "+447700900123"),
    ("+44 7700 900123", "+447700900123"),
    ("+44 (0)7700 900123", "+447700900123"),
    ("0044 7700 900123", "+447700900123"),
    ("447700900123", "+447700900123"),
    ("(0161) 496 0000", "+441614960000"),
    ("0161-496-0000", "+441614960000"),
    ("+44 (0)161 496 0000", "+441614960000"),
    ("020 7946 0000", "+442079460000"),
    ("016977 3456", "+44169773456"),
    ("+1 212 555 0100", "+12125550100"),
    ("0033 1 23 45 67 89", "+33123456789"),
    ("withheld", None),
    ("123", None),
    ("", None),
    ("+44 123", None),
    ("07700 9001", None),
]


@pytest.fixture(scope="module")
def phone_con():
    con = duckdb.connect()
    install_phone_macro(con)
    yield con
    con.close()


@pytest.mark.parametrize(("written", "e164"), UK_WRITINGS)
def test_phone_normalisation_python_and_sql_agree(phone_con, written: str, e164) -> None:
    assert normalise_phone(written) == e164
    assert phone_con.execute("SELECT probity_e164(?)", [written]).fetchone() == (e164,)


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(["07", "01", "02", "03"]),
    digits=st.text(alphabet="0123456789", min_size=9, max_size=9),
    style=st.sampled_from(["plain", "spaced", "intl", "intl0", "0044", "brackets", "dashes"]),
)
def test_phone_normalisation_agrees_on_generated_uk_numbers(phone_con, prefix, digits, style):
    national = prefix + digits  # 11 digits with the trunk 0
    if digits[0] == "0" and prefix != "07":
        return
    written = {
        "plain": national,
        "spaced": f"{national[:5]} {national[5:]}",
        "intl": f"+44 {national[1:5]} {national[5:]}",
        "intl0": f"+44 (0){national[1:5]} {national[5:]}",
        "0044": f"0044 {national[1:]}",
        "brackets": f"({national[:5]}) {national[5:]}",
        "dashes": f"{national[:4]}-{national[4:7]}-{national[7:]}",
    }[style]
    expected = "+44" + national[1:]
    assert phone_con.execute("SELECT probity_e164(?)", [written]).fetchone() == (expected,)
    assert normalise_phone(written) == expected


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(validate_command)
    return app


def test_cli_valid_extract_exits_0(make_extract) -> None:
    result = CliRunner().invoke(_app(), [str(make_extract())])
    assert result.exit_code == 0, result.output
    assert "valid: 0 error(s), 0 warning(s); 16 table(s), 24 row(s)" in result.output


def test_cli_invalid_extract_lists_errors_and_exits_2(make_extract) -> None:
    tables = valid_tables()
    tables["staff"][1]["unit_id"] = "U9"
    result = CliRunner().invoke(_app(), [str(make_extract(tables))])
    assert isinstance(result.exception, ExtractInvalid)
    assert result.exception.exit_code == 2
    assert "Errors (1)" in result.output
    assert "refers to units.unit_id" in result.output
    assert "INVALID: 1 error(s)" in str(result.exception)


def test_cli_json(make_extract) -> None:
    tables = valid_tables()
    tables["staff"][1]["unit_id"] = "U9"
    result = CliRunner().invoke(_app(), [str(make_extract(tables)), "--json"])
    assert isinstance(result.exception, ExtractInvalid)
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["error_count"] == 1
    assert data["errors"][0] == {"file": "staff.csv", "row": 2, "column": "unit_id",
                                 "value": "U9",
                                 "message": "refers to units.unit_id, which has no such value"}


def test_odd_extra_column_names_are_ignored(make_extract) -> None:
    path = make_extract()
    data = (path / "units.csv").read_bytes().replace(
        b"unit_id,name,function,parent_unit_id",
        b"unit_id,name,function,parent_unit_id,nominal_id,nominal_id,\"it's \"\"odd\"\"\",",
    ).replace(b"\nU1,", b"\nU1,").replace(b"response,\n", b"response,,a,b,c,d\n")
    lines = data.split(b"\n")
    lines[2] = lines[2] + b",,,,"
    (path / "units.csv").write_bytes(b"\n".join(lines))
    report = validate_extract(path)
    assert report.errors == []
    assert [(w.column, w.message) for w in report.warnings] == [
        ("nominal_id", "not a column of table units; ignored"),
        ("it's \"odd\"", "not a column of table units; ignored"),
        ("", "not a column of table units; ignored"),
    ]


def test_progress_is_reported(make_extract) -> None:
    calls: list[tuple[str, int, int]] = []
    assert validate_extract(make_extract(), progress=lambda *a: calls.append(a)).ok
    assert calls[0] == ("checking units.csv", 0, 16)
    assert calls[-1] == ("done", 16, 16)
    assert [c[1] for c in calls] == list(range(17))


@settings(max_examples=12, deadline=None)
@given(garbage=st.binary(min_size=1, max_size=300))
def test_random_bytes_never_crash_the_validator(tmp_path_factory, garbage: bytes) -> None:
    from extract_testkit import write_extract

    path = write_extract(tmp_path_factory.mktemp("fuzz") / "x", row_counts=False)
    (path / "incidents.csv").write_bytes(b"incident_id,opened_at,category\n" + garbage)
    report = validate_extract(path)  # must return a report, whatever the bytes
    assert report.ok == (report.error_count == 0)
    assert all(isinstance(i.message, str) and i.message for i in report.errors)
