"""`probity vetting ...` commands. Heavy imports happen inside the command bodies."""

from __future__ import annotations

import json
from pathlib import Path

import typer

vetting_app = typer.Typer(
    help="Vetting register: who holds no clearance, or too low, expired or due for renewal.",
    no_args_is_help=True,
)

_CATEGORY_TITLES = (
    ("no_clearance", "No current clearance"),
    ("below_requirement", "Below their post's requirement"),
    ("expired", "Expired (no current clearance)"),
    ("due", "Due for renewal"),
    ("lapsed", "Lapsed (no current clearance)"),
    ("renewal_overdue", "Renewal overdue (no expiry recorded)"),
)


@vetting_app.command("report")
def report(
    extract_dir: Path = typer.Argument(..., help="Force Extract directory."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date of the figures, YYYY-MM-DD (default: the extract's "
        "period_end)."),
    due_days: int | None = typer.Option(
        None, "--due-days", min=0, max=3660,
        help="Window for 'due for renewal', in days (default 90, or the settings file)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    csv_dir: Path | None = typer.Option(
        None, "--csv", help="Also write vetting_staff.csv, vetting_summary.csv, "
        "vetting_by_unit.csv and vetting_by_staff_type.csv into this directory."),
    settings_file: Path | None = typer.Option(
        None, "--settings", help="TOML or JSON file overriding level order, renewal periods "
        "and the due window (see docs/vetting.md)."),
    show_lists: bool = typer.Option(
        False, "--list", help="Print every staff_id in each category (default: first 10)."),
) -> None:
    """Vetting compliance of the staff serving on a date, by unit and by staff type."""
    import datetime as dt

    from probity.errors import UsageError
    from probity.extract import open_extract
    from probity.vetting.compliance import vetting_compliance
    from probity.vetting.export import write_compliance_csv
    from probity.vetting.settings import load_vetting_settings

    settings = load_vetting_settings(settings_file)
    if due_days is not None:
        settings = settings.with_changes(due_days=due_days)
    day: dt.date | None = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise UsageError(f"--as-of: {as_of!r} is not a date; expected YYYY-MM-DD") from exc
    extract = open_extract(extract_dir)
    result = vetting_compliance(extract=extract, as_of=day, settings=settings)
    written: list[Path] = []
    if csv_dir is not None:
        written = write_compliance_csv(report=result, out_dir=csv_dir)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, sort_keys=False))
        return
    _print_rich(result, show_lists=show_lists)
    for path in written:
        typer.echo(f"wrote {path}")


