"""Changes in the vetting register between two extracts are all found, never lost."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from probity.cli import app
from probity.extract import open_extract
from probity.vetting import RegisterChange, register_changes, register_snapshot

from .test_vetting_compliance import AS_OF, tables


def snapshot(path: Path) -> Any:
    with open_extract(path) as extract:
        return register_snapshot(extract=extract)


def test_identical_extracts_have_no_changes(make_extract: Any) -> None:
    one = snapshot(make_extract(tables(), period_end=AS_OF))
    two = snapshot(make_extract(tables(), period_end=AS_OF))
    assert register_changes(before=one, after=two) == []


def changed_tables() -> dict[str, list[dict[str, Any]]]:
    t = copy.deepcopy(tables())
    for post in t["posts"]:
        if post["post_id"] == "P_RV":
            post["required_vetting"] = "mv"          # requirement raised
    t["posts"] = [p for p in t["posts"] if p["post_id"] != "P_N2"]  # post removed ...
    for s in t["staff"]:
        if s["post_id"] == "P_N2":
            s["post_id"] = None                     # ... so its holder has no post
        if s["staff_id"] == "A02":
            s["post_id"] = "P_RV"                   # moved post
    for v in t["vetting"]:
        if v["staff_id"] == "A01":
            v["status"] = "withdrawn"               # clearance withdrawn
        if v["staff_id"] == "A05":
            v["expires_on"] = "2035-03-01"          # renewed: expiry moved
    t["vetting"].append({"staff_id": "A04", "level": "rv", "status": "granted",
                         "decided_on": "2024-12-01", "expires_on": "2034-12-01"})  # new
    return t


EXPECTED = [
    RegisterChange("post", "P_N2", "removed"),
    RegisterChange("post", "P_RV", "changed", "required_vetting", "rv", "mv"),
    RegisterChange("clearance", "A01|rv|2020-01-01", "changed", "status", "granted",
                   "withdrawn"),
    RegisterChange("clearance", "A04|rv|2024-12-01", "added"),
    RegisterChange("clearance", "A05|rv|2015-03-01", "changed", "expires_on", "2025-03-01",
                   "2035-03-01"),
    RegisterChange("staff_post", "A02", "changed", "post_id", "P_MV", "P_RV"),
    RegisterChange("staff_post", "A19", "changed", "post_id", "P_N2", None),
]


def test_every_kind_of_change_is_found(make_extract: Any) -> None:
    before = snapshot(make_extract(tables(), period_end=AS_OF))
    after = snapshot(make_extract(changed_tables(), period_end=AS_OF))
    assert register_changes(before=before, after=after) == EXPECTED


def test_duplicate_decisions_are_kept_apart(make_extract: Any) -> None:
    t = copy.deepcopy(tables())
    t["vetting"].append({"staff_id": "A01", "level": "rv", "status": "lapsed",
                         "decided_on": "2020-01-01", "expires_on": None})
    snap = snapshot(make_extract(t, period_end=AS_OF))
    assert snap.clearances["A01|rv|2020-01-01"]["status"] == "granted"
    assert snap.clearances["A01|rv|2020-01-01#2"]["status"] == "lapsed"


def test_changes_command(make_extract: Any, tmp_path: Path) -> None:
    before = make_extract(tables(), period_end=AS_OF)
    after = make_extract(changed_tables(), period_end=AS_OF)
    out = tmp_path / "changes.csv"
    result = CliRunner().invoke(app, ["vetting", "changes", str(before), str(after), "--json",
                                      "--csv", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [c.to_dict() for c in EXPECTED]
    with out.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(EXPECTED)
