"""The national return: nationally consistent counts, no personal data, and their combination.

Format `probity-national-return`, schema version 1, published as
`national-return.schema.json` beside this module and documented in docs/national-return.md.
The schema is generated from the vocabularies in `probity.reports.taxonomy` by
`build_schema()`; a test keeps the published file equal to it.

Every figure is a count, so returns add up: a region's return is the sum of its forces'
returns, and the nation's the sum of regions' or forces'. A section a force could not report
(its source missing) has `counts: null` and the force listed in `forces_missing`, so a combined
figure always says which forces it covers. Nothing that identifies a person is allowed by the
schema: every object is closed (`additionalProperties: false`) and holds only counts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from probity.errors import UsageError
from probity.reports.casework_figures import AGE_BANDS
from probity.reports.extract_figures import SYSTEMS
from probity.reports.figures import AssessmentFigures, NoData
from probity.reports.taxonomy import (
    CRIMINAL_OUTCOMES,
    IOPC_DECISIONS,
    NATIONAL_CATEGORIES,
    OUTCOMES,
    REPORT_SOURCES,
    STAFF_TYPES,
    VULNERABILITIES,
)

__all__ = [
    "RETURN_FORMAT",
    "RETURN_SCHEMA_VERSION",
    "SCHEMA_PATH",
    "SECTION_KEYS",
    "ReturnInvalid",
    "build_schema",
    "load_schema",
    "build_return",
    "validate_return",
    "load_return",
    "combine_returns",
    "write_return",
]

RETURN_FORMAT = "probity-national-return"
RETURN_SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "national-return.schema.json"
SCHEMA_ID = "https://probity.example/schemas/national-return/v1.json"

VETTING_REASONS = ("expired", "lapsed", "withdrawn", "refused", "pending", "never_vetted",
                   "below_requirement")
MONITORING_TABLES = ("shifts", "devices", "device_apps", "comms")


def _age_key(name: str) -> str:
    return name.replace(" ", "_")


# section key -> (description, count keys)
SECTION_KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "reports_by_category": (
        "Reports received in the year by national corruption category; `apsp` (abuse of position "
        "for a sexual purpose) is a subset of `sexual_misconduct`.",
        (*NATIONAL_CATEGORIES, "apsp")),
    "reports_by_source": ("Reports received in the year by where they came from.", REPORT_SOURCES),
    "subjects_by_staff_type": (
        "Distinct subjects of the year's reports by staff type.", STAFF_TYPES),
    "victims": ("Distinct victims in the year's reports.",
                ("victims", "with_any_vulnerability", "apsp_victims")),
    "victims_by_vulnerability": (
        "Victims with each recorded vulnerability (a victim may count under several).",
        VULNERABILITIES),
    "iopc_referrals": (
        "Reports of the year meeting the mandatory referral criteria, and their referral.",
        ("required", "referred", "referred_on_time", "referred_late", "awaiting_referral_overdue",
         "awaiting_referral_in_time")),
    "iopc_decisions": ("IOPC decisions on the referrals made.", IOPC_DECISIONS),
    "misconduct_outcomes": ("Misconduct outcomes decided in the year.", OUTCOMES),
    "list_notifications": ("Barred List and Advisory List notifications in the year.",
                           ("barred_list", "advisory_list")),
    "criminal_outcomes": ("Criminal outcomes of cases closed in the year.", CRIMINAL_OUTCOMES),
    "partner_engagement": ("Reports from partner organisations and safeguarding referrals.",
                           ("partner_reports", "safeguarding_referrals")),
    "capacity": ("Open cases at the end of the year, investigators holding them, and case age.",
                 ("open_cases", "investigators", "unassigned_open_cases",
                  *(_age_key(name) for name, _ in AGE_BANDS))),
    "vetting": ("Serving workforce at the end of the year, compliant with the vetting their post "
                "requires, and the reasons for non-compliance.",
                ("serving", "compliant", *VETTING_REASONS)),
    "workforce": ("People serving at any time in the year, by staff type.", STAFF_TYPES),
    "ict_monitoring": (
        "Forces whose extract shows monitoring of each force system (audit events in the year) "
        "and holds each monitoring table: 0 or 1 for a force, a number of forces when combined.",
        (*(f"system_{s}" for s in SYSTEMS), *(f"table_{t}" for t in MONITORING_TABLES))),
}


class ReturnInvalid(UsageError):
    """A national return that breaks the published schema or its rules."""


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the national return, from the vocabularies."""
    code = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,16}$"}
    codes = {"type": "array", "items": code, "uniqueItems": True}
    sections: dict[str, Any] = {}
    for key, (description, counts) in SECTION_KEYS.items():
        sections[key] = {
            "type": "object",
            "description": description,
            "additionalProperties": False,
            "required": ["forces_reporting", "forces_missing", "counts"],
            "properties": {
                "forces_reporting": codes,
                "forces_missing": codes,
                "counts": {
                    "description": "null when none of the forces could report this section",
                    "type": ["object", "null"], "additionalProperties": False,
                    "required": list(counts),
                    "properties": {c: {"type": "integer", "minimum": 0} for c in counts},
                },
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Probity national return (counter-corruption), schema version 1",
        "description": ("Nationally consistent counts from one force's counter-corruption "
                        "records for one calendar year, or the sum of several forces' returns. "
                        "Counts only: no names, identifiers or any other personal data."),
        "type": "object",
        "additionalProperties": False,
        "required": ["format", "schema_version", "protective_marking", "level", "name", "year",
                     "generated_at", "forces", "sections"],
        "properties": {
            "format": {"const": RETURN_FORMAT},
            "schema_version": {"const": RETURN_SCHEMA_VERSION},
            "protective_marking": {"type": "string", "minLength": 1, "maxLength": 40,
                                   "pattern": "^[A-Z][A-Z -]*$",
                                   "description": "e.g. OFFICIAL-SENSITIVE"},
            "level": {"enum": ["force", "region", "national"]},
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "year": {"type": "integer", "minimum": 1990, "maximum": 2200},
            "generated_at": {"type": "string",
                             "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"},
            "forces": {
                "type": "array", "minItems": 1,
                "items": {"type": "object", "additionalProperties": False,
                          "required": ["code", "name"],
                          "properties": {"code": code,
                                         "name": {"type": "string", "minLength": 1,
                                                  "maxLength": 120}}},
            },
            "sections": {"type": "object", "additionalProperties": False,
                         "required": list(SECTION_KEYS), "properties": sections},
        },
    }


@cache
def load_schema() -> dict[str, Any]:
    """The published schema file (what other tools validate against)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _section(code: str, counts: dict[str, int] | None) -> dict[str, Any]:
    return {"forces_reporting": [code] if counts is not None else [],
            "forces_missing": [] if counts is not None else [code],
            "counts": counts}


def build_return(figures: AssessmentFigures, *,
                 marking: str = "OFFICIAL-SENSITIVE") -> dict[str, Any]:
    """A force's return for the year, from its assessment figures."""
    f = figures

    def counts(key: str, value: Any, pick: Any) -> dict[str, int] | None:
        if isinstance(value, NoData):
            return None
        keys = SECTION_KEYS[key][1]
        raw = pick(value)
        return {k: int(raw.get(k, 0)) for k in keys}

    s: dict[str, dict[str, int] | None] = {
        "reports_by_category": counts(
            "reports_by_category", f.volumes,
            lambda v: {**v.by_year[f.year], "apsp": v.apsp_by_year[f.year]}),
        "reports_by_source": counts("reports_by_source", f.sources, lambda v: v.counts),
        "subjects_by_staff_type": counts("subjects_by_staff_type", f.subjects,
                                         lambda v: v.by_staff_type),
        "victims": counts("victims", f.victims, lambda v: {
            "victims": v.victims, "with_any_vulnerability": v.with_any_vulnerability,
            "apsp_victims": v.apsp_victims}),
        "victims_by_vulnerability": counts("victims_by_vulnerability", f.victims,
                                           lambda v: v.by_vulnerability),
        "iopc_referrals": counts("iopc_referrals", f.referrals, lambda v: {
            k: getattr(v, k) for k in SECTION_KEYS["iopc_referrals"][1]}),
        "iopc_decisions": counts("iopc_decisions", f.referrals, lambda v: v.decisions),
        "misconduct_outcomes": counts("misconduct_outcomes", f.outcomes, lambda v: v.outcomes),
        "list_notifications": counts("list_notifications", f.outcomes, lambda v: {
            "barred_list": v.barred_list, "advisory_list": v.advisory_list}),
        "criminal_outcomes": counts("criminal_outcomes", f.outcomes, lambda v: v.criminal),
        "partner_engagement": counts("partner_engagement", f.partners, lambda v: {
            "partner_reports": v.partner_reports,
            "safeguarding_referrals": v.safeguarding_referrals}),
        "capacity": counts("capacity", f.capacity, lambda v: {
            "open_cases": v.open_cases, "investigators": v.investigators,
            "unassigned_open_cases": v.unassigned_open_cases,
            **{_age_key(k): n for k, n in v.age_bands.items()}}),
        "vetting": counts("vetting", f.vetting, lambda v: {
            "serving": v.serving, "compliant": v.compliant, **v.not_compliant_reasons}),
        "workforce": counts("workforce", f.workforce, lambda v: v),
        "ict_monitoring": counts("ict_monitoring", f.ict, lambda v: {
            **{f"system_{s.system}": 1 if s.events else 0 for s in v.systems},
            **{f"table_{t}": 1 if v.tables_present.get(t) else 0 for t in MONITORING_TABLES}}),
    }
    document = {
        "format": RETURN_FORMAT,
        "schema_version": RETURN_SCHEMA_VERSION,
        "protective_marking": marking,
        "level": "force",
        "name": f.force_name,
        "year": f.year,
        "generated_at": _stamp(f.generated_at),
        "forces": [{"code": f.force_code, "name": f.force_name}],
        "sections": {key: _section(f.force_code, s[key]) for key in SECTION_KEYS},
    }
    validate_return(document, source="the generated return")
    return document


def validate_return(document: Any, *, source: str) -> None:
    """Check a return against the published schema and its rules; every error at once."""
    validator = jsonschema.Draft202012Validator(load_schema())
    errors = [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    if not errors:
        forces = [f["code"] for f in document["forces"]]
        duplicates = sorted({c for c in forces if forces.count(c) > 1})
        if duplicates:
            errors.append(f"forces: {', '.join(duplicates)} listed more than once")
        if document["level"] == "force" and len(forces) != 1:
            errors.append(f"forces: a force-level return lists exactly one force, not {len(forces)}")
        for key, section in document["sections"].items():
            reporting, missing = set(section["forces_reporting"]), set(section["forces_missing"])
            if reporting & missing:
                errors.append(f"sections/{key}: {sorted(reporting & missing)} both reporting and missing")
            if reporting | missing != set(forces):
                errors.append(f"sections/{key}: forces_reporting and forces_missing must together "
                              f"list exactly the return's forces {sorted(forces)}")
            if (section["counts"] is None) != (not reporting):
                errors.append(f"sections/{key}: counts must be null exactly when no force reports")
    if errors:
        raise ReturnInvalid(f"{source} is not a valid national return (schema version "
                            f"{RETURN_SCHEMA_VERSION}): {len(errors)} error(s):\n  "
                            + "\n  ".join(errors))


def load_return(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: national return not found") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != RETURN_FORMAT:
        raise ReturnInvalid(f"{path}: not a national return (expected \"format\": "
                            f"\"{RETURN_FORMAT}\")")
    version = document.get("schema_version")
    if version != RETURN_SCHEMA_VERSION:
        raise ReturnInvalid(f"{path}: schema version {version!r} is not supported: this Probity "
                            f"reads and combines version {RETURN_SCHEMA_VERSION} only; ask the "
                            f"force to regenerate its return with a current Probity")
    validate_return(document, source=str(path))
    return document


def combine_returns(documents: Sequence[tuple[str, dict[str, Any]]], *, name: str,
                    level: str = "region", now: dt.datetime | None = None,
                    marking: str | None = None) -> dict[str, Any]:
    """Sum several returns (each `(source, document)`) into one region or national return.

    Refuses mixed schema versions, mixed years and a force that appears twice. The marking
    is `marking`, else the inputs' one when they agree (a clear error when they do not).
    """
    if level not in ("region", "national"):
        raise UsageError(f"--level {level!r}: expected region or national")
    if len(documents) < 2:
        raise UsageError("combine needs at least two returns")
    versions = {src: d.get("schema_version") for src, d in documents}
    if len(set(versions.values())) > 1:
        raise ReturnInvalid("returns of different schema versions cannot be combined: "
                            + ", ".join(f"{s} is version {v}" for s, v in versions.items()))
    years = {src: d["year"] for src, d in documents}
    if len(set(years.values())) > 1:
        raise ReturnInvalid("returns for different years cannot be combined: "
                            + ", ".join(f"{s} is {y}" for s, y in years.items()))
    seen: dict[str, str] = {}
    clashes: list[str] = []
    forces: list[dict[str, str]] = []
    for src, document in documents:
        for force in document["forces"]:
            if force["code"] in seen:
                clashes.append(f"{force['code']} is in both {seen[force['code']]} and {src}")
            else:
                seen[force["code"]] = src
                forces.append(dict(force))
    if clashes:
        raise ReturnInvalid("a force may be counted only once: " + "; ".join(clashes))
    markings = {src: d.get("protective_marking") for src, d in documents}
    if marking is None:
        if len(set(markings.values())) > 1:
            raise ReturnInvalid("returns carry different protective markings ("
                                + ", ".join(f"{s}: {m}" for s, m in markings.items())
                                + "): give the combined return's marking with --marking")
        marking = str(next(iter(markings.values())))
    sections: dict[str, Any] = {}
    for key, (_, count_keys) in SECTION_KEYS.items():
        reporting: list[str] = []
        missing: list[str] = []
        total: dict[str, int] | None = None
        for _, document in documents:
            section = document["sections"][key]
            reporting += section["forces_reporting"]
            missing += section["forces_missing"]
            if section["counts"] is not None:
                total = total or {k: 0 for k in count_keys}
                for k in count_keys:
                    total[k] += int(section["counts"][k])
        sections[key] = {"forces_reporting": sorted(reporting), "forces_missing": sorted(missing),
                         "counts": total}
    combined = {
        "format": RETURN_FORMAT,
        "schema_version": RETURN_SCHEMA_VERSION,
        "protective_marking": marking,
        "level": level,
        "name": name,
        "year": next(iter(years.values())),
        "generated_at": _stamp(now or dt.datetime.now(dt.UTC)),
        "forces": sorted(forces, key=lambda f: f["code"]),
        "sections": sections,
    }
    validate_return(combined, source="the combined return")
    return combined


def write_return(document: dict[str, Any], path: Path) -> Path:
    from probity.reports.render import atomic_write_bytes

    atomic_write_bytes(path, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode())
    return path
