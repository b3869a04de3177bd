"""`probity apps ...` commands. Heavy imports happen inside the command bodies."""

from __future__ import annotations

import json
from pathlib import Path

import typer

apps_app = typer.Typer(
    help="Encrypted-app review: classify apps on force devices against the app catalogue.",
    no_args_is_help=True,
)


@apps_app.command("report")
def report(
    extract_dir: Path = typer.Argument(..., help="Force Extract directory."),
    out: Path = typer.Option(..., "--out", help="CSV to write: one row per device and app "
                             "that needs review."),
    catalogue_file: Path | None = typer.Option(
        None, "--catalogue", help="Another catalogue file (default: the maintained one)."),
    as_json: bool = typer.Option(False, "--json", help="Print the coverage figures as JSON."),
) -> None:
    """Device apps in the extract that the catalogue lists, with their risk class."""
    from probity.apps.catalogue import load_catalogue
    from probity.apps.report import app_findings, estate_coverage, write_findings_csv
    from probity.extract import open_extract

    catalogue = load_catalogue(catalogue_file)
    extract = open_extract(extract_dir)
    findings = app_findings(extract=extract, catalogue=catalogue)
    coverage = estate_coverage(extract=extract, findings=findings)
    rows = write_findings_csv(findings=findings, out=out)
    if as_json:
        typer.echo(json.dumps({"out": str(out), "rows": rows, "catalogue_version":
                               catalogue.version, **coverage.to_dict()}, indent=2))
        return
    if not extract.has("device_apps"):
        typer.echo("note: the extract has no device_apps table; no apps to review", err=True)
    _print_coverage(coverage.to_dict(), catalogue_version=catalogue.version)
    typer.echo(f"wrote {out} ({rows} rows)")


@apps_app.command("classify")
def classify(
    source: Path = typer.Argument(..., help="An app inventory CSV (Intune export or generic)."),
    out: Path = typer.Option(..., "--out", help="CSV of the rows that need review."),
    fmt: str = typer.Option("intune", "--format", help="intune or generic."),
    mapping: list[str] = typer.Option(
        [], "--map", help="generic format: FIELD=COLUMN, e.g. --map app_id='Bundle ID' "
        "(fields: device_id, device_name, staff_id, user, app_id, app_name, version, platform, "
        "device_count)."),
    mapping_file: Path | None = typer.Option(
        None, "--mapping", help="generic format: a JSON or TOML file {field: column}."),
    ignore_unknown: bool = typer.Option(
        False, "--ignore-unknown-columns", help="Accept columns the format does not know."),
    catalogue_file: Path | None = typer.Option(None, "--catalogue", help="Another catalogue."),
) -> None:
    """Classify an MDM app inventory export (no extract needed) against the catalogue."""
    from probity.apps.catalogue import load_catalogue
    from probity.apps.imports import (
        CLASSIFY_COLUMNS,
        classify_inventory,
        load_mapping,
        parse_mapping_options,
        read_generic_csv,
        read_intune_csv,
    )
    from probity.apps.report import write_findings_csv
    from probity.errors import UsageError

    catalogue = load_catalogue(catalogue_file)
    if fmt == "intune":
        if mapping or mapping_file:
            raise UsageError("--map/--mapping are for --format generic only")
        inventory = read_intune_csv(source, ignore_unknown_columns=ignore_unknown)
    elif fmt == "generic":
        field_map = load_mapping(mapping_file) if mapping_file else {}
        field_map.update(parse_mapping_options(mapping))
        inventory = read_generic_csv(source, mapping=field_map,
                                     ignore_unknown_columns=ignore_unknown)
    else:
        raise UsageError(f"--format {fmt!r}: expected intune or generic")
    findings = classify_inventory(inventory=inventory, catalogue=catalogue)
    rows = write_findings_csv(findings=findings, out=out, columns=CLASSIFY_COLUMNS)
    typer.echo(f"{len(inventory)} inventory rows read from {source}; {rows} need review; "
               f"wrote {out}")


@apps_app.command("catalogue")
def catalogue_command(
    check: Path | None = typer.Option(
        None, "--check", help="Validate this catalogue file instead of listing the default."),
    as_csv: bool = typer.Option(False, "--csv", help="Print the catalogue as CSV."),
) -> None:
    """List the app catalogue, or check a catalogue file."""
    from rich.console import Console
    from rich.table import Table

    from probity.apps.catalogue import load_catalogue

    catalogue = load_catalogue(check)
    if check is not None:
        typer.echo(f"{check}: valid, version {catalogue.version}, {len(catalogue)} entries, "
                   f"{len(catalogue.risk_classes)} risk classes")
        return
    if as_csv:
        typer.echo(catalogue.to_frame().to_csv(index=False), nl=False)
        return
    table = Table(title=f"App catalogue version {catalogue.version} ({catalogue.updated})")
    for col in ("app_id", "platform", "name", "risk_class", "weight"):
        table.add_column(col)
    for entry in catalogue.entries:
        table.add_row(entry.app_id, entry.platform, entry.name, entry.risk_class,
                      f"{entry.weight:.2f}")
    Console().print(table)


def _print_coverage(figures: dict[str, object], *, catalogue_version: int) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"App review (catalogue version {catalogue_version})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in ("devices", "mobile_devices", "devices_with_inventory", "inventory_coverage_pct",
                "devices_with_findings", "staff_with_findings", "findings"):
        table.add_row(key.replace("_", " "), str(figures[key]))
    console.print(table)
    by_class = figures["by_risk_class"]
    assert isinstance(by_class, dict)
    if by_class:
        classes = Table(title="By risk class")
        for col in ("risk class", "findings", "devices", "staff"):
            classes.add_column(col, justify="left" if col == "risk class" else "right")
        for name, counts in by_class.items():
            classes.add_row(name, str(counts["findings"]), str(counts["devices"]),
                            str(counts["staff"]))
        console.print(classes)
