"""`probity backup` and `probity restore`: a whole-database archive with a manifest.

An archive is a tar file holding two members:

- `db`: the database itself. On SQLite a copy made with SQLite's online backup API; on
  PostgreSQL a `pg_dump --format=custom` dump.
- `manifest.json`: the engine, the time, the SHA-256 of `db`, per table the row count and a
  SHA-256 of the table's rows in primary-key order, and the access log's head (sequence and
  hash). The manifest carries a SHA-256 of its own content too (not a signature: whoever can
  rewrite the archive can recompute both; it catches corruption and careless edits).

The manifest is computed from the same snapshot as the copy (SQLite: one read transaction
around both; PostgreSQL: `pg_dump --snapshot` of a REPEATABLE READ transaction
in which the checksums are computed), and the archive is written under a temporary name and
renamed into place, so a crash never leaves a half archive under the requested name.

Restoring refuses an archive whose manifest is missing or whose checksums do not match
before it touches the database. It then replaces the configured database (SQLite: the
archive's file is moved into place with `os.replace`; PostgreSQL: `pg_restore --clean
--if-exists --single-transaction`), recomputes every table's row count and checksum, compares
them and the access log head with the manifest, and verifies the access log's hash chain.
Stop the service before restoring: the database is replaced under it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from probity import __version__
from probity.errors import ProbityError

__all__ = [
    "ARCHIVE_FORMAT", "BackupError", "BackupRefused", "BackupToolMissing", "RestoreMismatch",
    "RestoreSummary", "archive_read", "backup_create", "backup_restore", "database_state",
]

ARCHIVE_FORMAT = "probity-backup/1"
DB_MEMBER = "db"
MANIFEST_MEMBER = "manifest.json"
_CHUNK = 1 << 20
_ROWS_PER_FETCH = 2000


class BackupError(ProbityError):
    """A backup or restore could not be made (the message says why)."""

    exit_code = 1


class BackupToolMissing(BackupError):
    """`pg_dump` or `pg_restore` is not installed (PostgreSQL)."""

    exit_code = 2


class BackupRefused(BackupError):
    """The archive is not a complete, intact Probity backup: nothing was changed."""

    exit_code = 2


class RestoreMismatch(BackupError):
    """The restored database does not match the archive's manifest, or its access log fails
    verification."""

    exit_code = 1


# --- table checksums (the same code on SQLite and PostgreSQL) ---------------------------------


def _canonical(value: Any) -> Any:
    """A JSON-able, engine-independent form of one column value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "bytes:" + bytes(value).hex()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date | time | Decimal | UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _table_state(connection: BaseDatabaseWrapper, table: str) -> dict[str, Any]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = sorted(column.name for column in
                         connection.introspection.get_table_description(cursor, table))
        key = connection.introspection.get_primary_key_columns(cursor, table) or columns
        cursor.execute(f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} "
                       f"ORDER BY {', '.join(quote(c) for c in key)}")
        digest = hashlib.sha256()
        digest.update((json.dumps(columns) + "\n").encode("utf-8"))
        rows = 0
        while batch := cursor.fetchmany(_ROWS_PER_FETCH):
            for row in batch:
                rows += 1
                line = json.dumps([_canonical(v) for v in row], ensure_ascii=False,
                                  separators=(",", ":"))
                digest.update(line.encode("utf-8") + b"\n")
    return {"rows": rows, "sha256": digest.hexdigest()}


