"""Casework page latency under concurrent users (issue 5 item 8), bounded in time.

Seeds a fresh database with N alerts (one scan run) and M reports on the benchmark user's
team, serves the app with `probity serve` (gunicorn) on loopback, and drives U concurrent
users for D seconds over the main pages: alert queue (first and deep pages), alert detail,
report list, report detail, dashboard. Sessions are created directly (the sign-in path, with
its TOTP step and throttling, is not what is measured); each alert/report opened has a stated
purpose in the session, so detail pages do their full work, access-log write included.

Prints p50/p95/max per page, failures, and the ratio of each page's p95 to the p95 of
/health (SELECT 1 through the same server, same run): the floor.

    .venv/bin/python benchmarks/web_pages.py --alerts 1000000 --reports 100000 --users 20 --seconds 60
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/probity_bench .venv/bin/python benchmarks/web_pages.py ...
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def seed(*, alerts: int, reports: int) -> dict[str, object]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction

    from probity.web.alerts.models import Alert, AlertEvidence, ScanRun
    from probity.web.casework.models import Report, ReportSubject

    call_command("migrate", verbosity=0)
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username="bench_analyst")
    user.groups.set([Group.objects.get(name="analyst")])
    rng = random.Random(7)
    started = time.perf_counter()
    with transaction.atomic():
        run = ScanRun.objects.create(loaded_at=datetime.now(UTC), ranked_file="bench",
                                     ranked_sha256="0" * 64, evidence_file="bench",
                                     evidence_sha256="0" * 64, alert_count=alerts,
                                     evidence_count=0, pseudonym_salt="bench")
        batch = 20000
        for start in range(0, alerts, batch):
            Alert.objects.bulk_create(
                [Alert(scan_run=run, staff_id=f"S{i:07d}", pseudonym=f"S-{i:012X}", rank=i + 1,
                       score=round(100.0 * (1 - i / alerts), 4),
                       reasons="repeated look-ups of 3 person(s) [2.1]",
                       persons_of_concern=[f"N{i:07d}"])
                 for i in range(start, min(alerts, start + batch))], batch_size=batch)
        top = list(Alert.objects.filter(scan_run=run).order_by("rank")
                   .values_list("pk", flat=True)[:2000])
        AlertEvidence.objects.bulk_create(
            [AlertEvidence(alert_id=pk, indicator="after_case_lookup", nominal_id=f"N{k}",
                           first_ts=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=k),
                           last_ts=datetime(2025, 1, 2, tzinfo=UTC) + timedelta(hours=k),
                           count=2, weight=1.5, detail="looked up after the case closed")
             for pk in top for k in range(5)], batch_size=batch)
        categories = ["sexual_misconduct", "misusing_force_systems", "disclosure_of_information",
                      "inappropriate_association", "abuse_of_authority"]
        for start in range(0, reports, batch):
            Report.objects.bulk_create(
                [Report(source="proactive_alert", national_category=rng.choice(categories),
                        source_evaluation="2", intelligence_assessment="B", handling_code="P",
                        narrative="Bench report.", received_on=date(2025, 1, 1)
                        + timedelta(days=rng.randrange(300)), created_by=user,
                        created_at=datetime.now(UTC))
                 for _ in range(start, min(reports, start + batch))], batch_size=batch)
        report_ids = list(Report.objects.values_list("pk", flat=True))
        team = Report.team.through
        team.objects.bulk_create([team(report_id=pk, user_id=user.pk) for pk in report_ids],
                                 batch_size=batch)
        ReportSubject.objects.bulk_create(
            [ReportSubject(report_id=pk, staff_id=f"S{pk % 5000:07d}") for pk in report_ids],
            batch_size=batch)
    seeded = time.perf_counter() - started
    return {"user": user, "alert_ids": top, "report_ids": report_ids, "seconds": seeded}


def sessions(*, user: object, alert_ids: list[int], report_ids: list[int], count: int) -> list[str]:
    from django.test import Client

    from probity.web.core.purpose import _SESSION_KEY

    keys = []
    for _ in range(count):
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        session = client.session
        purposes = {f"alert:{pk}": "benchmark of triage pages" for pk in alert_ids[:200]}
        purposes.update({f"report:{pk}": "benchmark of report pages" for pk in report_ids[:200]})
        session[_SESSION_KEY] = purposes
        session.save()
        keys.append(session.session_key)
    return keys


def drive(*, port: int, session_keys: list[str], seconds: float, alert_ids: list[int],
          report_ids: list[int], alerts: int) -> dict[str, list[float]]:
    pages = {
        "health (floor)": lambda: "/health",
        "alert queue p1": lambda: "/alerts/",
        "alert queue deep": lambda: f"/alerts/?page={random.randint(2, max(2, alerts // 50))}",
        "alert detail": lambda: f"/alerts/{random.choice(alert_ids[:200])}/",
        "report list": lambda: "/reports/",
        "report detail": lambda: f"/reports/{random.choice(report_ids[:200])}/",
        "dashboard": lambda: "/reports/dashboard/",
    }
    results: dict[str, list[float]] = {name: [] for name in pages}
    failures: dict[str, int] = {name: 0 for name in pages}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user_loop(key: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": f"sessionid={key}", "Host": "127.0.0.1"}
        while time.perf_counter() < stop_at:
            name = random.choice(list(pages))
            path = pages[name]()
            begun = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - begun
            with lock:
                if ok:
                    results[name].append(elapsed)
                else:
                    failures[name] += 1

    threads = [threading.Thread(target=user_loop, args=(key,)) for key in session_keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["_failures"] = [float(failures[name]) for name in pages]
    return results


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="probity-webbench-"))
    os.environ["PROBITY_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probity.web.config.settings")
    info = seed(alerts=args.alerts, reports=args.reports)
    keys = sessions(user=info["user"], alert_ids=info["alert_ids"],  # type: ignore[arg-type]
                    report_ids=info["report_ids"], count=args.users)  # type: ignore[arg-type]
    probity = Path(sys.executable).with_name("probity")
    server = subprocess.Popen([str(probity), "serve", "--port", str(args.port), "--workers",
                               str(args.workers)], env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        results = drive(port=args.port, session_keys=keys, seconds=args.seconds,
                        alert_ids=info["alert_ids"], report_ids=info["report_ids"],  # type: ignore[arg-type]
                        alerts=args.alerts)
    finally:
        server.terminate()
        server.wait(timeout=30)
    failures = results.pop("_failures")
    engine = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"# {engine}, {os.cpu_count()} cores, {args.alerts:,} alerts, {args.reports:,} reports, "
          f"{args.users} users, {args.seconds:.0f} s, gunicorn {args.workers} workers x 4 threads; "
          f"seeded in {info['seconds']:.0f} s")
    floor = percentile(results["health (floor)"], 95)
    total = sum(len(v) for v in results.values())
    print(f"{'page':18} {'requests':>8} {'fail':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'p95/floor':>9}")
    for (name, values), failed in zip(results.items(), failures, strict=True):
        p50, p95 = percentile(values, 50) * 1000, percentile(values, 95) * 1000
        print(f"{name:18} {len(values):8d} {int(failed):5d} {p50:8.1f} {p95:8.1f} "
              f"{(max(values) if values else float('nan')) * 1000:8.1f} {p95 / (floor * 1000):9.1f}")
    print(f"throughput: {total / args.seconds:.1f} requests/s; failures {int(sum(failures))}")


if __name__ == "__main__":
    main()
