"""Re-vetting triggers: upheld misconduct, complaint patterns, screening findings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from probity.cli import app
from probity.extract import open_extract
from probity.vetting.triggers import LinksInvalid, TriggerRules, read_links, revetting_triggers

AS_OF = "2024-12-31"
UNITS = [{"unit_id": "U1", "name": "Response", "function": "response"}]


def person(staff_id: str, end: str | None = None) -> dict[str, Any]:
    return {"staff_id": staff_id, "forename": "T", "surname": staff_id, "staff_type": "officer",
            "unit_id": "U1", "start_date": "2010-01-01", "end_date": end}


def complaint(n: int, staff_id: str, received: str, category: str = "service_delivery",
              outcome: str | None = "not_upheld") -> dict[str, Any]:
    return {"complaint_id": f"C{n}", "received_on": received, "staff_id": staff_id,
            "category": category, "outcome": outcome}


STAFF = [person(f"T{i}") for i in range(1, 9)] + [person("T9", end="2024-06-01")]
VETTING = [
    {"staff_id": "T1", "level": "rv", "status": "granted", "decided_on": "2020-01-01",
     "expires_on": "2030-01-01"},
    {"staff_id": "T2", "level": "rv", "status": "granted", "decided_on": "2024-05-01",
     "expires_on": "2034-05-01"},
]
COMPLAINTS = [
    # T1: upheld after the 2020 decision -> misconduct_upheld
    complaint(1, "T1", "2023-03-01", "use_of_force", "upheld"),
    # T2: upheld BEFORE the 2024 re-vetting decision -> already considered, no trigger
    complaint(2, "T2", "2024-01-10", "honesty_integrity", "upheld"),
    # T3: three complaints within 365 days -> pattern
    complaint(3, "T3", "2024-02-01"), complaint(4, "T3", "2024-06-01"),
    complaint(5, "T3", "2024-12-31"),
    # T4: three complaints but one is withdrawn -> no pattern
    complaint(6, "T4", "2024-02-01"), complaint(7, "T4", "2024-06-01"),
    complaint(8, "T4", "2024-07-01", outcome="withdrawn"),
    # T5: two serious complaints -> pattern
    complaint(9, "T5", "2024-03-01", "sexual_conduct", "ongoing"),
    complaint(10, "T5", "2024-09-01", "abuse_of_position", None),
    # T6: three complaints but the first is 366 days before as_of -> outside the window
    complaint(11, "T6", "2023-12-31"), complaint(12, "T6", "2024-05-01"),
    complaint(13, "T6", "2024-06-01"),
    # T7: upheld, never vetted -> trigger; received after as_of -> ignored
    complaint(14, "T7", "2024-04-01", "other", "upheld"),
    complaint(15, "T8", "2025-01-02", "other", "upheld"),
    # T9 has left: no triggers for leavers
    complaint(16, "T9", "2024-01-01", "other", "upheld"),
]


@pytest.fixture
def extract_dir(make_extract: Any) -> Path:
    return make_extract({"units": UNITS, "staff": STAFF, "vetting": VETTING,
                         "complaints": COMPLAINTS}, period_end=AS_OF)


def write_links(path: Path) -> Path:
    path.write_text(
        "staff_id,nominal_id,match_probability,incident_roles\n"
        "T8,N1,0.97,suspect;victim\n"        # trigger
        "T8,N2,0.95,witness\n"               # role not adverse
        "T6,N3,0.85,offender\n"              # below threshold
        "T9,N4,0.99,offender\n",             # left
        encoding="utf-8")
    return path


def test_triggers(extract_dir: Path, tmp_path: Path) -> None:
    links = read_links(write_links(tmp_path / "links.csv"))
    with open_extract(extract_dir) as extract:
        found = revetting_triggers(extract=extract, links=links)
    got = [(r["staff_id"], r["trigger"]) for r in found.to_dict("records")]
    assert got == [("T1", "misconduct_upheld"), ("T3", "complaint_pattern"),
                   ("T5", "complaint_pattern"), ("T7", "misconduct_upheld"),
                   ("T8", "screening_finding")]
    t1 = found.to_dict("records")[0]
    assert t1["date"] == dt.date(2023, 3, 1) and "use_of_force" in t1["detail"]
    assert "N1 (suspect" in found.to_dict("records")[4]["detail"]


def test_rules_are_parameters(extract_dir: Path) -> None:
    with open_extract(extract_dir) as extract:
        found = revetting_triggers(extract=extract,
                                   rules=TriggerRules(pattern_days=400, pattern_count=2))
    patterns = {r["staff_id"] for r in found.to_dict("records")
                if r["trigger"] == "complaint_pattern"}
    assert patterns == {"T3", "T4", "T5", "T6"}


def test_bad_links_file(tmp_path: Path) -> None:
    bad = tmp_path / "links.csv"
    bad.write_text("staff_id,nominal_id,match_probability,incident_roles\nT1,N1,high,suspect\n",
                   encoding="utf-8")
    with pytest.raises(LinksInvalid, match="row 1, field match_probability, value 'high'"):
        read_links(bad)
    bad.write_text("staff_id,nominal_id\nT1,N1\n", encoding="utf-8")
    with pytest.raises(LinksInvalid, match="missing column"):
        read_links(bad)


def test_triggers_command(extract_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "triggers.csv"
    result = CliRunner().invoke(app, ["vetting", "triggers", str(extract_dir), "--links",
                                      str(write_links(tmp_path / "links.csv")), "--json",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [d["staff_id"] for d in doc] == ["T1", "T3", "T5", "T7", "T8"]
    assert doc[4]["date"] is None
    assert out.read_text(encoding="utf-8").splitlines()[0] == "staff_id,trigger,date,detail"
