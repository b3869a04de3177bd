"""The `probity` command: one entry point for everything a user runs.

Each area keeps its commands in its own `commands.py`; this module only registers them.
Heavy imports (DuckDB, Splink, Django) happen inside the command bodies, so that
`probity --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from probity import __version__
from probity.errors import ProbityError

app = typer.Typer(
    name="probity",
    help="Counter-corruption software for police professional standards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


@app.callback(invoke_without_command=True)
def _root(
    version: bool = typer.Option(False, "--version", help="Print the version and exit."),
) -> None:
    if version:
        typer.echo(f"probity {__version__}")
        raise typer.Exit(0)


evaluate_app = typer.Typer(
    help="Measure scan and link quality against a synthetic force's ground truth.",
    no_args_is_help=True,
)
app.add_typer(evaluate_app, name="evaluate")

# --- command registry: one line per command -----------------------------------------------
# (keep each area's options in its own commands.py; import nothing heavy at module level)
from probity.extract import commands as _extract  # noqa: E402  (extract: validate)

app.command("validate")(_extract.validate_command)
from probity.analytics.internals.linkage import commands as _link  # noqa: E402  (link)

app.command("link")(_link.link_command)
evaluate_app.command("link")(_link.evaluate_link_command)
from probity.reports.commands import app as _report_app  # noqa: E402  (report)

app.add_typer(_report_app, name="report")
from probity.analytics import scan_commands as _scan  # noqa: E402  (scan, evaluate scan)

app.command("scan")(_scan.scan_command)
evaluate_app.command("scan")(_scan.evaluate_scan_command)
from probity.apps.commands import apps_app  # noqa: E402  (apps: report, classify, catalogue)
from probity.vetting.commands import vetting_app  # noqa: E402  (vetting: report)

app.add_typer(vetting_app, name="vetting")
app.add_typer(apps_app, name="apps")
from probity.web import commands as _web  # noqa: E402  (web: serve, manage, load)

app.command("serve")(_web.serve)
app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                        "help_option_names": []})(_web.manage)
app.add_typer(_web.load_app, name="load")
app.add_typer(_web.audit_app, name="audit")


@app.command("backup")
def backup(
    file: Path = typer.Argument(..., help="Archive to write (a .tar; must not exist yet)."),
) -> None:
    """Back up the web app's database and a manifest of checksums into one archive."""
    from probity.web.server import django_setup

    django_setup()
    from probity.web.core.backup import backup_create

    manifest = backup_create(file)
    rows = sum(table["rows"] for table in manifest["tables"].values())
    typer.echo(f"backup written to {file}: {manifest['engine']}, {len(manifest['tables'])} "
               f"tables, {rows} rows, access log head #{manifest['access_log_head']['sequence']}")


@app.command("restore")
def restore(
    file: Path = typer.Argument(..., help="Archive written by `probity backup`."),
) -> None:
    """Replace the web app's database with a backup, then check it against the manifest and
    verify the access log (stop the service first)."""
    from probity.web.server import django_setup

    django_setup()
    from probity.web.core.backup import backup_restore

    summary = backup_restore(file)
    for line in summary.lines():
        typer.echo(line)
    typer.echo("restore verified: every table matches the backup, access log chain intact")


from probity.synth import commands as _synth  # noqa: E402  (synth)

app.command("synth")(_synth.synth)


@app.command("demo")
def demo(
    staff: int = typer.Option(1500, "--staff", help="Size of the demo force."),
    months: int = typer.Option(6, "--months", help="Months of activity."),
    seed: int = typer.Option(2026, "--seed", help="Generator seed."),
    fresh: bool = typer.Option(False, "--fresh", help="Regenerate the demo force from scratch."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to serve on."),
    port: int = typer.Option(8000, "--port", help="TCP port to serve on."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the app at the end."),
) -> None:
    """The main job: synthetic force, analytics, load into the app, serve on 127.0.0.1."""
    from probity.demo import DemoPlan, demo_run

    demo_run(DemoPlan(staff=staff, months=months, seed=seed, fresh=fresh), host=host, port=port,
             serve=serve)
# ------------------------------------------------------------------------------------------


def main() -> None:
    """Run the CLI, turning ProbityError into a clear message and its exit status."""
    try:
        app(standalone_mode=False)
    except ProbityError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:  # click usage errors (typer >= 0.26 vendors click as typer._click)
        try:
            from click import ClickException
        except ModuleNotFoundError:
            from typer._click import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
