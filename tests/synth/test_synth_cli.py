"""`probity synth` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from probity.cli import app


def test_cli_writes_csv_extract_and_truth_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "force"
    result = CliRunner().invoke(app, ["synth", str(out), "--staff", "80", "--months", "1",
                                      "--seed", "3", "--scale", "0.2", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists() and (out / "staff.csv").exists()
    truth = json.loads((tmp_path / "force.truth.json").read_text())
    assert truth["seed"] == 3 and truth["perpetrators"]
    header = (out / "audit_events.csv").read_text().splitlines()[0]
    assert header.replace('"', "").split(",")[:3] == ["event_id", "ts", "staff_id"]


def test_cli_refuses_to_overwrite_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "force"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = CliRunner().invoke(app, ["synth", str(out), "--staff", "80", "--months", "1"])
    assert result.exit_code != 0
    assert (out / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["force"]
