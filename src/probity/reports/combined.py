"""A combined (regional or national) assessment drawn from a national return.

A combined return holds only counts, so the combined document has the sections those counts
support; each section says which forces its figures cover. Sections a return cannot carry
(app findings, the force-level detail of ICT coverage, roles and units) say so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from probity.reports.casework_figures import AGE_BANDS
from probity.reports.extract_figures import SYSTEMS
from probity.reports.figures import (
    AssessmentFigures,
    CapacityFigures,
    ForcesCoverageFigures,
    Gap,
    GapFigures,
    NoData,
    OutcomeFigures,
    PartnerFigures,
    ReferralFigures,
    SourceFigures,
    SubjectFigures,
    VettingFigures,
    VictimFigures,
    VolumeFigures,
)
from probity.reports.judgements import judgements_from_file
from probity.reports.national_return import MONITORING_TABLES, VETTING_REASONS, load_return
from probity.reports.risk import load_risk_config, risk_matrix
from probity.reports.taxonomy import (
    CRIMINAL_OUTCOMES,
    IOPC_DECISIONS,
    NATIONAL_CATEGORIES,
    OUTCOMES,
    REPORT_SOURCES,
    STAFF_TYPES,
    VULNERABILITIES,
)

__all__ = ["figures_from_return"]

# document section -> return sections it is drawn from
_SOURCES: dict[str, tuple[str, ...]] = {
    "volumes": ("reports_by_category",),
    "sources": ("reports_by_source",),
    "subjects": ("subjects_by_staff_type", "workforce"),
    "victims": ("victims", "victims_by_vulnerability"),
    "referrals": ("iopc_referrals", "iopc_decisions"),
    "outcomes": ("misconduct_outcomes", "list_notifications", "criminal_outcomes"),
    "vetting": ("vetting",),
    "ict": ("ict_monitoring",),
    "partners": ("partner_engagement",),
    "capacity": ("capacity",),
}


def figures_from_return(*, path: Path, judgements_file: Path | None = None,
                        risk_config: Path | None = None,
                        now: dt.datetime | None = None) -> AssessmentFigures:
    """The figures of a combined assessment from a (combined) national return file."""
    doc = load_return(path)
    year = int(doc["year"])
    s = doc["sections"]
    forces = [(f["code"], f["name"]) for f in doc["forces"]]

    def counts(key: str) -> dict[str, int] | None:
        value = s[key]["counts"]
        return dict(value) if value is not None else None

    def missing(key: str) -> NoData:
        return NoData(f"none of the {len(forces)} forces reported {key.replace('_', ' ')}")

    figures = AssessmentFigures(
        year=year, force_code=doc["level"].upper(), force_name=doc["name"],
        generated_at=now or dt.datetime.now(dt.UTC), period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31), level=doc["level"], forces=forces,
        sources_used=[f"national return {path.name} ({doc['level']}, {len(forces)} forces)"],
    )
    c = counts("reports_by_category")
    figures.volumes = (VolumeFigures(
        years=(year,), by_year={year: {k: c[k] for k in NATIONAL_CATEGORIES}},
        apsp_by_year={year: c["apsp"]}) if c else missing("reports_by_category"))
    c = counts("reports_by_source")
    figures.sources = (SourceFigures(counts={k: c[k] for k in REPORT_SOURCES}, apsp_counts=None)
                       if c else missing("reports_by_source"))
    c, w = counts("subjects_by_staff_type"), counts("workforce")
    figures.subjects = (SubjectFigures(
        subjects=sum(c.values()), by_staff_type={k: c[k] for k in STAFF_TYPES}, by_role={},
        by_unit={}, workforce_by_staff_type=w) if c else missing("subjects_by_staff_type"))
    c, v = counts("victims"), counts("victims_by_vulnerability")
    figures.victims = (VictimFigures(
        victims=c["victims"], with_any_vulnerability=c["with_any_vulnerability"],
        by_vulnerability={k: v[k] for k in VULNERABILITIES} if v else {},
        apsp_victims=c["apsp_victims"]) if c else missing("victims"))
    c, d = counts("iopc_referrals"), counts("iopc_decisions")
    figures.referrals = (ReferralFigures(
        required=c["required"], referred=c["referred"], referred_on_time=c["referred_on_time"],
        referred_late=c["referred_late"], awaiting_referral_overdue=c["awaiting_referral_overdue"],
        awaiting_referral_in_time=c["awaiting_referral_in_time"], median_days_to_refer=None,
        decisions={k: (d or {}).get(k, 0) for k in IOPC_DECISIONS}) if c else missing("iopc_referrals"))
    c, lists, crim = counts("misconduct_outcomes"), counts("list_notifications"), counts("criminal_outcomes")
    figures.outcomes = (OutcomeFigures(
        outcomes={k: c[k] for k in OUTCOMES},
        criminal={k: (crim or {}).get(k, 0) for k in CRIMINAL_OUTCOMES},
        barred_list=(lists or {}).get("barred_list", 0),
        advisory_list=(lists or {}).get("advisory_list", 0)) if c else missing("misconduct_outcomes"))
    c = counts("vetting")
    figures.vetting = (VettingFigures(
        as_of=dt.date(year, 12, 31), serving=c["serving"], compliant=c["compliant"],
        not_compliant_reasons={k: c[k] for k in VETTING_REASONS}, due=None, due_days=0,
        by_staff_type={}, posts_present=True) if c else missing("vetting"))
    c = counts("ict_monitoring")
    figures.ict = (ForcesCoverageFigures(
        forces=len(s["ict_monitoring"]["forces_reporting"]),
        systems={k: c[f"system_{k}"] for k in SYSTEMS},
        tables={k: c[f"table_{k}"] for k in MONITORING_TABLES}) if c else missing("ict_monitoring"))
    figures.apps = NoData("app findings are not part of the national return; see each force's "
                          "own assessment")
    c = counts("partner_engagement")
    figures.partners = (PartnerFigures(
        partner_reports=c["partner_reports"], by_partner_kind={},
        safeguarding_referrals=c["safeguarding_referrals"], victims_supported_cases=None)
        if c else missing("partner_engagement"))
    c = counts("capacity")
    figures.capacity = (CapacityFigures(
        open_cases=c["open_cases"], investigators=c["investigators"],
        unassigned_open_cases=c["unassigned_open_cases"], open_per_investigator_mean=None,
        open_per_investigator_max=None,
        age_bands={name: c[name.replace(" ", "_")] for name, _ in AGE_BANDS},
        median_age_days=None) if c else missing("capacity"))

    gaps: list[Gap] = []
    names = dict(forces)
    for section, keys in _SOURCES.items():
        absent = sorted({code for k in keys for code in s[k]["forces_missing"]})
        reporting = sorted({code for k in keys for code in s[k]["forces_reporting"]})
        if absent:
            figures.section_notes[section] = (
                f"Figures from {len(reporting)} of {len(forces)} forces; no figures from "
                + ", ".join(f"{names.get(code, code)} ({code})" for code in absent) + ".")
            gaps.append(Gap(area=f"{section.replace('_', ' ').capitalize()}: forces missing",
                            detail=", ".join(absent),
                            consequence="the combined figures understate the region"))
        elif reporting:
            figures.section_notes[section] = f"Figures from all {len(forces)} forces."
    figures.gaps = GapFigures(gaps=tuple(gaps))
    figures.risk = risk_matrix(volumes=figures.volumes, year=year,
                               config=load_risk_config(risk_config))
    if judgements_file is not None:
        figures.judgements = dict(judgements_from_file(path=judgements_file, year=year))
    return figures


