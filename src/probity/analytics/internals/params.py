"""Every weight and threshold of the scan, in one place.

The values were settled on the earlier months of development forces (seeds 1-3) and are
reported on later months of unseen forces: see docs/quality.md and
docs/decisions/0041-scan-scoring.md. Nothing here names an id, a reason string or an exact count
of any generator: they are durations (days), shares and log-likelihood weights.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ScanParams", "PROTECTIVE_CATEGORIES", "HIGH_RISK_FLAGS", "IN_CHARGE_ROLES",
           "ASSOCIATION_ROLES", "COMPLAINT_CATEGORIES_OF_CONCERN"]

# incident categories whose victims are, by domain, at risk of APSP (met through work)
PROTECTIVE_CATEGORIES = (
    "domestic_abuse", "sexual_offence", "stalking_harassment", "child_protection",
    "missing_person", "mental_health", "concern_for_welfare",
)
# person-record flags that mark vulnerability (the 'other' flag counts a little)
HIGH_RISK_FLAGS = (
    "vulnerable_adult", "domestic_abuse_victim", "sexual_offence_victim", "child",
    "missing_person", "mental_health", "substance_misuse", "sex_worker",
    "modern_slavery_victim", "homeless",
)
# assignment roles that carry the case after the first response (officer in case etc.)
IN_CHARGE_ROLES = ("officer_in_case", "investigator", "safeguarding", "supervisor")
# incident roles that make a matched staff member's association notifiable
ASSOCIATION_ROLES = ("suspect", "offender", "associate")
COMPLAINT_CATEGORIES_OF_CONCERN = ("sexual_conduct", "abuse_of_position")


@dataclass(frozen=True)
class ScanParams:
    # operational link windows
    grace_before_assignment_days: float = 2.0
    grace_after_assignment_days: float = 7.0
    in_charge_after_closure_days: float = 90.0
    # vulnerability: weight of a person record that is not vulnerable at all, and of gender/age
    vulnerability_floor: float = 0.15
    female_weight: float = 0.3
    young_adult_weight: float = 0.4
    other_flag_weight: float = 0.3
    other_victim_weight: float = 0.4
    target_threshold: float = 0.5  # a 'target' person for trawling and peer rates
    # peer groups: smallest group used before falling back to a wider one
    min_peer_group: int = 8
    # empirical-Bayes prior strength (pseudo look-ups) for peer rates, and the cap on the
    # information of one rare feature, in nats
    prior_strength: float = 20.0
    max_information: float = 4.0
    # how often a look-up by someone pursuing a victim shows each feature (unlinked, after the
    # link, off duty, repeated): evidence = ln(this / peer rate), zero when peers do it as often
    apsp_feature_rate: float = 0.5
    # weights (multipliers of nats of evidence)
    w_unlinked: float = 1.0
    w_post_link: float = 1.2
    w_off_duty: float = 0.8
    w_repeat: float = 0.8
    w_comms: float = 1.5
    w_comms_off_duty: float = 0.8
    comms_information: float = 3.0
    w_trawl: float = 2.0
    trawl_z_offset: float = 1.0
    w_apps: float = 1.5
    app_prevalence_full: float = 0.02
    w_complaints: float = 1.5
    w_association: float = 1.5
    # incident record look-ups count as a look-up of the incident's victims, at this weight
    incident_lookup_weight: float = 0.5
    # phone numbers held by more than this many person records are switchboards, not people
    max_nominals_per_phone: int = 3
    # persons of concern: at most this many, and at least this share of the strongest
    max_persons_of_concern: int = 10
    persons_min_share: float = 0.2
    persons_min_weight: float = 0.5