@vetting_app.command("changes")
def changes(
    before_dir: Path = typer.Argument(..., help="The earlier Force Extract."),
    after_dir: Path = typer.Argument(..., help="The later Force Extract."),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
    csv_out: Path | None = typer.Option(None, "--csv", help="Also write the changes to this "
                                        "CSV file."),
) -> None:
    """What changed in the vetting register (posts, clearances, people's posts) between two
    extracts, so that nothing is silently overwritten."""
    from probity.extract import open_extract
    from probity.vetting.export import atomic_write_csv
    from probity.vetting.register import register_changes, register_snapshot

    with open_extract(before_dir) as before_extract:
        before = register_snapshot(extract=before_extract)
    with open_extract(after_dir) as after_extract:
        after = register_snapshot(extract=after_extract)
    found = register_changes(before=before, after=after)
    columns = ("entity", "key", "change", "field", "before", "after")
    if csv_out is not None:
        atomic_write_csv(csv_out, columns, ([c.to_dict()[k] for k in columns] for c in found))
    if as_json:
        typer.echo(json.dumps([c.to_dict() for c in found], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Vetting register changes: {len(found)}")
    for col in columns:
        table.add_column(col)
    for c in found:
        table.add_row(c.entity, c.key, c.change, c.field or "", c.before or "", c.after or "")
    Console().print(table)


@vetting_app.command("triggers")
def triggers(
    extract_dir: Path = typer.Argument(..., help="Force Extract directory."),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default period_end)."),
    links_file: Path | None = typer.Option(
        None, "--links", help="links.csv from `probity link`, for screening findings."),
    out: Path | None = typer.Option(None, "--out", help="Write the triggers to this CSV."),
    as_json: bool = typer.Option(False, "--json", help="Print the triggers as JSON."),
    pattern_days: int = typer.Option(365, "--pattern-days", min=1,
                                     help="Window for a complaint pattern, in days."),
    pattern_count: int = typer.Option(3, "--pattern-count", min=1,
                                      help="Complaints in the window that make a pattern."),
    serious_count: int = typer.Option(2, "--serious-count", min=1,
                                      help="Serious complaints in the window that make one."),
    link_threshold: float = typer.Option(0.9, "--link-threshold", min=0.5, max=1.0,
                                         help="Minimum match_probability of a link finding."),
) -> None:
    """Who should be re-vetted: upheld misconduct since their last clearance, a complaint
    pattern, or a screening match to a suspect or offender record."""
    import datetime as dt

    from probity.errors import UsageError
    from probity.extract import open_extract
    from probity.vetting.export import atomic_write_csv
    from probity.vetting.triggers import (
        TRIGGER_COLUMNS,
        TriggerRules,
        read_links,
        revetting_triggers,
    )

    rules = TriggerRules(pattern_days=pattern_days, pattern_count=pattern_count,
                         serious_count=serious_count, link_threshold=link_threshold)
    day: dt.date | None = None
    if as_of is not None:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError as exc:
            raise UsageError(f"--as-of: {as_of!r} is not a date; expected YYYY-MM-DD") from exc
    links = read_links(links_file) if links_file is not None else None
    with open_extract(extract_dir) as extract:
        found = revetting_triggers(extract=extract, as_of=day, links=links, rules=rules)
    records: list[dict[str, str | None]] = [
        {"staff_id": str(r["staff_id"]), "trigger": str(r["trigger"]),
         "date": r["date"].isoformat() if isinstance(r["date"], dt.date) else None,
         "detail": str(r["detail"])} for r in found.to_dict("records")]
    if out is not None:
        atomic_write_csv(out, TRIGGER_COLUMNS, ([r[c] for c in TRIGGER_COLUMNS]
                                                 for r in records))
    if as_json:
        typer.echo(json.dumps(records, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Re-vetting triggers: {len(records)}")
    for col in TRIGGER_COLUMNS:
        table.add_column(col)
    for r in records:
        table.add_row(r["staff_id"], r["trigger"], r["date"] or "", r["detail"])
    Console().print(table)


def _print_rich(result: object, *, show_lists: bool) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from probity.vetting.compliance import ComplianceReport

    assert isinstance(result, ComplianceReport)
    console = Console()
    totals = result.totals()
    title = (f"Vetting compliance on {result.as_of.isoformat()}"
             + (f" - {result.force_code}" if result.force_code else ""))
    summary = Table(title=title)
    summary.add_column("category")
    summary.add_column("count", justify="right")
    summary.add_column("% of serving", justify="right")
    summary.add_column("staff_ids")

    def pct(n: int) -> str:
        return f"{100.0 * n / result.serving:.1f}" if result.serving else "-"

    summary.add_row("Serving staff", str(result.serving), "100.0" if result.serving else "-", "")
    summary.add_row("Compliant", str(totals.compliant), pct(totals.compliant), "")
    for category, label in _CATEGORY_TITLES:
        ids = result.staff_ids(category)
        if category == "due":
            label = f"{label} within {result.due_days} days"
        shown = ids if show_lists else ids[:10]
        more = "" if len(shown) == len(ids) else f" ... (+{len(ids) - len(shown)})"
        summary.add_row(label, str(len(ids)), pct(len(ids)), ", ".join(shown) + more)
    console.print(summary)

    reasons = Table(title="Why no current clearance")
    reasons.add_column("reason")
    reasons.add_column("count", justify="right")
    for reason, count in result.reason_counts().items():
        reasons.add_row(reason, str(count))
    console.print(reasons)

    for title, groups in (("By unit", result.by_unit), ("By staff type", result.by_staff_type)):
        table = Table(title=title, box=box.SIMPLE_HEAD)
        table.add_column("unit" if groups is result.by_unit else "staff type", no_wrap=True,
                         overflow="ellipsis", max_width=18)
        for col in ("serving", "ok", "%not", "none", "below", "exp.", "due", "lap."):
            table.add_column(col, justify="right", no_wrap=True, min_width=len(col))
        for g in groups:
            table.add_row(g.name, str(g.serving), str(g.compliant), f"{g.not_compliant_pct:.1f}",
                          str(g.no_clearance), str(g.below_requirement), str(g.expired),
                          str(g.due), str(g.lapsed))
        console.print(table)
    console.print(f"ok = compliant; %not = % not compliant; none = no current clearance; "
                  f"below = below the post's requirement; exp. = expired; lap. = lapsed; due = due within "
                  f"{result.due_days} days. Unit ids are in the CSV export (--csv).")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {note}")
