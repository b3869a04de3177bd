"""`probity backup` / `probity restore`: a restore puts back every row and the access log
chain exactly; an archive that is incomplete or altered is refused and changes nothing."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from probity.web.audit.models import AccessLog, AccessLogHead
from probity.web.audit.services import access_log_record, access_log_verify
from probity.web.core.backup import (
    BackupRefused,
    BackupToolMissing,
    RestoreMismatch,
    _manifest_digest,
    _sqlite_replace_file,
    backup_create,
    backup_restore,
    database_state,
)
from probity.web.workforce.models import Unit

# restore replaces the whole database, which a test wrapped in a transaction cannot see
pytestmark = pytest.mark.django_db(transaction=True)


def _log(actor: object, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        with transaction.atomic():
            access_log_record(actor=actor, action="view", object_type="alert",
                              object_id=str(100 + i), purpose=f"triage {i}",
                              fields_shown=["subject", "evidence"])


@pytest.fixture
def populated(make_user: Callable[..., object]) -> object:
    user = make_user("dora", "analyst")
    for n, name in enumerate(["Response North", "Response South", "Professional Standards"]):
        Unit.objects.create(unit_id=f"U{n}", name=name, function="response")
    _log(user, 4)
    return user


def _change_everything(user: object) -> None:
    Unit.objects.filter(unit_id="U0").update(name="Renamed")
    Unit.objects.filter(unit_id="U1").delete()
    Unit.objects.create(unit_id="U9", name="New unit", function="response")
    _log(user, 3, start=10)


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def _write_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_restore_puts_back_rows_checksums_and_access_log(populated: object,
                                                         tmp_path: Path) -> None:
    archive = tmp_path / "probity.tar"
    manifest = backup_create(archive)
    before = database_state()
    assert set(_members(archive)) == {"manifest.json", "db"}
    assert not [p for p in tmp_path.iterdir() if p != archive]  # no temporary left behind
    assert manifest["engine"] == connection.vendor
    assert manifest["tables"] == before
    assert manifest["tables"]["workforce_unit"]["rows"] == 3
    assert manifest["tables"]["audit_accesslog"]["rows"] == 4
    assert manifest["access_log_head"] == {
        "sequence": 4, "entry_hash": AccessLogHead.objects.get(pk=1).entry_hash}

    _change_everything(populated)
    assert database_state() != before
    assert AccessLog.objects.count() == 7

    summary = backup_restore(archive)
    assert summary.ok, summary.problems
    assert database_state() == before
    assert sorted(Unit.objects.values_list("unit_id", "name")) == [
        ("U0", "Response North"), ("U1", "Response South"), ("U2", "Professional Standards")]
    verified = access_log_verify()
    assert verified.ok, verified.problems
    assert verified.entries == summary.log_entries == 4
    assert AccessLogHead.objects.get(pk=1).sequence == 4
    # the restored log keeps growing from where the backup left it
    _log(populated, 1, start=20)
    assert access_log_verify().ok
    assert AccessLog.objects.order_by("sequence").last().sequence == 5  # type: ignore[union-attr]


def _tampered_db(members: dict[str, bytes]) -> dict[str, bytes]:
    db = bytearray(members["db"])
    db[len(db) // 2] ^= 0x01
    return {**members, "db": bytes(db)}


def _edited_manifest(members: dict[str, bytes]) -> dict[str, bytes]:
    manifest = json.loads(members["manifest.json"])
    manifest["tables"]["workforce_unit"]["rows"] = 99
    return {**members, "manifest.json": json.dumps(manifest).encode()}


@pytest.mark.parametrize("tamper,message", [
    (_tampered_db, "does not match the manifest's checksum"),
    (_edited_manifest, "manifest does not match its checksum"),
    (lambda m: {"db": m["db"]}, "has no manifest.json"),
    (lambda m: {"manifest.json": m["manifest.json"]}, "has no db member"),
    (lambda m: {**m, "manifest.json": b"{not json"}, "not valid JSON"),
], ids=["db-byte-flipped", "manifest-edited", "manifest-missing", "db-missing", "manifest-junk"])
def test_tampered_archive_is_refused_and_changes_nothing(
        populated: object, tmp_path: Path, tamper: Callable[[dict[str, bytes]], dict[str, bytes]],
        message: str) -> None:
    good = tmp_path / "good.tar"
    backup_create(good)
    _change_everything(populated)
    current = database_state()
    bad = _write_archive(tmp_path / "bad.tar", tamper(_members(good)))

    with pytest.raises(BackupRefused, match=message):
        backup_restore(bad)
    assert database_state() == current
    assert access_log_verify().ok
    assert AccessLog.objects.count() == 7


def test_not_an_archive_is_refused(populated: object, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all" * 50)
    current = database_state()
    with pytest.raises(BackupRefused):
        backup_restore(junk)
    assert database_state() == current


def test_restored_database_differing_from_the_manifest_is_reported(populated: object,
                                                                   tmp_path: Path) -> None:
    """A manifest re-sealed after editing passes the archive checks; the comparison after the
    restore still catches the difference and fails."""
    good = tmp_path / "good.tar"
    backup_create(good)
    members = _members(good)
    manifest: dict[str, Any] = json.loads(members["manifest.json"])
    manifest["tables"]["workforce_unit"]["rows"] = 99
    manifest["access_log_head"]["sequence"] = 9
    manifest["manifest_sha256"] = _manifest_digest(manifest)
    resealed = _write_archive(tmp_path / "resealed.tar",
                              {**members, "manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(RestoreMismatch) as caught:
        backup_restore(resealed)
    assert "workforce_unit: 3 rows, the backup had 99" in str(caught.value)
    assert "access log head is #4" in str(caught.value)
    assert caught.value.exit_code != 0


def test_backup_never_overwrites(populated: object, tmp_path: Path) -> None:
    archive = tmp_path / "probity.tar"
    archive.write_bytes(b"keep me")
    with pytest.raises(Exception, match="already exists"):
        backup_create(archive)
    assert archive.read_bytes() == b"keep me"


def _cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    from probity.cli import main

    monkeypatch.setattr(sys, "argv", ["probity", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_backup_and_restore(populated: object, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "probity.tar"
    assert _cli(monkeypatch, "backup", str(archive)) == 0
    assert "backup written" in capsys.readouterr().out
    before = database_state()
    _change_everything(populated)
    bad = _write_archive(tmp_path / "bad.tar", _tampered_db(_members(archive)))
    assert _cli(monkeypatch, "restore", str(bad)) == 2
    assert "refused" in capsys.readouterr().err
    assert _cli(monkeypatch, "restore", str(archive)) == 0
    assert "restore verified" in capsys.readouterr().out
    assert database_state() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is for PostgreSQL")
def test_missing_pg_dump_exits_2(populated: object, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupToolMissing, match="pg_dump was not found") as caught:
        backup_create(tmp_path / "probity.tar")
    assert caught.value.exit_code == 2
    assert not (tmp_path / "probity.tar").exists()


@pytest.mark.django_db(transaction=False)
def test_sqlite_file_is_replaced_whole_and_refused_while_in_use(tmp_path: Path) -> None:
    """The SQLite file path (the test database above lives in memory): the archive's file
    replaces the database by rename; a database another process holds open is left alone."""
    target = tmp_path / "probity.sqlite3"
    live = sqlite3.connect(target)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    live.execute("INSERT INTO t VALUES (1), (2), (3)")
    live.commit()
    source = tmp_path / "db"
    copy = sqlite3.connect(source)
    live.backup(copy)
    copy.close()
    live.execute("INSERT INTO t VALUES (4)")
    live.commit()

    with pytest.raises(Exception, match="in use by another process"):
        _sqlite_replace_file(source, target)
    assert live.execute("SELECT count(*) FROM t").fetchone() == (4,)
    live.close()

    _sqlite_replace_file(source, target)
    restored = sqlite3.connect(target)
    assert restored.execute("SELECT count(*) FROM t").fetchone() == (3,)
    restored.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db", "probity.sqlite3"]
