"""The access log hash chain verifies, and detects every kind of tampering."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from probity.web.audit.models import AccessLog, AccessLogHead
from probity.web.audit.services import access_log_record, access_log_verify, entry_hash

from .tamper import append_only_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _attacker_with_owner_rights() -> object:
    """These tests play an attacker who can lift the append-only triggers (database owner)."""
    with append_only_lifted():
        yield


@pytest.fixture
def chain(make_user: Callable[..., object]) -> list[AccessLog]:
    user = make_user("dora", "analyst")
    rows = []
    for i in range(6):
        with transaction.atomic():
            rows.append(access_log_record(actor=user, action="view", object_type="alert",
                                          object_id=str(100 + i), purpose=f"triage {i}",
                                          fields_shown=["subject", "evidence"]))
    return rows


def test_intact_chain_verifies(chain: list[AccessLog]) -> None:
    result = access_log_verify()
    assert result.ok, result.problems
    assert result.entries == 6
    assert [r.sequence for r in AccessLog.objects.all()] == [1, 2, 3, 4, 5, 6]
    assert chain[1].previous_hash == chain[0].entry_hash
    call_command("verify_access_log")


def test_empty_log_verifies(db: None) -> None:
    assert access_log_verify().ok


@pytest.mark.parametrize("field,value", [
    ("purpose", "routine"), ("object_id", "999"), ("actor_username", "someone_else"),
    ("action", "search"), ("fields_shown", "subject"),
])
def test_edited_entry_is_detected(chain: list[AccessLog], field: str, value: str) -> None:
    AccessLog.objects.filter(sequence=3).update(**{field: value})
    result = access_log_verify()
    assert not result.ok
    assert any("#3" in p and "edited" in p for p in result.problems)


def test_edited_time_is_detected(chain: list[AccessLog]) -> None:
    row = AccessLog.objects.get(sequence=2)
    AccessLog.objects.filter(pk=row.pk).update(at=row.at.replace(year=row.at.year - 1))
    assert not access_log_verify().ok


def test_edit_with_recomputed_own_hash_is_detected_by_the_next_entry(chain: list[AccessLog]) -> None:
    row = AccessLog.objects.get(sequence=3)
    row.purpose = "innocent"
    new_hash = entry_hash(sequence=row.sequence, at=row.at, actor_id=row.actor_id,
                          actor_username=row.actor_username, action=row.action,
                          object_type=row.object_type, object_id=row.object_id,
                          fields_shown=row.fields_shown, purpose=row.purpose,
                          previous_hash=row.previous_hash)
    AccessLog.objects.filter(pk=row.pk).update(purpose="innocent", entry_hash=new_hash)
    result = access_log_verify()
    assert any("#4" in p and "previous-hash" in p for p in result.problems)


def test_deleted_entry_is_detected(chain: list[AccessLog]) -> None:
    AccessLog.objects.filter(sequence=4).delete()
    result = access_log_verify()
    assert any("#5" in p and "expected sequence 4" in p for p in result.problems)


def test_deleted_first_entry_is_detected(chain: list[AccessLog]) -> None:
    AccessLog.objects.filter(sequence=1).delete()
    assert not access_log_verify().ok


def test_truncated_tail_is_detected(chain: list[AccessLog]) -> None:
    AccessLog.objects.filter(sequence__gte=5).delete()
    result = access_log_verify()
    assert any("head records entry #6" in p and "#4" in p for p in result.problems)


def test_wiping_the_whole_log_is_detected(chain: list[AccessLog]) -> None:
    AccessLog.objects.all().delete()
    assert not access_log_verify().ok


def test_inserted_entry_is_detected(chain: list[AccessLog]) -> None:
    # Make room after #3 by renumbering, then insert a forged entry with a correct own hash.
    for seq in range(6, 3, -1):
        AccessLog.objects.filter(sequence=seq).update(sequence=seq + 1)
    prev = AccessLog.objects.get(sequence=3)
    forged = dict(sequence=4, at=prev.at, actor_id=prev.actor_id, actor_username="dora",
                  action="view", object_type="alert", object_id="555", fields_shown="",
                  purpose="forged", previous_hash=prev.entry_hash)
    AccessLog.objects.create(**forged, entry_hash=entry_hash(**forged))
    result = access_log_verify()
    assert not result.ok
    assert any("#5" in p for p in result.problems)


def test_appended_forgery_without_head_update_is_detected(chain: list[AccessLog]) -> None:
    last = AccessLog.objects.get(sequence=6)
    forged = dict(sequence=7, at=last.at, actor_id=last.actor_id, actor_username="dora",
                  action="view", object_type="alert", object_id="555", fields_shown="",
                  purpose="forged", previous_hash=last.entry_hash)
    AccessLog.objects.create(**forged, entry_hash=entry_hash(**forged))
    result = access_log_verify()
    assert any("head records entry #6" in p for p in result.problems)


def test_reordered_entries_are_detected(chain: list[AccessLog]) -> None:
    a, b = AccessLog.objects.get(sequence=2), AccessLog.objects.get(sequence=5)
    AccessLog.objects.filter(pk=a.pk).update(sequence=1000)
    AccessLog.objects.filter(pk=b.pk).update(sequence=2)
    AccessLog.objects.filter(pk=a.pk).update(sequence=5)
    result = access_log_verify()
    assert any("#2" in p and "previous-hash" in p for p in result.problems)
    assert any("edited" in p for p in result.problems)


def test_swapped_contents_are_detected(chain: list[AccessLog]) -> None:
    a, b = AccessLog.objects.get(sequence=2), AccessLog.objects.get(sequence=3)
    AccessLog.objects.filter(pk=a.pk).update(object_id=b.object_id, purpose=b.purpose)
    AccessLog.objects.filter(pk=b.pk).update(object_id=a.object_id, purpose=a.purpose)
    assert not access_log_verify().ok


def test_altered_head_is_detected(chain: list[AccessLog]) -> None:
    AccessLogHead.objects.filter(pk=1).update(entry_hash="f" * 64)
    assert not access_log_verify().ok


def test_verify_command_fails_on_tampering(chain: list[AccessLog]) -> None:
    AccessLog.objects.filter(sequence=2).update(purpose="x")
    with pytest.raises(CommandError, match="FAILED verification"):
        call_command("verify_access_log")


def test_record_refuses_to_run_outside_a_transaction(make_user: Callable[..., object],
                                                     django_db_blocker: object) -> None:
    # pytest-django wraps each test in a transaction, so simulate autocommit by checking
    # the guard directly against a connection outside any atomic block.
    from django.db import connection

    user = make_user("ed", "analyst")
    depth = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            access_log_record(actor=user, action="view", object_type="alert", object_id="1")
    finally:
        connection.in_atomic_block = depth
    assert AccessLog.objects.count() == 0


def test_rolled_back_access_leaves_no_entry(make_user: Callable[..., object]) -> None:
    user = make_user("fay", "analyst")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        access_log_record(actor=user, action="view", object_type="alert", object_id="1")
        raise Boom
    assert AccessLog.objects.count() == 0
    assert access_log_verify().ok


def test_auditor_export_is_logged_and_reverifiable(chain: list[AccessLog], client_for) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io

    from django.urls import reverse

    auditor = client_for("auditor")
    response = auditor.get(reverse("audit:export"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["sequence"]) for r in rows] == list(range(1, 8))  # 6 + the export itself
    assert rows[-1]["action"] == "export" and rows[-1]["actor_username"] == "user_auditor"
    assert rows[1]["previous_hash"] == rows[0]["entry_hash"]
    assert access_log_verify().ok


def test_cli_audit_verify(chain: list[AccessLog]) -> None:
    from typer.testing import CliRunner

    from probity.cli import app

    ok = CliRunner().invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "chain intact" in ok.output
    AccessLog.objects.filter(sequence=2).update(purpose="x")
    bad = CliRunner().invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "FAILED" in bad.output
