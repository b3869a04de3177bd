"""The maintained catalogue of encrypted, ephemeral and covert messaging apps.

The catalogue is a versioned data file (`apps_catalogue.csv`, beside this module) so that the
anti-corruption unit can review it like any other list: one row per app id, with the reason an
analyst reads and a weight (0..1) that says how much the app alone raises concern on a force
device. `load_catalogue` validates the file and fails naming the row and field.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from probity.errors import ProbityError

__all__ = ["AppEntry", "CatalogueInvalid", "load_catalogue", "CATALOGUE_FILE", "catalogue_version"]

CATALOGUE_FILE = "apps_catalogue.csv"
_COLUMNS = ("app_id", "app_name", "category", "weight", "reason")


class CatalogueInvalid(ProbityError):
    """The app catalogue file breaks its format."""

    exit_code = 2


@dataclass(frozen=True)
class AppEntry:
    app_id: str
    app_name: str
    category: str
    weight: float
    reason: str


def _read_text(path: Path | None) -> tuple[str, str]:
    if path is not None:
        return str(path), path.read_text(encoding="utf-8-sig")
    ref = resources.files("probity.analytics.internals").joinpath(CATALOGUE_FILE)
    return CATALOGUE_FILE, ref.read_text(encoding="utf-8")


def catalogue_version(path: Path | None = None) -> str:
    """The version line of the catalogue (its first comment line), for provenance."""
    _, text = _read_text(path)
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return "unversioned"


def load_catalogue(path: Path | None = None) -> list[AppEntry]:
    """Read and validate the catalogue; every error is reported at once."""
    name, text = _read_text(path)
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise CatalogueInvalid(
            f"{name}: header is {reader.fieldnames}, expected {list(_COLUMNS)}"
        )
    errors: list[str] = []
    entries: list[AppEntry] = []
    seen: set[str] = set()
    for rowno, row in enumerate(reader, start=2):
        app_id = (row.get("app_id") or "").strip()
        if not app_id:
            errors.append(f"{name} row {rowno}: app_id is empty")
            continue
        if app_id.lower() in seen:
            errors.append(f"{name} row {rowno}: app_id {app_id!r} appears twice")
        seen.add(app_id.lower())
        try:
            weight = float(row.get("weight") or "")
        except ValueError:
            errors.append(f"{name} row {rowno}: weight {row.get('weight')!r} is not a number")
            continue
        if not 0.0 <= weight <= 1.0:
            errors.append(f"{name} row {rowno}: weight {weight} is outside 0..1")
        for field in ("app_name", "category", "reason"):
            if not (row.get(field) or "").strip():
                errors.append(f"{name} row {rowno}: {field} is empty (every app needs one)")
        entries.append(AppEntry(app_id=app_id, app_name=(row["app_name"] or "").strip(),
                                category=(row["category"] or "").strip(), weight=weight,
                                reason=(row["reason"] or "").strip()))
    if errors:
        raise CatalogueInvalid("app catalogue is invalid:\n" + "\n".join(errors))
    return entries
