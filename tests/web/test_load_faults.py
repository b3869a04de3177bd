"""Faults during loads (issue 9 item 6): SIGKILL at every database statement of an extract load
and of a scan-result load, and an injected database error at every statement.

After each fault the store holds the complete old state or the complete new state, never half;
the access log verifies; running the load again completes it, and running it once more changes
no data. Each kill runs the load in its own process (tests/web/faults_driver.py) against its
own copy of a loaded database: a SQLite file, or, when DATABASE_URL names PostgreSQL, a database
created from a template.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

DRIVER = Path(__file__).with_name("faults_driver.py")
POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
# The first extract replaced by the second, and one scan's output replaced by the next.
EXTRACT_SEEDS = (31, 32)
# The history of loads: one row per load run, so a re-run adds one (it is not the data).
LOAD_HISTORY = {"workforce_extractload", "vetting_register_registerchangerecord"}


def _data(content: dict[str, str]) -> dict[str, str]:
    return {table: digest for table, digest in content.items() if table not in LOAD_HISTORY}


class Store:
    """One database for the driver: a SQLite data directory or a PostgreSQL database."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env["PROBITY_DATA_DIR"] = str(root / name)
        (root / name).mkdir(parents=True, exist_ok=True)
        if POSTGRES:
            self.env["DATABASE_URL"] = f"{_server()}/{name}"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(DRIVER), *args], env=self.env,
                              capture_output=True, text=True, timeout=300)

    def state(self) -> dict[str, Any]:
        done = self.run("state")
        assert done.returncode == 0, done.stderr[-2000:]
        return dict(json.loads(done.stdout.splitlines()[-1]))

    def copy(self, name: str, root: Path) -> Store:
        if POSTGRES:
            _pg(f'DROP DATABASE IF EXISTS "{name}"')
            _pg(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
            return Store(name, root)
        shutil.copytree(self.env["PROBITY_DATA_DIR"], root / name)  # WAL closed: one file
        return Store(name, root)


def _server() -> str:
    url = os.environ["DATABASE_URL"]
    return url.rsplit("/", 1)[0]


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _migrate(store: Store) -> None:
    if POSTGRES:
        _pg(f'DROP DATABASE IF EXISTS "{store.name}"')
        _pg(f'CREATE DATABASE "{store.name}"')
    probity = Path(sys.executable).with_name("probity")
    done = subprocess.run([str(probity), "manage", "migrate", "--verbosity", "0"], env=store.env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def _scan_output(directory: Path, shift: int) -> list[str]:
    """ranked.csv and evidence.csv for 400 staff (scores and evidence vary with `shift`)."""
    directory.mkdir(parents=True)
    ranked, evidence = directory / "ranked.csv", directory / "evidence.csv"
    rows = ["rank,staff_id,score,persons_of_concern,reasons"]
    rows += [f"{n},S{(n * 7 + shift) % 400:04d},{max(0.0, 40 - n / 10):.2f},N{n:04d},"
             f"repeated look-ups of 1 person(s) [{n % 5}.0]" for n in range(1, 401)]
    ranked.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,weight,detail"]
    lines += [f"S{(n * 7 + shift) % 400:04d},concentration,N{n:04d},,2025-01-0{1 + n % 9}T10:00:00Z,"
              f",{2 + n % 3},1.5,looked up on {2 + n % 3} days" for n in range(1, 151)]
    evidence.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(ranked), str(evidence)]


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A store holding extract A and scan output A (the old state); extract B and scan output
    B to load over them; the new states those loads give when nothing goes wrong."""
    root = tmp_path_factory.mktemp("faults")
    tag = f"probity_faults_{os.getpid()}"
    probity = Path(sys.executable).with_name("probity")
    extracts = []
    for seed in EXTRACT_SEEDS:
        out = root / f"force{seed}"
        done = subprocess.run([str(probity), "synth", str(out), "--staff", "50", "--months", "1",
                               "--seed", str(seed), "--format", "csv"], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        extracts.append([str(out)])
    scans = [_scan_output(root / "scanA", 0), _scan_output(root / "scanB", 3)]
    base = Store(f"{tag}_base", root)
    _migrate(base)
    for kind, paths in (("extract", extracts[0]), ("scan", scans[0])):
        done = base.run("load", kind, "0", *paths)
        assert done.returncode == 0, done.stderr[-2000:]
    loads: dict[str, dict[str, Any]] = {}
    for kind, paths in (("extract", extracts[1]), ("scan", scans[1])):
        reference = base.copy(f"{tag}_ref_{kind}", root)
        done = reference.run("load", kind, "0", *paths)
        assert done.returncode == 0, done.stderr[-2000:]
        loads[kind] = {"paths": paths, "statements": int(done.stdout.split()[-1]),
                       "new": reference.state()}
    yield {"root": root, "tag": tag, "base": base, "old": base.state(), "loads": loads}
    if POSTGRES:  # the copies are databases: drop them
        import psycopg

        with psycopg.connect(f"{_server()}/postgres", autocommit=True) as conn:
            names = [row[0] for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{tag}%"])]
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _which_state(found: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> str:
    if found["exact"] == old["exact"]:
        return "old"
    if found["content"] == new["content"]:
        return "new"
    differing = sorted(t for t in found["content"]
                       if found["content"][t] not in (old["content"].get(t), new["content"][t]))
    return f"half: {differing}"


@pytest.mark.parametrize("kind", ["extract", "scan"])
def test_sigkill_at_every_statement_leaves_old_or_new_state(setting: dict[str, Any],
                                                            kind: str) -> None:
    load = setting["loads"][kind]
    points = list(range(1, load["statements"] + 1))
    copies = setting["root"] / f"copies_{kind}"
    copies.mkdir()
    done = setting["base"].run("campaign", kind, ",".join(map(str, points)), str(copies),
                               *load["paths"])
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [r["point"] for r in results] == points, done.stderr[-3000:]
    found_states = []
    for result in results:
        where = f"killed before statement {result['point']} of the {kind} load"
        assert result["status"] == -signal.SIGKILL, where
        assert result["rerun_status"] == 0, f"{where}: re-run failed\n{done.stderr[-3000:]}"
        found, after = result["found"], result["rerun"]
        found_states.append(_which_state(found, setting["old"], load["new"]))
        assert found_states[-1] in ("old", "new"), f"{where}: {found_states[-1]}"
        assert found["log_ok"], (where, found["log_problems"])
        assert _data(after["content"]) == _data(load["new"]["content"]), f"{where}: re-run"
        assert after["log_ok"], (where, after["log_problems"])
    assert "old" in found_states and found_states[0] == "old"  # the points span the load


def test_every_statement_is_a_kill_point(setting: dict[str, Any]) -> None:
    """At least 20 kill points in all (one per database statement of each load)."""
    counts = [load["statements"] for load in setting["loads"].values()]
    assert sum(counts) >= 20, counts


@pytest.mark.parametrize("kind", ["extract", "scan"])
def test_running_a_completed_load_again_changes_no_data(setting: dict[str, Any],
                                                        kind: str) -> None:
    load = setting["loads"][kind]
    store = setting["base"].copy(f"{setting['tag']}_again_{kind}", setting["root"])
    assert store.run("load", kind, "0", *load["paths"]).returncode == 0
    once = store.state()
    assert store.run("load", kind, "0", *load["paths"]).returncode == 0
    twice = store.state()
    assert _data(twice["content"]) == _data(once["content"])
    assert twice["log_ok"]


def _inject(fail_at: int) -> Callable[..., Any]:
    from django.db import OperationalError

    seen = 0

    def fail(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal seen
        seen += 1
        if seen == fail_at:
            raise OperationalError(f"injected fault at statement {fail_at}")
        return execute(sql, params, many, context)

    return fail


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fail_at", range(1, 30))
def test_database_error_during_a_load_changes_nothing(tmp_path: Path, fail_at: int) -> None:
    """A database error at any statement of a scan load over an earlier one: the load fails
    with it, nothing of it is kept, the log verifies, and the load then succeeds."""
    from django.db import OperationalError, connection

    from probity.web.alerts.loading import scan_run_load
    from probity.web.alerts.models import Alert, AlertEvidence, ScanRun
    from probity.web.audit.models import AccessLog
    from probity.web.audit.services import access_log_verify

    first, second = _scan_output(tmp_path / "a", 0), _scan_output(tmp_path / "b", 3)
    scan_run_load(ranked_path=Path(first[0]), evidence_path=Path(first[1]), actor=None)
    before = (ScanRun.objects.count(), Alert.objects.count(), AlertEvidence.objects.count(),
              AccessLog.objects.count())
    failed = False
    with connection.execute_wrapper(_inject(fail_at)):
        try:
            scan_run_load(ranked_path=Path(second[0]), evidence_path=Path(second[1]), actor=None)
        except OperationalError:
            failed = True
    after = (ScanRun.objects.count(), Alert.objects.count(), AlertEvidence.objects.count(),
             AccessLog.objects.count())
    if failed:
        assert after == before
    else:  # the fault fell after the commit (planner statistics): the load is whole
        assert after == (before[0] + 1, before[1] + 400, before[2] + 150, before[3] + 1)
    assert access_log_verify().ok
    run = scan_run_load(ranked_path=Path(second[0]), evidence_path=Path(second[1]), actor=None)
    assert Alert.objects.filter(scan_run=run).count() == 400
