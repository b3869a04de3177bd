"""The scan's DuckDB engine: indicators as SQL over one pass of audit_events.

Every indicator is computed in DuckDB; Python only assembles SQL and handles per-staff
results. Intermediate results live in temporary tables prefixed `_scan_`. The audit events
are read once (`_scan_un_day`); everything else joins small tables (links, vulnerability, shifts,
peer groups) to that one materialised selection.

Evidence is in nats (natural-log likelihood units): each hit carries the information of the
feature it shows, measured against the staff member's peer group (a feature that is common
among peers carries little), times a transparent weight from `ScanParams`.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

from probity.analytics.internals.params import (
    APP_RISK_CLASSES,
    ASSOCIATION_ROLES,
    COMPLAINT_CATEGORIES_OF_CONCERN,
    FLAG_GRADES,
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
    "persistence": ("returning to a person met through work on several days after the link "
                    "ended, by look-ups and contact together", "pair"),
    "off_duty_pursuit": ("off duty, on several different days, looking up or phoning a person met "
                         "through work after the link ended", "pair"),
    "quick_da_closure": ("a domestic abuse case the staff member was in charge of closed within "
                         "days, then the victim looked up or contacted after the link ended",
                         "pair"),
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
    # (staff_id, nominal_id, weight) of possible victims named by staff-level evidence:
    # complainants of sexual conduct complaints, victims of incidents where the staff member's
    # own record is a suspect
    extra_persons: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["staff_id", "nominal_id", "weight"]))


def _ts(value: datetime) -> str:
    return f"TIMESTAMP '{value.strftime('%Y-%m-%d %H:%M:%S')}'"


def _days(days: float) -> str:
    return f"INTERVAL '{int(round(days * 86400))} seconds'"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


class _Sql:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

        self.timings: list[tuple[str, float]] = []

    def _label(self, sql: str) -> str:
        words = sql.split()
        return " ".join(words[:8])[:80]

    def run(self, sql: str, params: list[Any] | None = None) -> None:
        started = time.perf_counter()
        self.con.execute(sql, params or [])
        self.timings.append((self._label(sql), time.perf_counter() - started))

    def df(self, sql: str) -> pd.DataFrame:
        started = time.perf_counter()
        out = self.con.execute(sql).df()
        self.timings.append((self._label(sql), time.perf_counter() - started))
        return out


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
    if not (extract.has_column("audit_events", "object_id") and con.execute(
            "SELECT 1 FROM audit_events WHERE object_id IS NOT NULL LIMIT 1").fetchone()):
        for name in ("unlinked_lookup", "post_link_lookup", "off_duty_lookup", "concentration",
                     "trawling"):
            skipped.append(Skipped(name, "audit_events.object_id is absent or empty: look-ups "
                                         "cannot be tied to person or incident records"))
    if not has_shifts:
        notes.append(f"shifts is missing: off duty is inferred from activity (a look-up or "
                     f"contact with no other action by the same account within "
                     f"{p.isolated_minutes:.0f} minutes either side)")

    # ---- staff and peer groups -------------------------------------------------------------
    k = int(p.min_peer_group)
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_staff AS
        WITH s AS (
            SELECT s.staff_id, s.staff_type, coalesce(u.function, 'other') AS unit_function,
                   s.gender
            FROM staff s LEFT JOIN units u ON u.unit_id = s.unit_id
        ), c AS (
            SELECT *, count(*) OVER (PARTITION BY unit_function, staff_type) AS n_ft,
                      count(*) OVER (PARTITION BY unit_function) AS n_f
            FROM s
        )
        SELECT staff_id, staff_type, unit_function, gender,
            CASE WHEN n_ft >= {k} THEN unit_function || '/' || staff_type
                 WHEN n_f >= {k} THEN unit_function || '/any'
                 ELSE 'force' END AS peer_group
        FROM c
    """)

    # ---- vulnerability of person records ---------------------------------------------------
    flags_cte = ("SELECT NULL::VARCHAR AS nominal_id, 0.0 AS v, NULL::VARCHAR AS flags "
                 "WHERE false")
    if extract.has("nominal_flags"):
        grades = " ".join(f"WHEN flag IN {_in(flags)} THEN {weight}"
                          for weight, flags in FLAG_GRADES)
        flags_cte = f"""
            SELECT nominal_id, max(CASE {grades} ELSE {p.other_flag_weight} END) AS v,
                   string_agg(DISTINCT flag, ';' ORDER BY flag) AS flags
            FROM nominal_flags GROUP BY nominal_id"""
    else:
        notes.append("nominal_flags is missing: vulnerability comes from victim roles and age only")
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_vuln AS
        WITH f AS ({flags_cte}),
        r AS (
            SELECT inn.nominal_id,
                   max(CASE WHEN inn.role <> 'victim' THEN 0
                            WHEN i.category IN {_in(PROTECTIVE_CATEGORIES)} THEN 1.0
                            ELSE {p.other_victim_weight} END) AS v,
                   string_agg(DISTINCT i.category, ';' ORDER BY i.category)
                       FILTER (WHERE inn.role = 'victim') AS cats,
                   bool_and(inn.role IN ('suspect', 'offender')) AS offender_only
            FROM incident_nominals inn JOIN incidents i ON i.incident_id = inn.incident_id
            GROUP BY inn.nominal_id
        ), n AS (
            SELECT nominal_id, gender, coalesce(gender = 'female', false) AS female,
                   date_diff('day', date_of_birth, CAST({as_of_sql} AS DATE)) / 365.25 AS age
            FROM nominals
        ), v AS (
            SELECT n.nominal_id, n.gender, n.female, n.age, f.flags, r.cats,
                   coalesce(r.offender_only, false) AS offender_only,
                   least(1.0, greatest(coalesce(f.v, 0), coalesce(r.v, 0),
                         CASE WHEN n.age < 18 THEN 1.0
                              WHEN n.age < 25 THEN {p.young_adult_weight} ELSE 0 END))
                       AS v_core
            FROM n LEFT JOIN f ON f.nominal_id = n.nominal_id
                   LEFT JOIN r ON r.nominal_id = n.nominal_id
        )
        SELECT nominal_id, gender, female, age, flags, cats, v_core, offender_only,
               least(1.0, greatest(v_core, CASE WHEN female THEN {p.female_weight} ELSE 0 END)
                     + CASE WHEN female AND v_core > 0 THEN {p.female_bonus} ELSE 0 END)
                 * CASE WHEN offender_only THEN {p.offender_only_factor} ELSE 1 END AS target,
               concat_ws(', ', flags, CASE WHEN cats IS NOT NULL THEN 'victim: ' || cats END,
                         CASE WHEN offender_only THEN 'recorded only as suspect/offender' END,
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
               -- an assignment with no recorded end: first-response roles (call handling,
               -- dispatch, attending...) last hours, so it is taken to end a day after it
               -- started; in-charge roles run until the incident closes (or still run)
               max(coalesce(a."end",
                            CASE WHEN a.role IN {_in(IN_CHARGE_ROLES)}
                                 THEN coalesce(i.closed_at, {as_of_sql})
                                 ELSE least(a.start + {_days(p.first_response_days)},
                                            {as_of_sql}) END)) AS link_end,
               max(coalesce(i.closed_at, {as_of_sql})) AS case_close,
               bool_or(a.role IN {_in(IN_CHARGE_ROLES)}) AS in_charge,
               -- a domestic abuse case this staff member was in charge of, closed quickly
               -- (a DA investigation steered to a quick, low-level outcome)
               bool_or(a.role IN {_in(IN_CHARGE_ROLES)} AND i.category = 'domestic_abuse'
                       AND inn.role = 'victim' AND i.closed_at IS NOT NULL
                       AND i.closed_at <= i.opened_at + {_days(p.quick_closure_days)})
                   AS quick_da,
               array_to_string(list_sort(list_distinct(list(a.role))), ';')
                   AS assignment_roles,
               arg_max(a.incident_id, a.start) AS incident_id
        FROM assignments a
        JOIN incident_nominals inn ON inn.incident_id = a.incident_id
        JOIN incidents i ON i.incident_id = a.incident_id
        WHERE a.start <= {as_of_sql}
        GROUP BY a.staff_id, inn.nominal_id
    """)

    # ---- the one pass over audit_events ----------------------------------------------------
    # every look-up (an incident look-up counts as a look-up of its victims, at a lower weight)
    # is classified against the operational link; only those a link does not explain are kept:
    # 0 unlinked, 2 in charge after closure (explained when on duty), 3 after the link ended.
    # They are kept per (staff member, person, day), the grain every later step needs.
    # On duty: inside a rostered shift. With no roster, a look-up is taken as made outside
    # working activity when it stands alone: no other action by the same account within
    # `isolated_minutes` either side (people at work use systems all shift; a look-up from
    # home is a session of its own).
    duty = ("(sh.\"end\" IS NOT NULL AND u.ts <= sh.\"end\")" if has_shifts
            else "(u.k_act > 1)")
    shifts_join = ("ASOF LEFT JOIN shifts sh ON u.staff_id = sh.staff_id AND u.ts >= sh.start"
                   if has_shifts else "")
    iso = int(p.isolated_minutes)
    events = ("audit_events" if has_shifts else f"""(
            SELECT *, count(*) OVER (PARTITION BY staff_id ORDER BY ts
                                     RANGE BETWEEN INTERVAL {iso} MINUTE PRECEDING
                                           AND INTERVAL {iso} MINUTE FOLLOWING) AS k_act
            FROM audit_events WHERE TRUE {window})""")
    k_act = "" if has_shifts else ", a.k_act"
    k_act_e = "" if has_shifts else ", e.k_act"
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_un_day AS
        WITH victims AS (
            SELECT incident_id, nominal_id FROM incident_nominals WHERE role = 'victim'
        ), e AS (
            SELECT a.staff_id, coalesce(v.nominal_id, a.object_id) AS nominal_id, a.ts,
                   CASE WHEN a.object_type = 'incident' THEN {p.incident_lookup_weight}
                        ELSE 1.0 END AS w{k_act}
            FROM {events} a
            LEFT JOIN victims v ON a.object_type = 'incident' AND v.incident_id = a.object_id
            WHERE a.object_type IN ('nominal', 'incident') AND a.object_id IS NOT NULL
              AND (a.object_type = 'nominal' OR v.nominal_id IS NOT NULL) {window}
        ), c AS (
            SELECT e.staff_id, e.nominal_id, e.ts, e.w, {_classify("e", "l", p)} AS cls{k_act_e}
            FROM e LEFT JOIN _scan_link l
              ON l.staff_id = e.staff_id AND l.nominal_id = e.nominal_id
        ), u AS (SELECT * FROM c WHERE cls <> 1),
        o AS (SELECT u.staff_id, u.nominal_id, u.ts, u.w, u.cls, {duty} AS on_duty
              FROM u {shifts_join})
        SELECT staff_id, nominal_id, CAST(ts AS DATE) AS day, sum(w) AS n,
               coalesce(sum(w) FILTER (WHERE NOT on_duty), 0) AS n_off,
               bool_or(cls = 0) AS unl, bool_or(cls >= 2) AS post,
               -- after the link (and any in-charge window), off duty: see off_duty_pursuit
               bool_or(cls = 3 AND NOT on_duty) AS pursuit,
               min(ts) AS first_ts, max(ts) AS last_ts
        FROM o WHERE NOT (cls = 2 AND on_duty)
        GROUP BY staff_id, nominal_id, CAST(ts AS DATE)
    """)
    sql.run("""
        CREATE OR REPLACE TEMP TABLE _scan_lpair AS
        WITH d AS (SELECT * FROM _scan_un_day)
        SELECT staff_id, nominal_id, sum(n) AS n_unexpl, sum(n_off) AS n_off_unexpl,
               count(*) AS days_unexpl, bool_or(unl) AS unlinked, bool_or(post) AS post_link,
               count(*) FILTER (WHERE post) AS post_days,
               min(first_ts) AS first_ts, max(last_ts) AS last_ts
        FROM d GROUP BY staff_id, nominal_id
    """)

    # ---- comms to victims' numbers ---------------------------------------------------------
    comms_ok = (extract.has("comms") and extract.has("devices")
                and extract.has_column("nominals", "phone"))
    if not comms_ok:
        missing = [t_ for t_ in ("comms", "devices") if not extract.has(t_)]
        why = (f"table {' and '.join(missing)} missing" if missing
               else "nominals.phone is absent")
        skipped.append(Skipped("comms_to_victim", f"{why}: no call or text records to match"))
        sql.run("""CREATE OR REPLACE TEMP TABLE _scan_comms_pair AS
                   SELECT NULL::VARCHAR AS staff_id, NULL::VARCHAR AS nominal_id, 0.0 AS n,
                          0 AS n_off, 0 AS n_out, 0 AS n_all, 0 AS c_days,
                          NULL::TIMESTAMP AS first_ts,
                          NULL::TIMESTAMP AS last_ts WHERE false""")
        sql.run("""CREATE OR REPLACE TEMP TABLE _scan_comms_days AS
                   SELECT NULL::VARCHAR AS staff_id, NULL::VARCHAR AS nominal_id,
                          NULL::DATE AS day WHERE false""")
    else:
        _comms(sql, extract, p, as_of_sql, since, has_shifts)

    # ---- off-duty pursuit: distinct days, off duty, of look-ups after the link ended or of
    # contact the staff member started (after the link, or with no link at all); the officer
    # in charge working on the case within the in-charge window is benign context -----------
    sql.run("""
        CREATE OR REPLACE TEMP TABLE _scan_pursuit AS
        WITH d AS (
            SELECT staff_id, nominal_id, day FROM _scan_un_day WHERE pursuit
            UNION
            SELECT staff_id, nominal_id, day FROM _scan_comms_days
        )
        SELECT staff_id, nominal_id, count(*) AS pursuit_days FROM d GROUP BY staff_id, nominal_id
    """)
    # intermediate tables are dropped as soon as nothing reads them (memory on large forces)
    _drop(sql, "_scan_un_day", "_scan_comms_days")

    # ---- candidate pairs and their surprisal against the peer group ------------------------
    # For each feature, the share of the peer group's candidate pairs showing at least as much
    # of it: evidence = -ln(share), in nats, capped; zero when the feature is absent.
    t = p.target_threshold
    sql.run("""
        CREATE OR REPLACE TEMP TABLE _scan_cand AS
        SELECT coalesce(a.staff_id, c.staff_id) AS staff_id,
               coalesce(a.nominal_id, c.nominal_id) AS nominal_id,
               coalesce(a.n_unexpl, 0) AS n_unexpl, coalesce(a.n_off_unexpl, 0) AS n_off,
               coalesce(a.days_unexpl, 0) AS days, coalesce(a.unlinked, false) AS unlinked,
               coalesce(a.post_link, false) AS post,
               coalesce(c.n, 0) AS comms, coalesce(c.n_off, 0) AS comms_off,
               coalesce(c.n_all, 0) AS comms_all, coalesce(c.n_out, 0) AS comms_out,
               -- persistence: distinct days of look-ups after the link ended plus distinct days
               -- of unexplained contact (two independent channels add up)
               coalesce(a.post_days, 0) + coalesce(c.c_days, 0) AS persist,
               a.first_ts AS lk_first, a.last_ts AS lk_last,
               c.first_ts AS c_first, c.last_ts AS c_last, s.peer_group,
               coalesce(l.quick_da, false) AS quick_da, coalesce(pu.pursuit_days, 0) AS pursuit
        FROM _scan_lpair a FULL OUTER JOIN _scan_comms_pair c
          ON c.staff_id = a.staff_id AND c.nominal_id = a.nominal_id
        JOIN _scan_staff s ON s.staff_id = coalesce(a.staff_id, c.staff_id)
        LEFT JOIN _scan_link l ON l.staff_id = coalesce(a.staff_id, c.staff_id)
                              AND l.nominal_id = coalesce(a.nominal_id, c.nominal_id)
        LEFT JOIN _scan_pursuit pu ON pu.staff_id = coalesce(a.staff_id, c.staff_id)
                                  AND pu.nominal_id = coalesce(a.nominal_id, c.nominal_id)
    """)
    cap = p.max_information
    features_ = ("days", "n_off", "comms", "comms_off", "persist")
    for f_ in features_:
        sql.run(f"""
            CREATE OR REPLACE TEMP TABLE _scan_tail_{f_} AS
            WITH h AS (SELECT peer_group, {f_} AS val, count(*) AS c FROM _scan_cand
                       GROUP BY peer_group, {f_})
            SELECT peer_group, val,
                   sum(c) OVER (PARTITION BY peer_group ORDER BY val DESC) AS ge,
                   sum(c) OVER (PARTITION BY peer_group) AS n_g
            FROM h
        """)
    tail_joins = "\n".join(
        f"JOIN _scan_tail_{f_} t_{f_} ON t_{f_}.peer_group = x.peer_group "
        f"AND t_{f_}.val = x.{f_}" for f_ in features_)

    def surprisal(cond: str, share: str) -> str:
        return f"CASE WHEN {cond} THEN least({cap}, -ln({share})) ELSE 0 END"

    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_top AS
        WITH pop AS (SELECT nominal_id, count(*) AS n_staff FROM _scan_cand
                     WHERE unlinked GROUP BY nominal_id),
        ni AS (SELECT staff_id, count(*) AS n_i FROM _scan_cand GROUP BY staff_id),
        g AS (
            SELECT x.peer_group, count(*) AS n_g,
                   count(*) FILTER (WHERE x.unlinked AND coalesce(v.target, 0) >= {t}) AS g_unl,
                   count(*) FILTER (WHERE x.post) AS g_post
            FROM _scan_cand x LEFT JOIN _scan_vuln v ON v.nominal_id = x.nominal_id
            GROUP BY x.peer_group
        ), t AS (
            SELECT x.*, coalesce(v.target, 0) AS target, ni.n_i, g.n_g, g.g_unl, g.g_post,
                   coalesce(pop.n_staff, 1) AS n_staff,
                   {vw} / (1 + {p.popularity_discount}
                           * ln(greatest(1, coalesce(pop.n_staff, 1) / {p.popularity_free})))
                       AS vw,
                   t_days.ge / t_days.n_g AS p_days, t_n_off.ge / t_n_off.n_g AS p_off,
                   t_comms.ge / t_comms.n_g AS p_comms,
                   t_comms_off.ge / t_comms_off.n_g AS p_comms_off,
                   t_persist.ge / t_persist.n_g AS p_persist
            FROM _scan_cand x
            {tail_joins}
            JOIN ni ON ni.staff_id = x.staff_id
            JOIN g ON g.peer_group = x.peer_group
            LEFT JOIN pop ON pop.nominal_id = x.nominal_id
            LEFT JOIN _scan_vuln v ON v.nominal_id = x.nominal_id
            -- only pairs that show at least one feature can carry evidence (most candidate
            -- pairs are a single look-up of someone not vulnerable, on duty)
            WHERE x.post OR x.days >= 2 OR x.n_off > 0 OR x.comms > 0 OR x.comms_off > 0
               OR x.persist >= 2 OR x.pursuit >= 2
               OR (x.unlinked AND coalesce(v.target, 0) >= {t})
        )
        , sur AS (SELECT *,
            {surprisal(f"unlinked AND target >= {t}", "(g_unl + 1.0) / n_g")} AS s_unl,
            {surprisal("post", "(g_post + 1.0) / n_g")} AS s_post,
            {surprisal("days >= 2", "p_days")} AS s_days,
            {surprisal("n_off > 0", "p_off")} AS s_off,
            -- contact matched by phone number alone (no look-up of the same person) is weaker
            -- evidence: numbers are reused and shared, and people call officers back
            {surprisal("comms > 0", "p_comms")}
                * CASE WHEN days = 0 THEN {p.comms_alone_factor} ELSE 1 END AS s_comms,
            {surprisal("comms_off > 0", "p_comms_off")}
                * CASE WHEN days = 0 THEN {p.comms_alone_factor} ELSE 1 END AS s_comms_off,
            {surprisal("persist >= 2", "p_persist")} AS s_persist,
            -- a fixed likelihood ratio, not a peer share: the pattern is rare for reasons that
            -- have nothing to do with APSP (most DA cases stay open longer), so its rarity is
            -- not itself evidence
            CASE WHEN quick_da AND (post OR comms > 0) THEN 1.0 ELSE 0 END AS s_quick,
            -- a fixed likelihood ratio per further day (up to a cap): going back to the same
            -- person on one's own time, day after day, is what pursuit looks like, and staff
            -- whose work explains a return do it on duty
            CASE WHEN pursuit >= 2 THEN least(pursuit, {p.pursuit_max_days}) - 1 ELSE 0 END
                AS s_pursuit
        FROM t
        ), s AS (
            SELECT *, vw * ({p.w_unlinked} * s_unl + {p.w_post_link} * s_post
                            + {p.w_repeat} * s_days + {p.w_off_duty} * s_off
                            + {p.w_comms} * s_comms + {p.w_comms_off_duty} * s_comms_off
                            + {p.w_persist} * s_persist + {p.w_quick_closure} * s_quick
                            + {p.w_pursuit} * s_pursuit)
                       AS pair_score
            FROM sur
        ), kept AS (SELECT * FROM s WHERE pair_score >= {p.persons_min_weight})
        SELECT *, row_number() OVER (PARTITION BY staff_id
                                     ORDER BY pair_score DESC, nominal_id) AS k
        FROM kept
        QUALIFY k <= {int(p.max_persons_of_concern)}
    """)
    _drop(sql, "_scan_cand", *(f"_scan_tail_{f_}" for f_ in features_))
    # ---- trawling: breadth of unlinked look-ups of vulnerable or young people vs peers -----
    # evidence that a count x exceeds its expectation e: the Poisson log-likelihood ratio
    # x ln(x/e) - x + e (a bound on -ln P(X >= x)), divided by the peer group's over-dispersion
    def poisson(x: str, e: str) -> str:
        return (f"CASE WHEN {x} > {e} THEN {x} * ln({x} / greatest({e}, 0.01)) - {x} + {e} "
                f"ELSE 0 END")

    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_trawl AS
        WITH x AS (
            SELECT s.staff_id, s.peer_group, coalesce(s.gender, '?') AS gender,
                coalesce(sum(v.target) FILTER (WHERE a.unlinked), 0) AS unlinked_targets,
                coalesce(count(*) FILTER (WHERE a.unlinked AND v.target >= {t}), 0)
                    AS unlinked_target_people,
                coalesce(count(*) FILTER (WHERE a.n_off_unexpl > 0 AND v.target >= {t}), 0)
                    AS off_duty_target_people,
                -- focus: of the people looked up with no link, the vulnerable young adults
                -- ({p.focus_min_age:.0f}-{p.focus_max_age:.0f}) of the other sex (any sex when
                -- the staff member's is not recorded)
                coalesce(count(*) FILTER (WHERE a.unlinked), 0) AS unlinked_people,
                coalesce(count(*) FILTER (WHERE a.unlinked AND v.v_core > 0
                    AND v.age BETWEEN {p.focus_min_age} AND {p.focus_max_age}
                    AND (s.gender IS NULL OR s.gender NOT IN ('male', 'female')
                         OR (v.gender IN ('male', 'female') AND v.gender <> s.gender))), 0)
                    AS focus_people,
                coalesce(count(a.staff_id), 0) AS unexpl_pairs,
                coalesce(count(*) FILTER (WHERE a.days_unexpl >= 2), 0) AS repeat_pairs,
                coalesce(sum(a.n_off_unexpl), 0) AS off_unexpl_lookups,
                coalesce(count(*) FILTER (WHERE a.post_link), 0) AS post_link_pairs
            FROM _scan_staff s
            LEFT JOIN _scan_lpair a ON a.staff_id = s.staff_id
            LEFT JOIN _scan_vuln v ON v.nominal_id = a.nominal_id
            GROUP BY s.staff_id, s.peer_group, s.gender
        ), f AS (
            SELECT sum(unlinked_target_people) / greatest(1, sum(unexpl_pairs)) AS f_breadth,
                   sum(off_duty_target_people) / greatest(1, sum(unexpl_pairs)) AS f_off,
                   sum(focus_people) / greatest(1, sum(unlinked_people)) AS f_focus
            FROM x
        ), g AS (
            SELECT x.*,
                sum(unlinked_target_people) OVER w AS g_breadth,
                sum(off_duty_target_people) OVER w AS g_off,
                sum(unexpl_pairs) OVER w AS g_pairs,
                -- the focus share is compared within the peer group AND the same sex: victims
                -- of some categories are mostly women, so men and women differ benignly
                sum(focus_people) OVER ws AS gs_focus,
                sum(unlinked_people) OVER ws AS gs_breadth
            FROM x WINDOW w AS (PARTITION BY peer_group),
                          ws AS (PARTITION BY peer_group, gender)
        ), r AS (
            -- expected counts: the rest of the peer group's rate per unexplained person looked
            -- up (leave-one-out, shrunk towards the force rate), times this person's count
            SELECT g.*,
                (g_breadth - unlinked_target_people + {p.prior_pairs} * f.f_breadth)
                    / (g_pairs - unexpl_pairs + {p.prior_pairs}) * greatest(unexpl_pairs, 1)
                    AS e_breadth,
                (g_off - off_duty_target_people + {p.prior_pairs} * f.f_off)
                    / (g_pairs - unexpl_pairs + {p.prior_pairs}) * greatest(unexpl_pairs, 1)
                    AS e_off,
                least(0.99, greatest(0.01,
                    (gs_focus - focus_people + {p.prior_pairs} * f.f_focus)
                    / (gs_breadth - unlinked_people + {p.prior_pairs}))) AS p_focus
            FROM g, f
        ), d AS (
            -- over-dispersion of the peer group (median Pearson residual), at least 1
            SELECT *,
                greatest(1.0, median(power(unlinked_target_people - e_breadth, 2)
                                  / greatest(e_breadth, 0.5)) OVER (PARTITION BY peer_group))
                    AS phi_breadth,
                greatest(1.0, median(power(off_duty_target_people - e_off, 2)
                                  / greatest(e_off, 0.5)) OVER (PARTITION BY peer_group))
                    AS phi_off,
                greatest(1.0, median(power(focus_people - unlinked_people * p_focus, 2)
                                     / greatest(unlinked_people * p_focus
                                                * (1 - p_focus), 0.5))
                              OVER (PARTITION BY peer_group, gender)) AS phi_focus
            FROM r
        )
        SELECT *, {poisson("unlinked_target_people", "e_breadth")} / phi_breadth AS s_breadth,
                  {poisson("off_duty_target_people", "e_off")} / phi_off AS s_off,
                  -- binomial log-likelihood ratio of the focus share against the peer share
                  CASE WHEN focus_people > unlinked_people * p_focus
                       THEN (focus_people * ln(focus_people
                                               / (unlinked_people * p_focus))
                             + CASE WHEN unlinked_people > focus_people
                                    THEN (unlinked_people - focus_people)
                                         * ln((unlinked_people - focus_people)
                                              / (unlinked_people * (1 - p_focus)))
                                    ELSE 0 END) / phi_focus
                       ELSE 0 END AS s_focus
        FROM d
    """)

    # ---- evidence: look-up and contact indicators (per person of concern) ------------------
    ev_parts: list[str] = []
    common = """
        FROM _scan_top pr
        LEFT JOIN _scan_vuln v ON v.nominal_id = pr.nominal_id
        LEFT JOIN _scan_link l ON l.staff_id = pr.staff_id AND l.nominal_id = pr.nominal_id"""
    ev_parts.append(f"""
        SELECT pr.staff_id, 'unlinked_lookup' AS indicator, pr.nominal_id,
            NULL::VARCHAR AS incident_id, pr.lk_first AS first_ts, pr.lk_last AS last_ts,
            pr.n_unexpl AS count, {p.w_unlinked} * pr.vw * pr.s_unl AS weight,
            'no assignment to any incident involving this person'
              || coalesce('; ' || nullif(v.why, ''), '') AS detail, pr.n_i
        {common}
        WHERE pr.s_unl > 0""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'post_link_lookup', pr.nominal_id, l.incident_id,
            pr.lk_first, pr.lk_last, pr.n_unexpl, {p.w_post_link} * pr.vw * pr.s_post,
            'met through work as ' || coalesce(l.assignment_roles, '?') || '; link ended '
              || coalesce(strftime(l.link_end, '%Y-%m-%d'), '?')
              || coalesce('; ' || nullif(v.why, ''), ''), pr.n_i
        {common}
        WHERE pr.s_post > 0""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'off_duty_lookup', pr.nominal_id, l.incident_id,
            pr.lk_first, pr.lk_last, pr.n_off, {p.w_off_duty} * pr.vw * pr.s_off,
            printf('%d of %d unexplained look-ups outside rostered duty',
                   CAST(round(pr.n_off) AS BIGINT), CAST(round(pr.n_unexpl) AS BIGINT)), pr.n_i
        {common}
        WHERE pr.s_off > 0""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'concentration', pr.nominal_id, l.incident_id,
            pr.lk_first, pr.lk_last, pr.days, {p.w_repeat} * pr.vw * pr.s_days,
            printf('looked up on %d different days without an operational reason', pr.days),
            pr.n_i
        {common}
        WHERE pr.s_days > 0""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'comms_to_victim', pr.nominal_id, l.incident_id,
            pr.c_first, pr.c_last, pr.comms_all,
            pr.vw * ({p.w_comms} * pr.s_comms + {p.w_comms_off_duty} * pr.s_comms_off),
            printf('%d calls/texts (%d outgoing, %d of them off duty) not explained by an '
                   'on-duty case role', pr.comms_all, pr.comms_out, pr.comms_off)
              || coalesce('; ' || nullif(v.why, ''), ''), pr.n_i
        {common}
        WHERE pr.s_comms > 0 OR pr.s_comms_off > 0""")

    ev_parts.append(f"""
        SELECT pr.staff_id, 'persistence', pr.nominal_id, l.incident_id,
            least(pr.lk_first, pr.c_first), greatest(pr.lk_last, pr.c_last), pr.persist,
            {p.w_persist} * pr.vw * pr.s_persist,
            printf('%d distinct days of look-ups after the link ended or of unexplained '
                   'contact', pr.persist), pr.n_i
        {common}
        WHERE pr.s_persist > 0""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'off_duty_pursuit', pr.nominal_id, l.incident_id,
            least(pr.lk_first, pr.c_first), greatest(pr.lk_last, pr.c_last), pr.pursuit,
            {p.w_pursuit} * pr.vw * pr.s_pursuit,
            printf('off duty on %d different days: looked up after the link ended, or phoned or '
                   'texted from a force device', pr.pursuit), pr.n_i
        {common}
        WHERE pr.s_pursuit > 0""")
    ev_parts.append(f"""
        SELECT pr.staff_id, 'quick_da_closure', pr.nominal_id, l.incident_id,
            least(pr.lk_first, pr.c_first), greatest(pr.lk_last, pr.c_last), 1,
            {p.w_quick_closure} * pr.vw * pr.s_quick,
            printf('in charge of a domestic abuse case closed within %.0f days; the victim was '
                   'looked up or contacted afterwards', {p.quick_closure_days}), pr.n_i
        {common}
        WHERE pr.s_quick > 0""")

    # ---- staff-level indicators ------------------------------------------------------------
    ev_parts.append(f"""
        SELECT staff_id, 'trawling', NULL, NULL, NULL::TIMESTAMP, NULL::TIMESTAMP,
            unlinked_target_people,
            {p.w_trawl} * least({cap} * 3, s_breadth + s_off + {p.w_focus} * s_focus),
            printf('%d distinct vulnerable or young people looked up with no link (%.0f expected '
                   'from peers), %d of them off duty (%.1f expected), %d young adults of the '
                   'other sex (%.0f expected; peer group %s)',
                   unlinked_target_people, e_breadth, off_duty_target_people, e_off,
                   focus_people, unlinked_people * p_focus, peer_group),
            NULL::BIGINT
        FROM _scan_trawl
        WHERE s_breadth + s_off + {p.w_focus} * s_focus >= {p.trawl_min_evidence}""")

    if extract.has("device_apps") and extract.has("devices"):
        _apps(sql, p, as_of_sql)
        ev_parts.append("""
            SELECT staff_id, 'encrypted_app', NULL, NULL, first_seen::TIMESTAMP,
                   last_seen::TIMESTAMP, 1, weight, detail, NULL::BIGINT
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
                last_on::TIMESTAMP, n,
                CASE WHEN k = 1 THEN {p.w_complaint_single}
                     ELSE {p.w_complaint_pattern} * (1 + ln(k - 1) / 2) END,
                printf('%d complaint(s) from %d different complainant(s): %s', n, k, what)
                  || CASE WHEN len(complainants) > 0
                          THEN '; complainants ' || array_to_string(complainants, ';') ELSE '' END,
                NULL::BIGINT
            FROM _scan_complaints""")
    else:
        skipped.append(Skipped("complaint_history", "table complaints missing"))

    assoc = _association(sql, extract, p, links_path)
    if assoc is None:
        skipped.append(Skipped("undeclared_association",
                               "no links file, and the person records lack names or the "
                               "extract has no identifier (date of birth, phone, postcode) to "
                               "match staff to them"))
    else:
        notes.append(assoc)
        ev_parts.append("""
            SELECT staff_id, 'undeclared_association', nominal_id, incident_id,
                NULL::TIMESTAMP, NULL::TIMESTAMP, 1, weight, detail, NULL::BIGINT
            FROM _scan_assoc""")

    union = "\nUNION ALL\n".join(f"({part})" for part in ev_parts)
    evidence = sql.df(f"""
        SELECT staff_id, indicator, nominal_id, incident_id,
               CAST(first_ts AS TIMESTAMP) AS first_ts, CAST(last_ts AS TIMESTAMP) AS last_ts,
               CAST(count AS DOUBLE) AS count, CAST(weight AS DOUBLE) AS weight, detail,
               CAST(n_i AS DOUBLE) AS candidate_pairs
        FROM ({union}) WHERE weight > 0
    """)
    evidence["scope"] = evidence["indicator"].map(lambda i: INDICATORS[i][1])
    staff = sql.df("SELECT staff_id, unit_function, staff_type, peer_group FROM _scan_staff")
    features = sql.df("""
        SELECT t.staff_id, t.unexpl_pairs,
               t.repeat_pairs, t.off_unexpl_lookups, t.post_link_pairs, t.unlinked_targets,
               t.unlinked_target_people, t.off_duty_target_people
        FROM _scan_trawl t
    """)
    cf = sql.df("""SELECT staff_id, sum(n) AS comms_unexplained, sum(n_off) AS comms_off
                   FROM _scan_comms_pair GROUP BY staff_id""")
    features = features.merge(cf, on="staff_id", how="left")
    unlinked_flagged = sql.df("""
        SELECT pr.staff_id, sum(pr.n_unexpl) AS unlinked_flagged_views
        FROM _scan_lpair pr JOIN _scan_vuln v ON v.nominal_id = pr.nominal_id
        WHERE pr.unlinked AND (v.flags IS NOT NULL OR v.cats IS NOT NULL)
        GROUP BY pr.staff_id""")
    features = features.merge(unlinked_flagged, on="staff_id", how="left").fillna(0.0)
    out = EngineOutput(evidence=evidence, staff=staff, features=features, skipped=skipped,
                       notes=notes)
    if os.environ.get("PROBITY_SCAN_PROFILE"):
        for label, secs in sql.timings:
            print(f"{secs:8.3f}s  {label}")  # noqa: T201
    extra = []
    if extract.has("complaints") and extract.has_column("complaints", "complainant_nominal_id"):
        extra.append(f"""
            SELECT DISTINCT c.staff_id, c.complainant_nominal_id AS nominal_id, sc.weight
            FROM complaints c JOIN (
                SELECT staff_id, CASE WHEN k = 1 THEN {p.w_complaint_single}
                       ELSE {p.w_complaint_pattern} * (1 + ln(k - 1) / 2) END AS weight
                FROM _scan_complaints) sc ON sc.staff_id = c.staff_id
            WHERE c.category IN {_in(COMPLAINT_CATEGORIES_OF_CONCERN)}
              AND c.complainant_nominal_id IS NOT NULL
              AND c.received_on <= CAST({as_of_sql} AS DATE)""")
    if assoc is not None:
        # the victims of incidents in which the staff member's own record is a suspect
        extra.append("""
            SELECT DISTINCT a.staff_id, v.nominal_id, a.weight
            FROM _scan_assoc a
            JOIN incident_nominals s ON s.nominal_id = a.nominal_id
                                    AND s.role IN """ + _in(ASSOCIATION_ROLES) + """
            JOIN incident_nominals v ON v.incident_id = s.incident_id AND v.role = 'victim'
            WHERE v.nominal_id <> a.nominal_id""")
    if extra:
        out.extra_persons = sql.df(
            "SELECT staff_id, nominal_id, max(weight) AS weight FROM ("
            + " UNION ALL ".join(extra) + ") GROUP BY staff_id, nominal_id")
    return out


