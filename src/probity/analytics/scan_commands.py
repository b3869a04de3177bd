"""CLI commands of the scan: `probity scan` and `probity evaluate scan`.

Heavy imports (DuckDB, pandas, scikit-learn) happen inside the command bodies.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from probity.errors import UsageError

__all__ = ["scan_command", "evaluate_scan_command"]


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date YYYY-MM-DD") from None


def scan_command(
    extract_dirs: list[Path] = typer.Argument(..., help="The Force Extract directory to scan "
                                                         "(several: one scan per force)."),
    out: Path | None = typer.Option(None, "--out",
                                    help="ranked.csv to write (the output contract)."),
    out_dir: Path | None = typer.Option(None, "--out-dir",
                                        help="With several extracts: write OUT_DIR/<force "
                                             "code>/ranked.csv and evidence.csv for each."),
    evidence: Path | None = typer.Option(None, "--evidence",
                                         help="evidence.csv to write: one row per indicator hit."),
    links: Path | None = typer.Option(None, "--links",
                                      help="links.csv from `probity link` for the undeclared "
                                           "association indicator (else exact name+dob match)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Scan date YYYY-MM-DD (default: the "
                                                          "extract's period end)."),
    since: str | None = typer.Option(None, "--since", help="Ignore look-ups and contacts before "
                                                          "this date YYYY-MM-DD."),
    load: bool = typer.Option(False, "--load", help="Also load the results into the web app "
                                                    "as alerts (as `probity load scan`)."),
    engine: str = typer.Option("duckdb", "--engine",
                               help="duckdb (one machine) or spark (PySpark; the extract may be "
                                    "an s3a://, abfss:// or gs:// URL). Same results."),
) -> None:
    """Rank every staff member for abuse of position for a sexual purpose, with evidence.

    The score only orders human review: it is not a finding about anyone.
    """
    from rich.console import Console

    from probity.analytics.scan import REVIEW_NOTICE, scan, write_evidence, write_ranked
    from probity.extract import open_extract

    if len(extract_dirs) > 1 or out_dir is not None:
        if out is not None or load or links is not None or engine != "duckdb":
            raise UsageError("several extracts (or --out-dir) write one directory per force: "
                             "use --out-dir, without --out, --links, --load or --engine spark")
        if out_dir is None:
            raise UsageError("several extracts need --out-dir (one sub-directory per force)")
        _scan_forces(extract_dirs, out_dir, as_of=_parse_date(as_of, "--as-of"),
                     since=_parse_date(since, "--since"))
        return
    if out is None:
        raise UsageError("--out is required (the ranked.csv to write)")
    extract_dir = extract_dirs[0]
    err = Console(stderr=True)
    as_of_d = _parse_date(as_of, "--as-of")
    since_d = _parse_date(since, "--since")
    if load and evidence is None:
        evidence = out.with_name(out.stem + ".evidence.csv")
    for target in [out] + ([evidence] if evidence else []):
        if not target.parent.is_dir():
            raise UsageError(f"cannot write {target}: directory {target.parent} does not exist")
    if links is not None and not links.is_file():
        raise UsageError(f"--links {links} does not exist: run `probity link` first")
    if engine not in ("duckdb", "spark"):
        raise UsageError(f"--engine {engine!r}: choose duckdb or spark")
    if engine == "spark":
        from probity.analytics.internals.spark.reader import open_spark_extract

        spark_extract = open_spark_extract(extract_dir)
        result = scan(spark_extract, as_of=as_of_d, since=since_d,  # type: ignore[arg-type]
                      links_path=links)
        spark_extract.close()
    else:
        with open_extract(extract_dir) as extract:
            result = scan(extract, as_of=as_of_d, since=since_d, links_path=links)
    write_ranked(result, out)
    if evidence is not None:
        write_evidence(result, evidence)
    for skipped in result.skipped:
        err.print(f"[yellow]skipped[/] {skipped.indicator}: {skipped.reason}")
    for note in result.notes:
        err.print(f"note: {note}")
    flagged = int((result.ranked["score"] > 0).sum())
    typer.echo(f"scanned {len(result.ranked)} staff as of {result.as_of:%Y-%m-%d}: "
               f"{flagged} with evidence above their peers; wrote {out}"
               + (f" and {evidence} ({len(result.evidence)} evidence rows)" if evidence else ""))
    typer.echo(REVIEW_NOTICE)
    if load:
        try:
            from probity.web.commands import load_scan
        except ImportError as exc:  # the web app is not installed in this environment
            raise UsageError(f"--load needs the web app (probity.web): {exc}") from exc
        assert evidence is not None
        try:
            load_scan(ranked=out, evidence=evidence, extract=extract_dir)
        except Exception as exc:
            if type(exc).__name__ == "OperationalError":  # django.db: no tables yet
                raise UsageError(f"--load could not write to the web app's database ({exc}): "
                                 f"run `probity manage migrate` first; {out} and {evidence} "
                                 f"are written and can be loaded later with `probity load "
                                 f"scan`") from exc
            raise


def _scan_forces(extract_dirs: list[Path], out_dir: Path, *, as_of: date | None,
                 since: date | None) -> None:
    """One scan per force, each force's results in its own directory: identifiers of one
    force never meet another's (staff and person ids are only unique within a force)."""
    from probity.analytics.scan import REVIEW_NOTICE, scan, write_evidence, write_ranked
    from probity.extract import open_extract
    from probity.extract.forces import extracts_by_force

    codes = extracts_by_force(extract_dirs, out_dir)
    for code, path in codes.items():
        with open_extract(path) as extract:
            result = scan(extract, as_of=as_of, since=since)
        target = out_dir / code
        target.mkdir(exist_ok=True)
        write_ranked(result, target / "ranked.csv")
        write_evidence(result, target / "evidence.csv")
        flagged = int((result.ranked["score"] > 0).sum())
        typer.echo(f"{code}: scanned {len(result.ranked)} staff as of {result.as_of:%Y-%m-%d}"
                   f" ({flagged} with evidence above their peers; "
                   + (f"skipped: {', '.join(s.indicator for s in result.skipped)}; "
                      if result.skipped else "")
                   + f"wrote {target}/ranked.csv and evidence.csv)")
    typer.echo(REVIEW_NOTICE)


