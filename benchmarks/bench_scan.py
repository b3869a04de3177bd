"""Benchmark `probity scan` against a floor measured in the same run, on the same data.

    .venv/bin/python benchmarks/bench_scan.py --sizes 1M 10M [--workdir /tmp/probity-bench]

For each size a synthetic force is generated once (cached in --workdir), then, in a fresh
subprocess (so peak memory belongs to that size alone):

- open: `open_extract` (validation is cached after the first open);
- floor: DuckDB alone reading and grouping the audit columns the scan uses:
  `select staff_id, object_type, count(distinct object_id), min(ts), max(ts),
   count(distinct action) from audit_events group by staff_id, object_type`
  (run before and after the scan; the faster run is the floor);
- scan: `probity.analytics.scan` end to end (every indicator, scoring, reasons);

and prints scan time, ratio to the floor, audit events per second and peak RSS. Results go to
--out (JSON) and a Markdown table on stdout for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

FLOOR_SQL = ("select staff_id, object_type, count(distinct object_id), min(ts), max(ts), "
             "count(distinct action) from audit_events group by staff_id, object_type")
# synthetic force sizes (staff, months, activity scale) giving roughly these audit event counts
SIZES = {
    "1M": (600, 6, 1.0),
    "10M": (3000, 12, 1.0),
    "50M": (3000, 12, 5.0),
    "100M": (3000, 12, 10.0),
}


def _one(path: Path) -> dict[str, float]:
    from probity.analytics.scan import scan
    from probity.extract import open_extract

    started = time.perf_counter()
    extract = open_extract(path)
    opened = time.perf_counter() - started
    events = int(extract.con.execute("select count(*) from audit_events").fetchone()[0])

    def floor() -> float:
        t0 = time.perf_counter()
        extract.con.execute(FLOOR_SQL).fetchall()
        return time.perf_counter() - t0

    floor_before = floor()
    t0 = time.perf_counter()
    result = scan(extract)
    scan_s = time.perf_counter() - t0
    floor_after = floor()
    floor_s = min(floor_before, floor_after)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"events": events, "staff": len(result.ranked), "open_s": opened,
            "floor_s": floor_s, "floor_before_s": floor_before, "floor_after_s": floor_after,
            "scan_s": scan_s, "ratio": scan_s / floor_s, "events_per_s": events / scan_s,
            "peak_rss_mib": peak_kib / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["1M", "10M"], choices=list(SIZES))
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/probity-bench"))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results_scan.json"))
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_one(args.child)))
        return
    from probity.synth import generate

    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        staff, months, scale = SIZES[size]
        path = args.workdir / f"force-{size}"
        if not (path / "manifest.json").exists():
            t0 = time.perf_counter()
            generate(path, staff=staff, months=months, seed=11, scale=scale, overwrite=True)
            print(f"generated {path} in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                             capture_output=True, text=True, env=os.environ.copy())
        row = {"size": size, **json.loads(out.stdout.strip().splitlines()[-1])}
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    meta = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "python": platform.python_version(), "load_average": os.getloadavg()}
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"machine: {meta['machine']}; load average at end {meta['load_average'][0]:.1f}")
    print("| audit events | staff | floor (s) | scan (s) | scan / floor | events/s | peak RSS (MiB) "
          "| open extract (s) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['events']:,} | {r['staff']:,} | {r['floor_s']:.2f} | {r['scan_s']:.2f} | "
              f"{r['ratio']:.1f}x | {r['events_per_s']:,.0f} | {r['peak_rss_mib']:,.0f} | "
              f"{r['open_s']:.1f} |")


if __name__ == "__main__":
    main()