def _drop(sql: _Sql, *tables: str) -> None:
    for table in tables:
        sql.run(f"DROP TABLE IF EXISTS {table}")


def _classify(e: str, link: str, p: ScanParams) -> str:
    """SQL CASE placing one look-up or contact against the operational link:
    0 no link (or before it), 1 during the link, 2 after it but within the in-charge window
    (explained only when on duty), 3 after the link ended."""
    return f"""CASE
        WHEN {link}.staff_id IS NULL
             OR {e}.ts < {link}.link_start - {_days(p.grace_before_assignment_days)} THEN 0
        WHEN {e}.ts <= {link}.link_end + {_days(p.grace_after_assignment_days)} THEN 1
        WHEN {link}.in_charge
             AND {e}.ts <= greatest({link}.link_end, {link}.case_close)
                           + {_days(p.in_charge_after_closure_days)} THEN 2
        ELSE 3 END"""


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
    if has_shifts:
        duty = "(sh.\"end\" IS NOT NULL AND e.ts <= sh.\"end\")"
        shifts_join = "ASOF LEFT JOIN shifts sh ON e.staff_id = sh.staff_id AND e.ts >= sh.start"
    else:
        # no roster: contact is on duty when the same person used a force system within
        # `isolated_minutes` before or after it
        iso = _days(p.isolated_minutes / 1440)
        duty = (f"(e.ts - pa.ts <= {iso} OR na.ts - e.ts <= {iso})")
        shifts_join = ("ASOF LEFT JOIN _scan_activity pa ON e.staff_id = pa.staff_id "
                       "AND e.ts >= pa.ts "
                       "ASOF LEFT JOIN _scan_activity na ON e.staff_id = na.staff_id "
                       "AND e.ts <= na.ts")
        sql.run("CREATE OR REPLACE TEMP TABLE _scan_activity AS "
                "SELECT DISTINCT staff_id, ts FROM audit_events")
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
        SELECT e.staff_id, e.nominal_id, e.ts, e.direction, coalesce({duty}, false) AS on_duty
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
                     FILTER (WHERE cls IN (0, 3) OR (cls = 2 AND NOT on_duty)), 0) AS n,
            -- off-duty contact the staff member started: people do call officers back, at
            -- any hour, so incoming calls and texts off duty are not counted here
            count(*) FILTER (WHERE NOT on_duty AND direction = 'out') AS n_off,
            count(*) FILTER (WHERE direction = 'out') AS n_out,
            count(*) AS n_all,
            count(DISTINCT CAST(ts AS DATE))
                FILTER (WHERE cls IN (0, 3) OR (cls = 2 AND NOT on_duty)) AS c_days,
            min(ts) AS first_ts, max(ts) AS last_ts
        FROM c
        WHERE cls <> 1 OR NOT on_duty
        GROUP BY staff_id, nominal_id
    """)
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_comms_days AS
        SELECT DISTINCT e.staff_id, e.nominal_id, CAST(e.ts AS DATE) AS day
        FROM _scan_comms_ev e
        LEFT JOIN _scan_link l ON l.staff_id = e.staff_id AND l.nominal_id = e.nominal_id
        WHERE e.direction = 'out' AND NOT e.on_duty AND {cls} IN (0, 3)
          AND NOT EXISTS (SELECT 1 FROM ({declared_nominals}) dn
                          WHERE dn.staff_id = e.staff_id AND dn.nominal_id = e.nominal_id)
    """)
    _drop(sql, "_scan_comms_ev", "_scan_activity")


