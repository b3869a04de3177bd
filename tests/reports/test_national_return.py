"""The national return: published schema, no personal data, combining forces' returns."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from reports_testkit import YEAR, make_cases, write_extract
from typer.testing import CliRunner

from probity.cli import app
from probity.errors import UsageError
from probity.reports.casework_figures import AGE_BANDS
from probity.reports.casework_source import cases_to_export
from probity.reports.figures import CaseRecord
from probity.reports.national_return import (
    SCHEMA_PATH,
    ReturnInvalid,
    build_schema,
    combine_returns,
    load_return,
    validate_return,
)
from probity.reports.taxonomy import (
    NATIONAL_CATEGORIES,
    normalise_category,
    normalise_outcome,
    normalise_source,
)

runner = CliRunner()


def _force(tmp_path: Path, code: str, seed: int, *, staff: int = 8) -> tuple[Path, list[CaseRecord]]:
    """A generated force: an extract and a casework export, both written to disk."""
    root = write_extract(tmp_path / code, force_code=code, force_name=f"{code} Police", staff=staff)
    cases = make_cases(seed=seed, count=30 + seed)
    (tmp_path / f"{code}.casework.json").write_text(json.dumps(cases_to_export(cases)))
    return root, cases


def _return(tmp_path: Path, code: str, seed: int, *, staff: int = 8) -> tuple[Path, list[CaseRecord]]:
    root, cases = _force(tmp_path, code, seed, staff=staff)
    out = tmp_path / f"{code}.return.json"
    result = runner.invoke(app, ["report", "return", "--year", str(YEAR), "--extract", str(root),
                                 "--casework", str(tmp_path / f"{code}.casework.json"),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, cases


def test_published_schema_file_is_the_generated_schema() -> None:
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == build_schema()


def test_return_validates_and_holds_no_identifiers(tmp_path: Path) -> None:
    path, cases = _return(tmp_path, "AAA", 1)
    document = load_return(path)  # validates against the published schema
    assert document["level"] == "force" and document["forces"] == [{"code": "AAA", "name": "AAA Police"}]
    assert document["protective_marking"] == "OFFICIAL-SENSITIVE"
    text = path.read_text()
    for identifier in ("S001", "S002", "N1", "D1", "inv1", "V1", "Fore0", "Sur0"):
        assert f'"{identifier}"' not in text and identifier not in text.replace("AAA", "")
    counts = document["sections"]["reports_by_category"]["counts"]
    in_year = [c for c in cases if c.received_on.year == YEAR]
    assert sum(counts[c] for c in NATIONAL_CATEGORIES) == len(in_year)
    assert counts["apsp"] == sum(c.apsp for c in in_year)
    assert document["sections"]["workforce"]["counts"]["officer"] == 4  # of 7 serving in YEAR
    assert document["sections"]["ict_monitoring"]["counts"]["system_rms"] == 1
    assert document["sections"]["ict_monitoring"]["counts"]["system_custody"] == 0


@pytest.fixture(scope="module")
def one_return(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("one-return")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROBITY_DATA_DIR", str(tmp / "data"))
        path, _ = _return(tmp, "AAA", 1)
    return json.loads(path.read_text())


@pytest.mark.parametrize("intrusion", [
    ("top", "staff_ids", ["S001"]),
    ("section", "subjects", [{"name": "Fore0 Sur0", "staff_id": "S001"}]),
    ("counts", "victim_names", 1),
    ("force", "chief_officer", "A Person"),
])
def test_personal_data_fields_are_rejected_by_the_schema(tmp_path: Path, one_return: dict[str, Any],
                                                          intrusion: tuple[str, str, Any]) -> None:
    path = tmp_path / "bad.json"
    where, key, value = intrusion
    bad = copy.deepcopy(one_return)
    target = {"top": bad, "section": bad["sections"]["victims"],
              "counts": bad["sections"]["victims"]["counts"], "force": bad["forces"][0]}[where]
    target[key] = value
    with pytest.raises(ReturnInvalid, match="Additional properties are not allowed"):
        validate_return(bad, source="test")
    path.write_text(json.dumps(bad))
    result = runner.invoke(app, ["report", "combine", str(path), str(path), "--out",
                                 str(tmp_path / "x.json")])
    assert isinstance(result.exception, ReturnInvalid) and not (tmp_path / "x.json").exists()


def _expected_sums(all_cases: list[list[CaseRecord]]) -> dict[str, Any]:
    """Independent recount of some figures straight from the generated cases."""
    categories = dict.fromkeys(NATIONAL_CATEGORIES, 0)
    sources: dict[str, int] = {}
    apsp = referred_late = outcomes_dismissed = open_cases = 0
    age = dict.fromkeys((b.replace(" ", "_") for b, _ in AGE_BANDS), 0)
    year_end = dt.date(YEAR, 12, 31)
    for cases in all_cases:
        for c in cases:
            if c.received_on.year == YEAR:
                categories[normalise_category(c.category)] += 1
                key = normalise_source(c.source)
                sources[key] = sources.get(key, 0) + 1
                apsp += c.apsp
                r = c.referral
                if r and r.required and r.referred_at and r.due_at and r.referred_at > r.due_at:
                    referred_late += 1
            for o in c.outcomes:
                if o.decided_on and o.decided_on.year == YEAR and \
                        normalise_outcome(o.outcome) == "dismissal_without_notice":
                    outcomes_dismissed += 1
            still_open = c.is_open if c.closed_on is None else c.closed_on > year_end
            if c.received_on <= year_end and still_open:
                open_cases += 1
                days = (year_end - c.received_on).days
                band = ("under_3_months" if days < 91 else "3_to_6_months" if days < 183
                        else "6_to_12_months" if days < 366 else "over_12_months")
                age[band] += 1
    return {"categories": categories, "apsp": apsp, "sources": sources,
            "referred_late": referred_late, "dismissed": outcomes_dismissed,
            "open_cases": open_cases, "age": age}


def test_three_forces_combine_to_the_sum_of_their_records(tmp_path: Path) -> None:
    made = [_return(tmp_path, code, seed, staff=staff)
            for code, seed, staff in (("AAA", 1, 8), ("BBB", 2, 10), ("CCC", 3, 6))]
    out = tmp_path / "region.json"
    result = runner.invoke(app, ["report", "combine", *(str(p) for p, _ in made), "--out", str(out),
                                 "--name", "North West"])
    assert result.exit_code == 0, result.output
    region = load_return(out)
    assert region["level"] == "region" and region["name"] == "North West"
    assert [f["code"] for f in region["forces"]] == ["AAA", "BBB", "CCC"]
    expected = _expected_sums([cases for _, cases in made])
    s = region["sections"]
    for category in NATIONAL_CATEGORIES:
        assert s["reports_by_category"]["counts"][category] == expected["categories"][category]
    assert s["reports_by_category"]["counts"]["apsp"] == expected["apsp"]
    for source, n in expected["sources"].items():
        assert s["reports_by_source"]["counts"][source] == n
    assert s["iopc_referrals"]["counts"]["referred_late"] == expected["referred_late"]
    assert s["misconduct_outcomes"]["counts"]["dismissal_without_notice"] == expected["dismissed"]
    assert s["capacity"]["counts"]["open_cases"] == expected["open_cases"]
    for band, n in expected["age"].items():
        assert s["capacity"]["counts"][band] == n
    # workforce: serving in YEAR is staff - 1 in each generated force
    assert sum(s["workforce"]["counts"].values()) == (8 - 1) + (10 - 1) + (6 - 1)
    assert s["ict_monitoring"]["counts"]["system_rms"] == 3
    assert s["reports_by_category"]["forces_reporting"] == ["AAA", "BBB", "CCC"]


def test_combine_records_forces_without_a_section(tmp_path: Path) -> None:
    with_all, _ = _return(tmp_path, "AAA", 1)
    root = write_extract(tmp_path / "BBB", force_code="BBB", force_name="BBB Police")
    extract_only = tmp_path / "BBB.return.json"
    result = runner.invoke(app, ["report", "return", "--year", str(YEAR), "--extract", str(root),
                                 "--no-database", "--out", str(extract_only)])
    assert result.exit_code == 0, result.output
    assert "no data for: reports_by_category" in result.output
    a = load_return(with_all)
    combined = combine_returns([("a", a), ("b", load_return(extract_only))], name="Test region")
    volumes = combined["sections"]["reports_by_category"]
    assert volumes["forces_reporting"] == ["AAA"] and volumes["forces_missing"] == ["BBB"]
    assert volumes["counts"] == a["sections"]["reports_by_category"]["counts"]
    assert combined["sections"]["workforce"]["forces_reporting"] == ["AAA", "BBB"]


def test_combine_refuses_mixed_years_versions_and_a_force_twice(tmp_path: Path) -> None:
    a_path, _ = _return(tmp_path, "AAA", 1)
    b_path, _ = _return(tmp_path, "BBB", 2)
    a, b = load_return(a_path), load_return(b_path)
    with pytest.raises(ReturnInvalid, match="a force may be counted only once: AAA"):
        combine_returns([("a.json", a), ("b.json", b), ("a-again.json", a)], name="X")
    other_year = copy.deepcopy(b)
    other_year["year"] = YEAR - 1
    with pytest.raises(ReturnInvalid, match=f"different years.*b.json is {YEAR - 1}"):
        combine_returns([("a.json", a), ("b.json", other_year)], name="X")
    other_version = copy.deepcopy(b)
    other_version["schema_version"] = 2
    b_path.write_text(json.dumps(other_version))
    out = tmp_path / "x.json"
    result = runner.invoke(app, ["report", "combine", str(a_path), str(b_path), "--out", str(out)])
    assert isinstance(result.exception, ReturnInvalid)  # exit status 2 through probity.cli.main
    assert "BBB.return.json: schema version 2 is not supported" in str(result.exception)
    assert not out.exists()
    with pytest.raises(ReturnInvalid, match="different schema versions"):
        combine_returns([("a.json", a), ("b.json", other_version)], name="X")
    c = load_return(_return(tmp_path, "CCC", 3)[0])
    region = combine_returns([("a.json", a), ("c.json", c)], name="R")
    assert region["protective_marking"] == "OFFICIAL-SENSITIVE"
    secret = copy.deepcopy(c)
    secret["protective_marking"] = "SECRET"
    with pytest.raises(ReturnInvalid, match="different protective markings.*c.json: SECRET"):
        combine_returns([("a.json", a), ("c.json", secret)], name="R")
    assert combine_returns([("a.json", a), ("c.json", secret)], name="R",
                           marking="SECRET")["protective_marking"] == "SECRET"
    with pytest.raises(ReturnInvalid, match="AAA is in both"):
        combine_returns([("region.json", region), ("a.json", a)], name="N", level="national")


def test_schema_keys_cover_the_sources_and_are_documented() -> None:
    from probity.reports.national_return import SECTION_KEYS, VETTING_REASONS
    from probity.vetting.compliance import NO_CLEARANCE_REASONS

    # a new reason in the vetting register must be a new schema version, never dropped
    assert set(NO_CLEARANCE_REASONS) <= set(VETTING_REASONS)
    doc = (Path(__file__).parents[2] / "docs" / "national-return.md").read_text()
    for section, (_, keys) in SECTION_KEYS.items():
        assert f"`{section}`" in doc
        for key in keys:
            assert f"`{key}`" in doc, f"{section}.{key} is not documented"


def test_combined_assessment_renders_from_the_regional_return(tmp_path: Path) -> None:
    made = [_return(tmp_path, code, seed) for code, seed in (("AAA", 1), ("BBB", 2))]
    root = write_extract(tmp_path / "CCC", force_code="CCC", force_name="CCC Police")
    extract_only = tmp_path / "CCC.return.json"
    assert runner.invoke(app, ["report", "return", "--year", str(YEAR), "--extract", str(root),
                               "--no-database", "--out", str(extract_only)]).exit_code == 0
    region = tmp_path / "region.json"
    result = runner.invoke(app, ["report", "combine", *(str(p) for p, _ in made), str(extract_only),
                                 "--out", str(region), "--name", "North West"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "doc"
    result = runner.invoke(app, ["report", "threat-assessment", "--from-return", str(region),
                                 "--out", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    html = (out / f"threat-assessment-REGION-{YEAR}.html").read_text()
    assert f"Regional counter-corruption strategic threat assessment {YEAR}" in html
    assert "North West" in html and "AAA Police (AAA)" in html and "CCC Police (CCC)" in html
    expected = _expected_sums([cases for _, cases in made])
    total = sum(expected["categories"].values())
    assert f"{total} corruption reports were recorded in {YEAR}" in html
    assert "Figures from 2 of 3 forces; no figures from CCC Police (CCC)." in html
    assert "No data: app findings are not part of the national return" in html
    assert 'data-section="vetting"' in html and "Figures from all 3 forces." in html
    result = runner.invoke(app, ["report", "threat-assessment", "--from-return", str(region),
                                 "--year", str(YEAR - 1), "--out", str(out)])
    assert isinstance(result.exception, UsageError)


@pytest.mark.slow
def test_three_synthetic_forces_combine_to_their_extracts_sums(tmp_path: Path) -> None:
    """Three forces from the synthetic generator (force codes set after generation)."""
    import duckdb

    from probity.synth import generate

    paths = []
    expected_workforce: dict[str, int] = {}
    expected_systems: dict[str, int] = {}
    for code, seed in (("NW1", 1), ("NW2", 2), ("NW3", 3)):
        root = tmp_path / code
        generate(root, staff=50, months=1, seed=seed)
        manifest = json.loads((root / "manifest.json").read_text())
        manifest.update(force_code=code, force_name=f"{code} Constabulary")
        (root / "manifest.json").write_text(json.dumps(manifest))
        year = int(manifest["period_end"][:4])
        # independent counts, straight from the generated files
        con = duckdb.connect()
        for staff_type, n in con.execute(
                f"SELECT staff_type, count(*) FROM '{root}/staff.parquet' "
                f"WHERE CAST(start_date AS DATE) <= DATE '{year}-12-31' AND (end_date IS NULL "
                f"OR CAST(end_date AS DATE) >= DATE '{year}-01-01') GROUP BY 1").fetchall():
            expected_workforce[staff_type] = expected_workforce.get(staff_type, 0) + n
        for (system,) in con.execute(
                f"SELECT DISTINCT system FROM '{root}/audit_events.parquet' "
                f"WHERE year(CAST(ts AS TIMESTAMP)) = {year}").fetchall():
            expected_systems[system] = expected_systems.get(system, 0) + 1
        out = tmp_path / f"{code}.json"
        result = runner.invoke(app, ["report", "return", "--year", str(year), "--extract",
                                     str(root), "--no-database", "--out", str(out)])
        assert result.exit_code == 0, result.output
        paths.append(out)
    region = tmp_path / "region.json"
    result = runner.invoke(app, ["report", "combine", *map(str, paths), "--out", str(region)])
    assert result.exit_code == 0, result.output
    s = load_return(region)["sections"]
    for staff_type, n in expected_workforce.items():
        assert s["workforce"]["counts"][staff_type] == n
    for system, n in expected_systems.items():
        assert s["ict_monitoring"]["counts"][f"system_{system}"] == n
    assert s["vetting"]["forces_reporting"] == ["NW1", "NW2", "NW3"]
    assert s["vetting"]["counts"]["serving"] > 0
    assert s["reports_by_category"]["counts"] is None  # no casework in any of them
