"""Bad input: ~250 malformed Force Extracts (every rule of the contract broken, file and
manifest damage) and Hypothesis-generated CSV files. Each one is refused with an error that
names the file (and the row and column where there is one), and `probity load extract`
writes nothing: every row count in the database is the same afterwards."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probity.errors import ExtractInvalid
from probity.extract import schema
from probity.web.workforce.loading import extract_load

from .malformed import Case, cases

sys.path.insert(0, str(Path(__file__).parents[2] / "extract"))
from extract_testkit import csv_bytes, write_extract  # noqa: E402

pytestmark = pytest.mark.django_db
CASES = cases()
CHUNKS = 8


def test_at_least_200_distinct_malformed_extracts() -> None:
    assert len(CASES) >= 200
    assert len({c.id for c in CASES}) == len(CASES)
    touched = {c.file.split(".")[0] for c in CASES}
    assert set(schema.TABLES) <= touched  # every table of the contract is broken somewhere


WRITTEN_BY_LOADS = ("workforce", "audit", "alerts", "casework", "auth")


def _row_counts() -> dict[str, int]:
    """Rows of every table a load could touch (the extract's copy, the access log, ...)."""
    return {m._meta.label: m.objects.count() for label in WRITTEN_BY_LOADS
            for m in apps.get_app_config(label).get_models()}


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """A valid extract already loaded, so that 'writes nothing' is tested against real rows."""
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path / "data"))
    extract_load(path=write_extract(tmp_path / "valid"), actor=None)
    counts = _row_counts()
    assert counts["workforce.StaffMember"] > 0
    return counts


def _refusal(path: Path) -> ExtractInvalid:
    with pytest.raises(ExtractInvalid) as caught:
        extract_load(path=path, actor=None)
    return caught.value


def _problems(case: Case, refusal: ExtractInvalid) -> list[str]:
    report: Any = refusal.report
    assert report is not None, f"{case.id}: no report with the refusal"
    problems = []
    for issue in report.errors:
        if not issue.message or not (issue.file or issue.column):
            problems.append(f"{case.id}: unclear error {issue}")
    hit = [e for e in report.errors if e.file == case.file
           and (case.column is None or e.column == case.column)
           and (case.row is None or e.row == case.row)]
    if not hit:
        problems.append(f"{case.id}: no error at {case.file} row {case.row} column "
                        f"{case.column}; got {report.errors[:3]}")
    if case.file and case.file not in str(refusal) + "".join(str(e) for e in report.errors):
        problems.append(f"{case.id}: the message does not name {case.file}")
    return problems


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_each_malformed_extract_is_refused_clearly_and_writes_nothing(
        chunk: int, loaded: dict[str, int], tmp_path: Path) -> None:
    problems: list[str] = []
    mine = CASES[chunk::CHUNKS]
    for n, case in enumerate(mine):
        refusal = _refusal(case.write(tmp_path / f"case{n}"))
        problems += _problems(case, refusal)
        if _row_counts() != loaded:
            problems.append(f"{case.id}: the database changed")
    assert problems == []
    assert len(mine) >= 200 // CHUNKS


def test_probity_load_extract_exits_2_and_writes_nothing(
        loaded: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from probity import cli

    for n, case in enumerate([c for c in CASES if c.id in (
            "staff.start_date.bad_date", "manifest.not_json", "audit_events.duplicate_key")]):
        path = case.write(tmp_path / f"cli{n}")
        monkeypatch.setattr(sys, "argv", ["probity", "load", "extract", str(path)])
        with pytest.raises(SystemExit) as exited:
            cli.main()
        assert exited.value.code == 2, case.id
        assert _row_counts() == loaded, case.id
        assert "error" in capsys.readouterr().err.lower()


# --- Hypothesis: arbitrary CSV text in place of a table ------------------------------------

CELL = st.one_of(st.text(alphabet=st.sampled_from(list('aZ09 -:/.,"\'\\;\t\r\n\x00é')),
                         max_size=12),
                 st.sampled_from(["S1", "U1", "2024-01-01", "officer", "victim"]))


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[str, bytes]:
    table = draw(st.sampled_from(list(schema.REQUIRED_TABLES)))
    contract = schema.table(table).column_names
    header = draw(st.one_of(
        st.permutations(contract),
        st.lists(st.sampled_from([*contract, "junk", ""]), min_size=0, max_size=len(contract) + 1),
    ))
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)),
                         max_size=4))
    if draw(st.booleans()):  # through the csv writer: well-quoted, random values
        body = csv_bytes([dict(zip(header, r, strict=False)) for r in rows],
                         columns=list(dict.fromkeys(header)))
    else:  # raw text: quoting, separators and line ends as they come
        lines = [",".join(header), *(",".join(r) for r in rows)]
        body = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    return table, body


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(generated=csv_files())
def test_generated_csv_files_are_refused_clearly_or_loaded_whole(
        generated: tuple[str, bytes], loaded: dict[str, int], tmp_path_factory: Any) -> None:
    table, body = generated
    root = write_extract(tmp_path_factory.mktemp("gen") / "extract")
    (root / f"{table}.csv").write_bytes(body)
    before = _row_counts()
    try:
        extract_load(path=root, actor=None)
    except ExtractInvalid as refusal:
        report: Any = refusal.report
        assert report is not None and report.errors
        for issue in report.errors:
            assert issue.message and (issue.file or issue.column), issue
        assert _row_counts() == before
    # any other exception fails the test: a crash is not a clear error
