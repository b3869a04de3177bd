"""Sign-in events in the hash-chained access log (ASVS 16.3.1), beside the `probity.security`
Python log: a completed sign-in, a failed password or code, a refusal by throttling, a
sign-out, an account disabled. An unknown or failed username is never stored in clear: the
entry names it by the first 16 hex digits of its keyed hash, so attempts on one name can be
correlated without the log holding what was typed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from probity.web.accounts.throttle import username_digest
from probity.web.audit.models import AccessLog
from probity.web.audit.services import access_log_record

OBJECT_TYPE = "account"


def sign_in_event_record(*, outcome: str, user: Any = None, username: str = "",
                         address: str | None = None, stage: str = "") -> None:
    """outcome: signed_in, failed, throttled, signed_out, disabled."""
    if user is not None and getattr(user, "pk", None):
        object_id = str(user.pk)
        actor = user if outcome in ("signed_in", "signed_out") else None
    else:
        object_id = f"name:{username_digest(username)[:16]}"
        actor = None
    fields = [f"outcome={outcome}"] + ([f"stage={stage}"] if stage else []) + (
        [f"address={address}"] if address else [])
    with transaction.atomic():
        access_log_record(actor=actor, action=AccessLog.Action.SIGN_IN, object_type=OBJECT_TYPE,
                          object_id=object_id, purpose="sign-in", fields_shown=fields)
