"""The scan's DuckDB engine: indicators as SQL over one pass of audit_events.

Every indicator is computed in DuckDB; Python only assembles SQL and handles per-staff
results. Intermediate results live in temporary tables prefixed `_scan_`. The audit events
are read once (`_scan_ev`); everything else joins small tables (links, vulnerability, shifts,
peer groups) to that one materialised selection.

Evidence is in nats (natural-log likelihood units): each hit carries the information of the
feature it shows, measured against the staff member's peer group (a feature that is common
among peers carries little), times a transparent weight from `ScanParams`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

from probity.analytics.internals.apps_catalogue import load_catalogue
from probity.analytics.internals.params import (
    ASSOCIATION_ROLES,
    COMPLAINT_CATEGORIES_OF_CONCERN,
    HIGH_RISK_FLAGS,
    IN_CHARGE_ROLES,
    PROTECTIVE_CATEGORIES,
    ScanParams,
)
from probity.errors import ProbityError

__all__ = ["ExtractLike", "Skipped", "EngineOutput", "run_engine", "INDICATORS",
           "EVIDENCE_COLUMNS"]

EVIDENCE_COLUMNS = ["staff_id", "indicator", "nominal_id", "incident_id", "first_ts", "last_ts",
                    "count", "weight", "detail"]

# indicator -> (label, scope). Pair indicators add up per person of concern; staff indicators
# add to the staff member's total directly.
INDICATORS: dict[str, tuple[str, str]] = {
    "unlinked_lookup": ("look-ups of vulnerable people with no operational link", "pair"),
    "post_link_lookup": ("look-ups of people met through work after the assignment or case ended",
                         "pair"),
    "off_duty_lookup": ("unexplained look-ups outside rostered duty", "pair"),
    "concentration": ("repeated look-ups of the same person on several days", "pair"),
    "comms_to_victim": ("calls or texts from a force device to a victim's number outside a case "
                        "role", "pair"),
    "trawling": ("many distinct vulnerable or young people looked up with no link, far above "
                 "peers", "staff"),
    "encrypted_app": ("encrypted or ephemeral messaging app on a force device", "staff"),
    "complaint_history": ("sexual conduct or abuse of position complaints", "staff"),
    "undeclared_association": ("matched to a person record as suspect or associate with no "
                               "declaration", "staff"),
}


class ExtractLike(Protocol):
    """What the scan needs of `probity.extract.Extract`."""

    con: duckdb.DuckDBPyConnection

    def has(self, table: str) -> bool: ...

    def has_column(self, table: str, column: str) -> bool: ...


@dataclass(frozen=True)
class Skipped:
    indicator: str
    reason: str


@dataclass
class EngineOutput:
    evidence: pd.DataFrame  # EVIDENCE_COLUMNS + scope
    staff: pd.DataFrame  # staff_id, unit_function, staff_type, peer_group
    features: pd.DataFrame  # per-staff numeric features (baselines use the same ones)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # (staff_id, nominal_id) of complainants in complaints of concern: possible victims
    complainants: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["staff_id", "nominal_id"]))


def _ts(value: datetime) -> str:
    return f"TIMESTAMP '{value.strftime('%Y-%m-%d %H:%M:%S')}'"


def _days(days: float) -> str:
    return f"INTERVAL '{int(round(days * 86400))} seconds'"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


class _Sql:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def run(self, sql: str, params: list[Any] | None = None) -> None:
        self.con.execute(sql, params or [])

    def df(self, sql: str) -> pd.DataFrame:
        return self.con.execute(sql).df()


def run_engine(extract: ExtractLike, *, as_of: datetime, since: datetime | None,
               params: ScanParams, links_path: Path | None = None) -> EngineOutput:
    """Compute every indicator the extract allows; returns evidence rows and features."""
    con = extract.con
    sql = _Sql(con)
    sql.run("SET TimeZone = 'UTC'")
    p = params
    skipped: list[Skipped] = []
    notes: list[str] = []
    as_of_sql = _ts(as_of)
    window = f"AND ts <= {as_of_sql}" + (f" AND ts >= {_ts(since)}" if since else "")
    has_shifts = extract.has("shifts")
    if not has_shifts:
        skipped.append(Skipped("off_duty_lookup", "table shifts is missing: no rostered duty to "
                               "compare with (comms are then judged by case role only)"))

    # ---- staff and peer groups -------------------------------------------------------------
    k = int(p.min_peer_group)
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_staff AS
        WITH s AS (
            SELECT s.staff_id, s.staff_type, coalesce(u.function, 'other') AS unit_function
            FROM staff s LEFT JOIN units u ON u.unit_id = s.unit_id
        ), c AS (
            SELECT *, count(*) OVER (PARTITION BY unit_function, staff_type) AS n_ft,
                      count(*) OVER (PARTITION BY unit_function) AS n_f
            FROM s
        )
        SELECT staff_id, staff_type, unit_function,
            CASE WHEN n_ft >= {k} THEN unit_function || '/' || staff_type
                 WHEN n_f >= {k} THEN unit_function || '/any'
                 ELSE 'force' END AS peer_group
        FROM c
    """)

    # ---- vulnerability of person records ---------------------------------------------------
    flags_cte = ("SELECT NULL::VARCHAR AS nominal_id, 0.0 AS v, NULL::VARCHAR AS flags "
                 "WHERE false")
    if extract.has("nominal_flags"):
        flags_cte = f"""
            SELECT nominal_id,
                   max(CASE WHEN flag IN {_in(HIGH_RISK_FLAGS)} THEN 1.0
                            ELSE {p.other_flag_weight} END) AS v,
                   string_agg(DISTINCT flag, ';' ORDER BY flag) AS flags
            FROM nominal_flags GROUP BY nominal_id"""
    else:
        notes.append("nominal_flags is missing: vulnerability comes from victim roles and age only")
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_vuln AS
        WITH f AS ({flags_cte}),
        r AS (
            SELECT inn.nominal_id,
                   max(CASE WHEN i.category IN {_in(PROTECTIVE_CATEGORIES)} THEN 1.0
                            ELSE {p.other_victim_weight} END) AS v,
                   string_agg(DISTINCT i.category, ';' ORDER BY i.category) AS cats
            FROM incident_nominals inn JOIN incidents i ON i.incident_id = inn.incident_id
            WHERE inn.role = 'victim' GROUP BY inn.nominal_id
        ), n AS (
            SELECT nominal_id, coalesce(gender = 'female', false) AS female,
                   date_diff('day', date_of_birth, CAST({as_of_sql} AS DATE)) / 365.25 AS age
            FROM nominals
        ), v AS (
            SELECT n.nominal_id, n.female, n.age, f.flags, r.cats,
                   least(1.0, greatest(coalesce(f.v, 0), coalesce(r.v, 0),
                         CASE WHEN n.age < 18 THEN 1.0
                              WHEN n.age < 25 THEN {p.young_adult_weight} ELSE 0 END))
                       AS v_core
            FROM n LEFT JOIN f ON f.nominal_id = n.nominal_id
                   LEFT JOIN r ON r.nominal_id = n.nominal_id
        )
        SELECT nominal_id, female, age, flags, cats, v_core,
               least(1.0, greatest(v_core, CASE WHEN female THEN {p.female_weight} ELSE 0 END)
                     + CASE WHEN female AND v_core > 0 THEN 0.1 ELSE 0 END) AS target,
               concat_ws(', ', flags, CASE WHEN cats IS NOT NULL THEN 'victim: ' || cats END,
                         CASE WHEN age < 18 THEN 'child' WHEN age < 25 THEN 'young adult' END,
                         CASE WHEN female THEN 'female' END) AS why
        FROM v
    """)
    vw = f"({p.vulnerability_floor} + {1 - p.vulnerability_floor} * coalesce(v.target, 0))"

    # ---- operational links (assignment to an incident involving the person) ----------------
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_link AS
        SELECT a.staff_id, inn.nominal_id,
               min(a.start) AS link_start,
               max(coalesce(a."end", i.closed_at, {as_of_sql})) AS link_end,
               max(coalesce(i.closed_at, {as_of_sql})) AS case_close,
               bool_or(a.role IN {_in(IN_CHARGE_ROLES)}) AS in_charge,
               string_agg(DISTINCT a.role, ';' ORDER BY a.role) AS assignment_roles,
               arg_max(a.incident_id, a.start) AS incident_id
        FROM assignments a
        JOIN incident_nominals inn ON inn.incident_id = a.incident_id
        JOIN incidents i ON i.incident_id = a.incident_id
        WHERE a.start <= {as_of_sql}
        GROUP BY a.staff_id, inn.nominal_id
    """)

    # ---- the one pass over audit_events ----------------------------------------------------
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_ev AS
        SELECT staff_id, object_type = 'incident' AS via_incident, object_id, ts
        FROM audit_events
        WHERE object_type IN ('nominal', 'incident') AND object_id IS NOT NULL {window}
    """)
    duty = ("(sh.\"end\" IS NOT NULL AND e.ts <= sh.\"end\")" if has_shifts else "TRUE")
    shifts_join = ("ASOF LEFT JOIN shifts sh ON e.staff_id = sh.staff_id AND e.ts >= sh.start"
                   if has_shifts else "")
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_lk AS
        WITH e AS (
            SELECT staff_id, object_id AS nominal_id, ts, 1.0 AS w
            FROM _scan_ev WHERE NOT via_incident
            UNION ALL
            SELECT e.staff_id, inn.nominal_id, e.ts, {p.incident_lookup_weight} AS w
            FROM _scan_ev e
            JOIN incident_nominals inn ON inn.incident_id = e.object_id AND inn.role = 'victim'
            WHERE e.via_incident
        )
        SELECT e.staff_id, e.nominal_id, e.ts, e.w, {duty} AS on_duty
        FROM e {shifts_join}
    """)
    explained_lookup = _classify("e", "l", p)
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_pair AS
        WITH c AS (
            SELECT e.staff_id, e.nominal_id, e.ts, e.w, e.on_duty, {explained_lookup} AS cls
            FROM _scan_lk e
            LEFT JOIN _scan_link l ON l.staff_id = e.staff_id AND l.nominal_id = e.nominal_id
        )
        SELECT staff_id, nominal_id,
            sum(w) AS n_all,
            coalesce(sum(w) FILTER (WHERE NOT on_duty), 0) AS n_off_all,
            coalesce(sum(w) FILTER (WHERE cls = 'unlinked'), 0) AS n_unlinked,
            coalesce(sum(w) FILTER (WHERE cls = 'post_link'), 0) AS n_post,
            coalesce(sum(w) FILTER (WHERE cls <> 'unlinked'), 0) AS n_linked_pair,
            coalesce(sum(w) FILTER (WHERE cls IN ('unlinked', 'post_link')), 0) AS n_unexpl,
            coalesce(sum(w) FILTER (WHERE cls IN ('unlinked', 'post_link') AND NOT on_duty), 0)
                AS n_off_unexpl,
            count(DISTINCT CAST(ts AS DATE)) FILTER (WHERE cls IN ('unlinked', 'post_link'))
                AS days_unexpl,
            min(ts) FILTER (WHERE cls IN ('unlinked', 'post_link')) AS first_unexpl,
            max(ts) FILTER (WHERE cls IN ('unlinked', 'post_link')) AS last_unexpl
        FROM c GROUP BY staff_id, nominal_id
    """)

    # ---- peer rates (leave-one-out, shrunk to the force rate) ------------------------------
    t = p.target_threshold
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_staff_counts AS
        SELECT s.staff_id, s.peer_group,
            coalesce(sum(pr.n_all) FILTER (WHERE v.target >= {t}), 0) AS tgt_all,
            coalesce(sum(pr.n_unlinked) FILTER (WHERE v.target >= {t}), 0) AS tgt_unlinked,
            coalesce(sum(pr.n_linked_pair) FILTER (WHERE v.target >= {t}), 0) AS tgt_linked,
            coalesce(sum(pr.n_post) FILTER (WHERE v.target >= {t}), 0) AS tgt_post,
            coalesce(sum(pr.n_all), 0) AS all_lookups,
            coalesce(sum(pr.n_off_all), 0) AS off_lookups,
            coalesce(count(*) FILTER (WHERE pr.n_unexpl > 0), 0) AS unexpl_pairs,
            coalesce(count(*) FILTER (WHERE pr.days_unexpl >= 2), 0) AS repeat_pairs,
            coalesce(sum(v.target) FILTER (WHERE pr.n_unlinked > 0), 0) AS unlinked_targets,
            coalesce(count(*) FILTER (WHERE pr.n_unlinked > 0 AND v.target >= {t}), 0)
                AS unlinked_target_people
        FROM _scan_staff s
        LEFT JOIN _scan_pair pr ON pr.staff_id = s.staff_id
        LEFT JOIN _scan_vuln v ON v.nominal_id = pr.nominal_id
        GROUP BY s.staff_id, s.peer_group
    """)
    m = p.prior_strength
    cap = p.max_information
    q = p.apsp_feature_rate
    rates = [("unl", "tgt_unlinked", "tgt_all"), ("post", "tgt_post", "tgt_linked"),
             ("off", "off_lookups", "all_lookups"), ("rep", "repeat_pairs", "unexpl_pairs")]
    force_cols = ", ".join(
        f"(sum({k_}) + 1.0) / (sum({n_}) + 2.0) AS f_{name}" for name, k_, n_ in rates)
    group_cols = ", ".join(f"sum({k_}) OVER g AS g_{name}_k, sum({n_}) OVER g AS g_{name}_n"
                           for name, k_, n_ in rates)
    info_cols = ", ".join(
        f"greatest(0.0, least({cap}, ln({q} / greatest(1e-9, (g_{name}_k - {k_} + {m} * f.f_{name}) / "
        f"(g_{name}_n - {n_} + {m}))))) AS info_{name}" for name, k_, n_ in rates)
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_info AS
        WITH f AS (SELECT {force_cols} FROM _scan_staff_counts),
        g AS (SELECT *, {group_cols} FROM _scan_staff_counts
              WINDOW g AS (PARTITION BY peer_group))
        SELECT g.*, {info_cols},
            ln(1 + g.unlinked_targets) AS trawl_x
        FROM g, f
    """)
    sql.run("""
        CREATE OR REPLACE TEMP TABLE _scan_trawl AS
        WITH s AS (
            SELECT peer_group, median(trawl_x) AS med, mad(trawl_x) AS mad
            FROM _scan_info GROUP BY peer_group
        )
        SELECT i.staff_id, i.unlinked_targets, i.unlinked_target_people, i.peer_group,
               (i.trawl_x - s.med) / greatest(1.4826 * s.mad, 0.5) AS z
        FROM _scan_info i JOIN s ON s.peer_group = i.peer_group
    """)

    # ---- evidence: look-up indicators (per person of concern) ------------------------------
    ev_parts: list[str] = []
    common = """
        FROM _scan_pair pr
        JOIN _scan_info inf ON inf.staff_id = pr.staff_id
        LEFT JOIN _scan_vuln v ON v.nominal_id = pr.nominal_id
        LEFT JOIN _scan_link l ON l.staff_id = pr.staff_id AND l.nominal_id = pr.nominal_id"""
    ev_parts.append(f"""
        SELECT pr.staff_id, 'unlinked_lookup' AS indicator, pr.nominal_id,
            NULL::VARCHAR AS incident_id, pr.first_unexpl AS first_ts, pr.last_unexpl AS last_ts,
            pr.n_unlinked AS count,
            {p.w_unlinked} * {vw} * inf.info_unl AS weight,
            'no assignment to any incident involving this person'
              || coalesce('; ' || nullif(v.why, ''), '') AS detail
        {common}
        WHERE pr.n_unlinked > 0 AND v.target > 0""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'post_link_lookup', pr.nominal_id, l.incident_id,
            pr.first_unexpl, pr.last_unexpl, pr.n_post,
            {p.w_post_link} * {vw} * inf.info_post,
            'met through work as ' || l.assignment_roles || '; link ended '
              || strftime(l.link_end, '%Y-%m-%d')
              || coalesce('; ' || nullif(v.why, ''), '')
        {common}
        WHERE pr.n_post > 0""")
    if has_shifts:
        ev_parts.append(f"""
            SELECT pr.staff_id, 'off_duty_lookup', pr.nominal_id, l.incident_id,
                pr.first_unexpl, pr.last_unexpl, pr.n_off_unexpl,
                {p.w_off_duty} * {vw} * inf.info_off * (1 + ln(pr.n_off_unexpl)),
                printf('%d of %d unexplained look-ups outside rostered duty',
                       CAST(round(pr.n_off_unexpl) AS BIGINT), CAST(round(pr.n_unexpl) AS BIGINT))
            {common}
            WHERE pr.n_off_unexpl >= 1""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'concentration', pr.nominal_id, l.incident_id,
            pr.first_unexpl, pr.last_unexpl, pr.days_unexpl,
            {p.w_repeat} * {vw} * inf.info_rep * (1 + ln(pr.days_unexpl - 1)),
            printf('looked up on %d different days without an operational reason',
                   pr.days_unexpl)
        {common}
        WHERE pr.days_unexpl >= 2""")

    # ---- comms to victims' numbers ---------------------------------------------------------
    comms_ok = (extract.has("comms") and extract.has("devices")
                and extract.has_column("nominals", "phone"))
    if not comms_ok:
        missing = [t_ for t_ in ("comms", "devices") if not extract.has(t_)]
        why = (f"table {' and '.join(missing)} missing" if missing
               else "nominals.phone is absent")
        skipped.append(Skipped("comms_to_victim", f"{why}: no call or text records to match"))
    else:
        _comms(sql, extract, p, as_of_sql, since, has_shifts)
        ev_parts.append(f"""
            SELECT c.staff_id, 'comms_to_victim', c.nominal_id, l.incident_id,
                c.first_ts, c.last_ts, c.n_all,
                CASE WHEN c.n > 0
                     THEN {p.w_comms} * {vw} * {p.comms_information} * (1 + ln(greatest(c.n, 1)))
                     ELSE 0 END
                  + CASE WHEN c.n_off >= 1
                         THEN {p.w_comms_off_duty} * {vw} * inf.info_off * (1 + ln(c.n_off))
                         ELSE 0 END,
                printf('%d calls/texts (%d off duty, %d outgoing) not explained by an '
                       'on-duty case role', c.n_all, c.n_off, c.n_out)
                  || coalesce('; ' || nullif(v.why, ''), '')
            FROM _scan_comms_pair c
            JOIN _scan_info inf ON inf.staff_id = c.staff_id
            LEFT JOIN _scan_vuln v ON v.nominal_id = c.nominal_id
            LEFT JOIN _scan_link l ON l.staff_id = c.staff_id AND l.nominal_id = c.nominal_id""")

    # ---- staff-level indicators ------------------------------------------------------------
    ev_parts.append(f"""
        SELECT staff_id, 'trawling', NULL, NULL, NULL::TIMESTAMP, NULL::TIMESTAMP,
            unlinked_target_people,
            {p.w_trawl} * ln(1 + (z - {p.trawl_z_offset})),
            printf('%d distinct vulnerable or young people looked up with no link; %.1f robust '
                   'deviations above peers (%s)', unlinked_target_people, z, peer_group)
        FROM _scan_trawl WHERE z > {p.trawl_z_offset}""")

    if extract.has("device_apps") and extract.has("devices"):
        _apps(sql, p, as_of_sql)
        ev_parts.append("""
            SELECT staff_id, 'encrypted_app', NULL, NULL, first_seen::TIMESTAMP,
                   last_seen::TIMESTAMP, 1, weight, detail
            FROM _scan_apps""")
    else:
        missing = [t_ for t_ in ("device_apps", "devices") if not extract.has(t_)]
        skipped.append(Skipped("encrypted_app", f"table {' and '.join(missing)} missing"))

    if extract.has("complaints"):
        has_complainant = extract.has_column("complaints", "complainant_nominal_id")
        complainant = ("coalesce(complainant_nominal_id, complaint_id)" if has_complainant
                       else "complaint_id")
        sql.run(f"""
            CREATE OR REPLACE TEMP TABLE _scan_complaints AS
            SELECT staff_id, count(DISTINCT {complainant}) AS k, count(*) AS n,
                min(received_on) AS first_on, max(received_on) AS last_on,
                string_agg(DISTINCT category || ':' || coalesce(outcome, 'unknown'), ';')
                    AS what,
                {"list(DISTINCT complainant_nominal_id) FILTER (WHERE complainant_nominal_id IS NOT NULL)" if has_complainant else "[]::VARCHAR[]"}
                    AS complainants
            FROM complaints
            WHERE category IN {_in(COMPLAINT_CATEGORIES_OF_CONCERN)}
              AND received_on <= CAST({as_of_sql} AS DATE)
            GROUP BY staff_id
        """)
        ev_parts.append(f"""
            SELECT staff_id, 'complaint_history', NULL, NULL, first_on::TIMESTAMP,
                last_on::TIMESTAMP, n, {p.w_complaints} * (1 + ln(k)),
                printf('%d complaint(s) from %d different complainant(s): %s', n, k, what)
                  || CASE WHEN len(complainants) > 0
                          THEN '; complainants ' || array_to_string(complainants, ';') ELSE '' END
            FROM _scan_complaints""")
    else:
        skipped.append(Skipped("complaint_history", "table complaints missing"))

    assoc = _association(sql, extract, p, links_path)
    if assoc is None:
        skipped.append(Skipped("undeclared_association",
                               "no links file and no dates of birth to match staff to person "
                               "records exactly"))
    else:
        notes.append(assoc)
        ev_parts.append("""
            SELECT staff_id, 'undeclared_association', nominal_id, incident_id,
                NULL::TIMESTAMP, NULL::TIMESTAMP, 1, weight, detail
            FROM _scan_assoc""")

    union = "\nUNION ALL\n".join(f"({part})" for part in ev_parts)
    evidence = sql.df(f"""
        SELECT staff_id, indicator, nominal_id, incident_id,
               CAST(first_ts AS TIMESTAMP) AS first_ts, CAST(last_ts AS TIMESTAMP) AS last_ts,
               CAST(count AS DOUBLE) AS count, CAST(weight AS DOUBLE) AS weight, detail
        FROM ({union}) WHERE weight > 0
    """)
    evidence["scope"] = evidence["indicator"].map(lambda i: INDICATORS[i][1])
    staff = sql.df("SELECT staff_id, unit_function, staff_type, peer_group FROM _scan_staff")
    features = sql.df("""
        SELECT i.staff_id, i.all_lookups, i.off_lookups, i.tgt_all, i.tgt_unlinked, i.tgt_post,
               i.unexpl_pairs, i.repeat_pairs, i.unlinked_targets, i.unlinked_target_people
        FROM _scan_info i
    """)
    if comms_ok:
        cf = sql.df("""SELECT staff_id, sum(n) AS comms_unexplained, sum(n_off) AS comms_off
                       FROM _scan_comms_pair GROUP BY staff_id""")
        features = features.merge(cf, on="staff_id", how="left")
    unlinked_flagged = sql.df("""
        SELECT pr.staff_id, sum(pr.n_unlinked) AS unlinked_flagged_views
        FROM _scan_pair pr JOIN _scan_vuln v ON v.nominal_id = pr.nominal_id
        WHERE v.flags IS NOT NULL OR v.cats IS NOT NULL
        GROUP BY pr.staff_id""")
    features = features.merge(unlinked_flagged, on="staff_id", how="left").fillna(0.0)
    out = EngineOutput(evidence=evidence, staff=staff, features=features, skipped=skipped,
                       notes=notes)
    if extract.has("complaints") and extract.has_column("complaints", "complainant_nominal_id"):
        out.complainants = sql.df(f"""
            SELECT DISTINCT staff_id, complainant_nominal_id AS nominal_id FROM complaints
            WHERE category IN {_in(COMPLAINT_CATEGORIES_OF_CONCERN)}
              AND complainant_nominal_id IS NOT NULL
              AND received_on <= CAST({as_of_sql} AS DATE)""")
    return out


def _classify(e: str, link: str, p: ScanParams) -> str:
    """SQL CASE that explains (or not) one look-up or contact by the operational link."""
    return f"""CASE
        WHEN {link}.staff_id IS NULL
             OR {e}.ts < {link}.link_start - {_days(p.grace_before_assignment_days)}
            THEN 'unlinked'
        WHEN {e}.ts <= {link}.link_end + {_days(p.grace_after_assignment_days)} THEN 'in_link'
        WHEN {link}.in_charge AND {e}.on_duty
             AND {e}.ts <= greatest({link}.link_end, {link}.case_close)
                           + {_days(p.in_charge_after_closure_days)}
            THEN 'in_charge_after'
        ELSE 'post_link' END"""


def _comms(sql: _Sql, extract: ExtractLike, p: ScanParams, as_of_sql: str,
           since: datetime | None, has_shifts: bool) -> None:
    window = f"AND c.ts <= {as_of_sql}" + (f" AND c.ts >= {_ts(since)}" if since else "")
    own_phones = []
    for col in ("work_phone", "personal_phone"):
        if extract.has_column("staff", col):
            own_phones.append(f"SELECT staff_id, {col}_e164 AS phone FROM staff "
                              f"WHERE {col}_e164 IS NOT NULL")
    declared = []
    if extract.has("declarations"):
        if extract.has_column("declarations", "phone"):
            declared.append("SELECT staff_id, phone_e164 AS phone FROM declarations "
                            "WHERE phone_e164 IS NOT NULL")
    own_sql = " UNION ALL ".join(own_phones + declared) or \
        "SELECT NULL::VARCHAR AS staff_id, NULL::VARCHAR AS phone WHERE false"
    declared_nominals = ("SELECT staff_id, nominal_id FROM declarations WHERE nominal_id IS NOT NULL"
                         if extract.has("declarations") else
                         "SELECT NULL::VARCHAR AS staff_id, NULL::VARCHAR AS nominal_id WHERE false")
    duty = "(sh.\"end\" IS NOT NULL AND e.ts <= sh.\"end\")" if has_shifts else "TRUE"
    shifts_join = ("ASOF LEFT JOIN shifts sh ON e.staff_id = sh.staff_id AND e.ts >= sh.start"
                   if has_shifts else "")
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_comms_ev AS
        WITH ph AS (
            SELECT phone_e164, list(nominal_id) AS ids FROM nominals
            WHERE phone_e164 IS NOT NULL GROUP BY phone_e164
            HAVING count(*) <= {int(p.max_nominals_per_phone)}
        ), own AS ({own_sql}),
        e AS (
            SELECT d.staff_id, unnest(ph.ids) AS nominal_id, c.ts, c.direction
            FROM comms c
            JOIN devices d ON d.device_id = c.device_id
            JOIN ph ON ph.phone_e164 = c.counterpart_e164
            WHERE d.staff_id IS NOT NULL {window}
              AND NOT EXISTS (SELECT 1 FROM own o WHERE o.staff_id = d.staff_id
                              AND o.phone = c.counterpart_e164)
        )
        SELECT e.staff_id, e.nominal_id, e.ts, e.direction, {duty} AS on_duty
        FROM e {shifts_join}
    """)
    cls = _classify("e", "l", p)
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_comms_pair AS
        WITH c AS (
            SELECT e.*, {cls} AS cls
            FROM _scan_comms_ev e
            LEFT JOIN _scan_link l ON l.staff_id = e.staff_id AND l.nominal_id = e.nominal_id
            WHERE NOT EXISTS (SELECT 1 FROM ({declared_nominals}) dn
                              WHERE dn.staff_id = e.staff_id AND dn.nominal_id = e.nominal_id)
        )
        SELECT staff_id, nominal_id,
            coalesce(sum(CASE WHEN direction = 'out' THEN 1.0 ELSE 0.5 END)
                     FILTER (WHERE cls IN ('unlinked', 'post_link')), 0) AS n,
            count(*) FILTER (WHERE NOT on_duty) AS n_off,
            count(*) FILTER (WHERE direction = 'out') AS n_out,
            count(*) AS n_all,
            min(ts) AS first_ts, max(ts) AS last_ts
        FROM c
        WHERE cls IN ('unlinked', 'post_link') OR NOT on_duty
        GROUP BY staff_id, nominal_id
    """)


def _apps(sql: _Sql, p: ScanParams, as_of_sql: str) -> None:
    cat = pd.DataFrame([e.__dict__ for e in load_catalogue()])
    cat["app_key"] = cat["app_id"].str.lower()
    cat["name_key"] = cat["app_name"].str.lower()
    sql.con.register("_scan_catalogue_df", cat)
    full = -math.log(p.app_prevalence_full)
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_apps AS
        WITH held AS (
            SELECT d.staff_id, da.app_id, da.app_name, da.first_seen, da.last_seen
            FROM device_apps da JOIN devices d ON d.device_id = da.device_id
            WHERE d.staff_id IS NOT NULL AND da.first_seen <= CAST({as_of_sql} AS DATE)
        ), matched AS (
            SELECT h.*, coalesce(ci.app_id, cn.app_id) AS cat_id,
                   coalesce(ci.weight, cn.weight * 0.8) AS cat_weight,
                   coalesce(ci.reason, cn.reason) AS reason,
                   coalesce(ci.category, cn.category) AS category
            FROM held h
            LEFT JOIN _scan_catalogue_df ci ON ci.app_key = lower(h.app_id)
            LEFT JOIN _scan_catalogue_df cn ON cn.name_key = lower(h.app_name)
                                            AND ci.app_id IS NULL
        ), prevalence AS (
            SELECT cat_id, count(DISTINCT staff_id)::DOUBLE
                   / (SELECT greatest(1, count(DISTINCT staff_id)) FROM devices
                      WHERE staff_id IS NOT NULL) AS share
            FROM matched WHERE cat_id IS NOT NULL GROUP BY cat_id
        ), per_app AS (
            SELECT m.staff_id, m.cat_id, any_value(m.app_name) AS app_name,
                   any_value(m.reason) AS reason, any_value(m.category) AS category,
                   min(m.first_seen) AS first_seen, max(m.last_seen) AS last_seen,
                   max(m.cat_weight) * least(1.0, greatest(0.0, -ln(any_value(pv.share)) / {full}))
                       AS w,
                   any_value(pv.share) AS share
            FROM matched m JOIN prevalence pv ON pv.cat_id = m.cat_id
            WHERE m.cat_id IS NOT NULL
            GROUP BY m.staff_id, m.cat_id
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY staff_id ORDER BY w DESC, cat_id) AS k
            FROM per_app
        )
        SELECT staff_id, first_seen, last_seen,
            {p.w_apps} * w * CASE WHEN k = 1 THEN 1.0 ELSE 0.3 END AS weight,
            printf('%s (%s) on a force device: %s; on %.0f%% of staff devices',
                   app_name, cat_id, reason, 100 * share) AS detail
        FROM ranked
    """)
    sql.con.unregister("_scan_catalogue_df")


