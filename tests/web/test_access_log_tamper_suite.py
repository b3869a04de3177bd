"""Issue 9 item 7: a suite of tampering cases (edit each field at each position, delete,
truncate, insert, replay, re-order, head forgery) against the access log's hash chain; every
one must be detected by `access_log_verify` (and so by `probity audit verify`).

Not covered, by design (docs/security.md): an attacker with owner rights who rewrites the whole
chain and the head consistently; that needs the external anchor of the head hash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import transaction

from probity.web.audit.models import AccessLog, AccessLogHead
from probity.web.audit.services import access_log_record, access_log_verify, entry_hash

from .tamper import append_only_lifted

pytestmark = pytest.mark.django_db

N = 6
POSITIONS = {"first": 1, "middle": 3, "last": N}
FIELD_EDITS: dict[str, Callable[[AccessLog], object]] = {
    "at": lambda r: r.at + dt.timedelta(seconds=1),
    "actor": lambda r: None,
    "actor_username": lambda r: r.actor_username + "x",
    "action": lambda r: "export" if r.action != "export" else "view",
    "object_type": lambda r: "case",
    "object_id": lambda r: r.object_id + "0",
    "fields_shown": lambda r: "",
    "purpose": lambda r: "nothing to see",
    "previous_hash": lambda r: "1" * 64,
    "entry_hash": lambda r: "e" * 64,
}


def _forge(prev: AccessLog, sequence: int, **changes: object) -> dict[str, object]:
    fields = dict(sequence=sequence, at=prev.at, actor_id=prev.actor_id,
                  actor_username=prev.actor_username, action="view", object_type="alert",
                  object_id="777", fields_shown="", purpose="forged",
                  previous_hash=prev.entry_hash)
    fields.update(changes)
    return fields


def _edit(field: str, position: int) -> Callable[[], None]:
    def run() -> None:
        row = AccessLog.objects.get(sequence=position)
        column = "actor_id" if field == "actor" else field
        AccessLog.objects.filter(pk=row.pk).update(**{column: FIELD_EDITS[field](row)})
    return run


def _delete(position: int) -> Callable[[], None]:
    return lambda: AccessLog.objects.filter(sequence=position).delete() and None


def _truncate(keep: int) -> Callable[[], None]:
    return lambda: AccessLog.objects.filter(sequence__gt=keep).delete() and None


def _insert_after(position: int) -> Callable[[], None]:
    def run() -> None:
        for seq in range(N, position, -1):
            AccessLog.objects.filter(sequence=seq).update(sequence=seq + 1)
        prev = AccessLog.objects.get(sequence=position)
        forged = _forge(prev, position + 1)
        AccessLog.objects.create(**forged, entry_hash=entry_hash(**forged))
    return run


def _replay(position: int) -> Callable[[], None]:
    """Append a copy of an old entry (same content and hashes) as if it happened again."""
    def run() -> None:
        old = AccessLog.objects.get(sequence=position)
        last = AccessLog.objects.get(sequence=N)
        AccessLog.objects.create(sequence=N + 1, at=last.at, actor_id=old.actor_id,
                                 actor_username=old.actor_username, action=old.action,
                                 object_type=old.object_type, object_id=old.object_id,
                                 fields_shown=old.fields_shown, purpose=old.purpose,
                                 previous_hash=old.previous_hash, entry_hash=old.entry_hash[::-1])
        AccessLogHead.objects.filter(pk=1).update(sequence=N + 1,
                                                  entry_hash=old.entry_hash[::-1])
    return run


def _swap(a: int, b: int) -> Callable[[], None]:
    def run() -> None:
        ra, rb = AccessLog.objects.get(sequence=a), AccessLog.objects.get(sequence=b)
        AccessLog.objects.filter(pk=ra.pk).update(sequence=10_000)
        AccessLog.objects.filter(pk=rb.pk).update(sequence=a)
        AccessLog.objects.filter(pk=ra.pk).update(sequence=b)
    return run


def _append_forged(update_head: bool) -> Callable[[], None]:
    def run() -> None:
        last = AccessLog.objects.get(sequence=N)
        forged = _forge(last, N + 1)
        row = AccessLog.objects.create(**forged, entry_hash=entry_hash(**forged))
        if update_head:  # the head moves on, but the forged entry's own hash is recomputed
            AccessLog.objects.filter(pk=row.pk).update(purpose="changed after hashing")
            AccessLogHead.objects.filter(pk=1).update(sequence=N + 1, entry_hash=row.entry_hash)
    return run


def _head(**changes: object) -> Callable[[], None]:
    return lambda: AccessLogHead.objects.filter(pk=1).update(**changes) and None


def _recompute_one(position: int) -> Callable[[], None]:
    """Edit an entry and recompute its own hash: the next entry's link breaks."""
    def run() -> None:
        row = AccessLog.objects.get(sequence=position)
        new = dict(sequence=row.sequence, at=row.at, actor_id=row.actor_id,
                   actor_username=row.actor_username, action=row.action,
                   object_type=row.object_type, object_id=row.object_id,
                   fields_shown=row.fields_shown, purpose="rewritten",
                   previous_hash=row.previous_hash)
        AccessLog.objects.filter(pk=row.pk).update(purpose="rewritten",
                                                   entry_hash=entry_hash(**new))
    return run


CASES: dict[str, Callable[[], None]] = {}
for _pos_name, _pos in POSITIONS.items():
    for _field in FIELD_EDITS:
        CASES[f"edit {_field} of the {_pos_name} entry"] = _edit(_field, _pos)
for _pos in range(1, N + 1):
    CASES[f"delete entry {_pos}"] = _delete(_pos)
for _keep in (0, 3, 5):
    CASES[f"truncate to {_keep} entries"] = _truncate(_keep)
for _pos in (1, 3, 5):
    CASES[f"insert a forged entry after {_pos}"] = _insert_after(_pos)
for _pos in (1, 4):
    CASES[f"replay entry {_pos} at the end"] = _replay(_pos)
for _a in range(1, N):
    CASES[f"swap entries {_a} and {_a + 1}"] = _swap(_a, _a + 1)
CASES["swap the first and the last entries"] = _swap(1, N)
CASES["append a forged entry, head untouched"] = _append_forged(update_head=False)
CASES["append a forged entry and move the head"] = _append_forged(update_head=True)
CASES["head hash altered"] = _head(entry_hash="f" * 64)
CASES["head sequence moved back"] = _head(sequence=N - 1)
CASES["head sequence moved on"] = _head(sequence=N + 1)
for _pos in (2, 4):
    CASES[f"entry {_pos} rewritten with its own hash recomputed"] = _recompute_one(_pos)


def test_the_suite_has_at_least_fifty_cases() -> None:
    assert len(CASES) >= 50


@pytest.fixture
def chain(make_user: Callable[..., object]) -> None:
    user = make_user("dora", "analyst")
    for i in range(N):
        with transaction.atomic():
            access_log_record(actor=user, action="view", object_type="alert",
                              object_id=str(100 + i), purpose=f"triage {i}",
                              fields_shown=["subject", "evidence"])
    assert access_log_verify().ok


@pytest.mark.parametrize("case", sorted(CASES))
def test_tampering_is_detected(chain: None, case: str) -> None:
    with append_only_lifted():
        CASES[case]()
    result = access_log_verify()
    assert not result.ok, f"not detected: {case}"
    assert result.problems
