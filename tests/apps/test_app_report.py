"""`probity apps report` over a hand-built extract, checked against an independent count."""

from __future__ import annotations

import csv
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from probity.apps.report import REPORT_COLUMNS, app_findings, estate_coverage
from probity.cli import app
from probity.extract import open_extract

runner = CliRunner()

UNITS = [{"unit_id": "U1", "name": "Response", "function": "response"}]
STAFF = [{"staff_id": f"S{i}", "forename": "A", "surname": f"B{i}", "staff_type": "officer",
          "unit_id": "U1", "start_date": "2015-01-01"} for i in range(1, 5)]
DEVICES = [
    {"device_id": "D1", "staff_id": "S1", "kind": "phone", "platform": "android"},
    {"device_id": "D2", "staff_id": "S2", "kind": "phone", "platform": "ios"},
    {"device_id": "D3", "staff_id": None, "kind": "tablet", "platform": "android"},  # shared
    {"device_id": "D4", "staff_id": "S4", "kind": "laptop", "platform": "windows"},
    {"device_id": "D5", "staff_id": "S3", "kind": "phone", "platform": "android"},  # no apps
]
DEVICE_APPS = [
    # D1: Signal twice (two versions) -> one row; Outlook not listed
    {"device_id": "D1", "app_id": "org.thoughtcrime.securesms", "app_name": "Signal",
     "version": "7.0", "first_seen": "2024-01-05", "last_seen": "2024-03-01"},
    {"device_id": "D1", "app_id": "org.thoughtcrime.securesms", "app_name": "Signal",
     "version": "7.1", "first_seen": "2024-03-02", "last_seen": None},
    {"device_id": "D1", "app_id": "com.microsoft.office.outlook", "app_name": "Outlook",
     "first_seen": "2024-01-01"},
    # D1: Tinder removed in February: still needs a review decision
    {"device_id": "D1", "app_id": "com.tinder", "app_name": "Tinder",
     "first_seen": "2024-01-10", "last_seen": "2024-02-01"},
    # D2: iOS WhatsApp and Telegram; upper-case variant of the id
    {"device_id": "D2", "app_id": "net.whatsapp.WhatsApp", "app_name": "WhatsApp",
     "first_seen": "2024-01-01"},
    {"device_id": "D2", "app_id": "PH.TELEGRA.TELEGRAPH", "app_name": "Telegram",
     "first_seen": "2024-06-01"},
    # D3: shared tablet with Orbot
    {"device_id": "D3", "app_id": "org.torproject.android", "app_name": "Orbot",
     "first_seen": "2024-02-01"},
    # D4: nothing listed
    {"device_id": "D4", "app_id": "com.example.notes", "app_name": "Notes",
     "first_seen": "2024-02-01"},
]


def tables() -> dict[str, list[dict[str, Any]]]:
    return {"units": [dict(r) for r in UNITS], "staff": [dict(r) for r in STAFF],
            "devices": [dict(r) for r in DEVICES], "device_apps": [dict(r) for r in DEVICE_APPS]}


def independent_pairs(device_apps: list[dict[str, Any]], devices: list[dict[str, Any]]
                      ) -> set[tuple[str, str, str, str]]:
    """(device_id, staff_id, app_id lower, risk_class) from the raw catalogue file and rows."""
    raw = tomllib.loads(resources.files("probity.apps").joinpath("catalogue.toml")
                        .read_text(encoding="utf-8"))
    classes: dict[str, str] = {}
    for entry in raw["app"]:
        classes.setdefault(entry["app_id"].lower(), entry["risk_class"])
    holder = {d["device_id"]: d.get("staff_id") or "" for d in devices}
    return {(r["device_id"], holder.get(r["device_id"], ""), r["app_id"].lower(),
             classes[r["app_id"].lower()])
            for r in device_apps if r["app_id"].lower() in classes}


@pytest.fixture
def extract_dir(make_extract: Any) -> Path:
    return make_extract(tables())


def test_findings_match_independent_count(extract_dir: Path) -> None:
    with open_extract(extract_dir) as extract:
        findings = app_findings(extract=extract)
        coverage = estate_coverage(extract=extract, findings=findings)
    got = {(r.device_id, r.staff_id if isinstance(r.staff_id, str) else "", r.app_id.lower(),
            r.risk_class) for r in findings.itertuples()}
    assert got == independent_pairs(DEVICE_APPS, DEVICES)
    assert len(findings) == 5  # Signal counted once on D1
    signal = findings[findings["app_id"] == "org.thoughtcrime.securesms"].iloc[0]
    assert signal["version"] == "7.1" and str(signal["first_seen"]) == "2024-01-05"
    assert coverage.devices == 5 and coverage.mobile_devices == 4
    assert coverage.devices_with_inventory == 4
    assert coverage.devices_with_findings == 3 and coverage.staff_with_findings == 2
    assert coverage.by_risk_class["encrypted_messaging"] == {"findings": 3, "devices": 2,
                                                             "staff": 2}


def test_report_command_writes_exact_columns(extract_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "apps.csv"
    result = runner.invoke(app, ["apps", "report", str(extract_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == REPORT_COLUMNS
        rows = list(reader)
    assert {(r["device_id"], r["staff_id"], r["app_id"].lower(), r["risk_class"])
            for r in rows} == independent_pairs(DEVICE_APPS, DEVICES)
    shared = [r for r in rows if r["device_id"] == "D3"]
    assert shared[0]["staff_id"] == "" and shared[0]["app_name"] == "Orbot"
    assert all(r["reason"] for r in rows)
    assert not list(tmp_path.glob(".apps.csv.*"))


def test_report_without_device_apps(make_extract: Any, tmp_path: Path) -> None:
    t = tables()
    del t["device_apps"]
    out = tmp_path / "apps.csv"
    result = runner.invoke(app, ["apps", "report", str(make_extract(t)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(REPORT_COLUMNS)]


def test_failed_write_leaves_previous_file_intact(extract_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "apps.csv"
    out.write_text("previous\n", encoding="utf-8")
    bad_catalogue = tmp_path / "bad.toml"
    bad_catalogue.write_text("format = 'nope'\n", encoding="utf-8")
    result = runner.invoke(app, ["apps", "report", str(extract_dir), "--out", str(out),
                                 "--catalogue", str(bad_catalogue)])
    assert result.exit_code != 0
    assert out.read_text(encoding="utf-8") == "previous\n"
    missing_dir = runner.invoke(app, ["apps", "report", str(extract_dir), "--out",
                                      str(tmp_path / "no" / "apps.csv")])
    assert "does not exist" in str(missing_dir.exception)


def test_extract_device_apps_as_inventory(extract_dir: Path) -> None:
    from probity.apps.imports import INVENTORY_COLUMNS, classify_inventory, read_extract_device_apps

    with open_extract(extract_dir) as extract:
        inventory = read_extract_device_apps(extract=extract)
    assert tuple(inventory.columns) == INVENTORY_COLUMNS
    assert len(inventory) == len(DEVICE_APPS)
    d2 = inventory[inventory["device_id"] == "D2"]
    assert set(d2["platform"]) == {"ios"} and set(d2["staff_id"]) == {"S2"}
    found = classify_inventory(inventory=inventory)
    # one row per device_apps row (no de-duplication at this level): Signal twice on D1
    assert len(found) == 6
    assert sorted(found["risk_class"].value_counts().items()) == [
        ("anonymity", 1), ("dating", 1), ("encrypted_messaging", 4)]
