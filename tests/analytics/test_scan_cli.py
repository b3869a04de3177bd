"""`probity scan` and `probity evaluate scan` end to end through the CLI."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from probity.cli import app
from probity.errors import UsageError

runner = CliRunner()


def test_scan_writes_contract_and_evidence(scan_force: Callable[..., Path],
                                           tmp_path: Path) -> None:
    out, ev = tmp_path / "ranked.csv", tmp_path / "evidence.csv"
    res = runner.invoke(app, ["scan", str(scan_force()), "--out", str(out), "--evidence",
                              str(ev)])
    assert res.exit_code == 0, res.output
    assert "only orders human review" in res.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["rank", "staff_id", "score", "persons_of_concern", "reasons"]
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    assert len({r["staff_id"] for r in rows}) == len(rows) == 33
    evrows = list(csv.DictReader(ev.open()))
    assert list(evrows[0]) == ["staff_id", "indicator", "nominal_id", "incident_id", "first_ts",
                               "last_ts", "count", "weight", "detail"]
    s001 = [r for r in evrows if r["staff_id"] == "S001"]
    assert s001 and all(r["first_ts"].endswith("Z") for r in s001)
    assert not list(tmp_path.glob(".*.tmp"))


def test_scan_bad_output_directory_writes_nothing(scan_force: Callable[..., Path],
                                                  tmp_path: Path) -> None:
    out = tmp_path / "missing" / "ranked.csv"
    res = runner.invoke(app, ["scan", str(scan_force()), "--out", str(out)])
    assert res.exit_code != 0
    assert not out.exists()


def test_evaluate_scan_on_ranked_file(tmp_path: Path, scan_force: Callable[..., Path]) -> None:
    force = scan_force()
    out = tmp_path / "ranked.csv"
    assert runner.invoke(app, ["scan", str(force), "--out", str(out)]).exit_code == 0
    truth = tmp_path / "force.truth.json"
    truth.write_text(json.dumps({
        "format": "probity-synth-truth", "version": 1, "seed": 1, "force_code": "TST",
        "perpetrators": [{"staff_id": "S001", "scenario": "attend_then_pursue",
                          "victims": ["N001"], "subtle": False},
                         {"staff_id": "S002", "scenario": "trawler", "victims": ["N030"],
                          "subtle": False}],
        "lookalikes": [{"staff_id": "S003", "kind": "officer_in_case"}]}))
    res = runner.invoke(app, ["evaluate", "scan", "--truth", str(truth), "--ranked", str(out),
                              "--json"])
    assert res.exit_code == 0, res.output
    m = json.loads(res.output)["methods"]["scan"]
    assert m["top_n"] == 1 and m["perpetrators"] == 2
    assert m["average_precision"] == pytest.approx(1.0)
    assert m["lookalikes_in_top"] == 0


def test_evaluate_scan_with_baselines(tmp_path: Path, scan_force: Callable[..., Path]) -> None:
    from probity.analytics.evaluate import evaluate_scan

    truth = tmp_path / "t.truth.json"
    truth.write_text(json.dumps({"format": "probity-synth-truth", "version": 1,
                                 "perpetrators": [{"staff_id": "S001", "victims": ["N001"]}],
                                 "lookalikes": []}))
    rep = evaluate_scan(truth_path=truth, extract_path=scan_force())
    assert set(rep["methods"]) == {"scan", "baseline: unlinked views of flagged victims",
                                   "baseline: Isolation Forest"}
    assert rep["methods"]["scan"]["perpetrators"] == 1
    assert 0 <= rep["methods"]["baseline: Isolation Forest"]["average_precision"] <= 1


def test_ranking_metrics_victim_hit_and_lookalikes() -> None:
    import pandas as pd

    from probity.analytics.evaluate import ranking_metrics

    ranked = pd.DataFrame({"rank": range(1, 201), "staff_id": [f"S{i}" for i in range(200)],
                           "persons_of_concern": ["N9;N8;N1", "N7", "", *[""] * 197]})
    truth = {"perpetrators": [{"staff_id": "S0", "victims": ["N1"]},
                              {"staff_id": "S1", "victims": ["N1"]},
                              {"staff_id": "S150", "victims": []}],
             "lookalikes": [{"staff_id": "S2", "kind": "x"}]}
    m = ranking_metrics(ranked=ranked, truth=truth)
    assert m["top_n"] == 2 and m["found"] == 2
    assert m["recall_at_1pct"] == pytest.approx(2 / 3)
    assert m["victim_hit"] == pytest.approx(0.5)  # S0 has N1 in its first three; S1 does not
    assert m["average_precision"] == pytest.approx((1 + 1 + 3 / 151) / 3)
    assert m["lookalikes_in_top"] == 0


def test_scan_reads_the_maintained_app_catalogue() -> None:
    """One catalogue (src/probity/apps/catalogue.toml): the scan takes its messaging classes."""
    from probity.analytics.internals.engine import _catalogue_frame
    from probity.analytics.internals.params import APP_RISK_CLASSES
    from probity.apps.catalogue import default_catalogue

    frame = _catalogue_frame()
    assert "org.thoughtcrime.securesms" in set(frame["app_id"])
    assert frame["app_key"].is_unique
    assert set(frame["category"]) <= set(APP_RISK_CLASSES)
    full = default_catalogue().to_frame()
    vpn = set(full.loc[full["risk_class"] == "vpn", "app_id"])
    assert vpn and not vpn & set(frame["app_id"])
    assert frame["reason"].str.len().min() > 0


def test_scan_several_forces_writes_one_directory_per_force(scan_force: Callable[..., Path],
                                                            tmp_path: Path) -> None:
    first, second = scan_force(name="a"), scan_force(name="b")
    manifest = json.loads((second / "manifest.json").read_text())
    manifest["force_code"] = "TS2"
    (second / "manifest.json").write_text(json.dumps(manifest))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = runner.invoke(app, ["scan", str(first), str(second), "--out-dir", str(out_dir)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out_dir.iterdir()) == ["TS2", "TST"]
    single = tmp_path / "single.csv"
    assert runner.invoke(app, ["scan", str(first), "--out", str(single)]).exit_code == 0
    # each force's ranking is exactly what a scan of that force alone gives
    assert (out_dir / "TST" / "ranked.csv").read_text() == single.read_text()
    assert (out_dir / "TS2" / "evidence.csv").is_file()


def test_scan_several_forces_refuses_a_repeated_force_or_a_single_out(
        scan_force: Callable[..., Path], tmp_path: Path) -> None:
    first, second = scan_force(name="a"), scan_force(name="b")
    result = runner.invoke(app, ["scan", str(first), str(second), "--out-dir", str(tmp_path)])
    assert isinstance(result.exception, UsageError)
    assert "both force 'TST'" in str(result.exception)
    assert not (tmp_path / "TST").exists()  # nothing written
    result = runner.invoke(app, ["scan", str(first), str(second), "--out",
                                 str(tmp_path / "r.csv")])
    assert isinstance(result.exception, UsageError) and "--out-dir" in str(result.exception)
