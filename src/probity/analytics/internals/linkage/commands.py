"""`probity link` and `probity evaluate link` (registered in probity.cli).

Heavy imports (DuckDB, Splink, pandas) happen inside the command bodies.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console

from probity.errors import UsageError

console = Console(stderr=True)


def _parse_since(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"--since: {value!r} is not a date; expected YYYY-MM-DD") from exc


def link_command(
    extract_dirs: list[Path] = typer.Argument(
        ..., help="Force Extract directory; several (with --out-dir) for a multi-force run with "
                  "cross-force screening."),
    out: Path | None = typer.Option(None, "--out",
                                    help="links.csv to write (the output contract)."),
    out_dir: Path | None = typer.Option(
        None, "--out-dir",
        help="Several extracts: one directory per force with links.csv, findings.csv and "
             "cross_force.csv (this force's staff found in the other forces' person and staff "
             "records)."),
    findings: Path | None = typer.Option(
        None, "--findings", help="Also write findings.csv, ranked by seriousness."),
    model: Path | None = typer.Option(
        None, "--model",
        help="Trained model JSON to use (or to create when absent). Default: "
             "<data dir>/models/<force_code>/link-model.json"),
    retrain: bool = typer.Option(False, "--retrain", help="Train the model again on this extract."),
    since: str | None = typer.Option(
        None, "--since",
        help="Screen only staff who started, and person records first seen, on or after this "
             "date (YYYY-MM-DD), with the saved model."),
    engine: str = typer.Option(
        "duckdb", "--engine",
        help="duckdb (one machine) or spark (Splink's Spark backend; the extract may be an "
             "s3a://, abfss:// or gs:// URL). Same model, same links."),
) -> None:
    """Link staff to the force's person (nominal) records with Splink; write links.csv."""
    from probity.analytics.link import link, write_findings, write_links
    from probity.extract import open_extract

    since_date = _parse_since(since)
    if len(extract_dirs) > 1 or out_dir is not None:
        if out is not None or findings is not None or engine != "duckdb" or since_date:
            raise UsageError("several extracts (or --out-dir) write one directory per force: "
                             "use --out-dir, without --out, --findings, --since or --engine "
                             "spark")
        if out_dir is None:
            raise UsageError("several extracts need --out-dir (one sub-directory per force)")
        _link_forces(extract_dirs, out_dir, retrain=retrain, model=model)
        return
    if out is None:
        raise UsageError("--out links.csv is required (or --out-dir with several extracts)")
    extract_dir = extract_dirs[0]
    if out.exists() and out.is_dir():
        raise UsageError(f"--out {out} is a directory; give a file name such as links.csv")
    if engine not in ("duckdb", "spark"):
        raise UsageError(f"--engine {engine!r}: choose duckdb or spark")
    if engine == "spark":
        from probity.analytics.internals.spark.link import link_spark
        from probity.analytics.internals.spark.reader import open_spark_extract

        if since_date is not None:
            raise UsageError("--since is not yet available with --engine spark")
        spark_extract = open_spark_extract(extract_dir)
        result = link_spark(spark_extract, model_path=model, retrain=retrain)
        spark_extract.close()
    else:
        with open_extract(extract_dir) as extract:
            result = link(extract, model_path=model, retrain=retrain, since=since_date)
    write_links(result, out)
    if findings is not None:
        write_findings(result, findings)
    how = "trained and saved" if result.trained else "reused"
    console.print(f"model {how}: {result.model_path}")
    console.print(f"screened {result.screened}")
    console.print(f"{len(result.links)} link(s) with match probability >= 0.5 -> {out}")
    if findings is not None:
        console.print(f"{len(result.findings)} finding(s) -> {findings}")


def _link_forces(extract_dirs: list[Path], out_dir: Path, *, retrain: bool,
                 model: Path | None) -> None:
    """Each force linked to its own records (its own model), then each force's staff screened
    against every other force's person and staff records. Outputs per force directory."""
    from probity.analytics.internals.linkage.cross_force import (
        cross_force_screen,
        force_records,
    )
    from probity.analytics.link import (
        _atomic_csv,
        default_model_path,
        link,
        write_findings,
        write_links,
    )
    from probity.extract import open_extract
    from probity.extract.forces import extracts_by_force

    if model is not None:
        raise UsageError("--model names one force's model: a multi-force run uses each "
                         "force's own (default) model")
    codes = extracts_by_force(extract_dirs, out_dir)
    records = {}
    models: dict[str, dict[str, object]] = {}
    for code, path in codes.items():
        with open_extract(path) as extract:
            result = link(extract, retrain=retrain)
            target = out_dir / code
            target.mkdir(exist_ok=True)
            write_links(result, target / "links.csv")
            write_findings(result, target / "findings.csv")
            records[code] = force_records(extract)
            models[code] = json.loads(default_model_path(extract).read_text(encoding="utf-8"))
        console.print(f"{code}: {len(result.links)} link(s), {len(result.findings)} finding(s)"
                      f" -> {target}")
    for code, own in records.items():
        others = [r for other, r in records.items() if other != code]
        found = cross_force_screen(own, models[code], others)
        _atomic_csv(found, out_dir / code / "cross_force.csv")
        console.print(f"{code}: {len(found)} match(es) in {len(others)} other force(s) -> "
                      f"{out_dir / code}/cross_force.csv")


def evaluate_link_command(
    extract: Path = typer.Option(..., "--extract", help="Synthetic Force Extract directory."),
    truth: Path = typer.Option(..., "--truth", help="Its ground truth, OUT.truth.json."),
    links: Path | None = typer.Option(
        None, "--links", help="Score this links.csv instead of running link now."),
    threshold: float = typer.Option(0.9, "--threshold", help="Match probability for a link."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the figures as JSON."),
) -> None:
    """Precision, recall and F1 of staff-to-record links, next to exact name+dob matching."""
    from rich.table import Table

    from probity.analytics.internals.linkage.evaluate import evaluate_link

    result = evaluate_link(extract_dir=extract, truth_path=truth, links_path=links,
                           threshold=threshold)
    table = Table(title=f"Link quality at p >= {threshold} ({result.true_pairs} true pairs, "
                        f"{result.namesake_pairs} namesakes)")
    for column in ("method", "predicted", "TP", "FP", "FN", "precision", "recall", "F1",
                   "namesake links"):
        table.add_column(column)
    for s in (result.probabilistic, result.exact):
        table.add_row(s.method, str(s.predicted), str(s.true_positives), str(s.false_positives),
                      str(s.false_negatives), f"{s.precision:.4f}", f"{s.recall:.4f}",
                      f"{s.f1:.4f}", str(s.namesake_false_links))
    Console(width=max(Console().width, 130)).print(table)
    if json_out is not None:
        json_out.write_text(json.dumps(result.as_dict(), indent=2), encoding="utf-8")
