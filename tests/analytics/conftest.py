"""Tiny hand-built Force Extracts for the scan tests.

`scan_force(tmp_path, drop=...)` writes a small force with known behaviour:

- S001 (response officer) attended a domestic abuse incident with victim N001; after the
  assignment ended he looks her up repeatedly off duty and calls her from his force phone;
- S002 (response officer) trawls many young or vulnerable women he has no link to, off duty;
- S003 (response officer, officer in case) looks up his victim N002 after closure on duty and
  calls her on duty while in charge of the case: benign;
- S1xx (safeguarding staff) look up many vulnerable people with no assignment, on duty: benign;
- S2xx (response officers) look up people of their own incidents while assigned: normal.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from probity.extract import schema

T0 = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 180


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_extract(directory: Path, tables: dict[str, list[dict[str, Any]]], *,
                  period: tuple[str, str] = ("2024-01-01", "2024-06-29")) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        cols = schema.table(name).column_names
        with (directory / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            for row in rows:
                w.writerow({c: row.get(c, "") for c in cols})
    (directory / "manifest.json").write_text(json.dumps({
        "format": "force-extract", "version": 1, "force_code": "TST", "force_name": "Test Force",
        "period_start": period[0], "period_end": period[1],
        "extracted_at": "2024-07-01T03:00:00Z"}))
    return directory


def build_force(seed: int = 1) -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(seed)
    t: dict[str, list[dict[str, Any]]] = {k: [] for k in schema.TABLES}
    t["units"] = [{"unit_id": "U1", "name": "Response", "function": "response"},
                  {"unit_id": "U2", "name": "MASH", "function": "safeguarding"}]
    response = ["S001", "S002", "S003"] + [f"S2{i:02d}" for i in range(20)]
    safeguarding = [f"S1{i:02d}" for i in range(10)]
    for sid in response + safeguarding:
        t["staff"].append({"staff_id": sid, "forename": f"F{sid}", "surname": f"Sur{sid}",
                           "date_of_birth": "1985-05-05", "gender": "male",
                           "staff_type": "officer" if sid in response else "staff",
                           "unit_id": "U1" if sid in response else "U2",
                           "start_date": "2015-01-01", "work_phone": f"07700 9{sid[1:]:0>5}"})
        # day shifts 08:00-18:00 every day
        for d in range(DAYS):
            start = T0 + timedelta(days=d, hours=8)
            t["shifts"].append({"staff_id": sid, "start": _iso(start),
                                "end": _iso(start + timedelta(hours=10))})
        t["devices"].append({"device_id": f"D{sid}", "staff_id": sid, "kind": "phone",
                             "platform": "android"})
    # person records: 400, every 3rd female, some flagged vulnerable
    for i in range(400):
        nid = f"N{i:03d}"
        t["nominals"].append({"nominal_id": nid, "forename": f"P{i}", "surname": "Person",
                              "date_of_birth": f"{1960 + i % 45}-03-03",
                              "gender": "female" if i % 3 == 0 else "male",
                              "phone": f"07700 1{i:05d}"})
        if i % 2 == 0:
            t["nominal_flags"].append({"nominal_id": nid, "flag": "vulnerable_adult"})
    t["nominal_flags"].append({"nominal_id": "N001", "flag": "domestic_abuse_victim"})
    t["nominal_flags"].append({"nominal_id": "N002", "flag": "domestic_abuse_victim"})
    ev: list[dict[str, Any]] = []

    def event(sid: str, ts: datetime, nid: str, action: str = "view") -> None:
        ev.append({"event_id": f"E{len(ev):06d}", "ts": _iso(ts), "staff_id": sid,
                   "system": "rms", "action": action, "object_type": "nominal",
                   "object_id": nid})

    def incident(iid: str, opened: datetime, closed: datetime | None, victim: str,
                 category: str = "domestic_abuse") -> None:
        t["incidents"].append({"incident_id": iid, "opened_at": _iso(opened),
                               "closed_at": _iso(closed) if closed else "",
                               "category": category})
        t["incident_nominals"].append({"incident_id": iid, "nominal_id": victim,
                                       "role": "victim"})

    def assign(iid: str, sid: str, role: str, start: datetime, end: datetime | None) -> None:
        t["assignments"].append({"incident_id": iid, "staff_id": sid, "role": role,
                                 "start": _iso(start), "end": _iso(end) if end else ""})

    # normal response work: each response officer handles incidents and views people on duty
    n_inc = 0
    for sid in response:
        for _ in range(6):
            n_inc += 1
            iid = f"I{n_inc:04d}"
            victim = f"N{rnd.randrange(10, 400):03d}"
            d = rnd.randrange(0, DAYS - 30)
            opened = T0 + timedelta(days=d, hours=9)
            incident(iid, opened, opened + timedelta(days=20), victim,
                     rnd.choice(["domestic_abuse", "theft", "violence"]))
            assign(iid, sid, "attending", opened, opened + timedelta(hours=6))
            for h in range(3):
                event(sid, opened + timedelta(hours=1 + h), victim)
    # safeguarding staff: many unlinked vulnerable look-ups, on duty
    for sid in safeguarding:
        for _ in range(60):
            d = rnd.randrange(0, DAYS)
            event(sid, T0 + timedelta(days=d, hours=rnd.randrange(9, 17)),
                  f"N{rnd.randrange(10, 400, 2):03d}")
    # S001: attend then pursue N001
    opened = T0 + timedelta(days=20, hours=10)
    incident("IP01", opened, opened + timedelta(days=10), "N001")
    assign("IP01", "S001", "attending", opened, opened + timedelta(hours=5))
    event("S001", opened + timedelta(hours=1), "N001")
    for k in range(8):
        ts = opened + timedelta(days=25 + 9 * k, hours=12)  # 22:00, off duty
        event("S001", ts, "N001")
        t["comms"].append({"device_id": "DS001", "ts": _iso(ts + timedelta(minutes=30)),
                           "direction": "out", "channel": "sms", "counterpart": "07700 100001"})
    # S002: trawls young/vulnerable women off duty
    for k in range(40):
        nid = f"N{(k * 6 + 30) % 400:03d}"  # multiples of 6: female and flagged
        event("S002", T0 + timedelta(days=5 + 4 * k, hours=21), nid, "search")
    # S003: officer in case, benign after-closure look-ups and on-duty contact
    opened = T0 + timedelta(days=30, hours=9)
    incident("IB01", opened, opened + timedelta(days=40), "N002")
    assign("IB01", "S003", "officer_in_case", opened, None)
    for k in range(6):
        event("S003", opened + timedelta(days=5 * k, hours=2), "N002")
        t["comms"].append({"device_id": "DS003", "ts": _iso(opened + timedelta(days=5 * k,
                                                                                hours=3)),
                           "direction": "out", "channel": "call", "counterpart": "+447700100002",
                           "duration_s": "120"})
    event("S003", opened + timedelta(days=60, hours=3), "N002")  # after closure, on duty
    t["audit_events"] = ev
    t["complaints"] = [{"complaint_id": "C1", "received_on": "2023-05-01", "staff_id": "S201",
                        "complainant_nominal_id": "N399", "category": "sexual_conduct",
                        "outcome": "not_upheld"}]
    t["device_apps"] = [{"device_id": "DS202", "app_id": "com.wickr.pro", "app_name": "Wickr",
                         "first_seen": "2024-02-01"}]
    t["declarations"] = []
    t["posts"] = []
    t["vetting"] = []
    return t


@pytest.fixture
def scan_force(tmp_path: Path) -> Callable[..., Path]:
    def make(*, drop: tuple[str, ...] = (), name: str = "force",
             mutate: Callable[[dict[str, list[dict[str, Any]]]], None] | None = None) -> Path:
        tables = build_force()
        if mutate:
            mutate(tables)
        for d in drop:
            tables.pop(d)
        for empty in ("posts", "vetting"):
            if not tables.get(empty):
                tables.pop(empty, None)
        return write_extract(tmp_path / name, tables)
    return make


@pytest.fixture(scope="session")
def default_force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default scan force, written once per test session (read-only for tests)."""
    tables = build_force()
    for empty in ("posts", "vetting"):
        tables.pop(empty, None)
    return write_extract(tmp_path_factory.mktemp("scanforce") / "force", tables)