def database_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """Per table of the database: its row count and a SHA-256 of its rows in primary-key
    order (columns in name order, values in a canonical form)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
    return {table: _table_state(connection, table) for table in tables}


def _access_log_head(using: str) -> dict[str, Any]:
    from probity.web.audit.models import GENESIS_HASH, AccessLogHead

    head = AccessLogHead.objects.using(using).filter(pk=1).first()
    return {"sequence": head.sequence if head else 0,
            "entry_hash": head.entry_hash if head else GENESIS_HASH}


# --- files ---------------------------------------------------------------------------------


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest_digest(manifest: Mapping[str, Any]) -> str:
    content = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {connection.vendor}")
    return str(connection.vendor)


def _outside_transaction(connection: BaseDatabaseWrapper, what: str) -> None:
    if connection.in_atomic_block:
        raise BackupError(f"{what} must not run inside a database transaction")


# --- PostgreSQL tools ----------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupToolMissing(
            f"{name} was not found on PATH: install the PostgreSQL client tools (the same "
            f"major version as the server or later, e.g. `apt-get install postgresql-client`)"
        )
    return path


def _pg_env(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq environment for the configured database (the password never goes on argv)."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if settings.get(key):
            env[variable] = str(settings[key])
    options = settings.get("OPTIONS") or {}
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                          ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): "
                          f"{done.stderr.strip() or done.stdout.strip()}")


# --- backup --------------------------------------------------------------------------------


def _snapshot_sqlite(connection: BaseDatabaseWrapper, db_path: Path,
                     using: str) -> tuple[dict[str, Any], dict[str, Any]]:
    # One read transaction around the checksums and the copy: both see the same snapshot
    # (WAL: writers carry on meanwhile; rollback journal: writers wait). A write transaction
    # would not do: SQLite's backup cannot read from a connection that is writing.
    # The copy goes first: in shared-cache mode (the test runner's in-memory database) the
    # schema reads of the checksums would hold table locks that stall the backup.
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
        cursor.execute("SELECT count(*) FROM sqlite_master")  # the snapshot starts here
        cursor.fetchall()
    try:
        target = sqlite3.connect(db_path)
        try:
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
        tables = database_state(using)
        head = _access_log_head(using)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")
    return tables, head


def _snapshot_postgresql(connection: BaseDatabaseWrapper, db_path: Path,
                         using: str) -> tuple[dict[str, Any], dict[str, Any]]:
    pg_dump = _pg_tool("pg_dump")
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        # the dump and the checksums read the same snapshot
        _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={db_path}"],
             _pg_env(connection), "pg_dump")
        tables = database_state(using)
        head = _access_log_head(using)
    return tables, head


def _add_member(archive: tarfile.TarFile, name: str, data: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, data)


def backup_create(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write a backup archive of the configured database to `path` (which must not exist)
    and return its manifest. Nothing appears under `path` unless the whole archive was
    written."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory")
    connection = connections[using]
    engine = _engine(connection)
    if engine == "postgresql":
        _pg_tool("pg_dump")
    _outside_transaction(connection, "backup")
    connection.ensure_connection()
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".probity-backup-") as work:
        db_path = Path(work) / DB_MEMBER
        if engine == "sqlite":
            tables, head = _snapshot_sqlite(connection, db_path, using)
        else:
            tables, head = _snapshot_postgresql(connection, db_path, using)
        manifest: dict[str, Any] = {
            "format": ARCHIVE_FORMAT,
            "engine": engine,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "probity_version": __version__,
            "db_member": DB_MEMBER,
            "db_bytes": db_path.stat().st_size,
            "db_sha256": _file_sha256(db_path),
            "tables": tables,
            "access_log_head": head,
        }
        manifest["manifest_sha256"] = _manifest_digest(manifest)
        manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
        partial = Path(work) / "archive.tar"
        with tarfile.open(partial, "w") as archive:
            _add_member(archive, MANIFEST_MEMBER, io.BytesIO(manifest_bytes),
                        len(manifest_bytes))
            with db_path.open("rb") as db:
                _add_member(archive, DB_MEMBER, db, manifest["db_bytes"])
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, path)
    _fsync_dir(path.parent)
    return manifest


# --- reading an archive --------------------------------------------------------------------


def _member(archive: tarfile.TarFile, name: str) -> tarfile.TarInfo | None:
    try:
        info = archive.getmember(name)
    except KeyError:
        return None
    return info if info.isfile() else None


def archive_read(path: Path, work: Path) -> tuple[dict[str, Any], Path]:
    """Check an archive and extract its database into `work`; return (manifest, db file).

    Raises BackupRefused if the archive is not a tar, the manifest is missing, unreadable or
    altered, or the database member is missing or does not match the manifest's checksum."""
    path = Path(path)
    if not path.is_file():
        raise BackupRefused(f"{path} is not a file")
    try:
        archive = tarfile.open(path, "r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupRefused(f"{path} is not a Probity backup archive ({exc})") from exc
    with archive:
        info = _member(archive, MANIFEST_MEMBER)
        if info is None:
            raise BackupRefused(f"{path} has no {MANIFEST_MEMBER}: refused")
        handle = archive.extractfile(info)
        try:
            assert handle is not None
            manifest = json.loads(handle.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BackupRefused(f"{path}: {MANIFEST_MEMBER} is not valid JSON: refused") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
            raise BackupRefused(f"{path}: not a {ARCHIVE_FORMAT} manifest: refused")
        if manifest.get("manifest_sha256") != _manifest_digest(manifest):
            raise BackupRefused(f"{path}: the manifest does not match its checksum "
                                "(altered or corrupt): refused")
        for key in ("engine", "db_sha256", "tables", "access_log_head"):
            if key not in manifest:
                raise BackupRefused(f"{path}: the manifest has no {key!r}: refused")
        db_info = _member(archive, DB_MEMBER)
        if db_info is None:
            raise BackupRefused(f"{path} has no {DB_MEMBER} member: refused")
        source = archive.extractfile(db_info)
        assert source is not None
        db_path = Path(work) / DB_MEMBER
        digest = hashlib.sha256()
        with db_path.open("wb") as target:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                target.write(chunk)
    if digest.hexdigest() != manifest["db_sha256"]:
        raise BackupRefused(f"{path}: the database in the archive does not match the "
                            "manifest's checksum (altered or corrupt): refused, nothing changed")
    return manifest, db_path


# --- restore -------------------------------------------------------------------------------


@dataclass
class RestoreSummary:
    """What a restore put back, and every difference found against the manifest."""

    engine: str
    created_at: str
    tables: int = 0
    rows: int = 0
    log_entries: int = 0
    log_head: dict[str, Any] = field(default_factory=dict)
    extra_tables: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"restored {self.engine} backup of {self.created_at}: {self.tables} tables, "
               f"{self.rows} rows; access log {self.log_entries} entries, head "
               f"#{self.log_head.get('sequence')} {str(self.log_head.get('entry_hash'))[:16]}…"]
        if self.extra_tables:
            out.append("tables not in the backup (left as they were): "
                       + ", ".join(self.extra_tables))
        out.extend(self.problems)
        return out


def _sqlite_check(db_path: Path) -> None:
    try:
        check = sqlite3.connect(db_path)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        finally:
            check.close()
    except sqlite3.DatabaseError as exc:
        raise BackupRefused(f"the archive's database is not a usable SQLite file ({exc})") from exc
    if not result or result[0] != "ok":
        raise BackupRefused(f"the archive's database fails SQLite's integrity check: {result}")


def _sqlite_replace_file(source: Path, target: Path) -> None:
    """Move `source` into place as the database file `target` (atomic rename), refusing if
    another process still has `target` open in WAL mode."""
    if target.exists():
        # Fold any write-ahead log into the file; the last connection to close removes it.
        probe = sqlite3.connect(target)
        try:
            probe.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            probe.close()
        for suffix in ("-wal", "-journal"):
            if Path(f"{target}{suffix}").exists():
                raise BackupError(f"{target} is in use by another process ({target.name}{suffix} "
                                  "is present): stop `probity serve` and retry")
    staged = target.with_name(f".{target.name}.restore-{os.getpid()}")
    shutil.copyfile(source, staged)
    with staged.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staged, target)
    with contextlib.suppress(FileNotFoundError):
        Path(f"{target}-shm").unlink()
    _fsync_dir(target.parent)


