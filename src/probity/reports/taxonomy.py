"""The nationally consistent vocabularies the reports count by.

Every figure in the threat assessment and the national return is counted against one of these
lists, so that two forces' figures mean the same thing and can be added up. The keys are the
published keys of the national return (docs/national-return.md): changing one is a new schema
version.

Values coming from casework are mapped onto these keys by `normalise_*`; anything that cannot
be mapped is counted under `other` (never dropped), so totals always agree.
"""

from __future__ import annotations

import re

__all__ = [
    "NATIONAL_CATEGORIES",
    "CATEGORY_LABELS",
    "APSP_LABEL",
    "REPORT_SOURCES",
    "SOURCE_LABELS",
    "STAFF_TYPES",
    "STAFF_TYPE_LABELS",
    "VULNERABILITIES",
    "IOPC_DECISIONS",
    "OUTCOMES",
    "CRIMINAL_OUTCOMES",
    "label",
    "normalise_category",
    "normalise_source",
    "normalise_iopc_decision",
    "normalise_outcome",
    "normalise_criminal_outcome",
]

# The 12 national corruption-related intelligence categories (Counter-Corruption (Intelligence)
# APP, as listed in the HMICFRS glossary). Abuse of position for a sexual purpose (APSP) is
# counted within sexual misconduct and also shown on its own.
NATIONAL_CATEGORIES: tuple[str, ...] = (
    "infiltration",
    "disclosure_of_information",
    "perverting_the_course_of_justice",
    "sexual_misconduct",
    "controlled_drugs",
    "theft_and_fraud",
    "misusing_force_systems",
    "abuse_of_authority",
    "inappropriate_association",
    "vulnerability",
    "assisting_an_offender",
    "other",
)
CATEGORY_LABELS: dict[str, str] = {
    "infiltration": "Infiltration",
    "disclosure_of_information": "Disclosure of information",
    "perverting_the_course_of_justice": "Perverting the course of justice",
    "sexual_misconduct": "Sexual misconduct",
    "controlled_drugs": "Controlled drug use and supply",
    "theft_and_fraud": "Theft and fraud",
    "misusing_force_systems": "Misusing force systems",
    "abuse_of_authority": "Abuse of authority",
    "inappropriate_association": "Inappropriate association",
    "vulnerability": "Vulnerability",
    "assisting_an_offender": "Commit, incite, aid and abet, assist an offender",
    "other": "Other",
}
APSP_LABEL = "Abuse of position for a sexual purpose"

# Where reports came from (issue 5 intake sources, grouped as the assessment reports them).
REPORT_SOURCES: tuple[str, ...] = ("proactive", "public", "partner", "internal", "other")
SOURCE_LABELS: dict[str, str] = {
    "proactive": "Proactive (alerts, screening)",
    "public": "Public (complaints, reports)",
    "partner": "Partner organisations",
    "internal": "Internal (confidential reporting)",
    "other": "Other",
}

STAFF_TYPES: tuple[str, ...] = (
    "officer", "staff", "special_constable", "volunteer", "contractor", "unknown",
)
STAFF_TYPE_LABELS: dict[str, str] = {
    "officer": "Police officer",
    "staff": "Police staff",
    "special_constable": "Special constable",
    "volunteer": "Volunteer",
    "contractor": "Contractor",
    "unknown": "Not recorded",
}

# Vulnerability of victims: the contract's nominal flags (Force Extract v1, nominal_flags.flag).
VULNERABILITIES: tuple[str, ...] = (
    "vulnerable_adult", "domestic_abuse_victim", "sexual_offence_victim", "child",
    "missing_person", "mental_health", "substance_misuse", "sex_worker",
    "modern_slavery_victim", "homeless", "other",
)

# IOPC decisions on a referral; `managed` and `supervised` are legacy modes still recorded.
IOPC_DECISIONS: tuple[str, ...] = (
    "independent", "directed", "local", "no_investigation", "managed", "supervised", "pending",
    "other",
)

# Misconduct outcomes (Police (Conduct) Regulations 2020, reg 42) and the routes short of it.
OUTCOMES: tuple[str, ...] = (
    "no_case_to_answer",
    "reflective_practice_review",
    "management_action",
    "not_proven",
    "written_warning",
    "final_written_warning",
    "reduction_in_rank",
    "dismissal_without_notice",
    "would_have_been_dismissed",
    "other",
)
CRIMINAL_OUTCOMES: tuple[str, ...] = (
    "no_further_action", "charged", "convicted", "acquitted", "other",
)

