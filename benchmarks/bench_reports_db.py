"""Benchmark reading casework from the web app's database for the reports.

    .venv/bin/python benchmarks/bench_reports_db.py [--reports 20000] [--dir /tmp/probity-bench-reports-db]

Uses its own data directory (SQLite, or DATABASE_URL if set): migrates, bulk-creates
`--reports` synthetic reports (one subject, one victim, an investigator on the team, a
referral for one in ten) once, then times `probity.reports.casework_db.load_cases` (every
report as pseudonymous records, one query per table) against the floor of reading the same
rows with `values_list` and building nothing. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=20000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/probity-bench-reports-db"))
    args = parser.parse_args()
    os.environ["PROBITY_DATA_DIR"] = str(args.dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probity.web.config.settings")
    subprocess.run([str(ROOT / ".venv/bin/probity"), "manage", "migrate", "--verbosity", "0"],
                   check=True, env=os.environ)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from probity.reports.casework_db import load_cases
    from probity.web.casework.models import Referral, Report, ReportPerson, ReportSubject
    from probity.web.core.roles import setup_roles

    setup_roles()
    users = get_user_model().objects
    analyst = users.filter(username="bench-analyst").first() or users.create_user(
        username="bench-analyst", password="bench-password-long-1")  # pragma: allowlist secret (benchmark-only synthetic account)
    investigator = users.filter(username="bench-investigator").first() or users.create_user(
        username="bench-investigator", password="bench-password-long-2")  # pragma: allowlist secret (benchmark-only synthetic account)
    investigator.groups.add(Group.objects.get(name="investigator"))
    missing = args.reports - Report.objects.count()
    if missing > 0:
        rng = random.Random(1)
        now = dt.datetime.now(dt.UTC)
        categories = ["infiltration", "theft_and_fraud", "misusing_force_systems",
                      "sexual_misconduct", "abuse_of_authority", "other"]
        reports = Report.objects.bulk_create([
            Report(source=rng.choice(["proactive_alert", "public_complaint", "partner_concern"]),
                   national_category=(c := rng.choice(categories)),
                   abuse_of_position_sexual_purpose=c == "sexual_misconduct",
                   source_evaluation="2", intelligence_assessment="B", handling_code="P",
                   narrative="synthetic", received_on=dt.date(2025, rng.randint(1, 12),
                                                              rng.randint(1, 28)),
                   created_by=analyst, created_at=now,
                   referral_criteria=["serious_corruption"] if c == "sexual_misconduct" else [],
                   referral_due_at=now if c == "sexual_misconduct" else None)
            for _ in range(missing)], batch_size=2000)
        ReportSubject.objects.bulk_create(
            [ReportSubject(report=r, staff_id=f"S{rng.randint(1, 3000):05d}") for r in reports],
            batch_size=5000)
        ReportPerson.objects.bulk_create(
            [ReportPerson(report=r, role="victim", nominal_id=f"N{rng.randint(1, 9000)}",
                          vulnerability=["domestic_abuse_victim"]) for r in reports],
            batch_size=5000)
        Report.team.through.objects.bulk_create(
            [Report.team.through(report_id=r.pk, user_id=investigator.pk) for r in reports],
            batch_size=5000)
        Referral.objects.bulk_create(
            [Referral(report=r, referred_at=now, referred_by=analyst) for r in reports
             if r.abuse_of_position_sexual_purpose], batch_size=5000)

    t = time.perf_counter()  # floor: read the same rows, build nothing
    list(Report.objects.values_list("id", "received_on", "national_category", "source",
                                    "abuse_of_position_sexual_purpose", "status",
                                    "referral_criteria", "referral_due_at"))
    list(ReportSubject.objects.values_list("report_id", "staff_id"))
    list(ReportPerson.objects.values_list("report_id", "role", "nominal_id", "vulnerability"))
    list(Report.team.through.objects.values_list("report_id", "user_id"))
    list(Referral.objects.values())
    floor = time.perf_counter() - t
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        cases = load_cases()
    took = time.perf_counter() - t
    assert not hasattr(cases, "reason"), cases
    print(json.dumps({
        "machine": "2 cores (shared)", "database": connection.vendor,
        "reports": len(cases),  # type: ignore[arg-type]
        "floor_read_rows_s": round(floor, 3), "load_cases_s": round(took, 3),
        "ratio": round(took / floor, 1), "queries": len(queries.captured_queries),
    }, indent=2))


if __name__ == "__main__":
    sys.exit(main())
