"""Spark local mode against DuckDB, and a scaled-down multi-force run (issue 10).

    .venv/bin/python benchmarks/bench_spark.py --staff 2000 --months 3      # one force
    .venv/bin/python benchmarks/bench_spark.py --forces 43 --staff 150      # 43 small forces

For each force it generates a synthetic extract (Parquet), then times, in one run:
- the floor: DuckDB reading and grouping audit_events by staff member;
- `scan` on DuckDB; `scan` on Spark local mode (session start excluded, reported apart);
and checks that both give the same ranking. Prints absolute seconds, events per second and
the Spark/DuckDB ratio; record results in docs/scale.md with the machine (2 cores here).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb


def _floor(path: Path) -> float:
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(f"SELECT staff_id, count(*) FROM read_parquet('{path}/audit_events.parquet') "
                "GROUP BY staff_id").fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--forces", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from probity.analytics.internals.spark.reader import open_spark_extract
    from probity.analytics.internals.spark.session import spark_session
    from probity.analytics.scan import scan
    from probity.extract import open_extract
    from probity.synth import generate

    root = Path(tempfile.mkdtemp(prefix="probity-bench-spark-"))
    forces = []
    for i in range(args.forces):
        out = root / f"force{i:02d}"
        generate(out, staff=args.staff, months=args.months, seed=args.seed + i, fmt="parquet")
        forces.append(out)
    started = time.perf_counter()
    spark = spark_session()
    print(f"spark session start: {time.perf_counter() - started:.1f} s")
    totals = {"events": 0, "floor": 0.0, "duckdb": 0.0, "spark": 0.0}
    for path in forces:
        floor = _floor(path)
        with open_extract(path) as extract:
            events = extract.row_counts.get("audit_events", 0)
            t0 = time.perf_counter()
            duck = scan(extract)
            t_duck = time.perf_counter() - t0
        t0 = time.perf_counter()
        spark_extract = open_spark_extract(path, spark=spark)
        fast = scan(spark_extract)  # type: ignore[arg-type]
        t_spark = time.perf_counter() - t0
        spark_extract.close()
        same = (duck.ranked[["staff_id", "rank"]].reset_index(drop=True)
                .equals(fast.ranked[["staff_id", "rank"]].reset_index(drop=True)))
        print(f"{path.name}: {events:,} events; floor {floor:.2f} s; duckdb {t_duck:.1f} s; "
              f"spark {t_spark:.1f} s; spark/duckdb {t_spark / t_duck:.1f}; same ranks {same}")
        totals["events"] += events
        totals["floor"] += floor
        totals["duckdb"] += t_duck
        totals["spark"] += t_spark
    print(f"TOTAL {args.forces} force(s), {totals['events']:,} events: floor "
          f"{totals['floor']:.1f} s, duckdb {totals['duckdb']:.1f} s "
          f"({totals['events'] / totals['duckdb']:,.0f} events/s), spark {totals['spark']:.1f} s "
          f"({totals['events'] / totals['spark']:,.0f} events/s), spark/duckdb "
          f"{totals['spark'] / totals['duckdb']:.1f}")


if __name__ == "__main__":
    main()