_LABELS: dict[str, str] = {
    **CATEGORY_LABELS,
    **SOURCE_LABELS,
    **STAFF_TYPE_LABELS,
    "no_investigation": "No investigation (returned to force)",
    "no_case_to_answer": "No case to answer",
    "reflective_practice_review": "Reflective practice review",
    "management_action": "Management action",
    "not_proven": "Case not proven",
    "would_have_been_dismissed": "Would have been dismissed",
    "dismissal_without_notice": "Dismissal without notice",
    "no_further_action": "No further action",
    "rms": "RMS (records management)",
    "pnc": "PNC",
    "pnd": "PND",
    "command_control": "Command and control",
    "case_file": "Case file",
}


def label(key: str) -> str:
    """A human label for a vocabulary key (`final_written_warning` -> `Final written warning`)."""
    if key in _LABELS:
        return _LABELS[key]
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")


_CATEGORY_ALIASES: dict[str, str] = {
    "disclosure": "disclosure_of_information",
    "perverting_justice": "perverting_the_course_of_justice",
    "perverting_the_course_of_justice": "perverting_the_course_of_justice",
    "sexual": "sexual_misconduct",
    "apsp": "sexual_misconduct",
    "abuse_of_position_for_a_sexual_purpose": "sexual_misconduct",
    "drugs": "controlled_drugs",
    "controlled_drug_use_and_supply": "controlled_drugs",
    "controlled_drug_use": "controlled_drugs",
    "theft_fraud": "theft_and_fraud",
    "misuse_of_force_systems": "misusing_force_systems",
    "misuse_of_systems": "misusing_force_systems",
    "association": "inappropriate_association",
    "commit_incite_aid_abet": "assisting_an_offender",
    "assist_offender": "assisting_an_offender",
    "assist_an_offender": "assisting_an_offender",
    "commit_incite_aid_and_abet_assist_an_offender": "assisting_an_offender",
}


def normalise_category(value: str | None) -> str:
    """Map a casework category value onto one of the 12 national category keys."""
    if not value:
        return "other"
    slug = _slug(value)
    if slug in NATIONAL_CATEGORIES:
        return slug
    return _CATEGORY_ALIASES.get(slug, "other")


_SOURCE_ALIASES: dict[str, str] = {
    "proactive_alert": "proactive",
    "alert": "proactive",
    "scan": "proactive",
    "screening": "proactive",
    "screening_finding": "proactive",
    "link": "proactive",
    "public_complaint": "public",
    "complaint": "public",
    "member_of_public": "public",
    "partner_concern": "partner",
    "partner_referral": "partner",
    "confidential": "internal",
    "confidential_internal_report": "internal",
    "internal_report": "internal",
    "confidential_report": "internal",
}


def normalise_source(value: str | None) -> str:
    """Map a casework intake source onto proactive / public / partner / internal / other."""
    if not value:
        return "other"
    slug = _slug(value)
    if slug in REPORT_SOURCES:
        return slug
    return _SOURCE_ALIASES.get(slug, "other")


def normalise_iopc_decision(value: str | None) -> str:
    """Map an IOPC decision or mode onto IOPC_DECISIONS; no decision yet is `pending`."""
    if not value:
        return "pending"
    slug = _slug(value)
    if slug in IOPC_DECISIONS:
        return slug
    aliases = {
        "none": "no_investigation", "returned": "no_investigation",
        "returned_to_force": "no_investigation", "no_investigation_required": "no_investigation",
        "awaiting": "pending", "awaiting_decision": "pending",
    }
    return aliases.get(slug, "other")


_OUTCOME_ALIASES: dict[str, str] = {
    "rpr": "reflective_practice_review",
    "reflective_practice": "reflective_practice_review",
    "nfa": "no_case_to_answer",
    "no_further_action": "no_case_to_answer",
    "dismissal": "dismissal_without_notice",
    "dismissed": "dismissal_without_notice",
    "would_have_been_dismissed_had_they_not_left": "would_have_been_dismissed",
    "fww": "final_written_warning",
    "ww": "written_warning",
    "misconduct_not_proven": "not_proven",
    "no_misconduct": "not_proven",
}


def normalise_outcome(value: str | None) -> str:
    """Map a misconduct outcome onto OUTCOMES (reg 42 and the routes short of it)."""
    if not value:
        return "other"
    slug = _slug(value)
    if slug in OUTCOMES:
        return slug
    return _OUTCOME_ALIASES.get(slug, "other")


def normalise_criminal_outcome(value: str | None) -> str:
    """Map a criminal outcome onto CRIMINAL_OUTCOMES."""
    if not value:
        return "other"
    slug = _slug(value)
    if slug in CRIMINAL_OUTCOMES:
        return slug
    if slug in ("nfa",):
        return "no_further_action"
    if slug in ("guilty", "conviction"):
        return "convicted"
    if slug in ("not_guilty", "acquittal"):
        return "acquitted"
    return "other"
