"""`probity load scan`: all or nothing, with file/row/field/value in every error."""

from __future__ import annotations

from pathlib import Path

import pytest

from probity.web.alerts.loading import ScanOutputInvalid, pseudonym_for, scan_run_load
from probity.web.alerts.models import Alert, AlertEvidence, ScanRun
from probity.web.audit.models import AccessLog
from probity.web.audit.services import access_log_verify

from .conftest import EVIDENCE_CSV, RANKED_CSV

pytestmark = pytest.mark.django_db


def _nothing_written() -> None:
    assert ScanRun.objects.count() == 0
    assert Alert.objects.count() == 0
    assert AlertEvidence.objects.count() == 0
    assert AccessLog.objects.count() == 0


def test_good_files_load_alerts_evidence_and_log(scan_files: tuple[Path, Path]) -> None:
    ranked, evidence = scan_files
    run = scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    assert (run.alert_count, run.evidence_count) == (3, 3)
    top = Alert.objects.get(scan_run=run, rank=1)
    assert top.staff_id == "S0001" and top.score == 12.5
    assert top.persons_of_concern == ["N0001", "N0002"]
    assert top.pseudonym == pseudonym_for(salt=run.pseudonym_salt, staff_id="S0001")
    assert "S0001" not in top.pseudonym
    assert top.evidence.count() == 2
    half = top.evidence.get(indicator="contact_victim")
    assert half.count == 0.5 and half.first_ts.isoformat() == "2025-02-01T23:10:00+00:00"
    assert AlertEvidence.objects.get(indicator="concentration").last_ts is None
    entry = AccessLog.objects.get()
    assert (entry.action, entry.object_type, entry.object_id) == ("load", "scan_run", str(run.pk))
    assert access_log_verify().ok


def test_pseudonyms_differ_between_runs(scan_files: tuple[Path, Path]) -> None:
    ranked, evidence = scan_files
    a = scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    later = ranked.with_name("later.csv")  # the next night's scan: one score changed
    later.write_text(ranked.read_text().replace("2,S0002,3.25", "2,S0002,3.5"))
    b = scan_run_load(ranked_path=later, evidence_path=evidence, actor=None)
    assert a.pk != b.pk
    assert (Alert.objects.get(scan_run=a, staff_id="S0001").pseudonym
            != Alert.objects.get(scan_run=b, staff_id="S0001").pseudonym)


def test_loading_the_latest_files_again_changes_nothing(scan_files: tuple[Path, Path]) -> None:
    ranked, evidence = scan_files
    first = scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    Alert.objects.filter(scan_run=first, rank=1).update(status=Alert.Status.NO_FURTHER_ACTION)
    counts = (ScanRun.objects.count(), Alert.objects.count(), AccessLog.objects.count())
    again = scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    assert again.pk == first.pk
    assert (ScanRun.objects.count(), Alert.objects.count(), AccessLog.objects.count()) == counts
    assert Alert.objects.get(scan_run=first, rank=1).status == Alert.Status.NO_FURTHER_ACTION


BAD_RANKED = [
    (RANKED_CSV.replace("2,S0002,3.25", "2,S0002,high"), "ranked.csv row 2 column score: value 'high'"),
    (RANKED_CSV.replace("2,S0002,3.25", "x,S0002,3.25"), "ranked.csv row 2 column rank: value 'x'"),
    (RANKED_CSV.replace("2,S0002,3.25", "1,S0002,3.25"), "ranked.csv row 2 column rank: value 1: expected no ties"),
    (RANKED_CSV.replace("3,S0003,0", "3,S0001,0"), "ranked.csv row 3 column staff_id: value 'S0001': expected one row per staff_id"),
    (RANKED_CSV.replace("3,S0003,0", "3,,0"), "ranked.csv row 3 column staff_id: value ''"),
    (RANKED_CSV.replace("3,S0003,0", "3," + "S" * 65 + ",0"), "ranked.csv row 3 column staff_id"),
    (RANKED_CSV.replace("2,S0002,3.25", "2,S0002,nan"), "ranked.csv row 2 column score: value 'nan': expected a finite number"),
    (RANKED_CSV.replace("rank,staff_id", "position,staff_id"), "ranked.csv column rank"),
    ("", "ranked.csv: value '': expected a header row"),
    ("rank,staff_id,score,persons_of_concern,reasons\n", "ranked.csv: value '': expected at least one ranked row"),
    (RANKED_CSV.replace("3,S0003,0,,", "3,S0003,0,"), "ranked.csv row 3: value '3,S0003,0,': expected 5 fields"),
]


