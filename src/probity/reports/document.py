"""Turn `AssessmentFigures` into the sections of the document: facts, charts and tables.

Everything a reader sees is decided here; the template only lays it out. Every chart comes
with a data table holding the same numbers (for screen readers, and for anyone checking).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from probity.reports.charts import Series, bar_chart, column_chart
from probity.reports.figures import (
    AppFindingFigures,
    AssessmentFigures,
    CapacityFigures,
    ForcesCoverageFigures,
    GapFigures,
    IctCoverageFigures,
    Judgement,
    NoData,
    OutcomeFigures,
    PartnerFigures,
    ReferralFigures,
    RiskMatrixFigures,
    SourceFigures,
    SubjectFigures,
    VettingFigures,
    VictimFigures,
    VolumeFigures,
)
from probity.reports.judgements import JUDGEMENT_SECTIONS, SECTION_TITLES
from probity.reports.taxonomy import (
    APSP_LABEL,
    CATEGORY_LABELS,
    IOPC_DECISIONS,
    NATIONAL_CATEGORIES,
    REPORT_SOURCES,
    SOURCE_LABELS,
    STAFF_TYPE_LABELS,
    STAFF_TYPES,
    label,
)

__all__ = ["Table", "ChartBlock", "SectionView", "DocumentView", "build_document"]

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)  # right-align these columns
    cell_classes: list[list[str]] | None = None  # CSS class per cell (e.g. a heat map)

    def __post_init__(self) -> None:
        if not self.numeric:
            self.numeric = [False] + [True] * (len(self.headers) - 1)


@dataclass
class ChartBlock:
    svg: str
    table: Table


@dataclass
class SectionView:
    number: int
    key: str
    title: str
    no_data: str | None = None
    note: str | None = None  # coverage of a combined assessment
    facts: list[str] = field(default_factory=list)
    blocks: list[ChartBlock | Table] = field(default_factory=list)
    judgement: Judgement | None = None
    judgement_only: bool = False

    @property
    def charts(self) -> list[ChartBlock]:
        return [b for b in self.blocks if isinstance(b, ChartBlock)]


@dataclass
class DocumentView:
    title: str
    force_name: str
    force_code: str
    year: int
    marking: str
    generated_at: dt.datetime
    sources_used: list[str]
    sections: list[SectionView]
    forces: list[tuple[str, str]] = field(default_factory=list)


def _n(value: int | float | None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "n/a"


def _chart(chart_id: str, title: str, rows: Sequence[tuple[str, int | float]],
           header: str = "Count", highlight: Sequence[int] = ()) -> ChartBlock:
    svg = bar_chart(chart_id=chart_id, title=title, categories=[r[0] for r in rows],
                    values=[float(r[1]) for r in rows], highlight=highlight)
    return ChartBlock(svg=svg, table=Table(caption=title, headers=["", header],
                                           rows=[[r[0], _n(r[1])] for r in rows]))


def _volumes(f: VolumeFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    this = f.by_year[year]
    total = f.total(year)
    apsp = f.apsp_by_year[year]
    facts = [f"{_n(total)} corruption reports were recorded in {year}; "
             f"{_n(apsp)} ({_pct(apsp, total)}) concerned abuse of position for a sexual purpose "
             "(APSP), which is counted within sexual misconduct and shown on its own."]
    if len(f.years) > 1:
        prev = f.years[-2]
        facts.append(f"In {prev} there were {_n(f.total(prev))} reports, "
                     f"{_n(f.apsp_by_year[prev])} of them APSP.")
    rows: list[tuple[str, int | float]] = [(CATEGORY_LABELS[c], this[c]) for c in NATIONAL_CATEGORIES]
    rows.insert(NATIONAL_CATEGORIES.index("sexual_misconduct") + 1, ("of which APSP", apsp))
    blocks: list[ChartBlock | Table] = [_chart(
        "chart-volumes", f"Reports by national category, {year}", rows, "Reports",
        highlight=[NATIONAL_CATEGORIES.index("sexual_misconduct") + 1])]
    years = [str(y) for y in f.years]
    series = [Series("All reports", tuple(float(f.total(y)) for y in f.years)),
              Series(APSP_LABEL, tuple(float(f.apsp_by_year[y]) for y in f.years))]
    trend_table = Table(
        caption=f"Reports by national category and year, {f.years[0]} to {year}",
        headers=["Category", *years],
        rows=[[CATEGORY_LABELS[c], *(_n(f.by_year[y][c]) for y in f.years)]
              for c in NATIONAL_CATEGORIES]
        + [[f"of which {APSP_LABEL}", *(_n(f.apsp_by_year[y]) for y in f.years)],
           ["All reports", *(_n(f.total(y)) for y in f.years)]],
    )
    blocks.append(ChartBlock(
        svg=column_chart(chart_id="chart-trend", title=f"Reports per year, {years[0]} to {year}",
                         categories=years, series=series),
        table=trend_table))
    return facts, blocks


def _sources(f: SourceFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    total = sum(f.counts.values())
    facts = [f"Of {_n(total)} reports in {year}, {_n(f.counts['proactive'])} "
             f"({_pct(f.counts['proactive'], total)}) were found proactively."]
    chart = _chart("chart-sources", f"Where reports came from, {year}",
                   [(SOURCE_LABELS[s], f.counts[s]) for s in REPORT_SOURCES], "Reports")
    if f.apsp_counts is not None:
        apsp = f.apsp_counts
        chart.table.headers = ["Source", "Reports", "of which APSP"]
        chart.table.rows = [[SOURCE_LABELS[s], _n(f.counts[s]), _n(apsp[s])]
                            for s in REPORT_SOURCES]
        chart.table.numeric = [False, True, True]
    return facts, [chart]


def _top(counts: dict[str, int], limit: int = 12) -> list[tuple[str, int | float]]:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    head: list[tuple[str, int | float]] = [(k, v) for k, v in items[:limit]]
    rest = sum(v for _, v in items[limit:])
    if rest:
        head.append((f"{len(items) - limit} others", rest))
    return head


def _subjects(f: SubjectFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    facts = [f"{_n(f.subjects)} people were the subject of reports received in {year}."]
    rows: list[list[str]] = []
    for t in STAFF_TYPES:
        workforce = (f.workforce_by_staff_type or {}).get(t)
        rate = (f"{1000.0 * f.by_staff_type[t] / workforce:.1f}" if workforce else "n/a")
        rows.append([STAFF_TYPE_LABELS[t], _n(f.by_staff_type[t]),
                     _n(workforce) if workforce is not None else "n/a", rate])
    chart = _chart("chart-subjects-type", f"Subjects by staff type, {year}",
                   [(STAFF_TYPE_LABELS[t], f.by_staff_type[t]) for t in STAFF_TYPES], "Subjects")
    chart.table.headers = ["Staff type", "Subjects", "Workforce", "Subjects per 1,000"]
    chart.table.rows = rows
    chart.table.numeric = [False, True, True, True]
    blocks: list[ChartBlock | Table] = [chart]
    if f.by_unit:
        blocks.append(_chart("chart-subjects-unit", f"Subjects by unit function, {year}",
                             _top(f.by_unit), "Subjects"))
    if f.by_role:
        blocks.append(Table(caption=f"Subjects by role or rank, {year}",
                            headers=["Role or rank", "Subjects"],
                            rows=[[k, _n(v)] for k, v in _top(f.by_role)]))
    return facts, blocks


def _victims(f: VictimFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    facts = [f"{_n(f.victims)} victims were recorded in reports received in {year}; "
             f"{_n(f.with_any_vulnerability)} ({_pct(f.with_any_vulnerability, f.victims)}) had at "
             f"least one recorded vulnerability. {_n(f.apsp_victims)} were victims in APSP reports.",
             "Counts only: no victim is named or identified in this document."]
    rows = [(label(k), v) for k, v in f.by_vulnerability.items()]
    return facts, [_chart("chart-victims", f"Victims by recorded vulnerability, {year}", rows,
                          "Victims")]


def _referrals(f: ReferralFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    facts = [
        f"{_n(f.required)} reports received in {year} met the mandatory IOPC referral criteria; "
        f"{_n(f.referred)} were referred, {_n(f.referred_on_time)} of them on time "
        f"({_pct(f.referred_on_time, f.referred)}) and {_n(f.referred_late)} late.",
        f"{_n(f.awaiting_referral_overdue)} still await referral past the deadline; "
        f"{_n(f.awaiting_referral_in_time)} are awaiting referral within it.",
    ]
    if f.median_days_to_refer is not None:
        facts.append(f"Median time from receipt to referral: {_n(f.median_days_to_refer)} days.")
    timeliness = _chart("chart-referrals", f"Mandatory referrals, {year}", [
        ("Referred on time", f.referred_on_time), ("Referred late", f.referred_late),
        ("Awaiting, overdue", f.awaiting_referral_overdue),
        ("Awaiting, within deadline", f.awaiting_referral_in_time)], "Reports", highlight=[1, 2])
    decisions = Table(caption=f"IOPC decisions on referrals made, {year}",
                      headers=["Decision", "Referrals"],
                      rows=[[label(d), _n(f.decisions[d])] for d in IOPC_DECISIONS])
    return facts, [timeliness, decisions]


def _outcomes(f: OutcomeFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    total = sum(f.outcomes.values())
    facts = [f"{_n(total)} misconduct outcomes were decided in {year}; {_n(f.barred_list)} "
             f"people were notified to the Barred List and {_n(f.advisory_list)} to the "
             "Advisory List."]
    return facts, [
        _chart("chart-outcomes", f"Misconduct outcomes decided in {year}",
               [(label(k), v) for k, v in f.outcomes.items()], "Outcomes"),
        Table(caption=f"Criminal outcomes of cases closed in {year}", headers=["Outcome", "Cases"],
              rows=[[label(k), _n(v)] for k, v in f.criminal.items()]),
    ]


def _vetting(f: VettingFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    not_compliant = f.serving - f.compliant
    facts = [f"On {f.as_of.isoformat()}, {_n(f.compliant)} of {_n(f.serving)} serving people "
             f"({_pct(f.compliant, f.serving)}) held vetting at the level their post requires; "
             f"{_n(not_compliant)} ({_pct(not_compliant, f.serving)}) did not."]
    if f.due is not None:
        facts.append(f"{_n(f.due)} clearances fall due for renewal within {f.due_days} days.")
    if not f.posts_present:
        facts.append("The extract has no posts table, so no post's required level is known: "
                     "only the absence of any clearance is counted.")
    chart = _chart("chart-vetting", "People not compliant, by reason",
                   [(label(k), v) for k, v in f.not_compliant_reasons.items()], "People")
    if not f.by_staff_type:
        return facts, [chart]
    by_type = Table(caption="Vetting compliance by staff type",
                    headers=["Staff type", "Serving", "Compliant", "Compliant %"],
                    rows=[[STAFF_TYPE_LABELS.get(k, label(k)), _n(s), _n(c), _pct(c, s)]
                          for k, (s, c) in sorted(f.by_staff_type.items())])
    return facts, [chart, by_type]


def _ict_forces(f: ForcesCoverageFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    facts = [f"How many of the {_n(f.forces)} forces reporting show each force system monitored "
             f"(audit events in {year}) and supply each monitoring table."]
    chart = _chart("chart-ict-forces", f"Forces monitoring each system, {year}",
                   [(label(k), v) for k, v in f.systems.items()], "Forces")
    tables = Table(caption="Forces supplying each monitoring table", headers=["Table", "Forces"],
                   rows=[[k, _n(v)] for k, v in f.tables.items()])
    return facts, [chart, tables]


def _ict(f: IctCoverageFigures | ForcesCoverageFigures,
         year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    if isinstance(f, ForcesCoverageFigures):
        return _ict_forces(f, year)
    covered = [s for s in f.systems if s.events]
    facts = [f"The extract holds audit events from {len(covered)} of {len(f.systems)} force "
             f"systems in {year}; {_n(f.staff_with_events)} of {_n(f.workforce)} serving people "
             f"({_pct(f.staff_with_events, f.workforce)}) appear in them."]
    present = [t for t, ok in f.tables_present.items() if ok]
    absent = [t for t, ok in f.tables_present.items() if not ok]
    facts.append("Monitoring data supplied: " + (", ".join(present) or "none")
                 + ("; not supplied: " + ", ".join(absent) if absent else "."))
    blocks: list[ChartBlock | Table] = []
    chart = _chart("chart-ict", f"Audit events by system, {year}",
                   [(label(s.system), s.events) for s in f.systems], "Events")
    chart.table.headers = ["System", "Events", "People", "Months with events"]
    chart.table.rows = [[label(s.system), _n(s.events), _n(s.staff), _n(s.months)] for s in f.systems]
    chart.table.numeric = [False, True, True, True]
    blocks.append(chart)
    if f.devices is None:
        facts.append("No devices table: force phones, tablets and computers are not covered.")
    else:
        blocks.append(Table(
            caption="Force devices and the monitoring data held for them",
            headers=["Kind", "Devices", "Issued to a person", "With call/message data",
                     "With app inventory"],
            rows=[[label(d.kind), _n(d.devices), _n(d.issued), _n(d.with_comms),
                   _n(d.with_app_inventory)] for d in f.devices]))
    return facts, blocks


def _apps(f: AppFindingFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    facts = [f"The app review found {_n(f.findings)} catalogued encrypted, ephemeral or otherwise "
             f"reviewable apps on {_n(f.devices_with_findings)} force devices held by "
             f"{_n(f.staff_with_findings)} people.",
             f"{_n(f.devices_with_inventory)} devices report an app inventory to device "
             f"management ({_n(f.mobile_devices)} force phones and tablets in all)."]
    blocks: list[ChartBlock | Table] = []
    if f.by_app:
        blocks.append(_chart("chart-apps", "Devices with each app", _top(f.by_app), "Devices"))
    blocks.append(Table(caption="App findings by risk class", headers=["Risk class", "Findings"],
                        rows=[[label(k), _n(v)] for k, v in f.by_risk_class.items()]))
    return facts, blocks


def _partners(f: PartnerFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    facts = [f"{_n(f.partner_reports)} reports in {year} came from partner organisations; "
             f"{_n(f.safeguarding_referrals)} safeguarding referrals were made to support "
             "organisations"
             + (f", in {_n(f.victims_supported_cases)} cases." if f.victims_supported_cases
                is not None else ".")]
    if not f.by_partner_kind:
        return facts, []
    return facts, [_chart("chart-partners", f"Reports from partners by kind, {year}",
                          [(label(k), v) for k, v in f.by_partner_kind.items()], "Reports")]


def _capacity(f: CapacityFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    load = (f" ({_n(f.open_per_investigator_mean)} each on average, at most "
            f"{_n(f.open_per_investigator_max)})" if f.open_per_investigator_mean is not None
            else "")
    facts = [f"{_n(f.open_cases)} cases were open at the end of the period, held by "
             f"{_n(f.investigators)} investigators{load}; "
             f"{_n(f.unassigned_open_cases)} had no investigator."]
    if f.median_age_days is not None:
        facts.append(f"Median age of open cases: {_n(f.median_age_days)} days.")
    return facts, [_chart("chart-capacity", "Open cases by age",
                          list(f.age_bands.items()), "Open cases", highlight=[3])]


def _gaps(f: GapFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    if not f.gaps:
        return ["No intelligence gaps were found in the data supplied."], []
    count = f"{len(f.gaps)} gap{'s' if len(f.gaps) != 1 else ''}"
    return ([f"{count} limit{'s' if len(f.gaps) == 1 else ''} what this assessment can show."],
            [Table(caption="Intelligence gaps", headers=["Area", "Detail", "Consequence"],
                   rows=[[g.area, g.detail, g.consequence] for g in f.gaps],
                   numeric=[False, False, False])])


def _risk(f: RiskMatrixFigures, year: int) -> tuple[list[str], list[ChartBlock | Table]]:
    high = [r.label for r in f.rows if r.priority == f.bands[0][1]]
    facts = [
        "Score = harm x likelihood x organisational position. Scales: harm 1-"
        f"{len(f.harm_scale)} ({', '.join(f.harm_scale)}); likelihood 1-{len(f.likelihood_scale)} "
        f"({', '.join(f.likelihood_scale)}); organisational position 1-{len(f.position_scale)} "
        f"({', '.join(f.position_scale)}). Priority bands: "
        + ", ".join(f"{p} from {s}" for s, p in f.bands) + ".",
        (f"{f.bands[0][1]} priority: " + "; ".join(high) + ".") if high
        else f"No threat reaches {f.bands[0][1]} priority.",
        "The matrix orders the analyst's attention; it decides nothing about any person.",
    ]
    table = Table(
        caption=f"Risk matrix per threat, {year}",
        headers=["Threat", "Harm", "Likelihood", "Position", "Score", "Priority", "Likelihood basis"],
        rows=[[r.label, f"{r.harm} {f.harm_scale[r.harm - 1]}",
               f"{r.likelihood} {f.likelihood_scale[r.likelihood - 1]}",
               f"{r.organisational_position} {f.position_scale[r.organisational_position - 1]}",
               str(r.score), r.priority, r.basis] for r in f.rows],
        numeric=[False, False, False, False, True, False, False],
    )
    grid = _risk_grid(f, year)
    chart = _chart("chart-risk", f"Risk score per threat, {year}",
                   [(r.label, r.score) for r in f.rows], "Score",
                   highlight=[i for i, r in enumerate(f.rows) if r.priority == f.bands[0][1]])
    return facts, [grid, chart, table]


def _risk_grid(f: RiskMatrixFigures, year: int) -> Table:
    """The matrix itself: likelihood down, harm across, each threat in its cell; the cell's
    shade is the priority of harm x likelihood at the median organisational position."""
    positions = sorted(r.organisational_position for r in f.rows)
    position = positions[len(positions) // 2] if positions else 1
    rows: list[list[str]] = []
    classes: list[list[str]] = []
    for likelihood in range(len(f.likelihood_scale), 0, -1):
        row = [f"{likelihood} {f.likelihood_scale[likelihood - 1]}"]
        shade = [""]
        for harm in range(1, len(f.harm_scale) + 1):
            threats = [r.label for r in f.rows if r.harm == harm and r.likelihood == likelihood]
            row.append("; ".join(threats))
            score = harm * likelihood * position
            priority = next((p for minimum, p in f.bands if score >= minimum), f.bands[-1][1])
            shade.append(f"risk-cell risk-{priority.lower().replace(' ', '-')}")
        rows.append(row)
        classes.append(shade)
    return Table(
        caption=(f"Risk matrix, {year}: likelihood (rows) by harm (columns); shading at "
                 f"organisational position {position}"),
        headers=["Likelihood \\ harm", *(f"{i} {h}" for i, h in enumerate(f.harm_scale, 1))],
        rows=rows, numeric=[False] * (len(f.harm_scale) + 1), cell_classes=classes)


_BUILDERS: dict[str, tuple[str, Callable[[Any, int], tuple[list[str], list[ChartBlock | Table]]]]] = {
    "volumes": ("volumes", _volumes),
    "sources": ("sources", _sources),
    "subjects": ("subjects", _subjects),
    "victims": ("victims", _victims),
    "referrals": ("referrals", _referrals),
    "outcomes": ("outcomes", _outcomes),
    "vetting": ("vetting", _vetting),
    "ict": ("ict", _ict),
    "apps": ("apps", _apps),
    "partners": ("partners", _partners),
    "capacity": ("capacity", _capacity),
    "gaps": ("gaps", _gaps),
    "risk": ("risk", _risk),
}


def build_document(figures: AssessmentFigures, *, marking: str = DEFAULT_MARKING) -> DocumentView:
    sections: list[SectionView] = []
    for number, (key, title) in enumerate(SECTION_TITLES.items(), start=1):
        section = SectionView(number=number, key=key, title=title,
                              judgement=figures.judgements.get(key),
                              judgement_only=key in JUDGEMENT_SECTIONS,
                              note=figures.section_notes.get(key))
        if key in _BUILDERS:
            attr, builder = _BUILDERS[key]
            value = getattr(figures, attr)
            if isinstance(value, NoData):
                section.no_data = value.reason
            else:
                section.facts, section.blocks = builder(value, figures.year)
        sections.append(section)
    prefix = {"region": "Regional c", "national": "National c"}.get(figures.level, "C")
    return DocumentView(
        title=f"{prefix}ounter-corruption strategic threat assessment {figures.year}",
        forces=list(figures.forces),
        force_name=figures.force_name, force_code=figures.force_code, year=figures.year,
        marking=marking, generated_at=figures.generated_at,
        sources_used=list(figures.sources_used), sections=sections,
    )
