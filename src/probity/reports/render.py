"""Render the assessment: self-contained HTML (Jinja2), and PDF through headless Chromium.

The HTML holds everything inline (CSS, SVG charts), so one file can be mailed, archived or
printed. The PDF is Chromium's print of that file: the protective marking is in the page
margin boxes (`@page @top-center` / `@bottom-center`), so it is on the top and bottom of
every page. Outputs are written to a temporary file in the target directory and moved into
place, never left half-written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import jinja2

from probity.errors import ConfigurationError, ProbityError, UsageError
from probity.reports.document import DocumentView

__all__ = ["render_html", "write_html", "write_pdf", "chromium_path", "atomic_write_bytes"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _css_string(value: str) -> str:
    """Text made safe inside a CSS double-quoted string."""
    return "".join(ch if ch.isalnum() or ch in " -_.,()/" else f"\\{ord(ch):x} " for ch in value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = _css_string
    return env


def render_html(document: DocumentView) -> str:
    return _environment().get_template("threat_assessment.html.j2").render(doc=document)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_html(document: DocumentView, path: Path) -> Path:
    atomic_write_bytes(path, render_html(document).encode("utf-8"))
    return path


def chromium_path() -> str:
    """Debian's Chromium (PROBITY_CHROMIUM overrides); a clear error when there is none."""
    configured = os.environ.get("PROBITY_CHROMIUM", "").strip()
    for candidate in (configured, "/usr/bin/chromium", shutil.which("chromium") or "",
                      shutil.which("chromium-browser") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    raise ConfigurationError(
        "PDF output needs Chromium: install Debian's `chromium` (scripts/ensure-chromium.sh) "
        "or set PROBITY_CHROMIUM to its path; or ask for --format html only."
    )


def write_pdf(html_path: Path, pdf_path: Path, *, timeout_s: float = 120.0) -> Path:
    """Print `html_path` to `pdf_path` with headless Chromium."""
    if not html_path.exists():
        raise UsageError(f"{html_path}: no HTML to print")
    browser = chromium_path()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=pdf_path.parent, prefix=f".{pdf_path.name}.", suffix=".tmp")
    os.close(fd)
    with tempfile.TemporaryDirectory(prefix="probity-chromium-") as profile:
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            f"--user-data-dir={profile}", "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw", f"--print-to-pdf={tmp}",
            html_path.resolve().as_uri(),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            Path(tmp).unlink(missing_ok=True)
            raise ProbityError(f"Chromium did not finish printing {html_path} within "
                               f"{timeout_s:.0f} s") from exc
    if result.returncode != 0 or Path(tmp).stat().st_size == 0:
        Path(tmp).unlink(missing_ok=True)
        stderr = result.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise ProbityError(f"Chromium could not print {html_path} to PDF (exit "
                           f"{result.returncode}): {' | '.join(stderr)}")
    os.replace(tmp, pdf_path)
    return pdf_path
