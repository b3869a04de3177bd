"""Inventory imports: Intune exports (fixtures), generic CSV with a mapping, and bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from probity.apps.imports import (
    AppImportInvalid,
    classify_inventory,
    read_generic_csv,
    read_intune_csv,
)
from probity.cli import app
from probity.errors import UsageError

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_intune_per_device_export() -> None:
    inventory = read_intune_csv(FIXTURES / "intune_per_device.csv")
    assert len(inventory) == 6
    assert inventory["device_name"].tolist()[:2] == ["MOB-0001", "MOB-0001"]
    assert inventory["platform"].tolist() == ["android", "android", "ios", "ios", "android",
                                              "android"]
    assert inventory["user"].iloc[0] == "pc1001@force.example"
    assert inventory["source_row"].tolist() == [1, 2, 3, 4, 5, 6]
    found = classify_inventory(inventory=inventory)
    assert found["app_id"].tolist() == ["org.thoughtcrime.securesms", "ph.telegra.Telegraph",
                                        "com.cardify.tinder", "COM.NORDVPN.ANDROID"]
    assert found["risk_class"].tolist() == ["encrypted_messaging", "encrypted_messaging",
                                            "dating", "vpn"]
    assert found["device_id"].iloc[3] == "6f1c2a8e-0b1d-4c59-9a51-0d2f8f1e0a03"


def test_intune_graph_raw_export_without_app_ids() -> None:
    inventory = read_intune_csv(FIXTURES / "intune_app_inv_raw.csv")
    assert inventory["app_id"].isna().all()
    assert inventory["version"].tolist()[0] == "24.1.80"  # full version preferred
    found = classify_inventory(inventory=inventory)
    assert found["app_name"].tolist() == ["WhatsApp", "com.snapchat.android"]
    assert found["match"].tolist() == ["name", "app_id"]
    assert found["device_id"].tolist() == ["d-0001", "d-0002"]


def test_intune_aggregate_export() -> None:
    inventory = read_intune_csv(FIXTURES / "intune_discovered_apps.csv")
    assert inventory["device_id"].isna().all()
    assert inventory["device_count"].tolist() == [4, 1200, 1, 2, 300]
    found = classify_inventory(inventory=inventory)
    assert found["app_name"].tolist() == ["Signal", "Grindr", "Tor Browser"]
    assert int(found["device_count"].sum()) == 7


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_unknown_intune_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", [["Device ID", "Application name", "Favourite colour"],
                                      ["d1", "Signal", "blue"]])
    with pytest.raises(AppImportInvalid) as caught:
        read_intune_csv(path)
    assert "Favourite colour" in str(caught.value) and str(path) in str(caught.value)
    assert len(read_intune_csv(path, ignore_unknown_columns=True)) == 1


def test_broken_rows_are_all_reported_and_nothing_imported(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", [
        ["Device ID", "Application name", "Application ID", "Device count"],
        ["d1", "Signal", "org.thoughtcrime.securesms", "1"],
        ["", "Telegram", "org.telegram.messenger", "1"],      # no device id
        ["d3", "", "", "1"],                                   # no app at all
        ["d4", "Wire", "com.wire", "many"],                    # bad count
        ["d5", "Wire"],                                        # short row
    ])
    with pytest.raises(AppImportInvalid) as caught:
        read_intune_csv(path)
    text = str(caught.value)
    assert "4 problem(s)" in text
    assert f"{path} row 2 (line 3), field Device ID, value '': device id is empty" in text
    assert "row 3 (line 4)" in text and "neither an app id nor an app name" in text
    assert "row 4 (line 5), field Device count, value 'many'" in text
    assert "row 5 (line 6): row has 2 fields but the header has 4" in text
    assert len(caught.value.issues) == 4


def test_export_without_device_or_count_column(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", [["Application name"], ["Signal"]])
    with pytest.raises(AppImportInvalid, match="no 'Device ID' column"):
        read_intune_csv(path)


def test_generic_csv_with_mapping(tmp_path: Path) -> None:
    path = write(tmp_path / "mdm.csv", [
        ["Handset", "Officer", "Bundle", "Title"],
        ["H1", "S001", "com.tinder", "Tinder"],
        ["H2", "S002", "uk.police.pronto", "Pronto"],
        ["H3", "", "org.whispersystems.signal", "Signal"],
    ])
    mapping = {"device_id": "Handset", "staff_id": "Officer", "app_id": "Bundle",
               "app_name": "Title"}
    inventory = read_generic_csv(path, mapping=mapping)
    found = classify_inventory(inventory=inventory)
    assert found["device_id"].tolist() == ["H1", "H3"]
    assert found["staff_id"].tolist()[0] == "S001"


@pytest.mark.parametrize(("mapping", "expected"), [
    ({"app_id": "Bundle", "colour": "Handset"}, "field colour: unknown field in the column"),
    ({"app_id": "Bundel"}, "field app_id, value 'Bundel': mapped column not in the file"),
    ({"device_id": "Handset"}, "must map app_id or app_name"),
    ({"app_id": "Bundle"}, "field Handset: column is not in the mapping"),
])
def test_generic_mapping_errors(tmp_path: Path, mapping: dict[str, str], expected: str) -> None:
    path = write(tmp_path / "mdm.csv", [["Handset", "Bundle"], ["H1", "com.tinder"]])
    with pytest.raises(AppImportInvalid) as caught:
        read_generic_csv(path, mapping=mapping)
    assert expected in str(caught.value)


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"Device ID,Application name\nd1,Caf\xe9\n")
    with pytest.raises(AppImportInvalid, match="not valid UTF-8"):
        read_intune_csv(path)


def test_classify_command_intune(tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    result = runner.invoke(app, ["apps", "classify", str(FIXTURES / "intune_per_device.csv"),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["app_name"] for r in rows] == ["Signal", "Telegram", "Tinder", "NordVPN"]
    assert "6 inventory rows" in result.stdout and "4 need review" in result.stdout


def test_classify_command_generic_mapping(tmp_path: Path) -> None:
    src = write(tmp_path / "mdm.csv", [["Handset", "Bundle"], ["H1", "com.tinder"],
                                       ["H2", "com.example.notes"]])
    out = tmp_path / "findings.csv"
    result = runner.invoke(app, ["apps", "classify", str(src), "--format", "generic",
                                 "--map", "device_id=Handset", "--map", "app_id=Bundle",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["device_id"], r["risk_class"]) for r in rows] == [("H1", "dating")]
    bad = runner.invoke(app, ["apps", "classify", str(src), "--format", "generic",
                              "--map", "device_id", "--out", str(out)])
    assert isinstance(bad.exception, UsageError)
