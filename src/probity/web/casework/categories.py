"""Recording vocabularies: the 12 national categories, 3x5x2 grading, report sources."""

from __future__ import annotations

from django.db import models

from probity.extract.schema import NOMINAL_FLAGS


class NationalCategory(models.TextChoices):
    """The 12 national corruption-related intelligence categories."""

    INFILTRATION = "infiltration", "Infiltration"
    DISCLOSURE_OF_INFORMATION = "disclosure_of_information", "Disclosure of information"
    PERVERTING_THE_COURSE_OF_JUSTICE = ("perverting_the_course_of_justice",
                                        "Perverting the course of justice")
    SEXUAL_MISCONDUCT = "sexual_misconduct", "Sexual misconduct"
    CONTROLLED_DRUGS = "controlled_drugs", "Controlled drug use and supply"
    THEFT_AND_FRAUD = "theft_and_fraud", "Theft and fraud"
    MISUSING_FORCE_SYSTEMS = "misusing_force_systems", "Misusing force systems"
    ABUSE_OF_AUTHORITY = "abuse_of_authority", "Abuse of authority"
    INAPPROPRIATE_ASSOCIATION = "inappropriate_association", "Inappropriate association"
    VULNERABILITY = "vulnerability", "Vulnerability"
    ASSISTING_AN_OFFENDER = ("assisting_an_offender",
                             "Commit, incite, aid and abet, assist an offender")
    OTHER = "other", "Other"


class ReportSource(models.TextChoices):
    PROACTIVE_ALERT = "proactive_alert", "Proactive alert"
    SCREENING_FINDING = "screening_finding", "Screening finding"
    PUBLIC_COMPLAINT = "public_complaint", "Public complaint"
    PARTNER_CONCERN = "partner_concern", "Partner concern"
    CONFIDENTIAL_INTERNAL_REPORT = "confidential_internal_report", "Confidential internal report"
    OTHER = "other", "Other"


class SourceEvaluation(models.TextChoices):
    """3x5x2 source evaluation."""

    RELIABLE = "1", "1 – Reliable"
    UNTESTED = "2", "2 – Untested"
    NOT_RELIABLE = "3", "3 – Not reliable"


class IntelligenceAssessment(models.TextChoices):
    """3x5x2 intelligence assessment."""

    A = "A", "A – Known directly to the source"
    B = "B", "B – Known indirectly to the source but corroborated"
    C = "C", "C – Known indirectly to the source"
    D = "D", "D – Not known"
    E = "E", "E – Suspected to be false or malicious"


class HandlingCode(models.TextChoices):
    """3x5x2 handling code."""

    P = "P", "P – Lawful sharing permitted"
    C = "C", "C – Lawful sharing permitted subject to conditions"


class PersonRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    COMPLAINANT = "complainant", "Complainant"
    WITNESS = "witness", "Witness"
    OTHER = "other", "Other"


VULNERABILITY_FLAGS: tuple[str, ...] = NOMINAL_FLAGS


class IopcDecision(models.TextChoices):
    PENDING = "pending", "Awaiting the IOPC's decision"
    NO_INVESTIGATION = "no_investigation", "No investigation (returned to the force)"
    INVESTIGATION = "investigation", "Investigation"


class InvestigationMode(models.TextChoices):
    INDEPENDENT = "independent", "Independent"
    DIRECTED = "directed", "Directed"
    LOCAL = "local", "Local"
    # Before the 2020 regulations; readable and recordable for decisions made before then.
    MANAGED = "managed", "Managed (legacy)"
    SUPERVISED = "supervised", "Supervised (legacy)"


LEGACY_MODES = (InvestigationMode.MANAGED, InvestigationMode.SUPERVISED)
