"""The analyst's judgement sections, kept apart from the figures.

Figures are regenerated at will; judgement text is written by an analyst and must survive.
So judgements are stored on their own, keyed by (year, section), never inside a generated
document: in the web app's database (probity.web.assessments) when it is available, else in a
JSON file (`--judgements FILE`, format `probity-judgements` v1). Every save keeps the previous
text in the entry's history.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from probity.errors import UsageError
from probity.reports.figures import Judgement

__all__ = [
    "JUDGEMENT_FORMAT",
    "JUDGEMENT_SECTIONS",
    "COMMENTARY_SECTIONS",
    "SECTION_TITLES",
    "judgement_keys",
    "judgements_from_file",
    "judgement_save_to_file",
    "judgements_from_database",
]

JUDGEMENT_FORMAT = "probity-judgements"
JUDGEMENT_VERSION = 1

# Sections of the document, in order: (key, title). Judgement-only sections hold no figures.
SECTION_TITLES: dict[str, str] = {
    "summary": "Executive summary",
    "volumes": "Volumes by national category",
    "sources": "Where reports came from",
    "subjects": "Subjects: role, unit and staff type",
    "victims": "Victims: vulnerability profile",
    "referrals": "IOPC referrals and timeliness",
    "outcomes": "Outcomes",
    "vetting": "Vetting compliance",
    "ict": "ICT monitoring coverage",
    "apps": "Encrypted-app findings",
    "partners": "Partner engagement",
    "capacity": "Capacity",
    "gaps": "Intelligence gaps",
    "risk": "Risk matrix (MoRiLE)",
    "control_strategy": "Control strategy",
    "recommendations": "Recommendations",
}
JUDGEMENT_SECTIONS: tuple[str, ...] = ("summary", "control_strategy", "recommendations")
COMMENTARY_SECTIONS: tuple[str, ...] = tuple(
    k for k in SECTION_TITLES if k not in JUDGEMENT_SECTIONS
)


def judgement_keys() -> tuple[str, ...]:
    """Every section an analyst may write for: the judgement sections and each commentary."""
    return tuple(SECTION_TITLES)


def _check_section(section: str) -> None:
    if section not in SECTION_TITLES:
        raise UsageError(f"unknown section {section!r}: expected one of {', '.join(SECTION_TITLES)}")


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"format": JUDGEMENT_FORMAT, "version": JUDGEMENT_VERSION, "entries": []}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != JUDGEMENT_FORMAT:
        raise UsageError(f"{path}: not a judgements file (expected \"format\": \"{JUDGEMENT_FORMAT}\")")
    if document.get("version") != JUDGEMENT_VERSION:
        raise UsageError(f"{path}: judgements version {document.get('version')!r} is not supported "
                         f"(expected {JUDGEMENT_VERSION})")
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise UsageError(f"{path}: \"entries\" must be a list")
    errors = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors.append(f"entries[{i}]: expected an object")
            continue
        if not isinstance(entry.get("year"), int):
            errors.append(f"entries[{i}].year: {entry.get('year')!r} is not a year")
        if entry.get("section") not in SECTION_TITLES:
            errors.append(f"entries[{i}].section: {entry.get('section')!r} is not a section key")
        if not isinstance(entry.get("text"), str):
            errors.append(f"entries[{i}].text: expected text")
    if errors:
        raise UsageError(f"{path}: invalid judgements file:\n  " + "\n  ".join(errors))
    return document


def judgements_from_file(*, path: Path, year: int) -> dict[str, Judgement]:
    """The year's judgements from a judgements file (none when the file does not exist)."""
    found: dict[str, Judgement] = {}
    for entry in _read(path)["entries"]:
        if entry["year"] == year:
            updated = entry.get("updated_at")
            found[entry["section"]] = Judgement(
                section=entry["section"], text=entry["text"], author=str(entry.get("author") or ""),
                updated_at=dt.datetime.fromisoformat(updated.replace("Z", "+00:00")) if updated else None,
            )
    return found


def judgement_save_to_file(*, path: Path, year: int, section: str, text: str, author: str,
                           now: dt.datetime | None = None) -> Judgement:
    """Set the text of one judgement section in a judgements file, keeping the old text."""
    _check_section(section)
    if not author.strip():
        raise UsageError("--author is required: a judgement records who wrote it")
    now = now or dt.datetime.now(dt.UTC)
    document = _read(path)
    stamp = now.isoformat().replace("+00:00", "Z")
    for entry in document["entries"]:
        if entry["year"] == year and entry["section"] == section:
            history = entry.setdefault("history", [])
            history.append({k: entry.get(k) for k in ("text", "author", "updated_at")})
            entry.update(text=text, author=author, updated_at=stamp)
            break
    else:
        document["entries"].append({"year": year, "section": section, "text": text,
                                    "author": author, "updated_at": stamp, "history": []})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(tmp, path)
    return Judgement(section=section, text=text, author=author, updated_at=now)


def judgements_from_database(*, year: int) -> dict[str, Judgement] | str:
    """The year's judgements from the web app, or the reason they cannot be read."""
    from probity.reports.casework_db import django_ready

    reason = django_ready()
    if reason:
        return reason
    from django.apps import apps

    if not apps.is_installed("probity.web.assessments"):
        return "probity.web.assessments is not installed"
    from django.db import DatabaseError

    try:
        from probity.web.assessments.selectors import judgements_for_year
    except ImportError as exc:
        return f"probity.web.assessments cannot be imported ({exc})"
    try:
        return {
            j.section: Judgement(section=j.section, text=j.text, author=j.author,
                                 updated_at=j.updated_at)
            for j in judgements_for_year(year=year)
        }
    except DatabaseError as exc:
        return f"assessments database not readable ({type(exc).__name__}: {exc})"
