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


def _first(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in row:
            return row[name]
    return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).date() if value.tzinfo else value.date()
    return value if isinstance(value, dt.date) else None


def _rows_by_report(report_model: Any, contains: str) -> dict[int, list[dict[str, Any]]]:
    """Rows (as dicts) of every model pointing at reports whose name contains `contains`
    (e.g. referral, outcome), grouped by report id; one query per model."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for rel in report_model._meta.related_objects:
        if contains not in rel.related_model.__name__.lower():
            continue
        key = f"{rel.field.attname}"
        for row in rel.related_model.objects.values():
            grouped.setdefault(row[key], []).append(row)
    return grouped


def _referral(report: dict[str, Any], rows: list[dict[str, Any]]) -> ReferralRecord | None:
    """The report's mandatory referral: timeliness from the first referral (a re-referral
    is new concerns, not lateness), the IOPC's decision from the latest."""
    criteria = report.get("referral_criteria") or []
    if not criteria and not rows:
        return None
    latest_first = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows = sorted(rows, key=lambda r: (r.get("referred_at") or latest_first, r.get("id", 0)))
    first = rows[0] if rows else None
    decision = "pending"
    if rows:
        raw = str(rows[-1].get("decision") or "pending")
        mode = str(rows[-1].get("mode") or "")
        decision = mode if raw == "investigation" and mode else raw
    return ReferralRecord(required=bool(criteria) or first is not None,
                          due_at=report.get("referral_due_at"),
                          referred_at=first.get("referred_at") if first else None,
                          decision=decision)


def _outcomes(rows: list[dict[str, Any]]) -> tuple[OutcomeRecord, ...]:
    found = []
    for row in rows:
        value = _first(row, ("outcome", "kind", "result"))
        if value in (None, ""):
            continue
        found.append(OutcomeRecord(
            outcome=str(value),
            decided_on=_as_date(_first(row, ("decided_on", "decided_at", "created_at"))),
            barred_list=bool(_first(row, ("barred_list", "barred_list_notified",
                                           "barred_list_notified_on"))),
            advisory_list=bool(_first(row, ("advisory_list", "advisory_list_notified",
                                             "advisory_list_notified_on"))),
        ))
    return tuple(found)


_REPORT_FIELDS = frozenset({
    "id", "received_on", "national_category", "abuse_of_position_sexual_purpose", "source",
    "status", "referral_criteria", "referral_due_at", "closed_on", "closed_at", "partner_kind",
    "partner_organisation_kind", "criminal_outcome",
})


def _read_cases() -> list[CaseRecord]:
    """Every report, as counts need them (the report is an aggregate over all casework).

    Plain value queries, one per table, joined here: the ORM's per-object prefetching is far
    too slow for the 100,000 reports a force may hold."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from probity.web.audit.services import access_log_record

    report_model = _model("Report")
    subject_model = _model("ReportSubject")
    person_model = _model("ReportPerson")
    cases: list[CaseRecord] = []
    with transaction.atomic():
        # an investigator is a team member holding the investigator role (analysts and the
        # appropriate authority also join teams, but do not carry the investigation)
        investigators = set(get_user_model().objects.filter(groups__name="investigator")
                            .values_list("pk", flat=True))
        subjects: dict[int, list[SubjectRecord]] = {}
        for report_id, staff_id in subject_model.objects.values_list("report_id", "staff_id"):
            subjects.setdefault(report_id, []).append(SubjectRecord(subject_key=staff_id))
        persons: dict[int, list[PersonRecord]] = {}
        for report_id, role, nominal_id, vulnerability in person_model.objects.values_list(
                "report_id", "role", "nominal_id", "vulnerability"):
            persons.setdefault(report_id, []).append(PersonRecord(
                role=role, person_key=nominal_id or "", vulnerabilities=tuple(vulnerability or ())))
        team: dict[int, list[str]] = {}
        through = report_model.team.through
        for report_id, user_id in through.objects.values_list("report_id", "user_id"):
            if user_id in investigators:
                team.setdefault(report_id, []).append(str(user_id))
        referrals = _rows_by_report(report_model, "referral")
        outcomes = _rows_by_report(report_model, "outcome")
        safeguarding = _rows_by_report(report_model, "safeguarding")
        # only the fields counted: never the narrative or anything else written about people
        fields = [f.attname for f in report_model._meta.concrete_fields
                  if f.attname in _REPORT_FIELDS]
        for report in report_model.objects.values(*fields).iterator(chunk_size=5000):
            pk = report["id"]
            status = str(report.get("status") or "open")
            cases.append(CaseRecord(
                received_on=report["received_on"],
                category=report["national_category"],
                apsp=bool(report["abuse_of_position_sexual_purpose"]),
                source=report["source"],
                partner_kind=_first(report, ("partner_kind", "partner_organisation_kind")),
                is_open=status != "closed",
                closed_on=_as_date(_first(report, ("closed_on", "closed_at"))),
                investigator_keys=tuple(team.get(pk, ())),
                subjects=tuple(subjects.get(pk, ())),
                persons=tuple(persons.get(pk, ())),
                referral=_referral(report, referrals.get(pk, [])),
                outcomes=_outcomes(outcomes.get(pk, [])),
                criminal_outcome=_first(report, ("criminal_outcome",)),
                safeguarding_referrals=len(safeguarding.get(pk, [])),
            ))
        # DPA 2018 s62: the report consulted every case, if only to count it
        access_log_record(actor=None, action="export", object_type="casework_aggregate",
                          object_id=f"{len(cases)} reports",
                          purpose="strategic threat assessment / national return (counts only)")
    return cases
