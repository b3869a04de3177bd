"""App findings of a generated force against an independent count over the CSV rows."""

from __future__ import annotations

import csv
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from probity.apps.report import REPORT_COLUMNS
from probity.cli import app

synth = pytest.importorskip("probity.synth", reason="the synthetic generator is not installed")


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "force"
    synth.generate(out, staff=250, months=1, seed=23, fmt="csv")
    return out


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_generated_force_apps_match_independent_count(force: Path, tmp_path: Path) -> None:
    raw = tomllib.loads(resources.files("probity.apps").joinpath("catalogue.toml")
                        .read_text(encoding="utf-8"))
    risk = {e["app_id"].lower(): e["risk_class"] for e in raw["app"]}
    holder = {d["device_id"]: d["staff_id"] for d in rows(force / "devices.csv")}
    expected = {(a["device_id"], holder.get(a["device_id"], ""), a["app_id"].lower(),
                 risk[a["app_id"].lower()])
                for a in rows(force / "device_apps.csv") if a["app_id"].lower() in risk}
    assert expected, "the generated force has catalogued apps"

    out = tmp_path / "apps.csv"
    result = CliRunner().invoke(app, ["apps", "report", str(force), "--out", str(out)])
    assert result.exit_code == 0, result.output
    got_rows = rows(out)
    assert tuple(got_rows[0]) == REPORT_COLUMNS
    got = {(r["device_id"], r["staff_id"], r["app_id"].lower(), r["risk_class"])
           for r in got_rows}
    assert len(got_rows) == len(got)  # one row per device and app
    assert got == expected
