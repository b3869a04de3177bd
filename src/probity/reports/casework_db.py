"""Casework read from the web app's database (probity.web.casework), as `CaseRecord`s.

Only this module knows the casework models; the rest of the reports package sees plain
records. Any reason the database cannot be read (Django app not installed, settings broken,
tables not migrated, database down) becomes a `NoData` saying so.
"""

from __future__ import annotations

import os
from typing import Any

from probity.reports.figures import CaseRecord, NoData

__all__ = ["django_ready", "load_cases"]


def django_ready() -> str | None:
    """Set Django up if needed; None when ready, else the reason it cannot be."""
    try:
        import django
        from django.apps import apps
        from django.conf import settings
    except ImportError as exc:  # pragma: no cover - Django is a core dependency
        return f"Django is not installed ({exc})"
    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probity.web.config.settings")
        try:
            if not settings.configured:
                settings.INSTALLED_APPS  # noqa: B018 - forces the settings module to load
            django.setup()
        except Exception as exc:  # any broken setting or missing app: say so, do not crash
            return f"the web app could not start ({type(exc).__name__}: {exc})"
    return None


def load_cases() -> list[CaseRecord] | NoData:
    reason = django_ready()
    if reason:
        return NoData(f"casework database not available: {reason}")
    from django.apps import apps

    if not apps.is_installed("probity.web.casework"):
        return NoData("casework database not available: probity.web.casework is not installed")
    try:
        return _read_cases()
    except _ModelsNotReady as exc:
        return NoData(f"casework database not available: {exc}")
    except Exception as exc:  # database down or not migrated: the document still renders
        from django.db import DatabaseError

        if isinstance(exc, DatabaseError):
            return NoData(f"casework database not readable ({type(exc).__name__}: {exc}); "
                          "run `probity migrate` or pass --casework FILE")
        raise


class _ModelsNotReady(Exception):
    pass


def _model(name: str) -> Any:
    from django.apps import apps

    try:
        return apps.get_model("casework", name)
    except LookupError as exc:
        raise _ModelsNotReady(f"the casework app has no {name} model yet") from exc


def _read_cases() -> list[CaseRecord]:
    _model("Report")
    raise _ModelsNotReady("the casework models are not mapped to the reports yet")
