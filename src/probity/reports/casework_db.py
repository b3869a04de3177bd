"""Casework read from the web app's database (probity.web.casework), as `CaseRecord`s.

Only this module knows the casework models; the rest of the reports package sees plain
records. Any reason the database cannot be read (Django app not installed, settings broken,
tables not migrated, database down) becomes a `NoData` saying so.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from probity.reports.figures import (
    CaseRecord,
    NoData,
    OutcomeRecord,
    PersonRecord,
    ReferralRecord,
    SubjectRecord,
)

__all__ = ["django_ready", "load_cases", "recorded_kinds"]


def recorded_kinds() -> set[str]:
    """What the installed casework app records beyond reports: `outcomes`, `safeguarding`
    (related models with those words in their names). Call after `load_cases` succeeded."""
    report_model = _model("Report")
    names = {rel.related_model.__name__.lower() for rel in report_model._meta.related_objects}
    return {kind for kind in ("outcome", "safeguarding") if any(kind in n for n in names)}


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
                          "run `probity manage migrate` or pass --casework FILE")
        raise


class _ModelsNotReady(Exception):
    pass


def _model(name: str) -> Any:
    from django.apps import apps

    try:
        return apps.get_model("casework", name)
    except LookupError as exc:
        raise _ModelsNotReady(f"the casework app has no {name} model yet") from exc


def _first_attr(obj: Any, names: tuple[str, ...]) -> Any:
    for name in names:
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    return value if isinstance(value, dt.date) else None


def _related(report: Any, contains: str) -> list[Any]:
    """Rows of any reverse relation whose model name contains `contains` (e.g. referral)."""
    rows: list[Any] = []
    for rel in report._meta.related_objects:
        if contains in rel.related_model.__name__.lower():
            accessor = rel.get_accessor_name()
            if rel.one_to_one:
                row = getattr(report, accessor, None) if hasattr(report, accessor) else None
                rows += [row] if row is not None else []
            else:
                rows += list(getattr(report, accessor).all())
    return rows


def _referral(report: Any) -> ReferralRecord | None:
    """The report's mandatory referral: timeliness from the first referral (a re-referral
    is new concerns, not lateness), the IOPC's decision from the latest."""
    criteria = getattr(report, "referral_criteria", None) or []
    rows = sorted(_related(report, "referral"),
                  key=lambda r: (getattr(r, "referred_at", None) or dt.datetime.max.replace(
                      tzinfo=dt.UTC), getattr(r, "pk", 0)))
    if not criteria and not rows:
        return None
    first = rows[0] if rows else None
    latest = rows[-1] if rows else None
    decision = "pending"
    if latest is not None:
        raw = str(getattr(latest, "decision", "") or "pending")
        mode = str(getattr(latest, "mode", "") or "")
        decision = mode if raw == "investigation" and mode else raw
    return ReferralRecord(required=bool(criteria) or first is not None,
                          due_at=getattr(report, "referral_due_at", None),
                          referred_at=getattr(first, "referred_at", None) if first else None,
                          decision=decision)


def _outcomes(report: Any) -> tuple[OutcomeRecord, ...]:
    found = []
    for row in _related(report, "outcome"):
        value = _first_attr(row, ("outcome", "kind", "result"))
        if value is None:
            continue
        found.append(OutcomeRecord(
            outcome=str(value),
            decided_on=_as_date(_first_attr(row, ("decided_on", "decided_at", "created_at"))),
            barred_list=bool(_first_attr(row, ("barred_list", "barred_list_notified",
                                                "barred_list_notified_on"))),
            advisory_list=bool(_first_attr(row, ("advisory_list", "advisory_list_notified",
                                                  "advisory_list_notified_on"))),
        ))
    return tuple(found)


def _read_cases() -> list[CaseRecord]:
    """Every report, as counts need them (the report is an aggregate over all casework)."""
    from django.db import transaction

    from probity.web.audit.services import access_log_record

    report_model = _model("Report")
    cases: list[CaseRecord] = []
    from django.contrib.auth import get_user_model

    # an investigator is a team member holding the investigator role (analysts and the
    # appropriate authority also join teams, but do not carry the investigation)
    investigators = set(get_user_model().objects.filter(groups__name="investigator")
                        .values_list("pk", flat=True))
    with transaction.atomic():
        reports = report_model.objects.all().prefetch_related("subjects", "persons", "team")
        for report in reports.iterator(chunk_size=2000):
            status = str(getattr(report, "status", "open"))
            closed = _as_date(_first_attr(report, ("closed_on", "closed_at")))
            cases.append(CaseRecord(
                received_on=report.received_on,
                category=report.national_category,
                apsp=bool(report.abuse_of_position_sexual_purpose),
                source=report.source,
                partner_kind=_first_attr(report, ("partner_kind", "partner_organisation_kind")),
                is_open=status != "closed",
                closed_on=closed,
                investigator_keys=tuple(str(u.pk) for u in report.team.all()
                                        if u.pk in investigators),
                subjects=tuple(SubjectRecord(subject_key=s.staff_id) for s in report.subjects.all()),
                persons=tuple(PersonRecord(role=p.role, person_key=p.nominal_id or "",
                                           vulnerabilities=tuple(p.vulnerability or ()))
                              for p in report.persons.all()),
                referral=_referral(report),
                outcomes=_outcomes(report),
                criminal_outcome=_first_attr(report, ("criminal_outcome",)),
                safeguarding_referrals=len(_related(report, "safeguarding")),
            ))
        # DPA 2018 s62: the report consulted every case, if only to count it
        access_log_record(actor=None, action="export", object_type="casework_aggregate",
                          object_id=f"{len(cases)} reports",
                          purpose="strategic threat assessment / national return (counts only)")
    return cases
