"""Figures counted from casework records (pure functions over `CaseRecord`s).

A report belongs to the year it was received in; an outcome to the year it was decided in;
capacity is measured as at the end of the year (or today, for the current year).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Sequence

from probity.reports.figures import (
    CapacityFigures,
    CaseRecord,
    NoData,
    OutcomeFigures,
    PartnerFigures,
    ReferralFigures,
    SourceFigures,
    SubjectFigures,
    VictimFigures,
    VolumeFigures,
)
from probity.reports.taxonomy import (
    CRIMINAL_OUTCOMES,
    IOPC_DECISIONS,
    NATIONAL_CATEGORIES,
    OUTCOMES,
    REPORT_SOURCES,
    STAFF_TYPES,
    VULNERABILITIES,
    normalise_category,
    normalise_criminal_outcome,
    normalise_iopc_decision,
    normalise_outcome,
    normalise_source,
)

__all__ = [
    "AGE_BANDS",
    "volumes",
    "report_sources",
    "subjects",
    "victims",
    "referrals",
    "outcomes",
    "partners",
    "capacity",
]

# (label, upper bound in days, exclusive); the last band has no upper bound.
AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("under 3 months", 91),
    ("3 to 6 months", 183),
    ("6 to 12 months", 366),
    ("over 12 months", None),
)


def _in_year(cases: Sequence[CaseRecord], year: int) -> list[CaseRecord]:
    return [c for c in cases if c.received_on.year == year]


def _zeroed(keys: Sequence[str]) -> dict[str, int]:
    return {k: 0 for k in keys}


def volumes(*, cases: Sequence[CaseRecord], year: int) -> VolumeFigures | NoData:
    """Reports by national category for every year held up to `year`, APSP on its own."""
    held = sorted({c.received_on.year for c in cases if c.received_on.year <= year})
    if not held:
        return NoData(f"casework holds no reports received in or before {year}")
    years = tuple(range(held[0], year + 1))
    by_year: dict[int, dict[str, int]] = {y: _zeroed(NATIONAL_CATEGORIES) for y in years}
    apsp: dict[int, int] = {y: 0 for y in years}
    for case in cases:
        y = case.received_on.year
        if y in by_year:
            by_year[y][normalise_category(case.category)] += 1
            apsp[y] += 1 if case.apsp else 0
    return VolumeFigures(years=years, by_year=by_year, apsp_by_year=apsp)


def report_sources(*, cases: Sequence[CaseRecord], year: int) -> SourceFigures:
    counts = _zeroed(REPORT_SOURCES)
    apsp = _zeroed(REPORT_SOURCES)
    for case in _in_year(cases, year):
        key = normalise_source(case.source)
        counts[key] += 1
        apsp[key] += 1 if case.apsp else 0
    return SourceFigures(counts=counts, apsp_counts=apsp)


def subjects(
    *, cases: Sequence[CaseRecord], year: int, workforce_by_staff_type: dict[str, int] | None
) -> SubjectFigures:
    """Distinct subjects of the year's reports (a subject of two reports counts once)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for case in _in_year(cases, year):
        for subject in case.subjects:
            seen.setdefault(subject.subject_key, (subject.staff_type, subject.role, subject.unit))
    by_type = _zeroed(STAFF_TYPES)
    roles: Counter[str] = Counter()
    units: Counter[str] = Counter()
    for staff_type, role, unit in seen.values():
        by_type[staff_type if staff_type in by_type else "unknown"] += 1
        roles[role or "Not recorded"] += 1
        units[unit or "Not recorded"] += 1
    return SubjectFigures(
        subjects=len(seen),
        by_staff_type=by_type,
        by_role=dict(roles.most_common()),
        by_unit=dict(units.most_common()),
        workforce_by_staff_type=workforce_by_staff_type,
    )


def victims(*, cases: Sequence[CaseRecord], year: int) -> VictimFigures:
    """Distinct victims in the year's reports, by vulnerability; counts only, nobody named.

    A victim recorded in two reports (same `person_key`) counts once, with the union of the
    vulnerabilities recorded; a record without a key counts on its own.
    """
    people: dict[str, tuple[bool, set[str]]] = {}
    for case in _in_year(cases, year):
        for index, person in enumerate(case.persons):
            if person.role != "victim":
                continue
            key = person.person_key or f"\x00{id(case)}:{index}"
            apsp, flags = people.get(key, (False, set()))
            flags = flags | {f if f in VULNERABILITIES else "other" for f in person.vulnerabilities}
            people[key] = (apsp or case.apsp, flags)
    by_flag = _zeroed(VULNERABILITIES)
    for _, flags in people.values():
        for flag in flags:
            by_flag[flag] += 1
    return VictimFigures(
        victims=len(people),
        with_any_vulnerability=sum(1 for _, flags in people.values() if flags),
        by_vulnerability=by_flag,
        apsp_victims=sum(1 for apsp, _ in people.values() if apsp),
    )


