"""The maintained app catalogue: integrity of the data file, loading errors, classify_apps."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from probity.apps import CatalogueInvalid, classify_apps, default_catalogue, load_catalogue
from probity.apps.catalogue import APP_PLATFORMS, normalise_app_id
from probity.errors import ProbityError

RAW = tomllib.loads(
    resources.files("probity.apps").joinpath("catalogue.toml").read_text(encoding="utf-8"))


def test_shipped_file_integrity() -> None:
    """Checked on the raw TOML, independently of the loader."""
    classes = RAW["risk_classes"]
    assert RAW["format"] == "probity-app-catalogue" and RAW["version"] >= 1
    seen: set[tuple[str, str]] = set()
    for entry in RAW["app"]:
        key = (entry["app_id"].lower(), entry["platform"])
        assert key not in seen, f"duplicate {key}"
        seen.add(key)
        assert entry["platform"] in APP_PLATFORMS
        assert entry["risk_class"] in classes, entry
        assert entry["reason"].strip() and entry["name"].strip()
        assert " " not in entry["app_id"] and "." in entry["app_id"]
    for spec in classes.values():
        assert spec["description"].strip()
        assert 0 <= spec["weight"] <= 1
    used = {e["risk_class"] for e in RAW["app"]}
    assert used == set(classes), "every risk class has at least one app"


def test_covers_the_classes_the_review_asks_for() -> None:
    cat = default_catalogue()
    assert {"encrypted_messaging", "ephemeral_messaging", "anonymity", "vpn", "dating",
            "file_sharing", "burner_number"} <= set(cat.risk_classes)
    for app_id, platform, name in [
        ("org.thoughtcrime.securesms", "android", "Signal"),
        ("org.whispersystems.signal", "ios", "Signal"),
        ("org.telegram.messenger", "android", "Telegram"),
        ("ph.telegra.Telegraph", "ios", "Telegram"),
        ("com.whatsapp", "android", "WhatsApp"),
        ("net.whatsapp.WhatsApp", "ios", "WhatsApp"),
        ("org.torproject.torbrowser", "android", "Tor Browser"),
        ("com.tinder", "android", "Tinder"),
    ]:
        entry = cat.lookup(app_id, platform=platform)
        assert entry is not None and entry.name == name and entry.platform == platform
    assert len(cat) == len(RAW["app"])


def test_loader_agrees_with_raw_file() -> None:
    cat = default_catalogue()
    assert {(normalise_app_id(e.app_id), e.platform) for e in cat.entries} == {
        (e["app_id"].lower(), e["platform"]) for e in RAW["app"]}
    whatsapp = cat.lookup("com.whatsapp")
    assert whatsapp is not None and whatsapp.weight == 0.3  # entry override
    signal = cat.lookup("org.thoughtcrime.securesms")
    assert signal is not None
    assert signal.weight == RAW["risk_classes"]["encrypted_messaging"]["weight"]


GOOD_HEAD = '''format = "probity-app-catalogue"
version = 2
[risk_classes.dating]
description = "Dating."
weight = 0.5
'''


def entry(app_id: str = "com.example.app", platform: str = "android",
          risk_class: str = "dating", reason: str = "A reason.", extra: str = "") -> str:
    return (f'[[app]]\napp_id = "{app_id}"\nplatform = "{platform}"\nname = "Example"\n'
            f'risk_class = "{risk_class}"\nreason = "{reason}"\n{extra}\n')


def test_custom_catalogue_loads(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD_HEAD + entry() + entry(platform="ios"), encoding="utf-8")
    cat = load_catalogue(path)
    assert cat.version == 2 and len(cat) == 2


@pytest.mark.parametrize(("body", "expected"), [
    (entry() + entry(app_id="COM.EXAMPLE.APP"), "already entry 1"),
    (entry(risk_class="gambling"), "risk_class 'gambling' is not one of dating"),
    (entry(reason=" "), "field reason is empty"),
    (entry(platform="symbian"), "platform 'symbian'"),
    (entry(app_id="not an id"), "is not a package/bundle id"),
    (entry(extra="colour = 1"), "unknown field(s) colour"),
    (entry(extra="weight = 2"), "weight 2 is not a number from 0 to 1"),
])
def test_broken_catalogue_is_refused(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD_HEAD + body, encoding="utf-8")
    with pytest.raises(CatalogueInvalid) as caught:
        load_catalogue(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def test_every_error_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(GOOD_HEAD + entry(risk_class="x") + entry(app_id="b.c", reason=""),
                    encoding="utf-8")
    with pytest.raises(CatalogueInvalid) as caught:
        load_catalogue(path)
    assert "entry 1" in str(caught.value) and "entry 2" in str(caught.value)


def test_classify_apps_matches_ids_ignoring_case_and_keeps_columns() -> None:
    rows = pd.DataFrame([
        {"device_id": "D1", "app_id": "ORG.THOUGHTCRIME.SECURESMS", "platform": "android"},
        {"device_id": "D2", "app_id": "com.microsoft.teams", "platform": "android"},
        {"device_id": "D3", "app_id": "im.vector.app", "platform": "ios"},
        {"device_id": "D4", "app_id": "com.cardify.tinder", "platform": None},
    ])
    found = classify_apps(apps=rows)
    assert found["device_id"].tolist() == ["D1", "D3", "D4"]
    assert found["risk_class"].tolist() == ["encrypted_messaging", "encrypted_messaging",
                                            "dating"]
    assert found["match"].tolist() == ["app_id"] * 3
    assert found["catalogue_name"].tolist() == ["Signal", "Element", "Tinder"]
    all_rows = classify_apps(apps=rows, keep_unmatched=True)
    assert len(all_rows) == 4 and pd.isna(all_rows.loc[1, "risk_class"])


def test_classify_apps_filters_risk_classes_for_the_scan_indicator() -> None:
    rows = [{"app_id": "com.tinder"}, {"app_id": "com.snapchat.android"},
            {"app_id": "org.telegram.messenger"}]
    found = classify_apps(apps=rows, risk_classes={"encrypted_messaging",
                                                   "ephemeral_messaging"})
    assert found["app_id"].tolist() == ["com.snapchat.android", "org.telegram.messenger"]
    with pytest.raises(ProbityError, match="unknown risk class"):
        classify_apps(apps=rows, risk_classes={"casino"})


def test_classify_apps_by_name_only_when_asked() -> None:
    rows = [{"app_id": None, "app_name": "tor  browser"}, {"app_id": None, "app_name": "Notes"},
            {"app_id": None, "app_name": "com.snapchat.android"}]
    assert classify_apps(apps=rows).empty
    found = classify_apps(apps=rows, match_names=True)
    assert found["catalogue_app_id"].tolist() == ["org.torproject.torbrowser",
                                                  "com.snapchat.android"]
    assert found["match"].tolist() == ["name", "app_id"]


def test_catalogue_command_lists_and_checks(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from probity.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["apps", "catalogue", "--csv"])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.strip().splitlines()
    assert lines[0] == "app_id,platform,name,risk_class,reason,weight"
    assert len(lines) == len(RAW["app"]) + 1
    shipped = resources.files("probity.apps").joinpath("catalogue.toml")
    checked = runner.invoke(app, ["apps", "catalogue", "--check", str(shipped)])
    assert checked.exit_code == 0 and "valid, version 1" in checked.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD_HEAD + entry(risk_class="nope"), encoding="utf-8")
    refused = runner.invoke(app, ["apps", "catalogue", "--check", str(bad)])
    assert refused.exit_code != 0 and "risk_class 'nope'" in str(refused.exception)
