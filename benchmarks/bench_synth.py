"""Generator speed and size: a 3,000-staff, 6-month force, at --scale 1 and 10.

    .venv/bin/python benchmarks/bench_synth.py [--staff 3000] [--months 6] [--scales 1,10]
                                               [--formats parquet,csv.gz] [--write-docs]

Each run is a fresh subprocess (so its peak RSS is its own) that calls
`probity.synth.generate`. The floor, measured in the same subprocess right after, is the time
pyarrow needs just to read the generated audit_events table back and write it again in the
same format: the cost of the bytes alone, without generating anything. Reports seconds, the
ratio to the floor, peak RSS, rows and size on disk; with --write-docs, writes the "Generator"
section of docs/benchmarks.md (replacing an older one, keeping the other sections).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import pyarrow.parquet as pq, pyarrow.csv as pacsv, pyarrow as pa
from probity.synth import generate

out, staff, months, scale, fmt = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), sys.argv[5]
t = time.perf_counter()
summary = generate(out, staff=staff, months=months, seed=7, scale=scale, fmt=fmt)
seconds = time.perf_counter() - t
src = out / f"audit_events.{fmt}"
t = time.perf_counter()
if fmt == "parquet":
    table = pq.read_table(src)
    pq.write_table(table, out.parent / "floor.parquet", compression="zstd",
                   row_group_size=1_000_000)
else:
    opts = pacsv.ReadOptions(block_size=64 << 20)
    table = pacsv.read_csv(src, read_options=opts)
    with pa.CompressedOutputStream(str(out.parent / "floor.csv.gz"), "gzip") \
            if fmt == "csv.gz" else pa.OSFile(str(out.parent / "floor.csv"), "wb") as sink:
        pacsv.write_csv(table, sink)
floor = time.perf_counter() - t
size = sum(p.stat().st_size for p in out.iterdir())
print(json.dumps({"seconds": seconds, "floor": floor, "rss_mb":
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": summary.row_counts, "bytes": size}))
"""


def run(*, staff: int, months: int, scale: float, fmt: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as tmp:
        out = Path(tmp) / "force"
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(out), str(staff), str(months), str(scale), fmt],
            check=True, capture_output=True, text=True, cwd=ROOT)
        return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--staff", type=int, default=3000)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--scales", default="1,10")
    ap.add_argument("--formats", default="parquet,csv.gz")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    rows = []
    for scale in [float(s) for s in args.scales.split(",")]:
        for fmt in args.formats.split(","):
            if scale > 1 and fmt != "parquet":
                continue  # the big run only in the default format
            r = run(staff=args.staff, months=args.months, scale=scale, fmt=fmt)
            counts = r["rows"]
            assert isinstance(counts, dict)
            line = (f"| {args.staff:,} | {args.months} | {scale:g} | {fmt} | "
                    f"{counts['audit_events']:,} | {counts['comms']:,} | "
                    f"{sum(counts.values()):,} | {r['seconds']:.1f} | {r['floor']:.1f} | "
                    f"{float(r['seconds']) / float(r['floor']):.1f}x | "
                    f"{float(r['rss_mb']):,.0f} | {int(r['bytes']) / 1e6:,.0f} |")
            print(line, flush=True)
            rows.append(line)
    section = "\n".join([
        "## Generator",
        "",
        f"`probity synth` on {platform.machine()} with {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; reproduce with "
        f"`.venv/bin/python benchmarks/bench_synth.py --staff {args.staff} --months "
        f"{args.months} --scales {args.scales} --write-docs`. Floor = pyarrow reading the "
        "generated audit_events table and writing it again in the same format (the bytes "
        "alone); ratio = generation time / floor. Each run is its own process (peak RSS).",
        "",
        "| staff | months | scale | format | audit events | calls/texts | all rows | "
        "seconds | floor s | ratio | peak RSS MB | size MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ])
    if args.write_docs:
        path = ROOT / "docs" / "benchmarks.md"
        text = path.read_text() if path.exists() else "# Benchmarks\n\n"
        pattern = re.compile(r"^## Generator\n.*?(?=^## |\Z)", re.S | re.M)
        if pattern.search(text):
            text = pattern.sub(lambda _m: section + "\n", text)
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text.rstrip("\n") + "\n")
        print(f"wrote the Generator section of {path}")


if __name__ == "__main__":
    main()
