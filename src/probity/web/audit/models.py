"""The access log: one row per consultation or change, chained by SHA-256.

Each row's `entry_hash` is SHA-256 over its own canonical content and the previous row's
hash, so editing, deleting, inserting or re-ordering rows breaks the chain; `AccessLogHead`
(written in the same transaction) records the latest sequence number and hash, so cutting
rows off the end is detected too. See docs/decisions/0032-access-log-hash-chain.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "View"
        SEARCH = "search", "Search"
        EXPORT = "export", "Export"
        CREATE = "create", "Create"
        CHANGE = "change", "Change"
        DECIDE = "decide", "Decision"
        LOAD = "load", "Load"
        SIGN_IN = "sign_in", "Sign-in event"

    sequence = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    fields_shown = models.TextField(blank=True, default="")
    purpose = models.TextField(blank=True, default="")
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        default_permissions = ("view",)
        permissions = [("verify_accesslog", "Can verify the access log chain")]
        indexes = [models.Index(fields=["object_type", "object_id"]),
                   models.Index(fields=["actor_username", "at"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


class AccessLogHead(models.Model):
    """A single row (pk=1): the sequence number and hash of the latest entry."""

    sequence = models.PositiveBigIntegerField()
    entry_hash = models.CharField(max_length=64)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"head #{self.sequence}"
