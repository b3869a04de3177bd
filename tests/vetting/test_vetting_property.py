"""Property test: for random small registers, the DuckDB figures equal the plain count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probity.extract.schema import VETTING_LEVELS, VETTING_STATUSES
from probity.vetting import VettingSettings, compliance_from_connection

from .independent_count import independent_counts

AS_OF = dt.date(2024, 6, 30)
# dates clustered around the edges that matter: as_of, as_of +/- 1, the due window's end
OFFSETS = (-4000, -400, -1, 0, 1, 29, 30, 31, 89, 90, 91, 400, 4000)
DATES = [(AS_OF + dt.timedelta(days=d)).isoformat() for d in OFFSETS]
date_or_empty = st.one_of(st.just(""), st.sampled_from(DATES))
PAST = DATES[:4]  # on or before as_of: most people serve, most decisions are known
STATUSES = ("granted",) * 4 + VETTING_STATUSES  # granted rows carry the edges


@st.composite
def register(draw: Any) -> dict[str, list[dict[str, str]]]:
    posts = [{"post_id": f"P{i}", "required_vetting": draw(st.sampled_from(VETTING_LEVELS))}
             for i in range(draw(st.integers(0, 3)))]
    staff, vetting = [], []
    for i in range(draw(st.integers(1, 12))):
        start = draw(st.sampled_from(PAST * 3 + DATES))
        end = draw(date_or_empty)
        if end and end < start:
            start, end = end, start
        post_ids = [p["post_id"] for p in posts]
        post = draw(st.one_of(st.just(""), st.sampled_from(post_ids)) if post_ids
                    else st.just(""))
        staff.append({"staff_id": f"S{i}", "staff_type": draw(st.sampled_from(
            ("officer", "staff"))), "unit_id": draw(st.sampled_from(("U1", "U2"))),
            "post_id": post, "start_date": start, "end_date": end})
        for _ in range(draw(st.integers(0, 3))):
            decided = draw(st.one_of(st.just(""), st.sampled_from(PAST * 3 + DATES)))
            expires = draw(date_or_empty)
            if decided and expires and expires < decided:
                decided, expires = expires, decided
            vetting.append({"staff_id": f"S{i}", "level": draw(st.sampled_from(VETTING_LEVELS)),
                            "status": draw(st.sampled_from(STATUSES)),
                            "decided_on": decided, "expires_on": expires})
    return {"posts": posts, "staff": staff, "vetting": vetting}


def connection(reg: dict[str, list[dict[str, str]]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE units (unit_id VARCHAR, name VARCHAR)")
    con.execute("INSERT INTO units VALUES ('U1', 'One'), ('U2', 'Two')")
    con.execute("CREATE TABLE posts (post_id VARCHAR, required_vetting VARCHAR)")
    con.execute("CREATE TABLE staff (staff_id VARCHAR, staff_type VARCHAR, unit_id VARCHAR, "
                "post_id VARCHAR, start_date DATE, end_date DATE)")
    con.execute("CREATE TABLE vetting (staff_id VARCHAR, level VARCHAR, status VARCHAR, "
                "decided_on DATE, expires_on DATE)")

    def null(v: str) -> str | None:
        return v or None

    if reg["posts"]:
        con.executemany("INSERT INTO posts VALUES (?, ?)",
                        [[p["post_id"], p["required_vetting"]] for p in reg["posts"]])
    con.executemany("INSERT INTO staff VALUES (?, ?, ?, ?, ?, ?)",
                    [[s["staff_id"], s["staff_type"], s["unit_id"], null(s["post_id"]),
                      s["start_date"], null(s["end_date"])] for s in reg["staff"]])
    if reg["vetting"]:
        con.executemany("INSERT INTO vetting VALUES (?, ?, ?, ?, ?)",
                        [[v["staff_id"], v["level"], v["status"], null(v["decided_on"]),
                          null(v["expires_on"])] for v in reg["vetting"]])
    return con


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reg=register(), due_days=st.sampled_from((0, 30, 90)))
def test_sql_equals_plain_count(reg: dict[str, list[dict[str, str]]], due_days: int) -> None:
    with connection(reg) as con:
        report = compliance_from_connection(con=con, as_of=AS_OF,
                                            settings=VettingSettings(due_days=due_days),
                                            posts_present=True)
    expected = independent_counts(staff=reg["staff"], posts=reg["posts"],
                                  vetting=reg["vetting"], as_of=AS_OF.isoformat(),
                                  due_days=due_days)
    assert {s.staff_id for s in report.staff} == expected["serving"]
    for category in ("no_clearance", "below_requirement", "expired", "due", "lapsed"):
        assert set(report.staff_ids(category)) == expected[category], category
    totals = report.totals()
    assert totals.compliant + totals.no_clearance + totals.below_requirement == report.serving
    assert sum(report.reason_counts().values()) == totals.no_clearance
