"""Compliance figures of a generated force against counts computed independently here:
plain Python over the CSV rows (no DuckDB, no SQL), from the definitions in docs/vetting.md."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from probity.cli import app
from probity.extract import Extract, open_extract
from probity.vetting import VettingSettings, vetting_compliance

from .independent_count import independent_counts

synth = pytest.importorskip("probity.synth", reason="the synthetic generator is not installed")


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "force"
    synth.generate(out, staff=250, months=1, seed=11, fmt="csv")
    return out


@pytest.fixture(scope="module")
def opened(force: Path) -> Iterator[Extract]:
    with open_extract(force) as extract:
        yield extract


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def independent(force: Path, as_of: str, due_days: int) -> dict[str, set[str]]:
    return independent_counts(staff=rows(force / "staff.csv"), posts=rows(force / "posts.csv"),
                              vetting=rows(force / "vetting.csv"), as_of=as_of,
                              due_days=due_days)


def period_end(force: Path) -> str:
    return str(json.loads((force / "manifest.json").read_text(encoding="utf-8"))["period_end"])


@pytest.mark.parametrize("shift_days", [0, -400])
def test_generated_force_matches_independent_count(force: Path, opened: Extract,
                                                   shift_days: int) -> None:
    as_of = (dt.date.fromisoformat(period_end(force)) + dt.timedelta(days=shift_days))
    expected = independent(force, as_of.isoformat(), 90)
    report = vetting_compliance(extract=opened, as_of=as_of)
    assert {s.staff_id for s in report.staff} == expected["serving"]
    for category in ("no_clearance", "below_requirement", "expired", "due", "lapsed"):
        assert set(report.staff_ids(category)) == expected[category], category
    # the generated force is not trivially compliant or trivially empty
    assert expected["no_clearance"] and len(expected["no_clearance"]) < len(expected["serving"])
    if shift_days == 0:
        assert expected["expired"] and expected["due"] and expected["below_requirement"]


def test_cli_json_matches_independent_count(force: Path) -> None:
    expected = independent(force, period_end(force), 45)
    result = CliRunner().invoke(app, ["vetting", "report", str(force), "--json",
                                      "--due-days", "45"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["as_of"] == period_end(force)
    assert doc["serving"] == len(expected["serving"])
    for key, category in (("no_clearance", "no_clearance"),
                          ("below_requirement", "below_requirement"),
                          ("expired", "expired"), ("due_within_45_days", "due")):
        assert doc[key]["count"] == len(expected[category]), key
        assert doc[key]["staff_ids"] == sorted(expected[category]), key


def test_by_unit_sums_to_totals(opened: Extract) -> None:
    report = vetting_compliance(extract=opened, settings=VettingSettings())
    totals = report.totals()
    for groups in (report.by_unit, report.by_staff_type):
        assert sum(g.serving for g in groups) == report.serving
        assert sum(g.no_clearance for g in groups) == totals.no_clearance
        assert sum(g.below_requirement for g in groups) == totals.below_requirement
        assert sum(g.due for g in groups) == totals.due
