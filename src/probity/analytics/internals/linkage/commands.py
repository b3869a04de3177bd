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
    extract_dir: Path = typer.Argument(..., help="Force Extract directory."),
    out: Path = typer.Option(..., "--out", help="links.csv to write (the output contract)."),
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
