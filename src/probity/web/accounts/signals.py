"""Disabling an account ends its sessions at once; sign-outs and disabling are logged."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save

logger = logging.getLogger("probity.security")


def _end_sessions_of_disabled(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if created or instance.is_active:
        return
    from probity.web.accounts.events import sign_in_event_record
    from probity.web.accounts.sessions import user_sessions_end

    ended = user_sessions_end(user_id=instance.pk)
    if ended:
        logger.warning("account disabled: user_id=%s, %d session(s) ended", instance.pk, ended)
    if getattr(instance, "_probity_was_active", False):  # this save disabled it
        sign_in_event_record(outcome="disabled", user=instance, stage=f"sessions_ended={ended}")


def _note_was_active(sender: type, instance: Any, **kwargs: Any) -> None:
    if instance.pk and not instance.is_active:
        instance._probity_was_active = sender.objects.filter(  # type: ignore[attr-defined]
            pk=instance.pk, is_active=True).exists()


def _signed_out(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    from probity.web.accounts.events import sign_in_event_record
    from probity.web.accounts.throttle import client_ip

    if user is not None:
        sign_in_event_record(outcome="signed_out", user=user, address=client_ip(request))


def connect() -> None:
    from django.contrib.auth.signals import user_logged_out

    pre_save.connect(_note_was_active, sender=get_user_model(),
                     dispatch_uid="probity_note_was_active")
    post_save.connect(_end_sessions_of_disabled, sender=get_user_model(),
                      dispatch_uid="probity_end_sessions_of_disabled")
    user_logged_out.connect(_signed_out, dispatch_uid="probity_signed_out")
