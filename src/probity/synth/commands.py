"""`probity synth`: generate a synthetic force with ground truth."""

from __future__ import annotations

from pathlib import Path

import typer


def synth(
    out: Path = typer.Argument(..., help="Directory to create for the extract; the ground "
                               "truth goes beside it as OUT.truth.json."),
    staff: int = typer.Option(3000, "--staff", help="Size of the workforce."),
    months: int = typer.Option(6, "--months", help="Length of the extract period."),
    seed: int = typer.Option(7, "--seed", help="Random seed; the same seed gives the same force."),
    scale: float = typer.Option(1.0, "--scale", help="Multiply audit and call activity "
                                "(for performance work)."),
    fmt: str = typer.Option("parquet", "--format", help="parquet, csv or csv.gz."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT if it exists."),
) -> None:
    """Generate a synthetic force (Force Extract v1) with planted perpetrators and look-alikes."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from probity.synth import generate

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]synth[/]"), BarColumn(), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("starting", total=1)

        def report(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        summary = generate(out, staff=staff, months=months, seed=seed, scale=scale, fmt=fmt,
                           progress=report, overwrite=overwrite)
    console.print(f"wrote {summary.out} ({sum(summary.row_counts.values()):,} rows; "
                  f"{summary.row_counts.get('audit_events', 0):,} audit events) and "
                  f"{summary.truth_path} in {summary.seconds:.1f}s; "
                  f"{summary.perpetrators} perpetrators planted")
