"""`probity validate DIR`: check a Force Extract against the contract."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from probity.errors import ExtractInvalid
from probity.extract.report import ValidationReport

__all__ = ["validate_command"]


def _issue_table(title: str, issues: list, style: str) -> RichTable:  # type: ignore[type-arg]
    table = RichTable(title=title, title_style=style, title_justify="left", show_lines=False)
    for name in ("file", "row", "column", "value", "message"):
        table.add_column(name, overflow="fold")
    for issue in issues:
        table.add_row(issue.file, "" if issue.row is None else str(issue.row),
                      issue.column or "", "" if issue.value is None else repr(issue.value),
                      issue.message)
    return table


def validate_command(
    directory: Path = typer.Argument(..., help="The extract directory (manifest.json and tables)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check a Force Extract v1 directory against the contract; exit 2 when it has errors."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from probity.extract.validate import validate_extract

    console = Console()
    err = Console(stderr=True)
    if as_json:
        report = validate_extract(directory)
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
        _exit_status(report)
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("validating", total=1)

        def progress(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        report = validate_extract(directory, progress=progress)
    if report.errors:
        console.print(_issue_table(f"Errors ({report.error_count})", report.errors, "bold red"))
        if report.error_count > len(report.errors):
            console.print(f"... and {report.error_count - len(report.errors)} more error(s) "
                          "not listed")
    if report.warnings:
        console.print(_issue_table(f"Warnings ({report.warning_count})", report.warnings,
                                   "bold yellow"))
        if report.warning_count > len(report.warnings):
            console.print(f"... and {report.warning_count - len(report.warnings)} more "
                          "warning(s) not listed")
    if report.missing_optional:
        console.print("optional tables absent (indicators needing them will be skipped): "
                      + ", ".join(report.missing_optional))
    if report.ok:
        console.print(f"[bold green]{report.summary()}[/]")
    _exit_status(report)


def _exit_status(report: ValidationReport) -> None:
    """Exit status 2 on errors: raised as ExtractInvalid, which `probity.cli.main` turns into
    a one-line message on stderr and the exit status (0 otherwise)."""
    if not report.ok:
        raise ExtractInvalid(report.summary(), report)
