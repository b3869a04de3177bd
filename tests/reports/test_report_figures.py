"""Figures counted from casework records and from an extract, checked against hand counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from reports_testkit import YEAR, write_extract

from probity.extract import open_extract
from probity.reports import casework_figures as cf
from probity.reports.extract_figures import extract_gaps, extract_view, ict_coverage
from probity.reports.figures import (
    CaseRecord,
    NoData,
    OutcomeRecord,
    PersonRecord,
    ReferralRecord,
    SubjectRecord,
)
from probity.reports.taxonomy import normalise_category, normalise_source

UTC = dt.UTC


def _case(received: str, category: str = "other", **kw: object) -> CaseRecord:
    return CaseRecord(received_on=dt.date.fromisoformat(received), category=category, **kw)  # type: ignore[arg-type]


def test_volumes_count_every_year_held_and_apsp_on_its_own() -> None:
    cases = [
        _case("2023-05-01", "theft_and_fraud"),
        _case("2025-01-01", "sexual_misconduct", apsp=True),
        _case("2025-12-31", "sexual_misconduct", apsp=True),
        _case("2025-06-01", "sexual_misconduct"),
        _case("2025-06-01", "Misuse of force systems"),  # mapped by alias
        _case("2026-01-01", "infiltration"),  # after the year: not counted
    ]
    v = cf.volumes(cases=cases, year=2025)
    assert not isinstance(v, NoData)
    assert v.years == (2023, 2024, 2025)  # 2024 held as a zero year between
    assert v.by_year[2025]["sexual_misconduct"] == 3
    assert v.apsp_by_year[2025] == 2
    assert v.by_year[2025]["misusing_force_systems"] == 1
    assert v.total(2025) == 4 and v.total(2024) == 0 and v.total(2023) == 1
    assert isinstance(cf.volumes(cases=[_case("2026-01-01")], year=2025), NoData)


def test_sources_subjects_victims_are_counted_once_per_person() -> None:
    s1 = SubjectRecord(subject_key="A", staff_type="officer", role="PC", unit="response")
    s2 = SubjectRecord(subject_key="B", staff_type="special_constable", role="SC", unit="response")
    victim = PersonRecord(role="victim", person_key="V1", vulnerabilities=("domestic_abuse_victim",))
    cases = [
        _case("2025-02-01", source="proactive_alert", subjects=(s1,), persons=(victim,), apsp=True,
              category="sexual_misconduct"),
        _case("2025-03-01", source="partner_concern", subjects=(s1, s2),
              persons=(PersonRecord(role="victim", person_key="V1", vulnerabilities=("child",)),
                       PersonRecord(role="witness", person_key="W1"),
                       PersonRecord(role="victim"))),
        _case("2024-03-01", source="public", subjects=(SubjectRecord(subject_key="C"),)),
    ]
    src = cf.report_sources(cases=cases, year=2025)
    assert src.counts == {"proactive": 1, "public": 0, "partner": 1, "internal": 0, "other": 0}
    assert src.apsp_counts["proactive"] == 1
    sub = cf.subjects(cases=cases, year=2025, workforce_by_staff_type=None)
    assert sub.subjects == 2
    assert sub.by_staff_type["officer"] == 1 and sub.by_staff_type["special_constable"] == 1
    assert sub.by_unit == {"response": 2}
    vic = cf.victims(cases=cases, year=2025)
    assert vic.victims == 2  # V1 once (two reports) + one unkeyed victim; the witness is not
    assert vic.with_any_vulnerability == 1
    assert vic.by_vulnerability["domestic_abuse_victim"] == 1 and vic.by_vulnerability["child"] == 1
    assert vic.apsp_victims == 1


def test_referral_timeliness_against_the_deadline() -> None:
    due = dt.datetime(2025, 3, 2, 23, 59, tzinfo=UTC)
    def ref(referred: dt.datetime | None, decision: str = "pending") -> ReferralRecord:
        return ReferralRecord(required=True, due_at=due, referred_at=referred, decision=decision)
    cases = [
        _case("2025-03-01", referral=ref(due - dt.timedelta(hours=1), "independent")),
        _case("2025-03-01", referral=ref(due + dt.timedelta(hours=1), "local")),
        _case("2025-03-01", referral=ref(None)),  # overdue as of year end
        _case("2025-03-01", referral=ReferralRecord(required=False)),
        _case("2025-12-31", referral=ReferralRecord(
            required=True, due_at=dt.datetime(2026, 1, 1, 23, 59, tzinfo=UTC))),
    ]
    r = cf.referrals(cases=cases, year=2025, as_of=dt.datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC))
    assert (r.required, r.referred, r.referred_on_time, r.referred_late) == (4, 2, 1, 1)
    assert (r.awaiting_referral_overdue, r.awaiting_referral_in_time) == (1, 1)
    assert r.decisions["independent"] == 1 and r.decisions["local"] == 1
    assert r.median_days_to_refer == 1.5  # 1 and 2 days after receipt


def test_outcomes_by_decision_year_and_capacity_as_at_year_end() -> None:
    cases = [
        _case("2024-01-10", is_open=False, closed_on=dt.date(2025, 2, 1), criminal_outcome="convicted",
              outcomes=(OutcomeRecord(outcome="dismissal_without_notice",
                                      decided_on=dt.date(2025, 2, 1), barred_list=True),)),
        _case("2025-01-10", is_open=False, closed_on=dt.date(2025, 3, 1),
              outcomes=(OutcomeRecord(outcome="RPR", decided_on=dt.date(2025, 3, 1)),)),
        _case("2025-11-01", investigator_keys=("inv1",)),  # 60 days old at year end
        _case("2025-01-01", investigator_keys=("inv1",)),  # 364 days
        _case("2023-06-01", investigator_keys=("inv2",)),  # over 12 months
        _case("2025-06-01"),  # unassigned, 213 days
        _case("2025-06-01", is_open=False, closed_on=dt.date(2026, 1, 5), investigator_keys=("inv2",)),
    ]
    o = cf.outcomes(cases=cases, year=2025)
    assert o.outcomes["dismissal_without_notice"] == 1
    assert o.outcomes["reflective_practice_review"] == 1
    assert o.barred_list == 1 and o.advisory_list == 0
    assert o.criminal["convicted"] == 1
    c = cf.capacity(cases=cases, as_of=dt.date(2025, 12, 31))
    assert c.open_cases == 5  # the case closed in 2026 was still open at year end
    assert c.investigators == 2 and c.unassigned_open_cases == 1
    assert c.open_per_investigator_max == 2 and c.open_per_investigator_mean == 2.0
    assert c.age_bands == {"under 3 months": 1, "3 to 6 months": 0, "6 to 12 months": 3,
                           "over 12 months": 1}


@pytest.mark.parametrize(("raw", "key"), [
    ("Sexual misconduct", "sexual_misconduct"), ("APSP", "sexual_misconduct"),
    ("controlled drug use and supply", "controlled_drugs"), ("unheard of", "other"),
    (None, "other"),
])
def test_category_normalisation(raw: str | None, key: str) -> None:
    assert normalise_category(raw) == key


def test_source_normalisation() -> None:
    assert normalise_source("screening_finding") == "proactive"
    assert normalise_source("confidential internal report") == "internal"
    assert normalise_source("carrier pigeon") == "other"


def test_ict_coverage_counts_systems_devices_and_months(tmp_path: Path) -> None:
    root = write_extract(tmp_path / "x", staff=6, systems=("rms", "pnd"), months=(1, 2, 3))
    with open_extract(root) as extract:
        view = extract_view(extract=extract)
        ict = ict_coverage(view=view, year=YEAR)
        gaps = extract_gaps(view=view, year=YEAR)
    by_system = {s.system: s for s in ict.systems}
    # 5 serving people: the sixth left in 2024
    assert ict.workforce == 5
    assert by_system["rms"].events == 5 * 3 and by_system["rms"].staff == 5
    assert by_system["rms"].months == 3
    assert by_system["custody"].events == 0  # its only event is in the previous year
    assert by_system["pnc"].events == 0
    devices = {d.kind: d for d in ict.devices or ()}
    assert devices["phone"].devices == 2 and devices["phone"].with_comms == 1
    assert devices["phone"].with_app_inventory == 1 and devices["desktop"].issued == 0
    areas = [g.area for g in gaps]
    assert "Table shifts absent" in areas and "System PNC not monitored" in areas
    months_gap = next(g for g in gaps if g.area == "Months without audit events")
    assert months_gap.detail.startswith(f"{YEAR}-04") and f"{YEAR}-12" in months_gap.detail
    assert any(g.area == "Mobile devices without app inventory" for g in gaps)


def test_subjects_take_staff_type_rank_and_unit_from_the_extract(tmp_path: Path) -> None:
    import json

    from probity.reports import GatherOptions, gather
    from probity.reports.casework_source import cases_to_export

    root = write_extract(tmp_path / "x")
    cases = [_case(f"{YEAR}-03-01", subjects=(SubjectRecord(subject_key="S003"),
                                               SubjectRecord(subject_key="S002"))),
             _case(f"{YEAR}-04-01", subjects=(SubjectRecord(subject_key="S003"),
                                               SubjectRecord(subject_key="GONE")))]
    export = tmp_path / "cw.json"
    export.write_text(json.dumps(cases_to_export(cases)))
    figures = gather(GatherOptions(year=YEAR, extract_dir=root, casework_file=export,
                                   use_database=False))
    sub = figures.subjects
    assert not isinstance(sub, NoData)
    assert sub.subjects == 3
    # S003 is police staff in a response unit, S002 an officer in public protection
    assert sub.by_staff_type["staff"] == 1 and sub.by_staff_type["officer"] == 1
    assert sub.by_staff_type["unknown"] == 1  # not in the extract's staff table
    assert sub.by_unit == {"Response": 1, "Public protection": 1, "Not recorded": 1}
    assert sub.by_role == {"PC": 2, "Not recorded": 1}
    assert sub.workforce_by_staff_type is not None and sub.workforce_by_staff_type["officer"] == 5
