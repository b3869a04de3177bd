"""Multi-force `probity link`: each force linked on its own, then each force's staff screened
against the other forces' person records and staff records (issue 10, transferee checks)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from probity.cli import app
from probity.errors import UsageError

runner = CliRunner()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _append(path: Path, row: dict[str, str]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, header, lineterminator="\n").writerow(
            {k: row.get(k, "") for k in header})


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Forces AAA and BBB (synthetic, different seeds). Planted in BBB: AAA's first staff
    member as a suspect's person record; AAA's second staff member as a former BBB officer
    with two sexual-conduct complaints (a transferee)."""
    root = tmp_path_factory.mktemp("forces")
    probity = Path(sys.executable).with_name("probity")
    for code, seed in (("AAA", 51), ("BBB", 52)):
        subprocess.run([str(probity), "synth", str(root / code), "--staff", "80", "--months",
                        "1", "--seed", str(seed), "--format", "csv"], check=True,
                       capture_output=True)
        manifest = json.loads((root / code / "manifest.json").read_text())
        manifest["force_code"] = code
        (root / code / "manifest.json").write_text(json.dumps(manifest))
    suspect, transferee = _rows(root / "AAA" / "staff.csv")[:2]
    b = root / "BBB"
    _append(b / "nominals.csv", {
        "nominal_id": "NX000001", "forename": suspect["forename"],
        "surname": suspect["surname"], "date_of_birth": suspect["date_of_birth"],
        "gender": suspect["gender"], "address": suspect["home_address"],
        "postcode": suspect["home_postcode"], "phone": suspect["personal_phone"]})
    _append(b / "incident_nominals.csv", {"incident_id": _rows(b / "incidents.csv")[0][
        "incident_id"], "nominal_id": "NX000001", "role": "suspect"})
    _append(b / "staff.csv", {
        **_rows(b / "staff.csv")[0], "staff_id": "SX000001", "forename": transferee["forename"],
        "surname": transferee["surname"], "date_of_birth": transferee["date_of_birth"],
        "gender": transferee["gender"], "home_address": transferee["home_address"],
        "home_postcode": transferee["home_postcode"],
        "personal_phone": transferee["personal_phone"], "email": "", "work_phone": "",
        "start_date": "2015-01-01", "end_date": "2019-06-30", "post_id": ""})
    complaint = _rows(b / "complaints.csv")[0]
    for n in (1, 2):
        _append(b / "complaints.csv", {**complaint, "complaint_id": f"CX00000{n}",
                                       "staff_id": "SX000001", "category": "sexual_conduct"})
    manifest = json.loads((b / "manifest.json").read_text())
    for table, added in (("nominals", 1), ("incident_nominals", 1), ("staff", 1),
                         ("complaints", 2)):
        manifest["row_counts"][table] += added
    (b / "manifest.json").write_text(json.dumps(manifest))
    return {"root": root, "suspect": suspect["staff_id"], "transferee": transferee["staff_id"]}


def test_cross_force_screening_finds_the_planted_records_and_keeps_forces_apart(
        two_forces: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path / "data"))
    root = Path(str(two_forces["root"]))
    out = tmp_path / "out"
    out.mkdir()
    result = runner.invoke(app, ["link", str(root / "AAA"), str(root / "BBB"),
                                 "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    for code in ("AAA", "BBB"):
        assert {p.name for p in (out / code).iterdir()} == {"links.csv", "findings.csv",
                                                            "cross_force.csv"}
    found = {(r["staff_id"], r["other_force"], r["record_type"], r["other_id"]): r
             for r in _rows(out / "AAA" / "cross_force.csv")}
    suspect = (two_forces["suspect"], "BBB", "person", "NX000001")
    transferee = (two_forces["transferee"], "BBB", "staff", "SX000001")
    assert set(found) == {suspect, transferee}  # and no other AAA staff member
    assert found[suspect]["other_detail"] == "roles: suspect"
    assert found[transferee]["other_detail"] == "complaints: 2 (sexual_conduct)"
    assert all(float(r["match_probability"]) >= 0.9 for r in found.values())
    back = _rows(out / "BBB" / "cross_force.csv")  # BBB's former officer is AAA staff now
    assert [(r["staff_id"], r["other_force"], r["other_id"]) for r in back] == [
        ("SX000001", "AAA", two_forces["transferee"])]
    # each force's own links are what a single-force run gives
    single = tmp_path / "single.csv"
    assert runner.invoke(app, ["link", str(root / "AAA"), "--out", str(single)]).exit_code == 0
    assert (out / "AAA" / "links.csv").read_text() == single.read_text()


def test_several_extracts_need_an_out_dir_and_distinct_forces(
        two_forces: dict[str, object], tmp_path: Path) -> None:
    root = Path(str(two_forces["root"]))
    result = runner.invoke(app, ["link", str(root / "AAA"), str(root / "BBB"),
                                 "--out", str(tmp_path / "links.csv")])
    assert isinstance(result.exception, UsageError) and "--out-dir" in str(result.exception)
    result = runner.invoke(app, ["link", str(root / "AAA"), str(root / "AAA"),
                                 "--out-dir", str(tmp_path)])
    assert isinstance(result.exception, UsageError)
    assert "both force 'AAA'" in str(result.exception)
    assert not (tmp_path / "AAA").exists()
