"""Web pages under load (issue 5 item 8): 100,000 cases and 1,000,000 alerts, 20 users.

Loads a fresh database with bulk_create (one scan run of N alerts with evidence on the top
ones; M reports with subjects, a victim, and an investigation with log entries and a reg 42
outcome on every tenth report), serves it with `probity serve` (gunicorn, loopback), and
drives U concurrent users for D seconds, each waiting 1-3 s between pages as Locust users do
(`--think 0`: none). Each user is a distinct account (analyst and
appropriate authority roles) signed in once: its session is created before the run (the
sign-in path with its TOTP step and throttling is not what is measured) and carries a stated
purpose for the records it opens, so detail pages do their full work, the access-log write
(same transaction, hash chain) included. Need-to-know holds: user 0 is on every report's team
(the head of PSD's view: lists and dashboard over all 100,000), the others on 1/20th each.

Prints p50/p95/max per page and the ratio of each page's p95 to the p95 of /health in the
same run (the floor: a request through the same server doing no casework), plus a Markdown
table for docs/benchmarks.md.

    .venv/bin/python benchmarks/bench_web.py                      # SQLite, full size
    .venv/bin/python benchmarks/bench_web.py --alerts 20000 --reports 2000 --seconds 10
    .venv/bin/python benchmarks/bench_web.py --postgres probity_webbench   # fresh PG database
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
BATCH = 20_000
CATEGORIES = ["sexual_misconduct", "misusing_force_systems", "disclosure_of_information",
              "inappropriate_association", "abuse_of_authority", "theft_and_fraud"]
OUTCOMES = [("hearing", "gross_misconduct", "gross_misconduct", "dismissal_without_notice"),
            ("hearing", "gross_misconduct", "gross_misconduct", "final_written_warning"),
            ("meeting", "misconduct", "misconduct", "written_warning"),
            ("meeting", "misconduct", "not_proven", "no_action")]


def fresh_postgres(name: str) -> str:
    import psycopg

    if not name.replace("_", "").isalnum():
        raise SystemExit(f"--postgres {name!r}: expected a plain database name")
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def reuse(*, users: int) -> dict[str, Any]:
    """The figures of an earlier load (--reuse DIR): no seeding."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from probity.web.alerts.models import Alert
    from probity.web.casework.models import Report
    from probity.web.investigations.models import Investigation

    people = [get_user_model().objects.get(username=f"bench_user_{n:02d}") for n in range(users)]
    return {"people": people,
            "alert_ids": list(Alert.objects.order_by("rank").values_list("pk", flat=True)[:2000]),
            "report_ids": list(Report.objects.order_by("pk").values_list("pk", flat=True)),
            "investigated": list(Investigation.objects.values_list("report_id", flat=True)),
            "alert_seconds": 0.0, "seconds": 0.0}


