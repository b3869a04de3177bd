"""Disabling an account ends its sessions at once."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

logger = logging.getLogger("probity.security")


def _end_sessions_of_disabled(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if created or instance.is_active:
        return
    from probity.web.accounts.sessions import user_sessions_end

    ended = user_sessions_end(user_id=instance.pk)
    if ended:
        logger.warning("account disabled: user_id=%s, %d session(s) ended", instance.pk, ended)


def connect() -> None:
    post_save.connect(_end_sessions_of_disabled, sender=get_user_model(),
                      dispatch_uid="probity_end_sessions_of_disabled")