def _restore_sqlite(connection: BaseDatabaseWrapper, db_path: Path) -> None:
    _sqlite_check(db_path)
    if connection.is_in_memory_db():  # type: ignore[attr-defined]
        # an in-memory database (the test runner's) has no file: copy the pages into it
        connection.ensure_connection()
        source = sqlite3.connect(db_path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    connection.close()
    _sqlite_replace_file(db_path, Path(connection.settings_dict["NAME"]))


def _restore_postgresql(connection: BaseDatabaseWrapper, db_path: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    env = _pg_env(connection)
    try:
        _run([pg_restore, "--list", str(db_path)], env, "pg_restore --list")
    except BackupError as exc:
        raise BackupRefused(f"the archive's dump is not readable by pg_restore: {exc}") from exc
    connection.close()
    _run([pg_restore, "--clean", "--if-exists", "--single-transaction", "--dbname",
          env.get("PGDATABASE", ""), str(db_path)], env, "pg_restore")


def _compare(manifest: Mapping[str, Any], summary: RestoreSummary, using: str) -> None:
    from probity.web.audit.services import access_log_verify

    expected: dict[str, Any] = manifest["tables"]
    actual = database_state(using)
    summary.tables = len(actual)
    summary.rows = sum(state["rows"] for state in actual.values())
    summary.extra_tables = sorted(set(actual) - set(expected))
    for table, want in sorted(expected.items()):
        got = actual.get(table)
        if got is None:
            summary.problems.append(f"table {table}: missing after restore")
        elif got["rows"] != want["rows"]:
            summary.problems.append(f"table {table}: {got['rows']} rows, the backup had "
                                    f"{want['rows']}")
        elif got["sha256"] != want["sha256"]:
            summary.problems.append(f"table {table}: contents differ from the backup "
                                    "(checksum mismatch)")
    summary.log_head = _access_log_head(using)
    if summary.log_head != manifest["access_log_head"]:
        summary.problems.append(
            f"access log head is #{summary.log_head['sequence']}, the backup recorded "
            f"#{manifest['access_log_head'].get('sequence')}")
    verified = access_log_verify()
    summary.log_entries = verified.entries
    summary.problems.extend(f"access log: {p}" for p in verified.problems)


@contextlib.contextmanager
def _work_dir(near: Path | None) -> Iterator[Path]:
    parent = near if near is not None and near.is_dir() else None
    with tempfile.TemporaryDirectory(dir=parent, prefix=".probity-restore-") as work:
        yield Path(work)


def backup_restore(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> RestoreSummary:
    """Restore the archive at `path` into the configured database and check the result.

    Refuses (BackupRefused, database untouched) an archive that is missing its manifest,
    fails a checksum, or was made from another engine. After restoring, raises
    RestoreMismatch if any table's row count or checksum, or the access log head, differs
    from the manifest, or the access log chain fails verification."""
    connection = connections[using]
    engine = _engine(connection)
    if engine == "postgresql":
        _pg_tool("pg_restore")
    _outside_transaction(connection, "restore")
    near = None
    if engine == "sqlite" and not connection.is_in_memory_db():  # type: ignore[attr-defined]
        near = Path(connection.settings_dict["NAME"]).parent  # same file system: atomic rename
    with _work_dir(near) as work:
        manifest, db_path = archive_read(Path(path), work)
        if manifest["engine"] != engine:
            raise BackupRefused(f"the archive is a {manifest['engine']} backup; the configured "
                                f"database is {engine}: refused, nothing changed")
        if engine == "sqlite":
            _restore_sqlite(connection, db_path)
        else:
            _restore_postgresql(connection, db_path)
    summary = RestoreSummary(engine=engine, created_at=str(manifest.get("created_at", "?")))
    _compare(manifest, summary, using)
    if not summary.ok:
        raise RestoreMismatch("the restored database does not match the backup:\n"
                              + "\n".join(summary.lines()))
    return summary