def referrals(*, cases: Sequence[CaseRecord], year: int, as_of: dt.datetime) -> ReferralFigures:
    """Mandatory IOPC referrals of the year's reports: made on time, late, or still awaited."""
    required = referred = on_time = late = overdue = in_time = 0
    days: list[float] = []
    decisions = _zeroed(IOPC_DECISIONS)
    for case in _in_year(cases, year):
        ref = case.referral
        if ref is None or not ref.required:
            continue
        required += 1
        if ref.referred_at is not None:
            referred += 1
            decisions[normalise_iopc_decision(ref.decision)] += 1
            if ref.due_at is None or ref.referred_at <= ref.due_at:
                on_time += 1
            else:
                late += 1
            days.append((ref.referred_at.date() - case.received_on).days)
        elif ref.due_at is not None and ref.due_at < as_of:
            overdue += 1
        else:
            in_time += 1
    return ReferralFigures(
        required=required, referred=referred, referred_on_time=on_time, referred_late=late,
        awaiting_referral_overdue=overdue, awaiting_referral_in_time=in_time,
        median_days_to_refer=statistics.median(days) if days else None,
        decisions=decisions,
    )


def outcomes(*, cases: Sequence[CaseRecord], year: int) -> OutcomeFigures:
    """Misconduct outcomes decided in the year, criminal outcomes of cases closed in it."""
    counts = _zeroed(OUTCOMES)
    criminal = _zeroed(CRIMINAL_OUTCOMES)
    barred = advisory = 0
    for case in cases:
        for outcome in case.outcomes:
            decided = outcome.decided_on or case.closed_on
            if decided is None or decided.year != year:
                continue
            counts[normalise_outcome(outcome.outcome)] += 1
            barred += 1 if outcome.barred_list else 0
            advisory += 1 if outcome.advisory_list else 0
        if case.criminal_outcome and case.closed_on and case.closed_on.year == year:
            criminal[normalise_criminal_outcome(case.criminal_outcome)] += 1
    return OutcomeFigures(outcomes=counts, criminal=criminal, barred_list=barred,
                          advisory_list=advisory)


def partners(*, cases: Sequence[CaseRecord], year: int) -> PartnerFigures:
    kinds: Counter[str] = Counter()
    referrals_made = supported = 0
    in_year = _in_year(cases, year)
    for case in in_year:
        if normalise_source(case.source) == "partner":
            kinds[case.partner_kind or "not recorded"] += 1
        referrals_made += case.safeguarding_referrals
        supported += 1 if case.safeguarding_referrals else 0
    return PartnerFigures(
        partner_reports=sum(kinds.values()), by_partner_kind=dict(kinds.most_common()),
        safeguarding_referrals=referrals_made, victims_supported_cases=supported,
    )


def _open_at(case: CaseRecord, as_of: dt.date) -> bool:
    if case.received_on > as_of:
        return False
    if case.closed_on is not None:
        return case.closed_on > as_of
    return case.is_open


def capacity(*, cases: Sequence[CaseRecord], as_of: dt.date) -> CapacityFigures:
    """Open cases as at `as_of`: per investigator, and how long they have been open."""
    open_cases = [c for c in cases if _open_at(c, as_of)]
    per_investigator: Counter[str] = Counter(
        key for c in open_cases for key in set(c.investigator_keys)
    )
    bands = {name: 0 for name, _ in AGE_BANDS}
    ages: list[int] = []
    for case in open_cases:
        age = (as_of - case.received_on).days
        ages.append(age)
        for name, upper in AGE_BANDS:
            if upper is None or age < upper:
                bands[name] += 1
                break
    loads = list(per_investigator.values())
    return CapacityFigures(
        open_cases=len(open_cases),
        investigators=len(per_investigator),
        unassigned_open_cases=sum(1 for c in open_cases if not c.investigator_keys),
        open_per_investigator_mean=(sum(loads) / len(loads)) if loads else None,
        open_per_investigator_max=max(loads) if loads else None,
        age_bands=bands,
        median_age_days=statistics.median(ages) if ages else None,
    )
