"""CLI commands of the web app: serve, manage, load. Django is imported inside each body."""

from __future__ import annotations

from pathlib import Path

import typer

load_app = typer.Typer(
    help="Load analytics output and extracts into the web app's database (all or nothing).",
    no_args_is_help=True,
)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(2, "--workers", help="Worker processes."),
) -> None:
    """Apply migrations and serve the web app with gunicorn (static files by WhiteNoise)."""
    from probity.web.server import serve as run

    run(host=host, port=port, workers=workers)


def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `probity manage migrate`, `... verify_access_log`."""
    from django.core.management import execute_from_command_line

    from probity.web.server import django_setup

    django_setup()
    execute_from_command_line(["probity manage", *ctx.args])


@load_app.command("scan")
def load_scan(
    ranked: Path = typer.Option(..., "--ranked", help="ranked.csv written by `probity scan`."),
    evidence: Path = typer.Option(..., "--evidence", help="evidence.csv written by `probity scan`."),
    extract: Path | None = typer.Option(None, "--extract",
                                        help="Also load the extract's staff and person records."),
) -> None:
    """Load one scan's ranked subjects and evidence as alerts, in one transaction."""
    from probity.web.server import django_setup

    django_setup()
    from datetime import UTC, datetime

    from probity.web.alerts.loading import scan_run_load

    started = datetime.now(UTC)
    run = scan_run_load(ranked_path=ranked, evidence_path=evidence, extract_path=extract,
                        actor=None)
    if run.loaded_at < started:
        typer.echo(f"already loaded as scan run {run.pk} (same files): no alerts added")
        return
    typer.echo(f"loaded scan run {run.pk}: {run.alert_count} alerts, "
               f"{run.evidence_count} evidence rows")


@load_app.command("extract")
def load_extract(
    directory: Path = typer.Argument(..., help="A Force Extract v1 directory."),
) -> None:
    """Load staff, units, posts, vetting and person records (replacing the previous load)."""
    from probity.web.server import django_setup

    django_setup()
    from probity.web.workforce.loading import extract_load

    load = extract_load(path=directory, actor=None)
    counts = ", ".join(f"{name} {count}" for name, count in load.row_counts.items())
    typer.echo(f"loaded extract {load.force_code}: {counts}")


audit_app = typer.Typer(help="The access log (DPA 2018 s62).", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Verify the access log's hash chain; exit 1 listing every break found."""
    from probity.web.server import django_setup

    django_setup()
    from probity.web.audit.services import access_log_verify

    result = access_log_verify()
    if result.ok:
        typer.echo(f"access log verified: {result.entries} entries, chain intact")
        return
    for problem in result.problems:
        typer.echo(problem, err=True)
    typer.echo(f"access log FAILED verification: {len(result.problems)} problem(s) in "
               f"{result.entries} entries", err=True)
    raise typer.Exit(1)
