"""A load run in its own process, for the fault tests (tests/web/test_load_faults.py).

    python faults_driver.py load KIND KILL_AT PATH...   # KIND extract (PATH = extract dir)
                                                        # or scan (PATH = ranked, evidence)
    python faults_driver.py state                        # JSON: fingerprints, counts, log check
    python faults_driver.py rerun KIND PATH...           # JSON: state, then the load run to the
                                                        # end, then state again
    python faults_driver.py campaign KIND POINTS COPIES PATH...
        # for each kill point (comma-separated): a fresh copy of this database, a forked
        # child that loads and is killed at that point, then a forked child that reports the
        # state it finds, re-runs the load and reports again; JSON lines, one per point.
        # COPIES: a directory for SQLite copies (PostgreSQL copies are databases made from
        # this one as template). Forking after set-up spares each point Django's start-up.

`load` sends itself SIGKILL just before its KILL_AT-th database statement (0: never) and, when
it finishes, prints how many statements it ran. The database is the one the environment names
(PROBITY_DATA_DIR for SQLite, or DATABASE_URL), exactly as for `probity load`.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

# Columns whose values differ between two identical loads: keys drawn from a sequence, times,
# random salts and what is derived from them.
VOLATILE = {"id", "at", "pseudonym", "pseudonym_salt", "entry_hash", "previous_hash"}
# Not part of the data: the log is checked by its own verification, sessions are not data.
# SQLite's planner statistics are refreshed after a load commits: not data either.
NOT_DATA = {"audit_accesslog", "audit_accessloghead", "django_session", "django_migrations",
            "sqlite_stat1", "sqlite_stat4"}


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probity.web.config.settings")
    import django

    django.setup()


def load(kind: str, kill_at: int, paths: list[str]) -> int:
    from django.db import connection

    statements = 0

    def count_and_maybe_die(execute: Any, sql: str, params: Any, many: bool,
                            context: Any) -> Any:
        nonlocal statements
        statements += 1
        if statements == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count_and_maybe_die):
        if kind == "extract":
            from probity.web.workforce.loading import extract_load

            extract_load(path=Path(paths[0]), actor=None)
        else:
            from probity.web.alerts.loading import scan_run_load

            scan_run_load(ranked_path=Path(paths[0]), evidence_path=Path(paths[1]), actor=None)
    return statements


def _volatile(table: str, column: str, relations: dict[str, tuple[str, str]]) -> bool:
    if column in VOLATILE or column.endswith("_at"):
        return True
    target = relations.get(column)
    return target is not None and target[0] == "id"  # a key drawn from a sequence


def state() -> dict[str, Any]:
    """Per table: a hash of every row (exact) and of the rows without volatile columns
    (content), plus row counts and the access log's verification."""
    from django.db import connection

    from probity.web.audit.services import access_log_verify

    exact, content, counts = {}, {}, {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in NOT_DATA:
                continue
            columns = [c.name for c in connection.introspection.get_table_description(
                cursor, table)]
            relations = connection.introspection.get_relations(cursor, table)
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from introspection)
            rows = [tuple(map(str, row)) for row in cursor.fetchall()]
            keep = [n for n, c in enumerate(columns) if not _volatile(table, c, relations)]
            exact[table] = hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()
            content[table] = hashlib.sha256(
                repr(sorted(tuple(r[n] for n in keep) for r in rows)).encode()).hexdigest()
            counts[table] = len(rows)
    verified = access_log_verify()
    return {"exact": exact, "content": content, "counts": counts,
            "log_ok": verified.ok, "log_entries": verified.entries,
            "log_problems": verified.problems[:5]}


def _copy_database(name: str, copies: Path) -> None:
    """Point this process's (not yet opened) connection at a fresh copy of the database."""
    import shutil

    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        source = Path(settings["NAME"])
        target = copies / name / source.name
        target.parent.mkdir(parents=True)
        for suffix in ("", "-wal"):
            if Path(f"{source}{suffix}").exists():
                shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
        settings["NAME"] = str(target)
        return
    import psycopg

    server = f"host={settings['HOST']} port={settings['PORT']} user={settings['USER']}"
    with psycopg.connect(f"{server} dbname=postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings["NAME"]}"')
    settings["NAME"] = name


def _in_child(work: Any) -> int:
    """Run work() in a forked child; its exit status (negative: killed by that signal)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            work()
        except BaseException:  # noqa: BLE001 - reported through the exit status
            import traceback

            traceback.print_exc()
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def campaign(kind: str, points: list[int], copies: Path, paths: list[str]) -> None:
    # imported once here, not in every child (pandas alone takes seconds without bytecode)
    import pandas  # noqa: F401
    from django.db import connection

    import probity.extract  # noqa: F401
    import probity.vetting  # noqa: F401
    import probity.web.vetting_register.register  # noqa: F401

    base_name = connection.settings_dict["NAME"]
    tag = f"{Path(str(base_name)).stem}_{kind}"
    for point in points:
        report = copies / f"{tag}_{point}.json"

        def killed_load(point: int = point) -> None:
            load(kind, point, paths)

        def rerun(report: Path = report) -> None:
            found = state()
            load(kind, 0, paths)
            report.write_text(json.dumps({"found": found, "rerun": state()}))

        connection.settings_dict["NAME"] = base_name
        _copy_database(f"{tag}_{point}", copies)
        status = _in_child(killed_load)
        rerun_status = _in_child(rerun)
        result = json.loads(report.read_text()) if rerun_status == 0 else {}
        print(json.dumps({"point": point, "status": status, "rerun_status": rerun_status,
                          **result}), flush=True)


def main() -> None:
    _setup()
    if sys.argv[1] == "load":
        print(load(sys.argv[2], int(sys.argv[3]), sys.argv[4:]))
    elif sys.argv[1] == "campaign":
        campaign(sys.argv[2], [int(n) for n in sys.argv[3].split(",")], Path(sys.argv[4]),
                 sys.argv[5:])
    elif sys.argv[1] == "rerun":
        found = state()
        load(sys.argv[2], 0, sys.argv[3:])
        print(json.dumps({"found": found, "rerun": state()}))
    else:
        print(json.dumps(state()))


if __name__ == "__main__":
    main()
