"""IOPC mandatory referral: the criteria checklist and the configurable deadline rule.

Police (Complaints and Misconduct) Regulations 2020, reg 4 (complaints) and reg 7 (recordable
conduct matters). Abuse of position for a sexual purpose is serious corruption, so a report
recorded as APSP always carries that criterion.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from probity.errors import ConfigurationError

CRITERIA: tuple[tuple[str, str], ...] = (
    ("serious_assault", "Serious assault"),
    ("serious_sexual_offence", "Serious sexual offence"),
    ("serious_corruption", "Serious corruption, including abuse of position for a sexual purpose "
                           "or for pursuing an improper emotional relationship"),
    ("discrimination_aggravated", "Criminal offence or behaviour aggravated by discrimination"),
    ("relevant_offence", "A relevant offence (fixed sentence, or 7 years or more)"),
    ("same_incident", "Arising from the same incident as any of the above"),
)
CRITERIA_CODES = tuple(code for code, _ in CRITERIA)
APSP_CRITERION = "serious_corruption"

# Days are counted in the force's local time (England and Wales).
LOCAL_TIME = ZoneInfo("Europe/London")


def referral_deadline(*, identified_at: datetime, rule: str | None = None) -> datetime:
    """The referral deadline for a matter identified at `identified_at` (aware datetime).

    Rules (PROBITY_IOPC_DEADLINE_RULE): `end_of_next_day` (default: the end of the day after
    it first became clear the matter must be referred, in UK local time) or `hours:N`.
    """
    rule = str(rule or getattr(settings, "IOPC_DEADLINE_RULE", None) or "end_of_next_day").strip()
    if rule == "end_of_next_day":
        local = identified_at.astimezone(LOCAL_TIME)
        next_day = local.date() + timedelta(days=1)
        return datetime.combine(next_day, time(23, 59, 59), tzinfo=LOCAL_TIME).astimezone(
            identified_at.tzinfo)
    if rule.startswith("hours:"):
        try:
            hours = int(rule.split(":", 1)[1])
            if hours <= 0:
                raise ValueError
        except ValueError:
            pass
        else:
            return identified_at + timedelta(hours=hours)
    raise ConfigurationError(
        f"PROBITY_IOPC_DEADLINE_RULE={rule!r} is not a rule: use 'end_of_next_day' or 'hours:N' "
        "(N a whole number of hours above 0)."
    )
