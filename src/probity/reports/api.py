"""The threat assessment end to end: gather, build, write HTML and PDF."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from probity.errors import UsageError
from probity.reports.document import DEFAULT_MARKING, build_document
from probity.reports.figures import AssessmentFigures
from probity.reports.gather import GatherOptions, gather
from probity.reports.render import write_html, write_pdf

__all__ = ["FORMATS", "parse_formats", "threat_assessment", "write_assessment"]

FORMATS = ("html", "pdf")


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(f"--format {text!r}: expected a comma-separated list of {', '.join(FORMATS)}")
    return formats


def threat_assessment(options: GatherOptions, *, out_dir: Path,
                      formats: Sequence[str] = ("html",),
                      marking: str = DEFAULT_MARKING) -> list[Path]:
    """Write the year's assessment into `out_dir`; returns the files written."""
    if not marking.strip():
        raise UsageError("--marking must not be empty: every document carries its marking")
    return write_assessment(gather(options), out_dir=out_dir, formats=formats, marking=marking)


def write_assessment(figures: AssessmentFigures, *, out_dir: Path,
                     formats: Sequence[str] = ("html",),
                     marking: str = DEFAULT_MARKING) -> list[Path]:
    """Render gathered (or combined) figures to HTML and/or PDF in `out_dir`."""
    if not marking.strip():
        raise UsageError("--marking must not be empty: every document carries its marking")
    document = build_document(figures, marking=marking.strip())
    stem = f"threat-assessment-{figures.force_code}-{figures.year}"
    html = write_html(document, out_dir / f"{stem}.html")
    written = [html] if "html" in formats else []
    if "pdf" in formats:
        written.append(write_pdf(html, out_dir / f"{stem}.pdf"))
        if "html" not in formats:
            html.unlink()
    return written
