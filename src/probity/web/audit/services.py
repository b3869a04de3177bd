"""Writing and verifying the access log. The only code that writes AccessLog rows."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from probity.web.audit.models import GENESIS_HASH, AccessLog, AccessLogHead

__all__ = ["access_log_record", "access_log_verify", "entry_hash", "VerifyResult"]


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(*, sequence: int, at: datetime, actor_id: int | None, actor_username: str,
               action: str, object_type: str, object_id: str, fields_shown: str, purpose: str,
               previous_hash: str) -> str:
    """SHA-256 over the canonical JSON of an entry's content and the previous entry's hash."""
    content = json.dumps(
        [sequence, _canonical_time(at), actor_id, actor_username, action, object_type,
         object_id, fields_shown, purpose, previous_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _row_hash(row: AccessLog) -> str:
    return entry_hash(sequence=row.sequence, at=row.at, actor_id=row.actor_id,
                      actor_username=row.actor_username, action=row.action,
                      object_type=row.object_type, object_id=row.object_id,
                      fields_shown=row.fields_shown, purpose=row.purpose,
                      previous_hash=row.previous_hash)


def access_log_record(*, actor: Any, action: str, object_type: str, object_id: str | int,
                      purpose: str = "", fields_shown: Iterable[str] = ()) -> AccessLog:
    """Append one entry. Must run inside the transaction of the access it records, so that
    if logging fails the access fails too (and a rolled-back change leaves no entry)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "access_log_record must be called inside the transaction of the access it records "
            "(wrap the access in transaction.atomic())"
        )
    if action not in AccessLog.Action.values:
        raise ValueError(f"unknown access log action {action!r}")
    object_id = str(object_id)
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) else None
    username = actor.get_username() if actor_id is not None else "system"
    # Serialise writers: lock the head row (PostgreSQL row lock; SQLite runs write
    # transactions one at a time, BEGIN IMMEDIATE).
    head = AccessLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head = AccessLogHead(pk=1, sequence=0, entry_hash=GENESIS_HASH)
    sequence = head.sequence + 1
    at = datetime.now(UTC)
    fields_text = ",".join(fields_shown)
    digest = entry_hash(sequence=sequence, at=at, actor_id=actor_id, actor_username=username,
                        action=action, object_type=object_type, object_id=object_id,
                        fields_shown=fields_text, purpose=purpose, previous_hash=head.entry_hash)
    row = AccessLog.objects.create(
        sequence=sequence, at=at, actor_id=actor_id, actor_username=username, action=action,
        object_type=object_type, object_id=object_id, fields_shown=fields_text,
        purpose=purpose, previous_hash=head.entry_hash, entry_hash=digest,
    )
    head.sequence = sequence
    head.entry_hash = digest
    head.save()
    return row


@dataclass
class VerifyResult:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def access_log_verify(*, max_problems: int = 100) -> VerifyResult:
    """Walk the chain in sequence order and report every break found.

    Detects: an edited entry (its hash no longer matches its content), a deleted or inserted
    entry (a gap or a repeat in the sequence, or a previous-hash that does not match),
    re-ordered entries (previous-hash mismatch), and a truncated tail (the head records a
    later entry than the last one present).
    """
    result = VerifyResult()
    previous = GENESIS_HASH
    expected = 1
    last_sequence = 0

    def problem(text: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(text)

    rows = AccessLog.objects.order_by("sequence").iterator(chunk_size=2000)
    for row in rows:
        result.entries += 1
        if row.sequence != expected:
            problem(f"entry #{row.sequence}: expected sequence {expected} "
                    f"(entries missing or inserted before it)")
        if row.previous_hash != previous:
            problem(f"entry #{row.sequence}: previous-hash does not match the entry before it "
                    "(an entry was deleted, inserted or re-ordered)")
        if _row_hash(row) != row.entry_hash:
            problem(f"entry #{row.sequence}: content does not match its hash (entry edited)")
        previous = row.entry_hash
        expected = row.sequence + 1
        last_sequence = row.sequence
    head = AccessLogHead.objects.filter(pk=1).first()
    head_sequence = head.sequence if head else 0
    head_hash = head.entry_hash if head else GENESIS_HASH
    if head_sequence != last_sequence or head_hash != previous:
        problem(f"the log head records entry #{head_sequence} but the last entry present is "
                f"#{last_sequence} (entries cut off the end, or the head was altered)")
    return result
