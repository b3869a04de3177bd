"""`probity vetting report` on the command line: JSON, CSV, rich output, settings, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from probity.cli import app
from probity.errors import ConfigurationError, ExtractInvalid
from probity.vetting.settings import DEFAULT_RENEWAL_YEARS, load_vetting_settings

from .test_vetting_compliance import AS_OF, CASES, EXPECTED, NOT_SERVING, tables

runner = CliRunner()


@pytest.fixture
def extract_dir(make_extract: Any) -> Path:
    return make_extract(tables(), period_end=AS_OF)


def test_json_output(extract_dir: Path) -> None:
    result = runner.invoke(app, ["vetting", "report", str(extract_dir), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["no_clearance"]["staff_ids"] == sorted(EXPECTED["no_clearance"])
    assert doc["below_requirement"]["count"] == len(EXPECTED["below_requirement"])
    assert doc["expired"]["staff_ids"] == sorted(EXPECTED["expired"])
    assert doc["due_within_90_days"]["staff_ids"] == sorted(EXPECTED["due"])
    assert doc["serving"] == len(CASES) - len(NOT_SERVING)


def test_as_of_and_due_days_options(extract_dir: Path) -> None:
    result = runner.invoke(app, ["vetting", "report", str(extract_dir), "--json",
                                 "--as-of", "2024-03-15", "--due-days", "120"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["as_of"] == "2024-03-15"
    assert "due_within_120_days" in doc
    assert "A03" in doc["due_within_120_days"]["staff_ids"]  # expires 2024-06-01


def test_bad_as_of_is_a_usage_error(extract_dir: Path) -> None:
    result = runner.invoke(app, ["vetting", "report", str(extract_dir), "--as-of", "31/12/2024"])
    assert result.exit_code != 0
    assert "--as-of" in str(result.exception)


def test_csv_export_agrees_with_json(extract_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    result = runner.invoke(app, ["vetting", "report", str(extract_dir), "--csv", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "vetting_staff.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["staff_id"] for r in rows} == set(CASES) - NOT_SERVING
    for category, expected in EXPECTED.items():
        assert {r["staff_id"] for r in rows if r[category] == "true"} == expected
    with (out / "vetting_summary.csv").open(encoding="utf-8") as handle:
        summary = {r["category"]: int(r["count"]) for r in csv.DictReader(handle)}
    assert summary["no_clearance"] == len(EXPECTED["no_clearance"])
    assert summary["due_within_90_days"] == len(EXPECTED["due"])
    with (out / "vetting_by_unit.csv").open(encoding="utf-8") as handle:
        units = list(csv.DictReader(handle))
    assert sum(int(u["serving"]) for u in units) == len(CASES) - len(NOT_SERVING)
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind


def test_rich_table_output(extract_dir: Path) -> None:
    result = runner.invoke(app, ["vetting", "report", str(extract_dir), "--list"],
                           env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "Vetting compliance on 2024-12-31" in result.stdout
    assert "Below their post's requirement" in result.stdout
    assert "Response North" in result.stdout
    for staff_id in EXPECTED["no_clearance"]:
        assert staff_id in result.stdout


def test_settings_file(extract_dir: Path, tmp_path: Path) -> None:
    settings = tmp_path / "vetting.toml"
    settings.write_text('due_days = 1\n[level_order]\nnppv2f = 4\n', encoding="utf-8")
    result = runner.invoke(app, ["vetting", "report", str(extract_dir), "--json",
                                 "--settings", str(settings)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["due_within_1_days"]["staff_ids"] == ["A25"]
    assert "A19" in doc["below_requirement"]["staff_ids"]


def test_invalid_extract_is_refused(make_extract: Any) -> None:
    t = tables()
    t["vetting"].append({"staff_id": "A01", "level": "top_secret", "status": "granted",
                         "decided_on": "2020-01-01", "expires_on": "2030-01-01"})
    result = runner.invoke(app, ["vetting", "report", str(make_extract(t, period_end=AS_OF))])
    assert result.exit_code != 0
    assert "top_secret" in str(result.exception)


def test_settings_defaults_and_json_file(tmp_path: Path) -> None:
    defaults = load_vetting_settings()
    assert defaults.renewal_years["rv"] == 10 == DEFAULT_RENEWAL_YEARS["rv"]
    assert defaults.due_days == 90
    assert defaults.satisfies(held="sc", required="rv")
    assert not defaults.satisfies(held="rv", required="mv")
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"renewal_years": {"ctc": 0, "mv": 5}}), encoding="utf-8")
    loaded = load_vetting_settings(path)
    assert loaded.renewal_years["ctc"] is None and loaded.renewal_years["mv"] == 5
    assert loaded.renewal_years["rv"] == 10


@pytest.mark.parametrize(("text", "expected"), [
    ('due_days = -1\n', "due_days: value -1"),
    ('[level_order]\ntop_secret = 9\n', "unknown level 'top_secret'"),
    ('[level_order]\nrv = "high"\n', "level_order.rv: value 'high'"),
    ('[renewal_years]\nrv = 2.5\n', "renewal_years.rv: value 2.5"),
    ('colour = "blue"\n', "unknown key(s) colour"),
    ('due_days = \n', "not valid toml"),
])
def test_bad_settings_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_vetting_settings(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def _expiry_before_decision(t: dict[str, list[dict[str, Any]]]) -> None:
    t["vetting"].append({"staff_id": "A01", "level": "rv", "status": "granted",
                         "decided_on": "2020-01-01", "expires_on": "2019-01-01"})


def _post_without_unit(t: dict[str, list[dict[str, Any]]]) -> None:
    t["posts"].append({"post_id": "P_X", "title": "Orphan", "unit_id": None,
                       "required_vetting": "rv"})


def _unknown_post(t: dict[str, list[dict[str, Any]]]) -> None:
    t["staff"][0]["post_id"] = "P_NOWHERE"


@pytest.mark.parametrize(("breaker", "value"), [
    (_expiry_before_decision, "2019-01-01"),
    (_post_without_unit, "unit_id"),
    (_unknown_post, "P_NOWHERE"),
])
def test_inconsistent_rows_are_refused_and_nothing_written(
        make_extract: Any, tmp_path: Path, breaker: Any, value: str) -> None:
    t = tables()
    breaker(t)
    out = tmp_path / "csv"
    result = runner.invoke(app, ["vetting", "report", str(make_extract(t, period_end=AS_OF)),
                                 "--csv", str(out)])
    assert result.exit_code != 0
    assert isinstance(result.exception, ExtractInvalid)
    issues = " ".join(str(i) for i in result.exception.report.errors)  # type: ignore[attr-defined]
    assert value in issues
    assert not out.exists()