def _association(sql: _Sql, extract: ExtractLike, p: ScanParams,
                 links_path: Path | None) -> str | None:
    """Build `_scan_assoc`; returns a note saying which matching was used, or None if none."""
    roles = _in(ASSOCIATION_ROLES)
    declared = ("SELECT staff_id, nominal_id FROM declarations WHERE nominal_id IS NOT NULL"
                if extract.has("declarations") else
                "SELECT NULL::VARCHAR AS staff_id, NULL::VARCHAR AS nominal_id WHERE false")
    if links_path is not None:
        if not links_path.is_file():
            raise ProbityError(f"links file {links_path} does not exist: run `probity link` "
                               f"first or leave out --links")
        try:
            links = pd.read_csv(links_path, dtype=str)
        except Exception as exc:
            raise ProbityError(f"links file {links_path} cannot be read as CSV: {exc}") from exc
        need = {"staff_id", "nominal_id", "match_probability"}
        if not need <= set(links.columns):
            raise ProbityError(f"links file {links_path}: columns {sorted(links.columns)} lack "
                               f"{sorted(need - set(links.columns))} (expected the "
                               f"`probity link` output)")
        prob = pd.to_numeric(links["match_probability"], errors="coerce")
        bad = prob.isna() | (prob < 0) | (prob > 1)
        if bad.any():
            row = int(bad.to_numpy().argmax()) + 2
            raise ProbityError(f"links file {links_path} row {row}: match_probability "
                               f"{links['match_probability'].iloc[row - 2]!r} is not a number "
                               f"in 0..1")
        links = links.assign(match_probability=prob)[["staff_id", "nominal_id",
                                                      "match_probability"]]
        sql.con.register("_scan_links_df", links)
        source = "SELECT staff_id, nominal_id, match_probability AS prob FROM _scan_links_df " \
                 "WHERE match_probability >= 0.5"
        note = f"undeclared association: matches from links file {links_path}"
    else:
        if not (extract.has_column("staff", "date_of_birth")
                and extract.has_column("nominals", "date_of_birth")):
            return None
        source = """
            SELECT s.staff_id, n.nominal_id, 1.0 AS prob
            FROM staff s JOIN nominals n
              ON lower(trim(s.surname)) = lower(trim(n.surname))
             AND lower(trim(s.forename)) = lower(trim(n.forename))
             AND s.date_of_birth = n.date_of_birth"""
        note = ("undeclared association: conservative exact match on forename, surname and date "
                "of birth (no links file given; run `probity link` and pass --links for fuzzy "
                "matching)")
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_assoc AS
        WITH m AS ({source}),
        r AS (
            SELECT m.staff_id, m.nominal_id, any_value(m.prob) AS prob,
                   string_agg(DISTINCT inn.role, ';' ORDER BY inn.role) AS roles,
                   arg_max(inn.incident_id, i.opened_at) AS incident_id,
                   list(DISTINCT inn.incident_id) AS incidents
            FROM m
            JOIN incident_nominals inn ON inn.nominal_id = m.nominal_id AND inn.role IN {roles}
            JOIN incidents i ON i.incident_id = inn.incident_id
            GROUP BY m.staff_id, m.nominal_id
        )
        SELECT r.staff_id, r.nominal_id, r.incident_id,
            {p.w_association} * r.prob AS weight,
            printf('matched (p=%.2f) to a person record recorded as %s in %d incident(s); '
                   'no declaration names it', r.prob, r.roles, len(r.incidents)) AS detail
        FROM r
        WHERE NOT EXISTS (SELECT 1 FROM ({declared}) d
                          WHERE d.staff_id = r.staff_id AND d.nominal_id = r.nominal_id)
    """)
    if links_path is not None:
        sql.con.unregister("_scan_links_df")
    return note
