"""`probity load extract` and `load scan --extract`: validated first, replaced as a whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from probity.errors import ExtractInvalid
from probity.web.alerts.loading import ScanOutputInvalid, scan_run_load
from probity.web.alerts.models import ScanRun
from probity.web.audit.services import access_log_verify
from probity.web.workforce.loading import extract_load
from probity.web.workforce.models import ExtractLoad, Nominal, StaffMember, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def extract_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from probity.synth import generate

    out = tmp_path_factory.mktemp("force") / "force"
    generate(out, staff=50, months=1, seed=11)
    return out


def _staff_ids(extract: Path) -> list[str]:
    from probity.extract import open_extract

    with open_extract(extract) as opened:
        return [row[0] for row in opened.con.execute("SELECT staff_id FROM staff").fetchall()]


def test_load_extract_copies_people_and_logs(extract_dir: Path) -> None:
    load = extract_load(path=extract_dir, actor=None)
    assert load.row_counts["staff"] == 50 == StaffMember.objects.count()
    assert Unit.objects.count() == load.row_counts["units"] > 0
    assert Nominal.objects.count() == load.row_counts["nominals"] > 0
    assert set(StaffMember.objects.values_list("staff_id", flat=True)) == set(_staff_ids(extract_dir))
    again = extract_load(path=extract_dir, actor=None)  # replaces, never duplicates
    assert StaffMember.objects.count() == 50 and ExtractLoad.objects.count() == 2
    assert again.force_code
    assert access_log_verify().ok


def test_invalid_extract_loads_nothing(extract_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(extract_dir, broken)
    for table_file in broken.glob("units.*"):
        table_file.unlink()
    with pytest.raises(ExtractInvalid):
        extract_load(path=broken, actor=None)
    assert StaffMember.objects.count() == 0 and ExtractLoad.objects.count() == 0


def test_scan_with_extract_loads_both_in_one_transaction(extract_dir: Path, tmp_path: Path) -> None:
    staff = _staff_ids(extract_dir)
    ranked = tmp_path / "ranked.csv"
    evidence = tmp_path / "evidence.csv"
    ranked.write_text("rank,staff_id,score,persons_of_concern,reasons\n"
                      + "".join(f"{i},{sid},{50 - i},,\n" for i, sid in enumerate(staff, 1)))
    evidence.write_text("staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,weight,detail\n")
    run = scan_run_load(ranked_path=ranked, evidence_path=evidence, extract_path=extract_dir,
                        actor=None)
    assert run.alert_count == 50 and StaffMember.objects.count() == 50


def test_scan_naming_staff_outside_the_extract_loads_nothing(extract_dir: Path, tmp_path: Path) -> None:
    ranked = tmp_path / "ranked.csv"
    evidence = tmp_path / "evidence.csv"
    ranked.write_text("rank,staff_id,score,persons_of_concern,reasons\n1,NOT-A-STAFF-ID,3,,\n")
    evidence.write_text("staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,weight,detail\n")
    with pytest.raises(ScanOutputInvalid, match="ranked.csv row 1 column staff_id: value 'NOT-A-STAFF-ID': expected a staff_id of the extract"):
        scan_run_load(ranked_path=ranked, evidence_path=evidence, extract_path=extract_dir,
                      actor=None)
    assert ScanRun.objects.count() == 0 and StaffMember.objects.count() == 0
