"""Every weight and threshold of the scan, in one place.

The values were settled on the earlier months of development forces (seeds 1-3) and are
reported on later months of unseen forces: see docs/quality.md and
docs/decisions/0041-scan-scoring.md. Nothing here names an id, a reason string or an exact count
of any generator: they are durations (days), shares and log-likelihood weights.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ScanParams", "PROTECTIVE_CATEGORIES", "APP_RISK_CLASSES", "FLAG_GRADES", "IN_CHARGE_ROLES",
           "ASSOCIATION_ROLES", "COMPLAINT_CATEGORIES_OF_CONCERN"]

# incident categories whose victims are, by domain, at risk of APSP (met through work)
PROTECTIVE_CATEGORIES = (
    "domestic_abuse", "sexual_offence", "stalking_harassment", "child_protection",
    "missing_person", "mental_health", "concern_for_welfare",
)
# person-record flags graded by how closely they mark the people APSP perpetrators target
# (victims met through work, the young, the vulnerable); flags common among offenders weigh less
FLAG_GRADES: tuple[tuple[float, tuple[str, ...]], ...] = (
    (1.0, ("domestic_abuse_victim", "sexual_offence_victim", "child", "missing_person",
           "sex_worker", "modern_slavery_victim")),
    (0.8, ("vulnerable_adult", "mental_health")),
    (0.5, ("substance_misuse", "homeless")),
)
# assignment roles that carry the case after the first response (officer in case etc.)
IN_CHARGE_ROLES = ("officer_in_case", "investigator", "safeguarding", "supervisor")
# incident roles that make a matched staff member's association notifiable
ASSOCIATION_ROLES = ("suspect", "offender", "associate")
COMPLAINT_CATEGORIES_OF_CONCERN = ("sexual_conduct", "abuse_of_position")
# the app catalogue's risk classes the encrypted-app indicator looks for: channels for contact
# that force systems cannot see (src/probity/apps/catalogue.toml)
APP_RISK_CLASSES = ("encrypted_messaging", "ephemeral_messaging", "social_messaging",
                    "burner_number")


@dataclass(frozen=True)
class ScanParams:
    # operational link windows
    grace_before_assignment_days: float = 2.0
    grace_after_assignment_days: float = 7.0
    in_charge_after_closure_days: float = 90.0
    # a first-response assignment (call handler, dispatcher, attending...) with no recorded end
    first_response_days: float = 1.0
    # with no roster (shifts missing): a look-up with no other action by the same account
    # within this many minutes either side is taken as made off duty
    isolated_minutes: float = 90.0
    # vulnerability: weight of a person record that is not vulnerable at all, and of gender/age
    vulnerability_floor: float = 0.15
    female_weight: float = 0.3
    young_adult_weight: float = 0.4
    other_flag_weight: float = 0.3
    other_victim_weight: float = 0.5
    female_bonus: float = 0.15
    # people recorded only as suspects or offenders are rarely APSP targets
    offender_only_factor: float = 0.5
    # a person whom many staff look up without a link is a known local figure (a prolific
    # offender, a high-profile missing person): evidence about them is divided by
    # 1 + this * ln(number of such staff)
    popularity_discount: float = 0.0
    popularity_free: float = 3.0
    target_threshold: float = 0.7  # a 'target' person for trawling and peer rates
    # peer groups: smallest group used before falling back to a wider one
    min_peer_group: int = 8
    # cap on the evidence of one feature of one pair, in nats (-ln of the peer share)
    max_information: float = 8.0
    # a staff member with n candidate pairs has n chances of a rare-looking pair by chance:
    # each pair's evidence is reduced by this multiple of ln(n) (a Bonferroni-like correction)
    multiple_comparison: float = 1.0
    # persons of concern counted in the score (1, 1/2, 1/3, ... of their evidence)
    pairs_counted: int = 2
    # weights (multipliers of nats of evidence)
    w_unlinked: float = 1.0
    w_post_link: float = 1.0
    w_off_duty: float = 1.0
    w_repeat: float = 1.0
    w_comms: float = 1.0
    w_comms_off_duty: float = 0.8
    # contact evidence about a person the staff member never looked up (number match only)
    comms_alone_factor: float = 0.5
    # persistence: distinct days of post-link look-ups plus days of unexplained contact
    w_persist: float = 1.0
    # a domestic abuse case closed within this many days by the staff member in charge, whose
    # victim they later look up or contact outside the case
    quick_closure_days: float = 7.0
    w_quick_closure: float = 2.0  # nats
    # off-duty pursuit: nats per distinct off-duty day (after the first) of post-link look-ups
    # or staff-started contact with the same person, counted up to pursuit_max_days
    w_pursuit: float = 6.0
    pursuit_max_days: int = 4
    w_trawl: float = 1.0
    trawl_min_evidence: float = 1.0
    # trawling focus: unlinked vulnerable people looked up who are young adults of the other sex
    focus_min_age: float = 16.0
    focus_max_age: float = 35.0
    w_focus: float = 1.0
    # strength (in unexplained persons looked up) of the force-wide prior on peer rates
    prior_pairs: float = 50.0
    w_apps: float = 4.5
    app_prevalence_full: float = 0.02
    # one complaint can be malicious or mistaken; complaints from several different
    # complainants are a pattern (whatever their outcome)
    w_complaint_single: float = 3.0
    w_complaint_pattern: float = 30.0
    # undeclared association: suspect or offender in a protective-category incident (domestic
    # abuse, sexual offence...: the concern linked to APSP), suspect elsewhere, associate only
    w_association_protective: float = 30.0
    w_association: float = 12.0
    w_association_associate: float = 5.0
    association_forename_similarity: float = 0.85
    association_surname_similarity: float = 0.9
    # an encrypted or ephemeral app counts double when the same person also contacts a victim
    apps_with_contact_factor: float = 2.0
    # incident record look-ups count as a look-up of the incident's victims, at this weight
    incident_lookup_weight: float = 0.5
    # phone numbers held by more than this many person records are switchboards, not people
    max_nominals_per_phone: int = 3
    # persons of concern: at most this many, and at least this share of the strongest
    max_persons_of_concern: int = 10
    persons_min_share: float = 0.2
    persons_min_weight: float = 0.5
