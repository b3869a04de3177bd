"""The declared access policy: for every named URL, which roles may use it with each method,
and whether need-to-know (membership of the record's team) applies on top of the role.

`tests/web/security/test_access_matrix_generated.py` walks the URL configuration and checks
every URL x role (the seven roles, a signed-in user with no role, anonymous) x need-to-know
(on the record's team or not) x method (GET, POST) against this table, allow and deny. A URL
without an entry here fails that test, so a new page cannot ship without a decision.

Deny means: anonymous users are sent to sign in (or refused); signed-in users get 403, 404
(a record outside their teams is "not found") or 405. Admin pages (`admin:` names), if ever
added, are for the administrator role only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from probity.web.core.roles import role_names

__all__ = ["ANONYMOUS", "NO_ROLE", "Rule", "ACCESS", "PRINCIPALS"]

ANONYMOUS = "anonymous"
NO_ROLE = "no_role"  # signed in, holding no role
PRINCIPALS: tuple[str, ...] = (*role_names(), NO_ROLE, ANONYMOUS)

_SIGNED_IN = frozenset((*role_names(), NO_ROLE))
_EVERYONE = frozenset(PRINCIPALS)
_NOBODY: frozenset[str] = frozenset()
_REPORT_READERS = frozenset({"analyst", "investigator", "appropriate_authority"})
_VETTING_READERS = frozenset({"vetting_officer", "auditor"})
_VETTING_FIGURES = frozenset({"vetting_officer", "auditor", "administrator"})


@dataclass(frozen=True)
class Rule:
    get: frozenset[str] = _NOBODY
    post: frozenset[str] = _NOBODY
    # "report": the URL names one report; only members of its team pass (others get 404).
    need_to_know: str | None = None
    note: str = field(default="", compare=False)

    def allows(self, *, principal: str, method: str, on_team: bool) -> bool:
        roles = self.get if method == "GET" else self.post
        return principal in roles and (self.need_to_know is None or on_team)


ACCESS: dict[str, Rule] = {
    # sign-in journey and health: open by design (they show no data)
    "health": Rule(get=_EVERYONE, note="liveness; POST is 405 for all"),
    "login": Rule(get=_EVERYONE, post=_EVERYONE),
    "login_verify": Rule(get=_EVERYONE, post=_EVERYONE, note="redirects unless password passed"),
    "login_enrol": Rule(get=_EVERYONE, post=_EVERYONE, note="redirects unless password passed"),
    "logout": Rule(post=_EVERYONE),
    "home": Rule(get=_SIGNED_IN),
    # alerts: the anti-corruption unit's analysts only (purpose-gated on top)
    "alerts:queue": Rule(get=frozenset({"analyst"})),
    "alerts:detail": Rule(get=frozenset({"analyst"}), post=frozenset({"analyst"})),
    "alerts:decide": Rule(post=frozenset({"analyst"})),
    "alerts:watch": Rule(post=frozenset({"analyst"}), note="monitoring a subject"),
    "alerts:watch_end": Rule(post=frozenset({"analyst"})),
    # reports: role to see any, team membership for each one
    "casework:report_list": Rule(get=_REPORT_READERS, note="lists own teams' reports only"),
    "casework:report_new": Rule(get=frozenset({"analyst"}), post=frozenset({"analyst"})),
    "casework:report_detail": Rule(get=_REPORT_READERS, post=_REPORT_READERS,
                                   need_to_know="report"),
    "casework:report_referral": Rule(post=frozenset({"appropriate_authority"}),
                                     need_to_know="report"),
    "casework:report_grant": Rule(post=_REPORT_READERS, need_to_know="report"),
    "casework:referral_new": Rule(post=frozenset({"appropriate_authority"}),
                                  need_to_know="report"),
    "casework:referral_decision": Rule(post=frozenset({"appropriate_authority"}),
                                       need_to_know="report"),
    "casework:dashboard": Rule(get=_REPORT_READERS, note="counts of own teams' reports"),
    # investigations (probity.web.investigations): the case page for report readers on the
    # team; investigators keep the log, departures, criminal outcomes and safeguarding; the
    # appropriate authority assesses severity, decides the forum, records reg 42 outcomes and
    # notifies the Barred / Advisory Lists
    "investigations:rules": Rule(get=_REPORT_READERS, note="the reg 42 table, no case data"),
    "investigations:case": Rule(get=_REPORT_READERS, post=_REPORT_READERS,
                                need_to_know="report", note="POST states the purpose"),
    "investigations:log_entry": Rule(post=frozenset({"investigator"}), need_to_know="report"),
    "investigations:departure": Rule(post=frozenset({"investigator"}), need_to_know="report"),
    "investigations:criminal": Rule(post=frozenset({"investigator"}), need_to_know="report"),
    "investigations:safeguarding": Rule(post=frozenset({"investigator"}),
                                        need_to_know="report"),
    "investigations:severity": Rule(post=frozenset({"appropriate_authority"}),
                                    need_to_know="report"),
    "investigations:forum": Rule(post=frozenset({"appropriate_authority"}),
                                 need_to_know="report"),
    "investigations:outcome": Rule(post=frozenset({"appropriate_authority"}),
                                   need_to_know="report"),
    "investigations:list_notification": Rule(post=frozenset({"appropriate_authority"}),
                                             need_to_know="report"),
    # the access log: auditors (DPO) only
    "audit:log": Rule(get=frozenset({"auditor"})),
    "audit:verify": Rule(get=frozenset({"auditor"})),
    "audit:export": Rule(get=frozenset({"auditor"}), note="CSV disclosure, itself logged"),
    # annual assessment judgements
    "assessments:index": Rule(get=_EVERYONE, note="a redirect to the (guarded) year page"),
    "assessments:year": Rule(get=frozenset({"analyst", "appropriate_authority"})),
    "assessments:edit": Rule(get=frozenset({"analyst"}), post=frozenset({"analyst"})),
    # vetting register: counts for the vetting officer, auditor and administrator; names and
    # records for the vetting officer and auditor (read-only); changes by the vetting officer
    "vetting_register:compliance": Rule(get=_VETTING_FIGURES),
    "vetting_register:compliance_csv": Rule(get=_VETTING_FIGURES,
                                            note="table=staff (names) needs the register"),
    "vetting_register:staff_list": Rule(get=_VETTING_READERS),
    "vetting_register:posts": Rule(get=_VETTING_READERS),
    "vetting_register:worklist": Rule(get=_VETTING_READERS),
    "vetting_register:person": Rule(get=_VETTING_READERS, post=_VETTING_READERS,
                                    note="POST states the purpose"),
    "vetting_register:assessment_new": Rule(post=frozenset({"vetting_officer"})),
    "vetting_register:assessment_action": Rule(post=frozenset({"vetting_officer"})),
    "vetting_register:trigger_new": Rule(post=frozenset({"vetting_officer"})),
    "vetting_register:trigger_close": Rule(post=frozenset({"vetting_officer"})),
    "vetting_register:aftercare_new": Rule(post=frozenset({"vetting_officer"})),
    # partners: the partner liaison officer keeps the registry and the engagement log
    "partners:list": Rule(get=frozenset({"partner_liaison"})),
    "partners:new": Rule(get=frozenset({"partner_liaison"}), post=frozenset({"partner_liaison"})),
    "partners:detail": Rule(get=frozenset({"partner_liaison"}),
                            post=frozenset({"partner_liaison"}), note="POST updates contacts"),
    "partners:engagement_new": Rule(post=frozenset({"partner_liaison"})),
    # concerns: the public form and follow-up need no account (rate-limited, size-limited,
    # honeypot); the internal route is for any signed-in member of staff; the intake, and
    # recording a concern as a report, are the analysts'
    "concerns:new": Rule(get=_EVERYONE, post=_EVERYONE, note="public: no account needed"),
    "concerns:add": Rule(get=_EVERYONE, post=_EVERYONE, note="public: add by receipt reference"),
    "concerns:internal": Rule(get=_SIGNED_IN, post=_SIGNED_IN),
    "concerns:intake": Rule(get=frozenset({"analyst"})),
    "concerns:detail": Rule(get=frozenset({"analyst"}), post=frozenset({"analyst"}),
                            note="POST states the purpose"),
    "concerns:record": Rule(post=frozenset({"analyst"})),
    # device app review: the analysts
    "app_review:coverage": Rule(get=frozenset({"analyst"})),
    "app_review:outstanding": Rule(get=frozenset({"analyst"})),
    "app_review:trends": Rule(get=frozenset({"analyst"})),
    "app_review:item": Rule(get=frozenset({"analyst"}), post=frozenset({"analyst"})),
}
