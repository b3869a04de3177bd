"""Small, hand-made Force Extracts and casework for the report tests (the testkit).

The extracts are written here (not by the synthetic generator) so every expected figure can be
worked out by hand from the rows below.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path

from probity.reports.figures import (
    CaseRecord,
    OutcomeRecord,
    PersonRecord,
    ReferralRecord,
    SubjectRecord,
)

YEAR = 2025


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])


def write_extract(
    root: Path,
    *,
    force_code: str = "TST",
    force_name: str = "Test Constabulary",
    staff: int = 10,
    systems: Sequence[str] = ("rms", "pnc"),
    months: Sequence[int] = tuple(range(1, 13)),
    optional: Sequence[str] = ("devices", "device_apps", "comms", "vetting", "posts"),
    period: tuple[str, str] = (f"{YEAR}-01-01", f"{YEAR}-12-31"),
) -> Path:
    """An extract with `staff` people (the last one left in 2024), audit events from each
    system in each month (one per person per system per month), three devices (phone issued
    to S001 with comms and apps, phone issued to S002 without apps, a shared desktop)."""
    root.mkdir(parents=True, exist_ok=True)
    manifest = {"format": "force-extract", "version": 1, "force_code": force_code,
                "force_name": force_name, "period_start": period[0], "period_end": period[1],
                "extracted_at": f"{YEAR + 1}-01-02T03:00:00Z"}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    _write(root / "units.csv", ["unit_id", "name", "function"],
           [("U1", "Response North", "response"), ("U2", "Public Protection", "public_protection")])
    types = ["officer", "officer", "staff", "special_constable", "officer", "staff", "officer",
             "contractor", "officer", "officer"]
    people = []
    for i in range(staff):
        sid = f"S{i + 1:03d}"
        end = "2024-06-30" if i == staff - 1 else None
        post = "P1" if i % 2 == 0 else "P2"
        people.append((sid, f"Fore{i}", f"Sur{i}", types[i % len(types)], "PC",
                       "U1" if i % 2 == 0 else "U2", post if "posts" in optional else None,
                       "2015-01-01", end))
    _write(root / "staff.csv", ["staff_id", "forename", "surname", "staff_type", "rank", "unit_id",
                                "post_id", "start_date", "end_date"], people)
    if "posts" in optional:
        _write(root / "posts.csv", ["post_id", "title", "unit_id", "required_vetting"],
               [("P1", "Constable", "U1", "rv"), ("P2", "PPU investigator", "U2", "mv")])
    if "vetting" in optional:
        _write(root / "vetting.csv", ["staff_id", "level", "status", "decided_on", "expires_on"],
               [(p[0], "mv" if j % 3 else "rv", "granted", "2020-01-01", "2030-01-01")
                for j, p in enumerate(people[:-2])])
    _write(root / "incidents.csv", ["incident_id", "opened_at", "closed_at", "category"],
           [("I1", f"{YEAR}-02-01T10:00:00Z", f"{YEAR}-02-03T10:00:00Z", "domestic_abuse")])
    _write(root / "nominals.csv", ["nominal_id", "forename", "surname"], [("N1", "Ann", "Other")])
    _write(root / "incident_nominals.csv", ["incident_id", "nominal_id", "role"], [("I1", "N1", "victim")])
    _write(root / "assignments.csv", ["incident_id", "staff_id", "role", "start"],
           [("I1", "S001", "attending", f"{YEAR}-02-01T10:05:00Z")])
    events = []
    n = 0
    for system in systems:
        for month in months:
            for p in people[:-1]:
                n += 1
                events.append((f"E{n}", f"{YEAR}-{month:02d}-15T12:00:00Z", p[0], system, "view",
                               "nominal", "N1"))
    # events outside the year must not count
    events.append(("E-old", f"{YEAR - 1}-12-31T23:59:59Z", "S001", "custody", "view", "nominal", "N1"))
    _write(root / "audit_events.csv", ["event_id", "ts", "staff_id", "system", "action",
                                       "object_type", "object_id"], events)
    if "devices" in optional:
        _write(root / "devices.csv", ["device_id", "staff_id", "kind", "platform"],
               [("D1", "S001", "phone", "android"), ("D2", "S002", "phone", "ios"),
                ("D3", None, "desktop", "windows")])
        if "device_apps" in optional:
            _write(root / "device_apps.csv", ["device_id", "app_id", "app_name", "first_seen"],
                   [("D1", "org.thoughtcrime.securesms", "Signal", f"{YEAR}-03-01")])
        if "comms" in optional:
            _write(root / "comms.csv", ["device_id", "ts", "direction", "channel", "counterpart"],
                   [("D1", f"{YEAR}-03-02T20:00:00Z", "out", "sms", "07700 900123")])
    return root


def make_cases(*, seed: int, count: int = 40, year: int = YEAR) -> list[CaseRecord]:
    """Random but reproducible casework spread over `year - 2` to `year`."""
    from probity.reports.taxonomy import (
        IOPC_DECISIONS,
        NATIONAL_CATEGORIES,
        OUTCOMES,
        REPORT_SOURCES,
        VULNERABILITIES,
    )

    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        y = rng.choice((year - 2, year - 1, year, year))
        received = dt.date(y, rng.randint(1, 12), rng.randint(1, 28))
        category = rng.choice(NATIONAL_CATEGORIES)
        apsp = category == "sexual_misconduct" and rng.random() < 0.7
        is_open = rng.random() < 0.5
        closed = None if is_open else min(received + dt.timedelta(days=rng.randint(10, 400)),
                                          dt.date(year, 12, 31))
        referral = None
        if apsp or rng.random() < 0.2:
            due = dt.datetime.combine(received + dt.timedelta(days=1), dt.time(23, 59),
                                      tzinfo=dt.UTC)
            referred = (None if rng.random() < 0.2 else
                        due + dt.timedelta(hours=rng.choice((-20, -5, 10, 30))))
            referral = ReferralRecord(required=True, due_at=due, referred_at=referred,
                                      decision=rng.choice(IOPC_DECISIONS))
        outcomes = ()
        if closed is not None and rng.random() < 0.6:
            outcomes = (OutcomeRecord(outcome=rng.choice(OUTCOMES), decided_on=closed,
                                      barred_list=rng.random() < 0.2,
                                      advisory_list=rng.random() < 0.1),)
        cases.append(CaseRecord(
            received_on=received, category=category, apsp=apsp,
            source=rng.choice(REPORT_SOURCES),
            partner_kind=rng.choice(("domestic_abuse_service", "sexual_violence_service")),
            is_open=is_open, closed_on=closed,
            investigator_keys=rng.choice((("inv1",), ("inv2",), ("inv3",), ("inv1", "inv2"), ())),
            subjects=(SubjectRecord(subject_key=f"S{rng.randint(1, 15):03d}",
                                    staff_type=rng.choice(("officer", "staff", "special_constable")),
                                    role=rng.choice(("PC", "DC", "Sergeant")),
                                    unit=rng.choice(("response", "public_protection"))),),
            persons=tuple(
                PersonRecord(role="victim", person_key=f"V{rng.randint(1, 60)}",
                             vulnerabilities=tuple(rng.sample(VULNERABILITIES, rng.randint(0, 2))))
                for _ in range(rng.randint(0, 2))),
            referral=referral,
            outcomes=outcomes,
            criminal_outcome=rng.choice((None, "charged", "no_further_action")),
            safeguarding_referrals=rng.randint(0, 2),
        ))
    return cases
