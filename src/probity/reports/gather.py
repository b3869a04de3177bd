"""Gather the threat assessment's figures from every source that exists.

Each source is optional: the extract (`--extract DIR`), casework (the database, or
`--casework FILE`), the vetting register (probity.vetting, over the extract) and the app review
(probity.apps, over the extract). A section whose source is missing holds a `NoData` with the
reason, and the document still renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from probity.errors import ProbityError, UsageError
from probity.reports import casework_figures as cf
from probity.reports.casework_source import casework_from_database, load_casework_export
from probity.reports.extract_figures import (
    ExtractView,
    audit_summary,
    extract_gaps,
    extract_view,
    ict_coverage,
    subject_attributes,
    workforce_by_staff_type,
)
from probity.reports.figures import (
    AppFindingFigures,
    AssessmentFigures,
    CaseRecord,
    Gap,
    GapFigures,
    NoData,
    VettingFigures,
)
from probity.reports.judgements import judgements_from_database, judgements_from_file
from probity.reports.risk import load_risk_config, risk_matrix
from probity.reports.taxonomy import label

__all__ = ["GatherOptions", "gather"]


@dataclass
class GatherOptions:
    year: int
    extract_dir: Path | None = None
    casework_file: Path | None = None
    use_database: bool = True  # read casework and judgements from the web app when possible
    judgements_file: Path | None = None
    risk_config: Path | None = None
    force_code: str | None = None  # when there is no extract to take it from
    force_name: str | None = None
    include_judgements: bool = True  # the national return has no judgement text
    run_scan: bool = False  # run the scan to list the indicators it must skip (slow)
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def _open(extract_dir: Path) -> tuple[Any, ExtractView]:
    from probity.extract import open_extract  # validates first; raises ExtractInvalid

    extract = open_extract(extract_dir)
    return extract, extract_view(extract=extract)


def gather(options: GatherOptions) -> AssessmentFigures:
    """Every section's figures for the year, or why a section has none."""
    opened: list[Any] = []
    try:
        return _gather(options, opened)
    finally:
        for extract in opened:
            extract.close()


def _gather(options: GatherOptions, opened: list[Any]) -> AssessmentFigures:
    year = options.year
    if year < 1990 or year > options.now.year:
        raise UsageError(f"--year {year}: expected a year from 1990 to {options.now.year}")
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    as_of_date = min(last, options.now.date())
    as_of = dt.datetime.combine(as_of_date, dt.time(23, 59, 59), tzinfo=dt.UTC)
    if as_of > options.now:
        as_of = options.now

    # validate the small inputs before the expensive reads (every error before any work)
    risk_config = load_risk_config(options.risk_config)
    judgements = _judgements(options) if options.include_judgements else {}
    exported = (load_casework_export(options.casework_file)
                if options.casework_file is not None else None)

    extract: Any = None
    summary = None
    view: ExtractView | None = None
    no_extract: NoData
    if options.extract_dir is None:
        no_extract = NoData("no Force Extract given (run with --extract DIR)")
    else:
        try:
            extract, view = _open(options.extract_dir)
            opened.append(extract)
        except ImportError as exc:
            no_extract = NoData(f"the extract reader (probity.extract) is not available ({exc})")
        else:
            no_extract = NoData("")

    code = view.force_code if view else (options.force_code or "UNKNOWN")
    name = view.force_name if view else (options.force_name or code)
    figures = AssessmentFigures(year=year, force_code=code, force_name=name,
                                generated_at=options.now, period_start=first, period_end=last)

    # -- casework
    recorded = {"outcome", "safeguarding"}  # an export file carries both
    cases: list[CaseRecord] | NoData
    if options.casework_file is not None and exported is not None:
        cases = exported
        figures.sources_used.append(f"casework export {options.casework_file.name}")
    elif options.use_database:
        cases = casework_from_database()
        if not isinstance(cases, NoData):
            figures.sources_used.append("casework database")
            from probity.reports.casework_db import recorded_kinds

            recorded = recorded_kinds()
    else:
        cases = NoData("no casework given (run with --casework FILE, or from the web app)")

    if view is not None and not isinstance(cases, NoData):
        cases = _with_subject_attributes(cases, view)
    workforce = workforce_by_staff_type(view=view, year=year) if view else None
    figures.workforce = workforce if workforce is not None else no_extract
    if isinstance(cases, NoData):
        for attr in ("volumes", "sources", "subjects", "victims", "referrals", "outcomes",
                     "partners", "capacity"):
            setattr(figures, attr, cases)
    else:
        figures.volumes = cf.volumes(cases=cases, year=year)
        figures.sources = cf.report_sources(cases=cases, year=year)
        figures.subjects = cf.subjects(cases=cases, year=year, workforce_by_staff_type=workforce)
        figures.victims = cf.victims(cases=cases, year=year)
        figures.referrals = cf.referrals(cases=cases, year=year, as_of=as_of)
        figures.outcomes = cf.outcomes(cases=cases, year=year)
        figures.partners = cf.partners(cases=cases, year=year)
        if "outcome" not in recorded:
            figures.outcomes = NoData("the casework app does not record misconduct or criminal "
                                      "outcomes yet")
        if "safeguarding" not in recorded:
            figures.section_notes["partners"] = (
                "The casework app does not record safeguarding referrals yet: they count as 0.")
        figures.capacity = cf.capacity(cases=cases, as_of=as_of_date)

    # -- extract: ICT coverage, vetting, apps
    if view is None:
        figures.ict = no_extract
        figures.vetting = no_extract
        figures.apps = no_extract
    else:
        figures.sources_used.append(f"Force Extract {view.path.name} "
                                    f"({view.period_start.isoformat()} to {view.period_end.isoformat()})")
        summary = audit_summary(view=view, year=year)
        figures.ict = ict_coverage(view=view, year=year, summary=summary)
        figures.vetting = _vetting(extract=extract, as_of=min(as_of_date, view.period_end))
        figures.apps = _apps(extract=extract, year=year)

    # -- gaps: what the extract and the missing sources cannot show
    gaps: list[Gap] = extract_gaps(view=view, year=year, summary=summary) if view else []
    if extract is not None and options.run_scan:
        gaps += _skipped_indicators(extract)
    for attr, area in (("volumes", "Casework"), ("vetting", "Vetting register"),
                       ("apps", "App review"), ("ict", "ICT monitoring")):
        value = getattr(figures, attr)
        if isinstance(value, NoData) and not any(g.area == area for g in gaps):
            gaps.append(Gap(area=area, detail=value.reason,
                            consequence="the sections that depend on it have no figures"))
    if not isinstance(figures.volumes, NoData):
        other = figures.volumes.by_year[year]["other"]
        total = figures.volumes.total(year)
        if total and other / total > 0.1:
            gaps.append(Gap(area="Recording", detail=(
                f"{other} of {total} reports in {year} are recorded as 'other'"),
                consequence="threats may be hidden in an uncategorised remainder"))
    figures.gaps = GapFigures(gaps=tuple(gaps))

    figures.risk = risk_matrix(volumes=figures.volumes, year=year, config=risk_config)
    figures.judgements = judgements
    return figures