def evaluate_scan_command(
    truth: Path = typer.Option(..., "--truth", help="OUT.truth.json written by `probity synth`."),
    extract: Path | None = typer.Option(None, "--extract", help="Extract directory to scan."),
    ranked: Path | None = typer.Option(None, "--ranked", help="An existing ranked.csv to score "
                                                              "instead of scanning."),
    since: str | None = typer.Option(None, "--since",
                                     help="Temporal validation: scan only look-ups from this "
                                          "date on (the later months)."),
    as_of: str | None = typer.Option(None, "--as-of",
                                     help="Temporal validation: scan only up to this date (the "
                                          "earlier months)."),
    baselines: bool = typer.Option(True, "--baselines/--no-baselines",
                                   help="Also score the two baselines on the same data."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Recall@1%, average precision, victim hit and look-alikes in the top 1%, against truth."""
    import json

    from rich.console import Console
    from rich.table import Table

    from probity.analytics.evaluate import evaluate_scan

    if (extract is None) == (ranked is None):
        raise UsageError("give exactly one of --extract DIR (scan it) or --ranked FILE")
    report = evaluate_scan(truth_path=truth, extract_path=extract, ranked_path=ranked,
                           since=_parse_date(since, "--since"),
                           as_of=_parse_date(as_of, "--as-of"), baselines=baselines)
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        return
    table = Table(title=f"scan quality on {report['data']}", title_justify="left")
    for col in ("method", "recall@1%", "average precision", "victim hit", "look-alikes in top 1%",
                "found", "top 1%"):
        table.add_column(col)
    for name, m in report["methods"].items():
        table.add_row(name, f"{m['recall_at_1pct']:.3f}", f"{m['average_precision']:.3f}",
                      "" if m["victim_hit"] is None else f"{m['victim_hit']:.3f}",
                      str(m["lookalikes_in_top"]), f"{m['found']}/{m['perpetrators']}",
                      str(m["top_n"]))
    Console().print(table)