def seed(*, alerts: int, reports: int, users: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction

    from probity.web.alerts.models import Alert, AlertEvidence, ScanRun
    from probity.web.casework.models import Report, ReportPerson, ReportSubject
    from probity.web.core.roles import setup_roles
    from probity.web.investigations.models import ConductOutcome, Investigation, LogEntry

    call_command("migrate", verbosity=0)
    setup_roles()
    groups = [Group.objects.get(name="analyst"), Group.objects.get(name="appropriate_authority")]
    people = []
    for n in range(users):
        user, _ = get_user_model().objects.get_or_create(username=f"bench_user_{n:02d}")
        user.groups.set(groups)
        people.append(user)
    rng = random.Random(7)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic():
        run = ScanRun.objects.create(loaded_at=now, ranked_file="bench", ranked_sha256="0" * 64,
                                     evidence_file="bench", evidence_sha256="0" * 64,
                                     alert_count=alerts, evidence_count=0,
                                     scored_count=alerts, ranked_by_score=True,
                                     pseudonym_salt="bench")
        for start in range(0, alerts, BATCH):
            Alert.objects.bulk_create(
                [Alert(scan_run=run, staff_id=f"S{i:07d}", pseudonym=f"S-{i:012X}", rank=i + 1,
                       score=round(100.0 * (1 - i / alerts), 4),
                       reasons="repeated look-ups of 3 person(s) [2.1]",
                       persons_of_concern=[f"N{i:07d}"])
                 for i in range(start, min(alerts, start + BATCH))], batch_size=BATCH)
        top = list(Alert.objects.filter(scan_run=run).order_by("rank")
                   .values_list("pk", flat=True)[:2000])
        AlertEvidence.objects.bulk_create(
            [AlertEvidence(alert_id=pk, indicator="after_case_lookup", nominal_id=f"N{k}",
                           first_ts=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=k),
                           last_ts=datetime(2025, 1, 2, tzinfo=UTC) + timedelta(hours=k),
                           count=2, weight=1.5, detail="looked up after the case closed")
             for pk in top for k in range(5)], batch_size=BATCH)
        alert_seconds = time.perf_counter() - started
        for start in range(0, reports, BATCH):
            Report.objects.bulk_create(
                [Report(source="proactive_alert", national_category=rng.choice(CATEGORIES),
                        source_evaluation="2", intelligence_assessment="B", handling_code="P",
                        narrative="Bench report.",
                        received_on=date(2025, 1, 1) + timedelta(days=rng.randrange(300)),
                        created_by=people[0], created_at=now)
                 for _ in range(start, min(reports, start + BATCH))], batch_size=BATCH)
        report_ids = list(Report.objects.order_by("pk").values_list("pk", flat=True))
        team = Report.team.through
        team.objects.bulk_create(
            [team(report_id=pk, user_id=people[0].pk) for pk in report_ids]
            + [team(report_id=pk, user_id=people[pk % users].pk) for pk in report_ids
               if pk % users], batch_size=BATCH)
        ReportSubject.objects.bulk_create(
            [ReportSubject(report_id=pk, staff_id=f"S{pk % 5000:07d}") for pk in report_ids],
            batch_size=BATCH)
        ReportPerson.objects.bulk_create(
            [ReportPerson(report_id=pk, role="victim", name=f"Victim {pk}") for pk in report_ids],
            batch_size=BATCH)
        investigated = [pk for pk in report_ids if (pk // users) % 10 == 0]  # every team
        Investigation.objects.bulk_create(
            [Investigation(report_id=pk, opened_at=now, opened_by=people[0],
                           severity=OUTCOMES[pk % 4][1], severity_assessed_on=date(2025, 11, 1),
                           severity_assessed_by=people[0], severity_rationale="Bench.",
                           forum=OUTCOMES[pk % 4][0], forum_date=date(2025, 12, 1),
                           forum_decided_by=people[0]) for pk in investigated],
            batch_size=BATCH)
        by_report = dict(Investigation.objects.values_list("report_id", "pk"))
        LogEntry.objects.bulk_create(
            [LogEntry(investigation_id=by_report[pk], investigator=people[0],
                      entry_date=date(2025, 10, 1) + timedelta(days=k),
                      entry="Interviewed a witness.", recorded_at=now)
             for pk in investigated for k in range(3)], batch_size=BATCH)
        ConductOutcome.objects.bulk_create(
            [ConductOutcome(investigation_id=by_report[pk], staff_id=f"S{pk % 5000:07d}",
                            forum=OUTCOMES[pk % 4][0], severity=OUTCOMES[pk % 4][1],
                            finding=OUTCOMES[pk % 4][2], outcome=OUTCOMES[pk % 4][3],
                            decided_on=date(2025, 12, 2), recorded_by=people[0],
                            recorded_at=now) for pk in investigated[::2]], batch_size=BATCH)
    return {"people": people, "alert_ids": top, "report_ids": report_ids,
            "investigated": investigated, "alert_seconds": alert_seconds,
            "seconds": time.perf_counter() - started}


def sessions(*, people: list[Any], alert_ids: list[int], report_ids: list[int]) -> list[str]:
    """One signed-in session per user, with stated purposes for the records it will open."""
    from django.test import Client

    from probity.web.core.purpose import _SESSION_KEY

    keys = []
    for user in people:
        client = Client()
        client.force_login(user)
        session = client.session
        purposes = {f"alert:{pk}": "benchmark of triage pages" for pk in alert_ids}
        purposes.update({f"report:{pk}": "benchmark of report pages" for pk in report_ids})
        session[_SESSION_KEY] = purposes
        session.save()
        keys.append(session.session_key)
    return keys


def drive(*, port: int, keys: list[str], seconds: float, pages: dict[str, Any],
          think: tuple[float, float] = (0.0, 0.0)
          ) -> tuple[dict[str, list[float]], dict[str, int]]:
    results: dict[str, list[float]] = {name: [] for name in pages}
    failures: dict[str, int] = dict.fromkeys(pages, 0)
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user_loop(n: int, key: str) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Cookie": f"sessionid={key}", "Host": "127.0.0.1"}
        names = list(pages)
        while time.perf_counter() < stop_at:
            name = rng.choice(names)
            path = pages[name](n, rng)
            method, form = "GET", None
            if isinstance(path, tuple):  # a form post: (path, fields), CSRF token added
                method, (path, form) = "POST", path
            begun = time.perf_counter()
            ok = False
            for attempt in (1, 2):
                try:
                    sent, body_out = dict(headers), None
                    if form is not None:
                        if "csrftoken" not in headers["Cookie"]:
                            _csrf(conn, headers, path)
                            sent = dict(headers)
                        body_out = urlencode({**form, "csrfmiddlewaretoken": headers["X-Csrf"]})
                        sent["Content-Type"] = "application/x-www-form-urlencoded"
                    sent.pop("X-Csrf", None)
                    conn.request(method, path, body=body_out, headers=sent)
                    response = conn.getresponse()
                    body = response.read()
                    ok = response.status == 200 and b'name="stated_purpose"' not in body
                    if form is not None:
                        ok = ok and b'data-testid="reference"' in body
                    break
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    # as browsers do: a kept-alive connection the server closed while the
                    # user was reading is reopened and the request sent again, once
                    stale = isinstance(exc, http.client.RemoteDisconnected | BrokenPipeError
                                       | ConnectionResetError)
                    if not (stale and attempt == 1):
                        break
            elapsed = time.perf_counter() - begun
            with lock:
                if ok:
                    results[name].append(elapsed)
                else:
                    failures[name] += 1
            if think[1] > 0:  # the user reads the page before the next click
                time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=user_loop, args=(n, key)) for n, key in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, failures


def _csrf(conn: http.client.HTTPConnection, headers: dict[str, str], path: str) -> None:
    """Open the form once, as a browser would, for its CSRF cookie and token."""
    conn.request("GET", path, headers={k: v for k, v in headers.items() if k != "X-Csrf"})
    response = conn.getresponse()
    body = response.read().decode()
    cookie = next(c for c in response.headers.get_all("Set-Cookie") or []
                  if c.startswith("csrftoken="))
    headers["Cookie"] += "; " + cookie.split(";")[0]
    marker = 'name="csrfmiddlewaretoken" value="'
    start = body.index(marker) + len(marker)
    headers["X-Csrf"] = body[start:body.index('"', start)]


CONCERN = {"route": "partner", "organisation": "Benchmark Refuge", "reporter_name": "A Worker",
           "reporter_contact": "01000 000000", "about": "An officer (name withheld)",
           "narrative": "A client says the officer who took her statement keeps messaging her "
                        "late at night from a personal number."}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concern", action="store_true",
                        help="also open and submit the public concern form (issue 9 item 8)")
    parser.add_argument("--think", default="1-3", metavar="MIN-MAX",
                        help="seconds each user waits between pages, uniform (Locust's "
                             "between(1, 3)); 0 for none: every user clicks again at once")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", metavar="DBNAME", default="",
                        help="use a fresh PostgreSQL database of this name (dropped first)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--reuse", type=Path, metavar="DIR",
                        help="SQLite only: serve the database an earlier run loaded in DIR")
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    data_dir = args.reuse or Path(tempfile.mkdtemp(prefix="probity-benchweb-"))
    os.environ["PROBITY_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        os.environ["DATABASE_URL"] = fresh_postgres(args.postgres)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probity.web.config.settings")
    info = (reuse(users=args.users) if args.reuse
            else seed(alerts=args.alerts, reports=args.reports, users=args.users))
    print(f"data in {data_dir}; loaded {args.alerts:,} alerts in {info['alert_seconds']:.0f} s; everything in "
          f"{info['seconds']:.0f} s", flush=True)
    users: list[Any] = info["people"]
    # each user opens records on its own team (user 0: all); 200 per user, purposes stated
    own: list[list[int]] = [[pk for pk in info["report_ids"] if n == 0 or pk % len(users) == n]
                            [:4000] for n in range(len(users))]
    investigated = set(info["investigated"])
    own_inv = [[pk for pk in ids if pk in investigated][:200] for ids in own]
    own = [ids[:200] for ids in own]
    keys = [sessions(people=[user], alert_ids=info["alert_ids"][:200],
                     report_ids=own[n] + own_inv[n])[0] for n, user in enumerate(users)]
    deep = max(2, args.alerts // 50)
    pages: dict[str, Any] = {
        "health (floor)": lambda n, r: "/health",
        "alert queue p1": lambda n, r: "/alerts/",
        "alert queue deep": lambda n, r: f"/alerts/?page={r.randint(2, deep)}",
        "alert detail": lambda n, r: f"/alerts/{r.choice(info['alert_ids'][:200])}/",
        "report list p1": lambda n, r: "/reports/",
        "report list deep": lambda n, r: f"/reports/?page={r.randint(2, 40)}",
        "report detail": lambda n, r: f"/reports/{r.choice(own[n])}/",
        "investigation": lambda n, r: f"/investigations/{r.choice(own_inv[n])}/",
        "dashboard": lambda n, r: "/reports/dashboard/",
    }
    if args.concern:
        pages["concern form"] = lambda n, r: "/concerns/new"
        pages["concern submit"] = lambda n, r: ("/concerns/new", CONCERN)
        # every simulated user shares 127.0.0.1: lift the per-address limit for this run
        # (the limit itself is tested in tests/web/partners)
        os.environ["PROBITY_CONCERN_MAX_PER_HOUR"] = "1000000"
    probity = Path(sys.executable).with_name("probity")
    server = subprocess.Popen([str(probity), "serve", "--port", str(args.port), "--workers",
                               str(args.workers)], env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(240):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        # warm-up (imports, caches), not measured
        drive(port=args.port, keys=keys[:2], seconds=3, pages=pages)
        results, failures = drive(port=args.port, keys=keys, seconds=args.seconds, pages=pages,
                                  think=think)
    finally:
        server.terminate()
        server.wait(timeout=30)
    engine = "PostgreSQL" if args.postgres else "SQLite"
    floor = percentile(results["health (floor)"], 95)
    total = sum(len(v) for v in results.values())
    print(f"\n{engine}, {os.cpu_count()} cores (client and server on the same machine), "
          f"{args.alerts:,} alerts, {args.reports:,} reports, {args.users} users, "
          f"{args.seconds:.0f} s, think time {args.think} s, "
          f"gunicorn {args.workers} workers x 4 threads; "
          f"{total / args.seconds:.1f} requests/s, {sum(failures.values())} failures\n")
    print("| page | requests | failures | p50 ms | p95 ms | max ms | p95 / floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    figures = {}
    for name, values in results.items():
        p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
        top = max(values) * 1000 if values else float("nan")
        figures[name] = {"requests": len(values), "failures": failures[name], "p50_ms": p50,
                         "p95_ms": p95, "max_ms": top}
        print(f"| {name} | {len(values)} | {failures[name]} | {p50:.1f} | {p95:.1f} | "
              f"{top:.1f} | {p95 / (floor * 1000):.1f} |")
    every = [v for values in results.values() for v in values]
    failed = sum(failures.values())
    overall = {"requests": len(every), "failures": failed,
               "failure_ratio": failed / max(1, len(every) + failed),
               "p50_ms": percentile(every, 50) * 1000, "p95_ms": percentile(every, 95) * 1000}
    print(f"\nall pages: {overall['requests']} requests, {failed} failures "
          f"(ratio {overall['failure_ratio']:.4%}), p50 {overall['p50_ms']:.1f} ms, "
          f"p95 {overall['p95_ms']:.1f} ms")
    figures["all pages"] = overall
    if args.json:
        args.json.write_text(json.dumps({"engine": engine, "alerts": args.alerts,
                                         "reports": args.reports, "users": args.users,
                                         "seconds": args.seconds, "think": args.think,
                                         "pages": figures}, indent=1))


if __name__ == "__main__":
    main()