def _with_subject_attributes(cases: list[CaseRecord], view: ExtractView) -> list[CaseRecord]:
    """Fill subjects' staff type, rank and unit function from the extract's staff table."""
    wanted = sorted({s.subject_key for c in cases for s in c.subjects if s.staff_type == "unknown"})
    found = subject_attributes(view=view, staff_ids=wanted)
    if not found:
        return cases
    enriched = []
    for case in cases:
        subjects = tuple(
            replace(s, staff_type=found[s.subject_key][0], role=found[s.subject_key][1],
                    unit=label(found[s.subject_key][2]))
            if s.staff_type == "unknown" and s.subject_key in found else s
            for s in case.subjects
        )
        enriched.append(replace(case, subjects=subjects))
    return enriched


def _vetting(*, extract: Any, as_of: dt.date) -> VettingFigures | NoData:
    try:
        from probity.vetting import vetting_compliance
    except ImportError as exc:
        return NoData(f"the vetting register (probity.vetting) is not available ({exc})")
    try:
        report = vetting_compliance(extract=extract, as_of=as_of)
    except ProbityError as exc:
        return NoData(str(exc))
    totals = report.totals()
    reasons = dict(report.reason_counts())
    reasons["below_requirement"] = totals.below_requirement
    return VettingFigures(
        as_of=as_of, serving=totals.serving, compliant=totals.compliant,
        not_compliant_reasons=reasons, due=totals.due, due_days=report.due_days,
        by_staff_type={g.key: (g.serving, g.compliant) for g in report.by_staff_type},
        posts_present=report.posts_present,
    )


def _apps(*, extract: Any, year: int) -> AppFindingFigures | NoData:
    """Encrypted and ephemeral app findings from the app review (probity.apps)."""
    try:
        from probity.apps.report import app_findings, estate_coverage
    except ImportError as exc:
        return NoData(f"the app review (probity.apps) is not available ({exc})")
    if not extract.has("device_apps"):
        return NoData("the extract has no device_apps table: no app inventory to review")
    try:
        findings = app_findings(extract=extract)
        coverage = estate_coverage(extract=extract, findings=findings)
    except ProbityError as exc:
        return NoData(str(exc))
    by_app: dict[str, int] = {}
    if len(findings):
        counts = findings.groupby("app_name")["device_id"].nunique().sort_values(ascending=False)
        by_app = {str(k): int(v) for k, v in counts.items()}
    return AppFindingFigures(
        findings=coverage.findings,
        devices_with_findings=coverage.devices_with_findings,
        staff_with_findings=coverage.staff_with_findings,
        mobile_devices=coverage.mobile_devices,
        devices_with_inventory=coverage.devices_with_inventory,
        by_app=by_app,
        by_risk_class={k: int(v["findings"]) for k, v in coverage.by_risk_class.items()},
    )


def _skipped_indicators(extract: Any) -> list[Gap]:
    """Scan indicators that cannot run on this extract (runs the scan: opt-in, it is slow)."""
    try:
        from probity.analytics import scan
    except ImportError as exc:
        return [Gap(area="Scan indicators", detail=f"probity.analytics is not available ({exc})",
                    consequence="which indicators this extract supports is not known")]
    result = scan(extract)
    gaps = [Gap(area=f"Indicator {s.indicator} skipped", detail=s.reason,
                consequence="this pattern of abuse is not scanned for")
            for s in result.skipped]
    # what the scan had to assume for want of data (no roster, no flags...)
    gaps += [Gap(area="Scan assumption", detail=note,
                 consequence="the indicators that rely on it are less precise")
             for note in result.notes if " is missing" in note]
    return gaps


def _judgements(options: GatherOptions) -> dict[str, Any]:
    """Judgement text: an explicit --judgements file wins, else the web app's database."""
    if options.judgements_file is not None:
        return dict(judgements_from_file(path=options.judgements_file, year=options.year))
    if options.use_database:
        found = judgements_from_database(year=options.year)
        if isinstance(found, dict):
            return dict(found)
    return {}