def _apps(sql: _Sql, p: ScanParams, as_of_sql: str) -> None:
    cat = _catalogue_frame()
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


def _catalogue_frame() -> pd.DataFrame:
    """The messaging apps of the maintained catalogue (src/probity/apps/catalogue.toml) that
    the encrypted-app indicator looks for, one row per app id (name keys made unique)."""
    from probity.apps.catalogue import default_catalogue

    cat = default_catalogue().to_frame()
    cat = cat[cat["risk_class"].isin(APP_RISK_CLASSES)].rename(
        columns={"name": "app_name", "risk_class": "category"})
    cat["app_key"] = cat["app_id"].str.lower()
    cat = cat.sort_values(["app_key", "weight"], ascending=[True, False]).drop_duplicates(
        "app_key")
    cat["name_key"] = cat["app_name"].str.lower()
    # a name listed for both platforms matches once (the id match, when there is one, wins)
    cat.loc[cat.duplicated("name_key"), "name_key"] = None
    return cat[["app_id", "app_name", "category", "weight", "reason", "app_key", "name_key"]]


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
        rule = _rule_match_sql(sql, extract, p)
        if rule is None:
            return None
        source = rule
        note = ("undeclared association: rule match (surname and forename alike, allowing "
                "typos, name variants and swapped names, and one identifier agreeing: date of "
                "birth allowing a day/month swap or a one-day or one-year slip, phone number or "
                "home postcode); no links file given: run `probity link` and pass --links for "
                "probabilistic matching")
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_assoc AS
        WITH m AS ({source}),
        r AS (
            SELECT m.staff_id, m.nominal_id, any_value(m.prob) AS prob,
                   string_agg(DISTINCT inn.role, ';' ORDER BY inn.role) AS roles,
                   arg_max(inn.incident_id, i.opened_at) AS incident_id,
                   list(DISTINCT inn.incident_id) AS incidents,
                   -- how serious the undeclared record is: suspect or offender where someone
                   -- was harmed in a domestic abuse, sexual or other protective-category
                   -- incident (the APSP-linked concern), suspect elsewhere, associate only
                   max(CASE WHEN inn.role IN ('suspect', 'offender')
                                 AND i.category IN {_in(PROTECTIVE_CATEGORIES)}
                            THEN {p.w_association_protective}
                            WHEN inn.role IN ('suspect', 'offender') THEN {p.w_association}
                            ELSE {p.w_association_associate} END) AS w
            FROM m
            JOIN incident_nominals inn ON inn.nominal_id = m.nominal_id AND inn.role IN {roles}
            JOIN incidents i ON i.incident_id = inn.incident_id
            GROUP BY m.staff_id, m.nominal_id
        )
        SELECT r.staff_id, r.nominal_id, r.incident_id,
            r.w * r.prob AS weight,
            printf('matched (p=%.2f) to a person record recorded as %s in %d incident(s); '
                   'no declaration names it', r.prob, r.roles, len(r.incidents)) AS detail
        FROM r
        WHERE NOT EXISTS (SELECT 1 FROM ({declared}) d
                          WHERE d.staff_id = r.staff_id AND d.nominal_id = r.nominal_id)
    """)
    if links_path is not None:
        sql.con.unregister("_scan_links_df")
    return note


def _rule_match_sql(sql: _Sql, extract: ExtractLike, p: ScanParams) -> str | None:
    """SQL of (staff_id, nominal_id, prob) for the scan's own conservative identity match, used
    when no `probity link` output is given; None when the extract lacks what it needs.

    Names must agree (Jaro-Winkler, the shipped given-name variants, or forename and surname
    swapped) and so must one identifier: the date of birth (exact, day and month swapped, one
    day or one year out: the usual keying slips), a phone number, or the home postcode.
    Namesakes, who share a name but no identifier, are not matched."""
    from probity.analytics.internals.linkage.prepare import name_variant_pairs

    if not (extract.has_column("nominals", "surname") and extract.has_column("nominals",
                                                                            "forename")):
        return None
    ids = []
    if extract.has_column("staff", "date_of_birth") and extract.has_column("nominals",
                                                                          "date_of_birth"):
        ids.append("""(s.dob = n.dob OR (day(s.dob) <= 12 AND n.dob = make_date(year(s.dob),
                        least(day(s.dob), 12), month(s.dob))) OR abs(date_diff('day', s.dob, n.dob)) = 1
                    OR (month(s.dob) = month(n.dob) AND day(s.dob) = day(n.dob)
                        AND abs(year(s.dob) - year(n.dob)) = 1))""")
    phones = [c for c in ("work_phone", "personal_phone") if extract.has_column("staff", c)]
    if phones and extract.has_column("nominals", "phone"):
        ids.append("n.phone IN (" + ", ".join(f"s.{c}" for c in phones) + ")")
    if extract.has_column("staff", "home_postcode") and extract.has_column("nominals",
                                                                          "postcode"):
        ids.append("s.postcode = n.postcode")
    if not ids:
        return None
    variants = pd.DataFrame(name_variant_pairs(), columns=["name", "grp"])
    sql.con.register("_scan_name_variants_df", variants)

    def norm(col: str) -> str:
        return (f"nullif(replace(replace(replace(replace(lower(trim({col})), ' ', ''), '-', ''), "
                f"'''', ''), '.', ''), '')")

    dob_s = ("date_of_birth AS dob" if extract.has_column("staff", "date_of_birth")
             else "NULL::DATE AS dob")
    dob_n = ("date_of_birth AS dob" if extract.has_column("nominals", "date_of_birth")
             else "NULL::DATE AS dob")
    post = "upper(replace({c}, ' ', ''))"
    phone_s = [f"{c}_e164 AS {c}" for c in phones]
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_rule_staff AS
        SELECT staff_id, {norm("forename")} AS fore, {norm("surname")} AS sur, {dob_s},
               {post.format(c="home_postcode") if extract.has_column("staff", "home_postcode")
                else "NULL::VARCHAR"} AS postcode
               {"".join(", " + x for x in phone_s)}
        FROM staff""")
    phone_n = "phone_e164 AS phone" if extract.has_column("nominals", "phone") else \
        "NULL::VARCHAR AS phone"
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_rule_nom AS
        SELECT nominal_id, {norm("forename")} AS fore, {norm("surname")} AS sur, {dob_n},
               {post.format(c="postcode") if extract.has_column("nominals", "postcode")
                else "NULL::VARCHAR"} AS postcode, {phone_n}
        FROM nominals""")
    same_name = f"""(
        (jaro_winkler_similarity(s.sur, n.sur) >= {p.association_surname_similarity}
         AND (jaro_winkler_similarity(s.fore, n.fore) >= {p.association_forename_similarity}
              OR v.a IS NOT NULL))
        OR (jaro_winkler_similarity(s.sur, n.fore) >= {p.association_surname_similarity}
            AND jaro_winkler_similarity(s.fore, n.sur) >= {p.association_forename_similarity}))"""
    # candidate pairs: blocked on each identifier, and on the exact surname
    blocks = ["s.sur = n.sur", "s.sur = n.fore"]
    if extract.has_column("staff", "date_of_birth") and extract.has_column("nominals",
                                                                          "date_of_birth"):
        blocks.append("s.dob = n.dob")
    if "n.phone IN" in " ".join(ids):
        blocks += [f"s.{c} = n.phone" for c in phones]
    if extract.has_column("staff", "home_postcode") and extract.has_column("nominals",
                                                                          "postcode"):
        blocks.append("s.postcode = n.postcode")
    cand = " UNION ".join(f"SELECT s.staff_id, n.nominal_id FROM _scan_rule_staff s "
                          f"JOIN _scan_rule_nom n ON {b}" for b in blocks)
    sql.run("""
        CREATE OR REPLACE TEMP TABLE _scan_name_pairs AS
        SELECT DISTINCT a.name AS a, b.name AS b
        FROM _scan_name_variants_df a JOIN _scan_name_variants_df b ON a.grp = b.grp""")
    sql.con.unregister("_scan_name_variants_df")
    sql.run(f"""
        CREATE OR REPLACE TEMP TABLE _scan_rule_match AS
        WITH c AS ({cand})
        SELECT s.staff_id, n.nominal_id, 1.0 AS prob
        FROM c JOIN _scan_rule_staff s ON s.staff_id = c.staff_id
               JOIN _scan_rule_nom n ON n.nominal_id = c.nominal_id
               LEFT JOIN _scan_name_pairs v ON v.a = s.fore AND v.b = n.fore
        WHERE {same_name} AND ({" OR ".join(ids)})""")
    return "SELECT staff_id, nominal_id, prob FROM _scan_rule_match"
