"""Benchmark `probity vetting report` and `probity apps report` on a generated force.

    .venv/bin/python benchmarks/bench_vetting_apps.py [--staff 20000] [--months 1]
        [--dir /tmp/probity-bench-vetting] [--seed 3] [--repeat 3]

1. Generates a Parquet force with probity.synth (reused when already there).
2. Opens it (validation, cached after the first run), then times, in the same run, best of
   --repeat: the floor - DuckDB reading and joining the same tables (staff with units and
   posts and vetting grouped by person; device_apps grouped by device and app) - and the
   services `vetting_compliance` (+ its JSON document) and `app_findings` (+
   `estate_coverage`).
3. Prints one JSON object: row counts, times, and ratios service/floor.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path


def best(fn: object, repeat: int) -> float:
    assert callable(fn)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=20000)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/probity-bench-vetting"))
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from probity.apps.report import app_findings, estate_coverage
    from probity.extract import open_extract
    from probity.synth import generate
    from probity.vetting import vetting_compliance

    out = args.dir / f"force-{args.staff}-{args.months}-{args.seed}"
    gen_seconds = None
    if not (out / "manifest.json").exists():
        args.dir.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        generate(out, staff=args.staff, months=args.months, seed=args.seed, fmt="parquet",
                 overwrite=True)
        gen_seconds = round(time.perf_counter() - began, 2)

    began = time.perf_counter()
    extract = open_extract(out)
    open_seconds = time.perf_counter() - began
    con = extract.con

    def floor_vetting() -> None:
        # the same four tables read and joined, vetting grouped by person, one row per person
        con.execute("SELECT s.staff_id, s.staff_type, u.name, p.required_vetting, v.n, v.e "
                    "FROM staff s LEFT JOIN units u USING (unit_id) "
                    "LEFT JOIN posts p ON p.post_id = s.post_id LEFT JOIN "
                    "(SELECT staff_id, count(*) AS n, max(expires_on) AS e FROM vetting "
                    "GROUP BY staff_id) v USING (staff_id)").fetchall()

    def floor_apps() -> None:
        con.execute("SELECT device_id, lower(app_id), count(*) FROM device_apps "
                    "GROUP BY 1, 2").fetchall()

    def vetting() -> None:
        vetting_compliance(extract=extract).to_dict()

    def apps() -> None:
        findings = app_findings(extract=extract)
        estate_coverage(extract=extract, findings=findings)

    t_floor_v = best(floor_vetting, args.repeat)
    t_vetting = best(vetting, args.repeat)
    t_floor_a = best(floor_apps, args.repeat)
    t_apps = best(apps, args.repeat)
    report = vetting_compliance(extract=extract)
    findings = app_findings(extract=extract)
    print(json.dumps({
        "machine_cores": os.cpu_count(),
        "staff": extract.row_counts.get("staff"), "vetting_rows": extract.row_counts.get("vetting"),
        "device_apps_rows": extract.row_counts.get("device_apps"),
        "generate_seconds": gen_seconds, "open_seconds": round(open_seconds, 3),
        "vetting_floor_seconds": round(t_floor_v, 4),
        "vetting_compliance_seconds": round(t_vetting, 4),
        "vetting_ratio": round(t_vetting / t_floor_v, 1),
        "apps_floor_seconds": round(t_floor_a, 4),
        "app_findings_seconds": round(t_apps, 4),
        "apps_ratio": round(t_apps / t_floor_a, 1),
        "serving": report.serving, "no_clearance": len(report.staff_ids("no_clearance")),
        "findings": len(findings),
    }, indent=2))
    extract.close()


if __name__ == "__main__":
    main()
