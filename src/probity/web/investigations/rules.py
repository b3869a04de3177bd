"""What the Police (Conduct) Regulations 2020 allow: severity, forum, finding and outcome (reg 42).

The table is explicit data: `ALLOWED_OUTCOMES[(forum, finding)]` lists every outcome a forum
may impose on that finding, and `CONDITIONAL_OUTCOMES` those that need facts recorded first
(a live final written warning, or several unconnected incidents, for misconduct at a hearing).
Services call `outcome_check`, which raises `OutcomeNotAllowed` (a ProbityError) for any
combination outside the table, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from probity.web.core.errors import InvalidInput

__all__ = ["Severity", "Forum", "Finding", "Outcome", "SubjectLeft", "CriminalOutcomeKind",
           "Offence", "ListKind", "SafeguardingKind", "FORUMS_FOR_SEVERITY",
           "FINDINGS_IN_FORUM", "ALLOWED_OUTCOMES", "CONDITIONAL_OUTCOMES", "DISMISSAL_OUTCOMES",
           "OutcomeFacts", "OutcomeNotAllowed", "outcome_check", "outcome_allowed"]


class Severity(models.TextChoices):
    NO_CASE_TO_ANSWER = "no_case_to_answer", "No case to answer"
    MISCONDUCT = "misconduct", "Misconduct"
    GROSS_MISCONDUCT = "gross_misconduct", "Gross misconduct"


class Forum(models.TextChoices):
    RPRP = "rprp", "Reflective practice review process"
    MEETING = "meeting", "Misconduct meeting"
    HEARING = "hearing", "Misconduct hearing"


class Finding(models.TextChoices):
    """What the forum found (an RPRP finds practice requiring improvement, not misconduct)."""

    PRACTICE_REQUIRING_IMPROVEMENT = "practice_requiring_improvement", \
        "Practice requiring improvement (not misconduct)"
    NOT_PROVEN = "not_proven", "Misconduct not proven"
    MISCONDUCT = "misconduct", "Misconduct proven"
    GROSS_MISCONDUCT = "gross_misconduct", "Gross misconduct proven"


class Outcome(models.TextChoices):
    REFLECTIVE_PRACTICE = "reflective_practice", "Reflective practice (RPRP)"
    NO_ACTION = "no_action", "No further action"
    MANAGEMENT_ADVICE = "management_advice", "Management advice"
    WRITTEN_WARNING = "written_warning", "Written warning"
    FINAL_WRITTEN_WARNING = "final_written_warning", "Final written warning"
    REDUCTION_IN_RANK = "reduction_in_rank", "Reduction in rank"
    DISMISSAL_WITHOUT_NOTICE = "dismissal_without_notice", "Dismissal without notice"
    WOULD_HAVE_BEEN_DISMISSED = "would_have_been_dismissed", \
        "Would have been dismissed (resigned or retired)"


class SubjectLeft(models.TextChoices):
    SERVING = "", "Still serving"
    RESIGNED = "resigned", "Resigned"
    RETIRED = "retired", "Retired"


class CriminalOutcomeKind(models.TextChoices):
    CHARGED = "charged", "Charged"
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    NFA = "nfa", "No further action"


class Offence(models.TextChoices):
    NONE = "", "None"
    MISCONDUCT_IN_PUBLIC_OFFICE = "misconduct_in_public_office", "Misconduct in public office"
    CORRUPT_EXERCISE_OF_POWERS = "cjca_2015_s26", \
        "Corrupt or improper exercise of police powers (CJCA 2015 s26)"
    OTHER = "other", "Other offence"


class ListKind(models.TextChoices):
    BARRED = "barred", "Police Barred List"
    ADVISORY = "advisory", "Police Advisory List"


class SafeguardingKind(models.TextChoices):
    SUPPORT_REFERRAL = "support_referral", "Referral to a support organisation"
    SAFETY_PLAN = "safety_plan", "Safety planning"
    ISVA_IDVA = "isva_idva", "Independent advocate (ISVA / IDVA) engaged"
    WELFARE_CONTACT = "welfare_contact", "Welfare contact"
    OTHER = "other", "Other safeguarding action"


# Which forum the appropriate authority may choose after each severity assessment.
FORUMS_FOR_SEVERITY: dict[str, frozenset[str]] = {
    Severity.NO_CASE_TO_ANSWER: frozenset({Forum.RPRP}),
    Severity.MISCONDUCT: frozenset({Forum.RPRP, Forum.MEETING, Forum.HEARING}),
    Severity.GROSS_MISCONDUCT: frozenset({Forum.HEARING}),
}

# What each forum may find, given the severity it was convened for.
FINDINGS_IN_FORUM: dict[tuple[str, str], frozenset[str]] = {
    (Forum.RPRP, Severity.NO_CASE_TO_ANSWER): frozenset({Finding.PRACTICE_REQUIRING_IMPROVEMENT}),
    (Forum.RPRP, Severity.MISCONDUCT): frozenset({Finding.PRACTICE_REQUIRING_IMPROVEMENT}),
    (Forum.MEETING, Severity.MISCONDUCT): frozenset({Finding.NOT_PROVEN, Finding.MISCONDUCT}),
    (Forum.HEARING, Severity.MISCONDUCT): frozenset({Finding.NOT_PROVEN, Finding.MISCONDUCT}),
    (Forum.HEARING, Severity.GROSS_MISCONDUCT): frozenset(
        {Finding.NOT_PROVEN, Finding.MISCONDUCT, Finding.GROSS_MISCONDUCT}),
}

# Reg 42: outcomes each forum may impose on each finding. Nothing else is allowed.
ALLOWED_OUTCOMES: dict[tuple[str, str], frozenset[str]] = {
    (Forum.RPRP, Finding.PRACTICE_REQUIRING_IMPROVEMENT): frozenset({Outcome.REFLECTIVE_PRACTICE}),
    (Forum.MEETING, Finding.NOT_PROVEN): frozenset({Outcome.NO_ACTION}),
    (Forum.MEETING, Finding.MISCONDUCT): frozenset(
        {Outcome.NO_ACTION, Outcome.MANAGEMENT_ADVICE, Outcome.WRITTEN_WARNING,
         Outcome.FINAL_WRITTEN_WARNING}),
    (Forum.HEARING, Finding.NOT_PROVEN): frozenset({Outcome.NO_ACTION}),
    (Forum.HEARING, Finding.MISCONDUCT): frozenset(
        {Outcome.WRITTEN_WARNING, Outcome.FINAL_WRITTEN_WARNING, Outcome.REDUCTION_IN_RANK,
         Outcome.DISMISSAL_WITHOUT_NOTICE, Outcome.WOULD_HAVE_BEEN_DISMISSED}),
    (Forum.HEARING, Finding.GROSS_MISCONDUCT): frozenset(
        {Outcome.FINAL_WRITTEN_WARNING, Outcome.REDUCTION_IN_RANK,
         Outcome.DISMISSAL_WITHOUT_NOTICE, Outcome.WOULD_HAVE_BEEN_DISMISSED}),
}

# Outcomes for misconduct (not gross) at a hearing that need a recorded fact: a final
# written warning live at the time, or several unconnected incidents in these proceedings.
CONDITIONAL_OUTCOMES: dict[tuple[str, str], frozenset[str]] = {
    (Forum.HEARING, Finding.MISCONDUCT): frozenset(
        {Outcome.REDUCTION_IN_RANK, Outcome.DISMISSAL_WITHOUT_NOTICE,
         Outcome.WOULD_HAVE_BEEN_DISMISSED}),
}

DISMISSAL_OUTCOMES = frozenset({Outcome.DISMISSAL_WITHOUT_NOTICE,
                                Outcome.WOULD_HAVE_BEEN_DISMISSED})


class OutcomeNotAllowed(InvalidInput):
    """The outcome is not one the forum may impose on that finding (reg 42). Nothing written."""


@dataclass(frozen=True)
class OutcomeFacts:
    forum: str
    severity: str
    finding: str
    outcome: str
    final_written_warning_live: bool = False
    several_unconnected_incidents: bool = False
    subject_left: str = ""  # "" still serving, "resigned", "retired"


def outcome_check(facts: OutcomeFacts) -> None:
    """Raise OutcomeNotAllowed naming what is wrong; return None when the table allows it."""
    errors: dict[str, str] = {}
    if facts.forum not in Forum.values:
        errors["forum"] = f"Unknown forum {facts.forum!r}: expected one of {Forum.values}"
    if facts.severity not in Severity.values:
        errors["severity"] = f"Unknown severity {facts.severity!r}: expected one of {Severity.values}"
    if facts.outcome not in Outcome.values:
        errors["outcome"] = f"Unknown outcome {facts.outcome!r}: expected one of {Outcome.values}"
    if facts.subject_left not in SubjectLeft.values:
        errors["subject_left"] = f"Unknown value {facts.subject_left!r}: expected resigned or retired"
    if errors:
        raise OutcomeNotAllowed(errors)
    forum_label, severity_label = Forum(facts.forum).label, Severity(facts.severity).label
    if facts.forum not in FORUMS_FOR_SEVERITY[facts.severity]:
        raise OutcomeNotAllowed({"forum": f"A {forum_label.lower()} is not a forum for "
                                          f"{severity_label.lower()}"})
    findings = FINDINGS_IN_FORUM[(facts.forum, facts.severity)]
    if facts.finding not in findings:
        raise OutcomeNotAllowed({"finding": (
            f"A {forum_label.lower()} for {severity_label.lower()} may find only: "
            + ", ".join(sorted(Finding(f).label for f in findings)))})
    allowed = ALLOWED_OUTCOMES[(facts.forum, facts.finding)]
    outcome_label = Outcome(facts.outcome).label
    if facts.outcome not in allowed:
        raise OutcomeNotAllowed({"outcome": (
            f"{outcome_label} is not an outcome of a {forum_label.lower()} finding "
            f"{Finding(facts.finding).label.lower()} (reg 42): allowed are "
            + ", ".join(sorted(Outcome(o).label for o in allowed)))})
    if facts.outcome in CONDITIONAL_OUTCOMES.get((facts.forum, facts.finding), frozenset()) \
            and not (facts.final_written_warning_live or facts.several_unconnected_incidents):
        raise OutcomeNotAllowed({"outcome": (
            f"{outcome_label} for misconduct (not gross) needs a live final written warning "
            "or several unconnected incidents: record which")})
    if facts.outcome == Outcome.WOULD_HAVE_BEEN_DISMISSED and not facts.subject_left:
        raise OutcomeNotAllowed({"outcome": "'Would have been dismissed' applies only when the "
                                            "subject has resigned or retired: record that first"})
    if facts.subject_left and facts.outcome not in (Outcome.WOULD_HAVE_BEEN_DISMISSED,
                                                    Outcome.NO_ACTION):
        raise OutcomeNotAllowed({"outcome": (
            f"The subject has {facts.subject_left}: a former officer cannot be given "
            f"{outcome_label.lower()}; the outcome is 'would have been dismissed' or none")})


def outcome_allowed(facts: OutcomeFacts) -> bool:
    try:
        outcome_check(facts)
    except OutcomeNotAllowed:
        return False
    return True
