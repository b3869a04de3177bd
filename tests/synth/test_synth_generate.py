"""The synthetic force generator: contract, ground truth, determinism, scenarios, scaling."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from probity.errors import UsageError
from probity.extract.schema import TABLES
from probity.synth import generate

STAFF, MONTHS, SEED = 300, 2, 11


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "force"
    generate(out, staff=STAFF, months=MONTHS, seed=SEED)
    return out


@pytest.fixture(scope="module")
def truth(force: Path) -> dict:
    return json.loads(force.with_name("force.truth.json").read_text())


def _table(force: Path, name: str):
    return pq.read_table(force / f"{name}.parquet").to_pandas()


def _digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.iterdir())}


def test_writes_every_contract_table_with_manifest_counts(force: Path) -> None:
    files = sorted(p.name for p in force.iterdir())
    assert files == sorted(["manifest.json"] + [f"{t}.parquet" for t in TABLES])
    manifest = json.loads((force / "manifest.json").read_text())
    assert manifest["format"] == "force-extract" and manifest["version"] == 1
    assert set(manifest["row_counts"]) == set(TABLES)
    for name, table in TABLES.items():
        pf = pq.ParquetFile(force / f"{name}.parquet")
        assert pf.metadata.num_rows == manifest["row_counts"][name]
        assert pf.schema_arrow.names == table.column_names
    assert manifest["row_counts"]["audit_events"] > 50_000
    assert not force.with_name("force.truth.json").is_relative_to(force)


def test_output_passes_the_validator(force: Path) -> None:
    extract = pytest.importorskip("probity.extract")
    validate_extract = getattr(extract, "validate_extract", None)
    if validate_extract is None:
        pytest.skip("probity.extract.validate_extract is not written yet")
    report = validate_extract(force)
    assert report.ok, [str(e) for e in report.errors]


def test_csv_gz_output_passes_the_validator(tmp_path: Path) -> None:
    extract = pytest.importorskip("probity.extract")
    out = tmp_path / "gz"
    generate(out, staff=120, months=1, seed=3, fmt="csv.gz", scale=0.3)
    assert (out / "audit_events.csv.gz").exists()
    validate_extract = getattr(extract, "validate_extract", None)
    if validate_extract is None:
        pytest.skip("probity.extract.validate_extract is not written yet")
    report = validate_extract(out)
    assert report.ok, [str(e) for e in report.errors]


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path, force: Path) -> None:
    again = tmp_path / "force"
    generate(again, staff=STAFF, months=MONTHS, seed=SEED)
    assert _digest(again) == _digest(force)
    assert again.with_name("force.truth.json").read_text() == \
        force.with_name("force.truth.json").read_text()
    other = tmp_path / "other"
    generate(other, staff=STAFF, months=MONTHS, seed=SEED + 1)
    assert _digest(other)["audit_events.parquet"] != _digest(force)["audit_events.parquet"]


def test_truth_shape(truth: dict, force: Path) -> None:
    assert truth["format"] == "probity-synth-truth" and truth["version"] == 1
    assert truth["seed"] == SEED and truth["force_code"] == "SYN"
    staff_ids = set(_table(force, "staff")["staff_id"])
    nominal_ids = set(_table(force, "nominals")["nominal_id"])
    for p in truth["perpetrators"]:
        assert {"staff_id", "scenario", "victims", "subtle"} <= set(p)
        assert p["staff_id"] in staff_ids
        assert set(p["victims"]) <= nominal_ids
    for item in truth["lookalikes"]:
        assert item["staff_id"] in staff_ids and item["kind"]
    for link in truth["staff_nominal_links"]:
        assert link["staff_id"] in staff_ids and link["nominal_id"] in nominal_ids
        assert isinstance(link["roles"], list) and isinstance(link["declared"], bool)
    for ns in truth["namesakes"]:
        assert ns["staff_id"] in staff_ids and ns["nominal_id"] in nominal_ids


def test_perpetrators_cover_scenarios_and_staff_types(truth: dict) -> None:
    perps = truth["perpetrators"]
    assert len(perps) >= 4
    assert len({p["staff_id"] for p in perps}) == len(perps)
    assert len({p["scenario"] for p in perps}) >= 4
    assert any(p["staff_type"] != "officer" for p in perps)
    assert sum(1 for p in perps if p["victims"]) >= len(perps) - 1
    perp_ids = {p["staff_id"] for p in perps}
    assert not perp_ids & {x["staff_id"] for x in truth["lookalikes"]}


def test_attend_then_pursue_leaves_lookups_after_assignment(tmp_path: Path) -> None:
    out = tmp_path / "big"
    generate(out, staff=500, months=3, seed=5, scale=0.2)
    truth = json.loads(out.with_name("big.truth.json").read_text())
    events = _table(out, "audit_events")
    assignments = _table(out, "assignments")
    incident_nominals = _table(out, "incident_nominals")
    found = 0
    for p in truth["perpetrators"]:
        if "lookups_after_assignment" not in p["signals"]:
            continue
        for victim in p["victims"]:
            incidents = set(incident_nominals.loc[incident_nominals.nominal_id == victim,
                                                  "incident_id"])
            mine = assignments[(assignments.staff_id == p["staff_id"])
                               & assignments.incident_id.isin(incidents)]
            if mine.empty:
                continue
            last_end = mine["end"].fillna(mine["start"]).max()
            hits = events[(events.staff_id == p["staff_id"]) & (events.object_id == victim)
                          & (events.ts > last_end)]
            found += len(hits) > 0
    assert found >= 1


def test_namesakes_share_the_name_and_are_not_the_person(force: Path, truth: dict) -> None:
    staff = _table(force, "staff").set_index("staff_id")
    nominals = _table(force, "nominals").set_index("nominal_id")
    assert truth["namesakes"], "expected some namesakes"
    injected = [n for n in truth["namesakes"] if n["injected"]]
    assert injected
    for ns in truth["namesakes"]:
        s, n = staff.loc[ns["staff_id"]], nominals.loc[ns["nominal_id"]]
        assert s.forename.lower() == str(n.forename).lower()
        assert s.surname.lower() == str(n.surname).lower()
        assert s.date_of_birth != n.date_of_birth
    links = {(x["staff_id"], x["nominal_id"]) for x in truth["staff_nominal_links"]}
    assert not links & {(x["staff_id"], x["nominal_id"]) for x in truth["namesakes"]}


def test_ids_are_opaque_and_shuffled(truth: dict, force: Path) -> None:
    staff = list(_table(force, "staff")["staff_id"])
    assert staff != sorted(staff)
    assert all(len(s) <= 64 for s in staff)
    # perpetrators are not the first or last rows, nor the lowest or highest ids
    perps = {p["staff_id"] for p in truth["perpetrators"]}
    positions = sorted(staff.index(p) for p in perps)
    assert positions != list(range(len(perps)))
    assert positions != list(range(len(staff) - len(perps), len(staff)))
    ranked = sorted(staff)
    assert {ranked.index(p) for p in perps} != set(range(len(perps)))
    events = _table(force, "audit_events")
    ids = events.event_id.str[1:].astype(int)
    assert ids.is_monotonic_increasing and events.ts.is_monotonic_increasing


def test_sizes_scale_with_staff_and_scale(tmp_path: Path) -> None:
    small = generate(tmp_path / "a", staff=100, months=1, seed=1, scale=0.5)
    more_staff = generate(tmp_path / "b", staff=300, months=1, seed=1, scale=0.5)
    more_scale = generate(tmp_path / "c", staff=100, months=1, seed=1, scale=2.0)
    ratio_staff = more_staff.row_counts["audit_events"] / small.row_counts["audit_events"]
    ratio_scale = more_scale.row_counts["audit_events"] / small.row_counts["audit_events"]
    assert 2.2 < ratio_staff < 3.8
    assert 3.2 < ratio_scale < 4.8
    assert more_staff.row_counts["staff"] == 300
    assert more_scale.row_counts["comms"] > 3 * small.row_counts["comms"]


def test_refuses_existing_output_and_bad_arguments(tmp_path: Path, force: Path) -> None:
    with pytest.raises(UsageError, match="already exists"):
        generate(force, staff=STAFF, months=MONTHS, seed=SEED)
    with pytest.raises(UsageError, match="format"):
        generate(tmp_path / "x", staff=100, months=1, seed=1, fmt="xlsx")
    assert not (tmp_path / "x").exists()
    assert not any(p.name.startswith(".x") for p in tmp_path.iterdir())


def test_no_activity_outside_service(force: Path) -> None:
    staff = _table(force, "staff")
    events = _table(force, "audit_events")
    shifts = _table(force, "shifts")
    merged = events.merge(staff[["staff_id", "start_date", "end_date"]], on="staff_id")
    day = merged.ts.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    start = merged.start_date.astype("datetime64[ns]")
    end = merged.end_date.astype("datetime64[ns]")
    assert (day >= start).all()
    assert (end.isna() | (day <= end)).all()
    s = shifts.merge(staff[["staff_id", "end_date"]], on="staff_id")
    s_end = s.end_date.astype("datetime64[ns]")
    s_day = s.start.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    assert (s_end.isna() | (s_day <= s_end)).all()


def test_assignments_follow_the_roster(force: Path) -> None:
    import duckdb

    con = duckdb.connect()
    share = con.execute(f"""
        select avg(case when exists (select 1 from '{force}/shifts.parquet' s
                                     where s.staff_id = a.staff_id and a.start >= s.start
                                       and a.start < s."end") then 1 else 0 end)
        from '{force}/assignments.parquet' a
        where a.role in ('call_handler', 'dispatcher', 'attending')""").fetchall()[0][0]
    assert share > 0.9


def test_phones_are_usual_uk_writings(force: Path) -> None:
    extract = pytest.importorskip("probity.extract")
    normalise = getattr(extract, "normalise_phone", None)
    if normalise is None:
        pytest.skip("probity.extract.normalise_phone is not written yet")
    phones = list(_table(force, "nominals").phone.dropna()) + list(
        _table(force, "comms").counterpart.sample(2000, random_state=1))
    formats = {p[:2] for p in phones}
    assert {"07", "+4", "00", "(0"} <= formats
    ok = sum(1 for p in phones if normalise(p))
    assert ok / len(phones) > 0.99


def test_staff_on_record_are_written_with_noise_but_recognisable(force: Path,
                                                                 truth: dict) -> None:
    staff = _table(force, "staff").set_index("staff_id")
    nominals = _table(force, "nominals").set_index("nominal_id")
    links = truth["staff_nominal_links"]
    assert links
    recognisable = exact = 0
    for link in links:
        s, n = staff.loc[link["staff_id"]], nominals.loc[link["nominal_id"]]
        names = {str(n.forename).lower(), str(n.surname).lower()}
        recognisable += s.surname.lower() in names or s.forename.lower() in names
        exact += (s.forename == n.forename and s.surname == n.surname
                  and s.date_of_birth == n.date_of_birth)
    assert recognisable >= 0.7 * len(links)
    assert exact < len(links)  # some are written differently


def test_perpetrators_use_the_common_vocabulary(force: Path, truth: dict) -> None:
    events = _table(force, "audit_events")
    perps = {p["staff_id"] for p in truth["perpetrators"]}
    mine = events[events.staff_id.isin(perps)]
    others = events[~events.staff_id.isin(perps)]
    for column in ("reason", "system", "action", "object_type"):
        assert set(mine[column].dropna()) <= set(others[column].dropna()), column
    shared = set(others.workstation.dropna())
    assert mine.workstation.dropna().isin(shared).mean() > 0.5
