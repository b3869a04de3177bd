"""`probity demo`: the main job, end to end, on a synthetic force.

generate a force → validate it → link staff to person records → scan → vetting and app
figures → load everything into the web app's database → create a demo login per role → serve.
Every step is the same code path a real force uses; only the input is synthetic.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from probity.paths import data_dir

__all__ = ["DemoPlan", "demo_prepare", "demo_run"]

console = Console()


@dataclass(frozen=True)
class DemoPlan:
    staff: int = 1500
    months: int = 6
    seed: int = 2026
    fresh: bool = False

    @property
    def root(self) -> Path:
        return data_dir() / "demo"

    @property
    def extract_dir(self) -> Path:
        return self.root / "force"


def _step(message: str) -> None:
    console.print(f"[bold blue]▸[/] {message}")


def demo_prepare(plan: DemoPlan) -> list[tuple[str, str, str]]:
    """Build the demo force and its analytics and load them into the app's database.

    Returns the demo logins [(username, role, password)]."""
    from probity.analytics.link import link, write_findings, write_links
    from probity.analytics.scan import scan, write_evidence, write_ranked
    from probity.extract import open_extract
    from probity.synth import generate, truth_path_for

    root = plan.root
    force = plan.extract_dir
    if plan.fresh and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)

    if not force.exists():
        _step(f"generating a synthetic force: {plan.staff} staff, {plan.months} months, "
              f"seed {plan.seed}")
        summary = generate(force, staff=plan.staff, months=plan.months, seed=plan.seed)
        console.print(f"  {sum(summary.row_counts.values()):,} rows in {summary.seconds:.1f} s; "
                      f"ground truth in {truth_path_for(force)}")
    else:
        _step(f"using the demo force already generated in {force} (--fresh to rebuild)")

    _step("validating the extract and linking staff to person records (Splink)")
    links_csv, findings_csv = root / "links.csv", root / "findings.csv"
    ranked_csv, evidence_csv = root / "ranked.csv", root / "evidence.csv"
    with open_extract(force) as extract:
        links = link(extract, model_path=root / "link-model.json")
        write_links(links, links_csv)
        write_findings(links, findings_csv)
        console.print(f"  {len(links.links)} candidate links at p >= 0.5")
        _step("scanning the workforce for abuse of position for a sexual purpose")
        result = scan(extract, links_path=links_csv)
        write_ranked(result, ranked_csv)
        write_evidence(result, evidence_csv)
        for skipped in result.skipped:
            console.print(f"  [yellow]skipped[/] {skipped.indicator}: {skipped.reason}")
        console.print(f"  ranked {len(result.ranked)} staff, {len(result.evidence)} evidence rows")

    _step("loading the extract, alerts and screening findings into the web app")
    from probity.web.server import django_setup

    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from probity.web.alerts.loading import scan_run_load
    from probity.web.core.demo import create_demo_users

    # one transaction: the workforce tables and the alerts land together or not at all
    scan_run_load(ranked_path=ranked_csv, evidence_path=evidence_csv, extract_path=force,
                  actor=None)
    # screening findings become re-vetting triggers; apps on force devices become review items
    call_command("vetting_triggers_import", str(force), links=links_csv, verbosity=0)
    call_command("load_app_findings", extract=force, verbosity=0)
    logins = create_demo_users()

    _step("drafting the strategic threat assessment (HTML) from the loaded data")
    from probity.reports.api import threat_assessment
    from probity.reports.gather import GatherOptions

    with open_extract(force) as extract:
        year = extract.period_end.year if extract.period_end else None
    if year is not None:
        written = threat_assessment(GatherOptions(year=year, extract_dir=force),
                                    out_dir=root, formats=("html",))
        for path in written:
            console.print(f"  wrote {path}")
    return logins


def demo_run(plan: DemoPlan, *, host: str, port: int, serve: bool) -> None:
    logins = demo_prepare(plan)
    table = Table(title="Demo logins (passwords are new on every run; shown once)",
                  title_justify="left")
    table.add_column("role")
    table.add_column("username")
    table.add_column("password")
    table.add_column("TOTP key (authenticator app)")
    for login in logins:
        username, role, password = login
        table.add_row(role, username, password, getattr(login, "totp_secret", ""))
    console.print(table)
    console.print("Sign-in asks for a 6-digit code after the password: add the key to an "
                  "authenticator app, or run `probity manage totp_code <key>`.")
    if serve:
        from probity.web.server import serve as run_server

        console.print(f"[bold green]Open http://{host}:{port}/ and sign in with a login above.[/]")
        run_server(host=host, port=port)