@pytest.mark.parametrize("text,message", BAD_RANKED)
def test_bad_ranked_row_loads_nothing(scan_files: tuple[Path, Path], text: str, message: str) -> None:
    ranked, evidence = scan_files
    ranked.write_text(text, encoding="utf-8")
    with pytest.raises(ScanOutputInvalid) as info:
        scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    assert message in str(info.value), str(info.value)
    assert "nothing was written" in str(info.value)
    _nothing_written()


BAD_EVIDENCE = [
    (EVIDENCE_CSV.replace("S0002,concentration", "S9999,concentration"),
     "evidence.csv row 3 column staff_id: value 'S9999': expected a staff_id ranked in ranked.csv"),
    (EVIDENCE_CSV.replace("2025-01-09T16:51:53Z", "yesterday"),
     "evidence.csv row 3 column first_ts: value 'yesterday': expected an ISO 8601 timestamp"),
    (EVIDENCE_CSV.replace("2025-03-24T22:44:51Z", "2024-03-24T22:44:51Z"),
     "evidence.csv row 1 column last_ts: value '2024-03-24T22:44:51Z': expected a time not before first_ts"),
    (EVIDENCE_CSV.replace(",0.5,", ",-1,"), "evidence.csv row 2 column count: value '-1'"),
    (EVIDENCE_CSV.replace(",1.64,", ",heavy,"), "evidence.csv row 3 column weight: value 'heavy'"),
    (EVIDENCE_CSV.replace("S0002,concentration", "S0002,"), "evidence.csv row 3 column indicator: value ''"),
    (EVIDENCE_CSV.replace("detail\n", "\n").replace("staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,weight,",
                                                     "staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,weight"),
     "evidence.csv column detail"),
]


@pytest.mark.parametrize("text,message", BAD_EVIDENCE)
def test_bad_evidence_row_loads_nothing(scan_files: tuple[Path, Path], text: str, message: str) -> None:
    ranked, evidence = scan_files
    evidence.write_text(text, encoding="utf-8")
    with pytest.raises(ScanOutputInvalid) as info:
        scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    assert message in str(info.value), str(info.value)
    _nothing_written()


def test_every_problem_is_reported_at_once_and_capped(scan_files: tuple[Path, Path]) -> None:
    ranked, evidence = scan_files
    rows = "\n".join(f"{i},S{i:04d},bad,," for i in range(1, 121))
    ranked.write_text("rank,staff_id,score,persons_of_concern,reasons\n" + rows + "\n")
    evidence.write_text("staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,weight,detail\n")
    with pytest.raises(ScanOutputInvalid) as info:
        scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    assert len(info.value.problems) == 50
    assert "120 problem(s)" in str(info.value) and "and 70 more" in str(info.value)
    _nothing_written()


def test_missing_file_and_bad_encoding(scan_files: tuple[Path, Path], tmp_path: Path) -> None:
    ranked, evidence = scan_files
    with pytest.raises(ScanOutputInvalid, match="missing.csv: value .*expected an existing file"):
        scan_run_load(ranked_path=tmp_path / "missing.csv", evidence_path=evidence, actor=None)
    evidence.write_bytes(EVIDENCE_CSV.encode() + b"S0001,x,,,,,1,1,\xff\xfe\n")
    with pytest.raises(ScanOutputInvalid, match="evidence.csv: .*expected UTF-8"):
        scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    _nothing_written()


def test_bom_and_crlf_are_accepted(scan_files: tuple[Path, Path]) -> None:
    ranked, evidence = scan_files
    ranked.write_bytes(b"\xef\xbb\xbf" + RANKED_CSV.replace("\n", "\r\n").encode())
    run = scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    assert run.alert_count == 3


def test_failure_during_write_rolls_everything_back(scan_files: tuple[Path, Path],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from probity.web.alerts import loading

    def boom(**kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(loading, "access_log_record", boom)
    ranked, evidence = scan_files
    with pytest.raises(RuntimeError):
        scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)
    _nothing_written()


def test_cli_load_scan_reports_errors_and_exit_status(scan_files: tuple[Path, Path]) -> None:
    from typer.testing import CliRunner

    from probity.cli import app

    ranked, evidence = scan_files
    ranked.write_text(RANKED_CSV.replace("2,S0002,3.25", "2,S0002,high"))
    result = CliRunner().invoke(app, ["load", "scan", "--ranked", str(ranked),
                                      "--evidence", str(evidence)])
    assert isinstance(result.exception, ScanOutputInvalid)
    assert result.exception.exit_code == 2
    _nothing_written()
