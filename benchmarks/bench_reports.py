"""Benchmark the reports: gathering the figures, HTML, PDF, the return, combining returns.

    .venv/bin/python benchmarks/bench_reports.py [--staff 2000] [--months 12] [--seed 5]
        [--dir /tmp/probity-bench-reports] [--cases 20000]

1. Generates a synthetic force with `probity synth` (reused when already there) and a
   casework export of `--cases` random reports (the test kit's generator).
2. Opens the extract once (validation, cached), then times, in the same run:
   - the floor: DuckDB reading every audit event once and counting them by system and month
     (one pass of the biggest table the figures read);
   - `gather` (all sections: extract, casework, vetting, apps) cold (first imports) and warm,
     then `build_document` + HTML;
   - the PDF through Chromium;
   - `build_return` and `combine_returns` of three copies under different force codes.
3. Prints one JSON object with the times and the ratio gather/floor.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "reports"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/probity-bench-reports"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    force = args.dir / f"force-{args.staff}-{args.months}-{args.seed}"
    if not (force / "manifest.json").exists():
        subprocess.run([str(ROOT / ".venv/bin/probity"), "synth", str(force), "--staff",
                        str(args.staff), "--months", str(args.months), "--seed", str(args.seed)],
                       check=True)
    manifest = json.loads((force / "manifest.json").read_text())
    year = int(manifest["period_end"][:4])

    from reports_testkit import make_cases

    from probity.extract import open_extract
    from probity.reports.casework_source import cases_to_export
    from probity.reports.document import build_document
    from probity.reports.gather import GatherOptions, gather
    from probity.reports.national_return import build_return, combine_returns
    from probity.reports.render import write_html, write_pdf

    casework = args.dir / f"casework-{args.cases}.json"
    if not casework.exists():
        casework.write_text(json.dumps(cases_to_export(make_cases(seed=1, count=args.cases,
                                                                  year=year))))

    t = time.perf_counter()
    with open_extract(force) as extract:  # validation (cached on later runs)
        opened = time.perf_counter() - t
        t = time.perf_counter()
        rows = extract.con.execute(
            "SELECT system, strftime(CAST(ts AS TIMESTAMP), '%Y-%m') m, count(*) "
            "FROM audit_events GROUP BY 1, 2").fetchall()
        floor = time.perf_counter() - t
        events = int(extract.con.execute("SELECT count(*) FROM audit_events").fetchone()[0])

    options = GatherOptions(year=year, extract_dir=force, casework_file=casework,
                            use_database=False, now=dt.datetime.now(dt.UTC))
    t = time.perf_counter()
    figures = gather(options)
    gathered_cold = time.perf_counter() - t  # includes first imports (pandas for the app review)
    t = time.perf_counter()
    figures = gather(options)
    gathered = time.perf_counter() - t
    t = time.perf_counter()
    html = write_html(build_document(figures), args.dir / "assessment.html")
    rendered = time.perf_counter() - t
    t = time.perf_counter()
    write_pdf(html, args.dir / "assessment.pdf")
    printed = time.perf_counter() - t
    t = time.perf_counter()
    document = build_return(figures)
    copies = []
    for code in ("AAA", "BBB", "CCC"):
        other = copy.deepcopy(document)
        other["forces"] = [{"code": code, "name": code}]
        for section in other["sections"].values():
            section["forces_reporting"] = [code] if section["forces_reporting"] else []
            section["forces_missing"] = [code] if section["forces_missing"] else []
        copies.append((code, other))
    combine_returns(copies, name="Bench region")
    returned = time.perf_counter() - t

    print(json.dumps({
        "machine": "2 cores (shared)", "staff": args.staff, "months": args.months,
        "audit_events": events, "cases": args.cases, "groups": len(rows),
        "open_extract_s": round(opened, 2), "floor_group_audit_events_s": round(floor, 3),
        "gather_cold_s": round(gathered_cold, 3), "gather_s": round(gathered, 3),
        "gather_over_floor": round(gathered / floor, 1),
        "html_s": round(rendered, 3), "html_bytes": html.stat().st_size,
        "pdf_s": round(printed, 2), "return_and_combine_3_s": round(returned, 3),
    }, indent=2))


if __name__ == "__main__":
    main()
