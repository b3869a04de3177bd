"""probity link: contract output, quality on a small synthetic force, findings, model reuse,
incremental screening, bad input, and the evaluate command."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from probity.analytics.internals.linkage.prepare import load_name_variants, soundex
from probity.analytics.link import LINK_COLUMNS, link, write_findings, write_links
from probity.cli import app
from probity.errors import ExtractInvalid
from probity.extract import open_extract

_spec = importlib.util.spec_from_file_location(
    "link_test_data", Path(__file__).with_name("test_link_data.py"))
assert _spec is not None and _spec.loader is not None
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("force")
    generated = data.make_force(7)
    directory = data.write_extract(generated["tables"], base / "force")
    data.write_truth(generated, base / "force.truth.json")
    generated["dir"] = directory
    generated["truth_path"] = base / "force.truth.json"
    generated["model"] = base / "models" / "link-model.json"
    return generated


@pytest.fixture(scope="module")
def result(force: dict):
    with open_extract(force["dir"]) as extract:
        return link(extract, model_path=force["model"], retrain=True)


def test_soundex_and_name_variants() -> None:
    assert soundex("Robert") == soundex("Rupert") == "R163"
    assert soundex("Ashcraft") == "A261"
    assert soundex("Tymczak") == "T522"
    assert soundex("") is None
    groups = load_name_variants()
    assert len(groups) >= 250
    assert any({"kate", "katherine"} <= set(g) for g in groups)
    assert any({"bill", "william"} <= set(g) for g in groups)


def test_links_meet_the_contract(result, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    write_links(result, out)
    with out.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == LINK_COLUMNS
        rows = list(reader)
    assert rows
    allowed_roles = {"victim", "witness", "suspect", "offender", "reporting_person",
                     "associate", "other"}
    for row in rows:
        assert 0.5 <= float(row["match_probability"]) <= 1.0
        assert set(filter(None, row["incident_roles"].split(";"))) <= allowed_roles
    assert len({(r["staff_id"], r["nominal_id"]) for r in rows}) == len(rows)


def test_true_links_found_and_namesakes_not(result, force: dict) -> None:
    predicted = {(s, n) for s, n, p in zip(result.links.staff_id, result.links.nominal_id,
                                           result.links.match_probability, strict=True)
                 if p >= 0.9}
    truth = set(force["truth"])
    # nicknames, typos, swapped names, transposed or missing dates of birth are all linked
    assert len(predicted & truth) >= len(truth) - 1
    assert len(predicted - truth) <= 1
    all_links = set(zip(result.links.staff_id, result.links.nominal_id, strict=True))
    assert not all_links & set(force["namesakes"])


def test_findings_rank_contacts_and_declarations(result, force: dict, tmp_path: Path) -> None:
    findings = result.findings
    staff_id, victim_record = force["contact"]
    contact = findings[(findings.staff_id == staff_id) & (findings.nominal_id == victim_record)]
    assert list(contact.finding) == ["staff_phone_on_record"]
    assert "domestic_abuse" in contact.categories.iloc[0]
    declared = findings[(findings.staff_id == "S00000")
                        & (findings.nominal_id == force["truth"][0][1])]
    assert list(declared.declared) == ["true"]
    # ranked by seriousness, no ties in rank
    assert list(findings["rank"]) == list(range(1, len(findings) + 1))
    assert findings.seriousness.is_monotonic_decreasing
    top = findings.iloc[0]
    assert top.incident_roles in {"suspect", "offender"} or top.finding != "identity_link"
    out = tmp_path / "findings.csv"
    write_findings(result, out)
    assert out.read_text().splitlines()[0].startswith("rank,staff_id,nominal_id,finding")


def test_model_is_saved_and_reused(result, force: dict) -> None:
    assert result.trained
    saved = json.loads(force["model"].read_text())
    assert saved["link_type"] == "link_only"
    trained_m = saved["comparisons"][0]["comparison_levels"][1]["m_probability"]
    assert trained_m != 0.80  # estimated from the data, not the starting value
    with open_extract(force["dir"]) as extract:
        again = link(extract, model_path=force["model"])
    assert not again.trained
    assert again.links.equals(result.links)


def test_since_screens_only_new_records(result, force: dict) -> None:
    with open_extract(force["dir"]) as extract:
        starts = extract.con.execute("SELECT staff_id, start_date FROM staff").fetchall()
        since = sorted(d for _s, d in starts)[len(starts) // 2]
        newer = {s for s, d in starts if d >= since}
        first_seen = dict(extract.con.execute(
            "SELECT nominal_id, min(CAST(opened_at AS DATE)) FROM incident_nominals "
            "JOIN incidents USING (incident_id) GROUP BY nominal_id").fetchall())
        incremental = link(extract, model_path=force["model"], since=since)
    assert not incremental.trained
    assert "since" in incremental.screened
    for s, n in zip(incremental.links.staff_id, incremental.links.nominal_id, strict=True):
        assert s in newer or first_seen[n] >= since
    full = {(s, n) for s, n in zip(result.links.staff_id, result.links.nominal_id, strict=True)
            if s in newer or first_seen[n] >= since}
    got = set(zip(incremental.links.staff_id, incremental.links.nominal_id, strict=True))
    assert got == full


def test_cli_link_and_evaluate(force: dict, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    out = tmp_path / "links.csv"
    findings = tmp_path / "findings.csv"
    res = runner.invoke(app, ["link", str(force["dir"]), "--out", str(out),
                              "--findings", str(findings)])
    assert res.exit_code == 0, res.output
    assert out.exists() and findings.exists()
    assert (tmp_path / "data" / "models" / "TST" / "link-model.json").exists()
    figures = tmp_path / "eval.json"
    res = runner.invoke(app, ["evaluate", "link", "--extract", str(force["dir"]),
                              "--truth", str(force["truth_path"]), "--links", str(out),
                              "--json", str(figures)])
    assert res.exit_code == 0, res.output
    report = json.loads(figures.read_text())
    assert report["probabilistic"]["f1"] >= 0.95
    assert report["probabilistic"]["f1"] > report["exact"]["f1"]
    assert report["probabilistic"]["namesake_false_links"] == 0


def test_since_rejects_a_bad_date(force: dict, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["link", str(force["dir"]), "--out",
                                   str(tmp_path / "l.csv"), "--since", "yesterday"])
    assert res.exit_code != 0
    assert not (tmp_path / "l.csv").exists()


def test_broken_staff_rows_give_validator_errors_and_no_output(tmp_path: Path) -> None:
    generated = data.make_force(3, n_staff=20, n_background=50, n_links=5, n_namesakes=1)
    staff = generated["tables"]["staff"]
    staff.loc[2, "date_of_birth"] = "1985-13-45"
    staff.loc[4, "staff_id"] = None
    directory = data.write_extract(generated["tables"], tmp_path / "broken")
    with pytest.raises(ExtractInvalid) as caught:
        open_extract(directory)
    assert "staff" in str(caught.value)
    out = tmp_path / "links.csv"
    res = CliRunner().invoke(app, ["link", str(directory), "--out", str(out)])
    assert res.exit_code != 0
    assert not out.exists()
    assert not list(tmp_path.glob(".links.csv*"))


def test_atomic_write_leaves_old_file_on_failure(result, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "links.csv"
    out.write_text("previous run\n")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("pandas.DataFrame.to_csv", boom)
    with pytest.raises(OSError):
        write_links(result, out)
    assert out.read_text() == "previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["links.csv"]


def test_since_date_parsing() -> None:
    from probity.analytics.internals.linkage.commands import _parse_since

    assert _parse_since("2024-02-29") == dt.date(2024, 2, 29)
    assert _parse_since(None) is None


def test_plausible_model_floors_unseen_levels_and_shrinks_small_data() -> None:
    from probity.analytics.internals.linkage.model import (
        M_FLOOR,
        U_FLOOR,
        plausible_model,
        settings_dict,
    )

    model = settings_dict()
    phone = next(c for c in model["comparisons"] if c["output_column_name"] == "phone")
    same, other = phone["comparison_levels"][1], phone["comparison_levels"][2]
    same.update(m_probability=1.0)  # EM: every match shares the phone; u never observed
    other.update(m_probability=0.0, u_probability=1.0)
    fixed, _notes = plausible_model(model, expected_matches=0.0)
    f_same, f_other = next(c for c in fixed["comparisons"]
                           if c["output_column_name"] == "phone")["comparison_levels"][1:3]
    assert f_same["u_probability"] >= U_FLOOR * 0.99  # finite evidence, not "no evidence"
    assert f_other["m_probability"] >= M_FLOOR * 0.99  # a differing phone is not impossible
    # with no expected matches the documented starting values stand
    assert abs(f_same["m_probability"] - 0.6) < 0.01
    big, _ = plausible_model(model, expected_matches=1e6)
    b_same = next(c for c in big["comparisons"]
                  if c["output_column_name"] == "phone")["comparison_levels"][1]
    assert b_same["m_probability"] > 0.99  # with plenty of data, EM decides
