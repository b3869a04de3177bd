"""The allowed-transition table of vetting assessments (docs/decisions/0091).

An assessment is either a *vetting* assessment (initial, renewal or re-vetting: ends in a
decision to grant, grant with risk mitigation, or refuse) or a *withdrawal* assessment (ends
in the clearance being withdrawn or retained). A refusal or a withdrawal can be appealed. At
any point before the outcome is final the person may leave the force: the assessment is then
closed as `left_before_outcome` (the record of people who left before an assessment ended).

Every (kind, status, action) not in TRANSITIONS is refused with ForbiddenTransition and
nothing is written.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from probity.web.core.errors import InvalidTransition

__all__ = ["ACTIONS", "FINAL_STATUSES", "KINDS", "STATUSES", "TRANSITIONS",
           "ForbiddenTransition", "next_status", "allowed_actions"]

KINDS: Final = ("vetting", "withdrawal")
STATUSES: Final = ("open", "granted", "granted_with_mitigation", "refused", "withdrawn",
                   "retained", "appeal_lodged", "appeal_upheld", "appeal_dismissed",
                   "left_before_outcome")
ACTIONS: Final = ("grant", "grant_with_mitigation", "refuse", "withdraw", "retain",
                  "lodge_appeal", "uphold_appeal", "dismiss_appeal", "record_leaver")

# (kind, from status) -> {action: to status}
TRANSITIONS: Final = MappingProxyType({
    ("vetting", "open"): MappingProxyType({
        "grant": "granted", "grant_with_mitigation": "granted_with_mitigation",
        "refuse": "refused", "record_leaver": "left_before_outcome"}),
    ("vetting", "refused"): MappingProxyType({"lodge_appeal": "appeal_lodged"}),
    ("vetting", "appeal_lodged"): MappingProxyType({
        "uphold_appeal": "appeal_upheld", "dismiss_appeal": "appeal_dismissed",
        "record_leaver": "left_before_outcome"}),
    ("withdrawal", "open"): MappingProxyType({
        "withdraw": "withdrawn", "retain": "retained",
        "record_leaver": "left_before_outcome"}),
    ("withdrawal", "withdrawn"): MappingProxyType({"lodge_appeal": "appeal_lodged"}),
    ("withdrawal", "appeal_lodged"): MappingProxyType({
        "uphold_appeal": "appeal_upheld", "dismiss_appeal": "appeal_dismissed",
        "record_leaver": "left_before_outcome"}),
})

# No action leaves these (an appeal may follow a refusal or withdrawal, so those are not final).
FINAL_STATUSES: Final = frozenset(
    status for status in STATUSES
    if not any(key[1] == status for key in TRANSITIONS))


class ForbiddenTransition(InvalidTransition):
    """The action is not allowed from the assessment's current status; nothing was written."""


def allowed_actions(*, kind: str, status: str) -> tuple[str, ...]:
    return tuple(TRANSITIONS.get((kind, status), {}))


def next_status(*, kind: str, status: str, action: str) -> str:
    """The status `action` leads to, or ForbiddenTransition naming what is allowed."""
    allowed = TRANSITIONS.get((kind, status), {})
    if action not in allowed:
        permitted = ", ".join(allowed) or "none (the outcome is final)"
        raise ForbiddenTransition(
            f"a {kind} assessment that is {status.replace('_', ' ')} cannot be moved by "
            f"{action!r}; allowed: {permitted}")
    return allowed[action]
