"""The figures of a threat assessment, as one plain data structure.

Gathering (`probity.reports.gather`) fills an `AssessmentFigures`; rendering and the national
return only read it. Every section field holds either its figures or a `NoData` saying why the
section has none (its source is not built, not installed, not given, or lacks a table), so a
document always renders with every section.

`CaseRecord` and friends are the plain, pseudonymous view of casework the figures are counted
from: the casework database (probity.web.casework) or a casework export file fills them. They
carry no names; `subject_key` and `investigator_keys` are opaque and used only to count distinct
people, never printed or returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "NoData",
    "SubjectRecord",
    "PersonRecord",
    "ReferralRecord",
    "OutcomeRecord",
    "CaseRecord",
    "VolumeFigures",
    "SourceFigures",
    "SubjectFigures",
    "VictimFigures",
    "ReferralFigures",
    "OutcomeFigures",
    "VettingFigures",
    "SystemCoverage",
    "DeviceCoverage",
    "IctCoverageFigures",
    "AppFindingFigures",
    "ForcesCoverageFigures",
    "PartnerFigures",
    "CapacityFigures",
    "Gap",
    "GapFigures",
    "RiskRow",
    "RiskMatrixFigures",
    "Judgement",
    "AssessmentFigures",
]


@dataclass(frozen=True)
class NoData:
    """A section has no figures; `reason` says why, in words a reader can act on."""

    reason: str


# ---------------------------------------------------------------------------------------------
# casework, as the reports see it


@dataclass(frozen=True)
class SubjectRecord:
    subject_key: str  # opaque, only for counting distinct subjects
    staff_type: str = "unknown"
    role: str = "Not recorded"  # rank or job title as the force writes it
    unit: str = "Not recorded"  # unit function (contract enum) or unit name


@dataclass(frozen=True)
class PersonRecord:
    role: str  # victim, complainant, witness, ...
    person_key: str = ""  # opaque, only for counting distinct people; empty: count each record
    vulnerabilities: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferralRecord:
    required: bool  # meets the mandatory referral criteria
    due_at: dt.datetime | None = None
    referred_at: dt.datetime | None = None
    decision: str = "pending"  # IOPC_DECISIONS


@dataclass(frozen=True)
class OutcomeRecord:
    outcome: str  # OUTCOMES
    decided_on: dt.date | None = None
    barred_list: bool = False
    advisory_list: bool = False


@dataclass(frozen=True)
class CaseRecord:
    received_on: dt.date
    category: str  # NATIONAL_CATEGORIES
    apsp: bool = False
    source: str = "other"  # REPORT_SOURCES
    partner_kind: str | None = None  # the kind of partner organisation that raised it
    is_open: bool = True
    closed_on: dt.date | None = None
    investigator_keys: tuple[str, ...] = ()  # everyone investigating it (a case counts for each)
    subjects: tuple[SubjectRecord, ...] = ()
    persons: tuple[PersonRecord, ...] = ()
    referral: ReferralRecord | None = None
    outcomes: tuple[OutcomeRecord, ...] = ()
    criminal_outcome: str | None = None
    safeguarding_referrals: int = 0


# ---------------------------------------------------------------------------------------------
# figures per section


@dataclass(frozen=True)
class VolumeFigures:
    years: tuple[int, ...]  # every year held, ascending, ending with the assessment year
    by_year: dict[int, dict[str, int]]  # year -> category -> reports
    apsp_by_year: dict[int, int]

    def total(self, year: int) -> int:
        return sum(self.by_year.get(year, {}).values())


@dataclass(frozen=True)
class SourceFigures:
    counts: dict[str, int]  # REPORT_SOURCES -> reports in the year
    apsp_counts: dict[str, int] | None  # None: not known (a combined return)


@dataclass(frozen=True)
class SubjectFigures:
    subjects: int  # distinct subjects of reports received in the year
    by_staff_type: dict[str, int]
    by_role: dict[str, int]
    by_unit: dict[str, int]
    workforce_by_staff_type: dict[str, int] | None = None  # serving in the year, from extract


@dataclass(frozen=True)
class VictimFigures:
    victims: int
    with_any_vulnerability: int
    by_vulnerability: dict[str, int]  # a victim with several counts under each
    apsp_victims: int


@dataclass(frozen=True)
class ReferralFigures:
    required: int  # reports meeting the mandatory referral criteria
    referred: int
    referred_on_time: int
    referred_late: int
    awaiting_referral_overdue: int
    awaiting_referral_in_time: int
    median_days_to_refer: float | None  # from receipt to referral
    decisions: dict[str, int]  # IOPC_DECISIONS -> referrals


@dataclass(frozen=True)
class OutcomeFigures:
    outcomes: dict[str, int]  # OUTCOMES -> outcomes decided in the year
    criminal: dict[str, int]
    barred_list: int
    advisory_list: int


@dataclass(frozen=True)
class VettingFigures:
    as_of: dt.date
    serving: int
    compliant: int  # holds a current clearance at or above the post's level
    not_compliant_reasons: dict[str, int]  # no-clearance reasons and below_requirement
    due: int | None  # current clearances expiring soon (None: not known)
    due_days: int
    by_staff_type: dict[str, tuple[int, int]]  # staff type -> (serving, compliant)
    posts_present: bool


@dataclass(frozen=True)
class SystemCoverage:
    system: str
    events: int
    staff: int  # distinct staff with at least one event
    months: int  # distinct calendar months with events in the year


@dataclass(frozen=True)
class DeviceCoverage:
    kind: str
    devices: int
    issued: int  # issued to a named user
    with_comms: int  # call/message metadata present
    with_app_inventory: int  # MDM app inventory present


@dataclass(frozen=True)
class IctCoverageFigures:
    workforce: int
    staff_with_events: int
    systems: tuple[SystemCoverage, ...]  # every contract system, zero where absent
    devices: tuple[DeviceCoverage, ...] | None  # None: no devices table
    tables_present: dict[str, bool]  # shifts, devices, device_apps, comms


@dataclass(frozen=True)
class ForcesCoverageFigures:
    """ICT monitoring coverage of a combined return: how many forces monitor what."""

    forces: int  # forces reporting the section
    systems: dict[str, int]  # system -> forces whose extract shows it monitored
    tables: dict[str, int]  # monitoring table -> forces supplying it


@dataclass(frozen=True)
class AppFindingFigures:
    findings: int  # device-app pairs needing review
    devices_with_findings: int
    staff_with_findings: int
    mobile_devices: int
    devices_with_inventory: int
    by_app: dict[str, int]  # app name -> devices
    by_risk_class: dict[str, int]  # risk class -> findings


@dataclass(frozen=True)
class PartnerFigures:
    partner_reports: int
    by_partner_kind: dict[str, int]
    safeguarding_referrals: int
    victims_supported_cases: int | None


@dataclass(frozen=True)
class CapacityFigures:
    open_cases: int
    investigators: int
    unassigned_open_cases: int
    open_per_investigator_mean: float | None
    open_per_investigator_max: int | None
    age_bands: dict[str, int]  # "0-3 months" ... -> open cases
    median_age_days: float | None


@dataclass(frozen=True)
class Gap:
    area: str
    detail: str
    consequence: str


@dataclass(frozen=True)
class GapFigures:
    gaps: tuple[Gap, ...]


@dataclass(frozen=True)
class RiskRow:
    threat: str
    label: str
    harm: int
    likelihood: int
    organisational_position: int
    score: int
    priority: str
    basis: str  # where the likelihood came from, or "analyst"


@dataclass(frozen=True)
class RiskMatrixFigures:
    rows: tuple[RiskRow, ...]
    harm_scale: tuple[str, ...]
    likelihood_scale: tuple[str, ...]
    position_scale: tuple[str, ...]
    bands: tuple[tuple[int, str], ...]  # (minimum score, priority) highest first


@dataclass(frozen=True)
class Judgement:
    section: str
    text: str
    author: str = ""
    updated_at: dt.datetime | None = None


@dataclass
class AssessmentFigures:
    year: int
    force_code: str
    force_name: str
    generated_at: dt.datetime
    period_start: dt.date
    period_end: dt.date
    sources_used: list[str] = field(default_factory=list)
    workforce: dict[str, int] | NoData = NoData("not gathered")  # serving in the year by type
    volumes: VolumeFigures | NoData = NoData("not gathered")
    sources: SourceFigures | NoData = NoData("not gathered")
    subjects: SubjectFigures | NoData = NoData("not gathered")
    victims: VictimFigures | NoData = NoData("not gathered")
    referrals: ReferralFigures | NoData = NoData("not gathered")
    outcomes: OutcomeFigures | NoData = NoData("not gathered")
    vetting: VettingFigures | NoData = NoData("not gathered")
    ict: IctCoverageFigures | ForcesCoverageFigures | NoData = NoData("not gathered")
    apps: AppFindingFigures | NoData = NoData("not gathered")
    partners: PartnerFigures | NoData = NoData("not gathered")
    capacity: CapacityFigures | NoData = NoData("not gathered")
    gaps: GapFigures | NoData = NoData("not gathered")
    risk: RiskMatrixFigures | NoData = NoData("not gathered")
    judgements: dict[str, Judgement] = field(default_factory=dict)
    level: str = "force"  # force, region or national
    forces: list[tuple[str, str]] = field(default_factory=list)  # (code, name) counted
    section_notes: dict[str, str] = field(default_factory=dict)  # section key -> coverage note
