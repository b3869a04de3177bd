"""Figures counted from a Force Extract: the workforce, ICT monitoring coverage, data gaps.

The extract is read through probity.extract.open_extract (validated first); this module only
needs its DuckDB connection, with one view per table present, and the manifest. Timestamps are
compared as UTC whatever their stored type; nothing here fetches a personal value, only counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from probity.extract.schema import OPTIONAL_TABLES, STAFF_TYPES, TABLES
from probity.reports.figures import DeviceCoverage, Gap, IctCoverageFigures, SystemCoverage
from probity.reports.taxonomy import label

__all__ = ["ExtractView", "audit_summary", "extract_view", "workforce_by_staff_type", "ict_coverage", "extract_gaps"]

SYSTEMS: tuple[str, ...] = TABLES["audit_events"].column_map["system"].enum
DEVICE_KINDS: tuple[str, ...] = TABLES["devices"].column_map["kind"].enum
# The tables that show how far ICT use is monitored (the rest are needed by other sections).
MONITORING_TABLES: tuple[str, ...] = ("audit_events", "shifts", "devices", "device_apps", "comms")


@dataclass(frozen=True)
class ExtractView:
    con: Any  # duckdb.DuckDBPyConnection with one view per table present
    tables: frozenset[str]
    force_code: str
    force_name: str
    period_start: dt.date
    period_end: dt.date
    path: Path


def extract_view(*, extract: Any) -> ExtractView:
    """Wrap an opened probity.extract.Extract: its connection, tables and manifest."""
    return ExtractView(
        con=extract.con,
        tables=frozenset(t for t in TABLES if extract.has(t)),
        force_code=str(extract.force_code),
        force_name=str(extract.force_name or extract.force_code),
        period_start=extract.period_start,
        period_end=extract.period_end,
        path=Path(extract.path),
    )


def _year_bounds(year: int) -> tuple[str, str]:
    return (f"TIMESTAMP '{year:04d}-01-01 00:00:00'", f"TIMESTAMP '{year + 1:04d}-01-01 00:00:00'")


def _ts(view: ExtractView, table: str, column: str) -> str:
    """The column as a naive UTC TIMESTAMP, with the cheapest expression for its stored type
    (the reader gives naive UTC timestamps; Parquet may hold zoned ones; text is parsed)."""
    kinds = {str(name): str(kind) for name, kind, *_ in
             view.con.execute(f'DESCRIBE "{table}"').fetchall()}
    kind = kinds.get(column, "VARCHAR").upper()
    if kind == "TIMESTAMP" or kind.startswith("TIMESTAMP_") or kind == "DATE":
        return f'CAST("{column}" AS TIMESTAMP)'
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f"(\"{column}\" AT TIME ZONE 'UTC')"
    return f"(TRY_CAST(\"{column}\" AS TIMESTAMPTZ) AT TIME ZONE 'UTC')"


@dataclass(frozen=True)
class _AuditSummary:
    by_system: dict[str, tuple[int, int, int]]  # system -> (events, distinct staff, months)
    staff: int  # distinct staff with any event
    months: frozenset[str]  # "YYYY-MM" with any event


def audit_summary(*, view: ExtractView, year: int) -> _AuditSummary:
    """Audit events of the year, summarised in one pass (shared by coverage and gaps)."""
    lo, hi = _year_bounds(year)
    ts = _ts(view, "audit_events", "ts")
    where = f"WHERE {ts} >= {lo} AND {ts} < {hi}"
    rows = view.con.execute(
        f"""WITH g AS (SELECT system, strftime({ts}, '%Y-%m') AS month, staff_id, count(*) AS n
                       FROM audit_events {where} GROUP BY ALL)
            SELECT system, sum(n), count(DISTINCT staff_id), list(DISTINCT month)
            FROM g GROUP BY GROUPING SETS ((system), ())"""
    ).fetchall()
    by_system = {str(system): (int(n), int(staff), len(months))
                 for system, n, staff, months in rows if system is not None}
    total = next(((int(staff), frozenset(str(m) for m in months))
                  for system, _, staff, months in rows if system is None), (0, frozenset()))
    summary = _AuditSummary(by_system=by_system, staff=total[0], months=total[1])
    return summary


def _date(column: str) -> str:
    return f'TRY_CAST("{column}" AS DATE)'


def _serving_clause(year: int) -> str:
    return (f"{_date('start_date')} <= DATE '{year:04d}-12-31' AND "
            f"({_date('end_date')} IS NULL OR {_date('end_date')} >= DATE '{year:04d}-01-01')")


def workforce_by_staff_type(*, view: ExtractView, year: int) -> dict[str, int]:
    """People serving at any time in the year, by staff type (every contract type listed)."""
    rows = view.con.execute(
        f"SELECT staff_type, count(*) FROM staff WHERE {_serving_clause(year)} GROUP BY 1"
    ).fetchall()
    counts = {t: 0 for t in STAFF_TYPES}
    for staff_type, n in rows:
        counts[str(staff_type)] = int(n)
    return counts


def ict_coverage(*, view: ExtractView, year: int,
                 summary: _AuditSummary | None = None) -> IctCoverageFigures:
    """Which systems and devices the extract shows monitored during the year."""
    lo, hi = _year_bounds(year)
    con = view.con
    workforce = int(con.execute(
        f"SELECT count(*) FROM staff WHERE {_serving_clause(year)}").fetchone()[0])
    summary = summary or audit_summary(view=view, year=year)
    by_system = summary.by_system
    staff_with_events = summary.staff
    systems = tuple(
        SystemCoverage(system=s, events=by_system.get(s, (0, 0, 0))[0],
                       staff=by_system.get(s, (0, 0, 0))[1], months=by_system.get(s, (0, 0, 0))[2])
        for s in SYSTEMS
    )
    devices: tuple[DeviceCoverage, ...] | None = None
    if "devices" in view.tables:
        none = "SELECT NULL::VARCHAR AS device_id WHERE false"
        comms_ts = _ts(view, "comms", "ts") if "comms" in view.tables else ""
        comms_sub = (
            f"SELECT DISTINCT device_id FROM comms WHERE {comms_ts} >= {lo} AND {comms_ts} < {hi}"
            if "comms" in view.tables else none
        )
        apps_sub = "SELECT DISTINCT device_id FROM device_apps" if "device_apps" in view.tables else none
        rows = {
            str(kind): (int(n), int(issued), int(with_comms), int(with_apps))
            for kind, n, issued, with_comms, with_apps in con.execute(
                f"""SELECT d.kind, count(*), count(d.staff_id), count(c.device_id),
                           count(a.device_id)
                    FROM devices d
                    LEFT JOIN ({comms_sub}) c ON c.device_id = d.device_id
                    LEFT JOIN ({apps_sub}) a ON a.device_id = d.device_id
                    GROUP BY 1"""
            ).fetchall()
        }
        devices = tuple(
            DeviceCoverage(kind=k, devices=rows[k][0], issued=rows[k][1], with_comms=rows[k][2],
                           with_app_inventory=rows[k][3])
            for k in DEVICE_KINDS if k in rows
        )
    return IctCoverageFigures(
        workforce=workforce,
        staff_with_events=staff_with_events,
        systems=systems,
        devices=devices,
        tables_present={t: t in view.tables for t in MONITORING_TABLES},
    )


def extract_gaps(*, view: ExtractView, year: int,
                 summary: _AuditSummary | None = None) -> list[Gap]:
    """What the extract cannot show for the year: tables, systems, months, devices."""
    gaps: list[Gap] = []
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if view.period_start > first or view.period_end < last:
        gaps.append(Gap(
            area="Extract period",
            detail=(f"the extract covers {view.period_start.isoformat()} to "
                    f"{view.period_end.isoformat()}, not the whole of {year}"),
            consequence="figures drawn from the extract understate the year",
        ))
    for name in OPTIONAL_TABLES:
        if name not in view.tables:
            gaps.append(Gap(
                area=f"Table {name} absent",
                detail=f"the force did not supply {name}",
                consequence=f"no {TABLES[name].purpose}",
            ))
    summary = summary or audit_summary(view=view, year=year)
    seen = set(summary.by_system)
    for system in SYSTEMS:
        if system not in seen and system != "other":
            gaps.append(Gap(
                area=f"System {label(system)} not monitored",
                detail=f"no audit events from {label(system)} in {year}",
                consequence="look-ups on this system cannot be reviewed or scanned",
            ))
    months = summary.months
    in_period = [
        f"{year:04d}-{m:02d}" for m in range(1, 13)
        if dt.date(year, m, 1) <= view.period_end
        and (dt.date(year + 1, 1, 1) if m == 12 else dt.date(year, m + 1, 1)) > view.period_start
    ]
    missing = [m for m in in_period if m not in months]
    if missing:
        gaps.append(Gap(
            area="Months without audit events",
            detail=", ".join(missing),
            consequence="a break in the audit feed: look-ups in those months are unseen",
        ))
    if "devices" in view.tables and "device_apps" in view.tables:
        (without,) = view.con.execute(
            "SELECT count(*) FROM devices WHERE kind IN ('phone', 'tablet') AND device_id NOT IN "
            "(SELECT DISTINCT device_id FROM device_apps)").fetchone()
        if int(without):
            gaps.append(Gap(
                area="Mobile devices without app inventory",
                detail=f"{int(without)} force phones or tablets report no apps to device management",
                consequence="encrypted or ephemeral messaging apps on them cannot be found",
            ))
    return gaps


def subject_attributes(*, view: ExtractView, staff_ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """staff_id -> (staff type, rank, unit function) for the subjects of reports.

    Units are grouped by function (contract enum), not by name, so that the assessment shows
    patterns rather than small groups that would point at individuals.
    """
    if not staff_ids:
        return {}
    rows = view.con.execute(
        """SELECT s.staff_id, s.staff_type, coalesce(nullif(trim(s.rank), ''), 'Not recorded'),
                  coalesce(u.function, 'other')
           FROM staff s LEFT JOIN units u ON u.unit_id = s.unit_id
           WHERE s.staff_id IN (SELECT unnest(?::VARCHAR[]))""",
        [staff_ids],
    ).fetchall()
    return {str(sid): (str(t), str(rank), str(function)) for sid, t, rank, function in rows}
