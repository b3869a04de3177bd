"""`probity report ...`: the threat assessment, the national return, combining returns, and
the analyst's judgement text (file store)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from probity.reports.gather import GatherOptions

app = typer.Typer(
    help="Strategic threat assessment (HTML/PDF), national return, regional combination.",
    no_args_is_help=True,
)

_YEAR = typer.Option(..., "--year", help="Calendar year assessed, e.g. 2025.")
_EXTRACT = typer.Option(None, "--extract", help="Force Extract directory (validated first).")
_CASEWORK = typer.Option(
    None, "--casework",
    help="Casework export file (probity-casework-export); default: the web app's database.")
_NO_DB = typer.Option(False, "--no-database",
                      help="Do not read casework or judgements from the web app's database.")
_FORCE_CODE = typer.Option(None, "--force-code", help="Force code when no extract is given.")
_FORCE_NAME = typer.Option(None, "--force-name", help="Force name when no extract is given.")


def _options(*, year: int, extract: Path | None, casework: Path | None, no_database: bool,
             judgements: Path | None = None, risk_config: Path | None = None,
             force_code: str | None = None, force_name: str | None = None,
             include_judgements: bool = True) -> GatherOptions:
    from probity.reports.gather import GatherOptions

    return GatherOptions(year=year, extract_dir=extract, casework_file=casework,
                         use_database=not no_database, judgements_file=judgements,
                         risk_config=risk_config, force_code=force_code, force_name=force_name,
                         include_judgements=include_judgements)


@app.command("threat-assessment")
def threat_assessment_command(
    year: int | None = typer.Option(None, "--year", help="Calendar year assessed, e.g. 2025."),
    extract: Path | None = _EXTRACT,
    out: Path = typer.Option(Path("."), "--out", help="Directory to write the documents into."),
    format: str = typer.Option("html,pdf", "--format", help="html, pdf or html,pdf."),
    casework: Path | None = _CASEWORK,
    judgements: Path | None = typer.Option(
        None, "--judgements",
        help="Judgements file (probity-judgements); default: the web app's database."),
    risk_config: Path | None = typer.Option(
        None, "--risk-config", help="JSON overriding the MoRiLE scales and scores."),
    marking: str = typer.Option("OFFICIAL-SENSITIVE", "--marking",
                                help="Protective marking printed at top and bottom of every page."),
    no_database: bool = _NO_DB,
    force_code: str | None = _FORCE_CODE,
    force_name: str | None = _FORCE_NAME,
    with_scan: bool = typer.Option(
        False, "--with-scan",
        help="Run the scan to list the indicators this extract cannot support (slower)."),
    from_return: Path | None = typer.Option(
        None, "--from-return",
        help="Draft a regional or national assessment from a (combined) national return."),
) -> None:
    """Draft the annual counter-corruption strategic threat assessment (HTML and PDF)."""
    from probity.errors import UsageError
    from probity.reports.api import parse_formats, threat_assessment, write_assessment

    if from_return is not None:
        if extract is not None or casework is not None:
            raise UsageError("--from-return draws every figure from the return: "
                             "do not also give --extract or --casework")
        from probity.reports.combined import figures_from_return

        figures = figures_from_return(path=from_return, judgements_file=judgements,
                                      risk_config=risk_config)
        if year is not None and year != figures.year:
            raise UsageError(f"--year {year} but {from_return} is the return for {figures.year}")
        for path in write_assessment(figures, out_dir=out, formats=parse_formats(format),
                                     marking=marking):
            typer.echo(f"wrote {path}")
        return
    if year is None:
        raise UsageError("give --year (or --from-return with a national return)")

    options = _options(year=year, extract=extract, casework=casework, no_database=no_database,
                       judgements=judgements, risk_config=risk_config, force_code=force_code,
                       force_name=force_name)
    options.run_scan = with_scan
    written = threat_assessment(options, out_dir=out, formats=parse_formats(format),
                                marking=marking)
    for path in written:
        typer.echo(f"wrote {path}")


@app.command("return")
def return_command(
    year: int = _YEAR,
    out: Path = typer.Option(..., "--out", help="Where to write the return (JSON)."),
    extract: Path | None = _EXTRACT,
    casework: Path | None = _CASEWORK,
    no_database: bool = _NO_DB,
    force_code: str | None = _FORCE_CODE,
    force_name: str | None = _FORCE_NAME,
    marking: str = typer.Option("OFFICIAL-SENSITIVE", "--marking",
                                help="Protective marking recorded in the return."),
) -> None:
    """Write the national return: nationally consistent counts, no personal data."""
    from probity.reports.gather import gather
    from probity.reports.national_return import build_return, write_return

    options = _options(year=year, extract=extract, casework=casework, no_database=no_database,
                       force_code=force_code, force_name=force_name, include_judgements=False)
    document = build_return(gather(options), marking=marking.strip().upper())
    write_return(document, out)
    missing = [k for k, s in document["sections"].items() if s["counts"] is None]
    typer.echo(f"wrote {out} ({document['forces'][0]['code']} {year}; "
               f"{len(document['sections']) - len(missing)} of {len(document['sections'])} "
               "sections with figures" + (f"; no data for: {', '.join(missing)}" if missing else "")
               + ")")


@app.command("combine")
def combine_command(
    returns: list[Path] = typer.Argument(..., help="Two or more national return files."),
    out: Path = typer.Option(..., "--out", help="Where to write the combined return."),
    name: str = typer.Option("Combined", "--name", help="Name of the region, e.g. North West."),
    level: str = typer.Option("region", "--level", help="region or national."),
    marking: str | None = typer.Option(
        None, "--marking", help="Protective marking of the combined return (default: the "
                                "inputs' marking, when they agree)."),
) -> None:
    """Sum several forces' (or regions') returns into one regional or national return."""
    from probity.reports.national_return import combine_returns, load_return, write_return

    documents = [(str(path), load_return(path)) for path in returns]
    combined = combine_returns(documents, name=name, level=level,
                               marking=marking.strip().upper() if marking else None)
    write_return(combined, out)
    typer.echo(f"wrote {out} ({level} return '{name}', {combined['year']}, "
               f"{len(combined['forces'])} forces: "
               f"{', '.join(f['code'] for f in combined['forces'])})")


@app.command("judgement")
def judgement_command(
    year: int = _YEAR,
    section: str = typer.Option(..., "--section", help="Section key, e.g. control_strategy."),
    judgements: Path = typer.Option(..., "--judgements", help="Judgements file to update."),
    author: str = typer.Option(..., "--author", help="Who wrote the text."),
    text: str | None = typer.Option(None, "--text", help="The text."),
    text_file: Path | None = typer.Option(None, "--text-file", help="Read the text from a file."),
) -> None:
    """Write an analyst's judgement text for one section into a judgements file."""
    from probity.errors import UsageError
    from probity.reports.judgements import judgement_save_to_file

    if (text is None) == (text_file is None):
        raise UsageError("give the judgement with exactly one of --text or --text-file")
    body = text if text is not None else text_file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    judgement_save_to_file(path=judgements, year=year, section=section, text=body.strip(),
                           author=author, now=dt.datetime.now(dt.UTC))
    typer.echo(f"saved {section} for {year} in {judgements}")
