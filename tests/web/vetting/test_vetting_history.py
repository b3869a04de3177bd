"""A later extract never silently overwrites the register: every change is recorded."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from probity.extract import open_extract
from probity.vetting import register_changes, register_snapshot
from probity.web.audit.services import access_log_verify
from probity.web.vetting_register.models import RegisterChangeRecord
from probity.web.workforce.loading import extract_load
from probity.web.workforce.models import ExtractLoad, Post

pytestmark = pytest.mark.django_db


def _edit(path: Path, table: str, column: str, row: int, value: Any) -> tuple[Any, Any]:
    data = pq.read_table(path / f"{table}.parquet")
    values = data.column(column).to_pylist()
    old = values[row]
    values[row] = value
    index = data.schema.get_field_index(column)
    data = data.set_column(index, data.schema.field(index),
                           pa.array(values, type=data.schema.field(index).type))
    pq.write_table(data, path / f"{table}.parquet")
    return data.column(0)[row].as_py(), old


def test_reloading_records_each_register_change(generated_force: Path, tmp_path: Path,
                                                officer: Any) -> None:
    later = tmp_path / "later"
    shutil.copytree(generated_force, later)
    post_id, old_level = _edit(later, "posts", "required_vetting", 0, "sc")
    assert old_level != "sc"
    vetting = pq.read_table(later / "vetting.parquet")
    granted = pc.equal(vetting.column("status"), "granted").to_pylist().index(True)
    staff_id, _ = _edit(later, "vetting", "status", granted, "withdrawn")

    first = extract_load(path=generated_force, actor=officer)
    assert RegisterChangeRecord.objects.count() == 0  # first load: nothing to compare with
    second = extract_load(path=later, actor=officer)
    with open_extract(generated_force) as a, open_extract(later) as b:
        expected = register_changes(before=register_snapshot(extract=a),
                                    after=register_snapshot(extract=b))
    recorded = list(RegisterChangeRecord.objects.order_by("pk"))
    assert [(r.entity, r.key, r.change, r.field, r.before, r.after) for r in recorded] == [
        (c.entity, c.key, c.change, c.field or "", c.before or "", c.after or "")
        for c in expected]
    assert ("post", post_id, "changed", "required_vetting", old_level, "sc") in [
        (r.entity, r.key, r.change, r.field, r.before, r.after) for r in recorded]
    withdrawn = [r for r in recorded if r.entity == "clearance" and r.after == "withdrawn"]
    assert len(withdrawn) == 1 and withdrawn[0].staff_id == staff_id
    assert withdrawn[0].before == "granted"
    assert all(r.extract_load_id == second.pk and r.actor_id == officer.pk for r in recorded)
    assert first.pk != second.pk and Post.objects.get(post_id=post_id).required_vetting == "sc"
    extract_load(path=later, actor=None)  # the same extract again: no changes
    assert RegisterChangeRecord.objects.count() == len(recorded)
    assert access_log_verify().ok


def test_a_failed_reload_records_nothing(generated_force: Path, tmp_path: Path) -> None:
    from probity.errors import ExtractInvalid

    extract_load(path=generated_force, actor=None)
    broken = tmp_path / "broken"
    shutil.copytree(generated_force, broken)
    _edit(broken, "vetting", "level", 0, "zz")  # an unknown level
    with pytest.raises(ExtractInvalid):
        extract_load(path=broken, actor=None)
    assert RegisterChangeRecord.objects.count() == 0 and ExtractLoad.objects.count() == 1


def test_person_history_shows_load_changes_and_decisions(generated_force: Path,
                                                         tmp_path: Path, officer: Any) -> None:
    from probity.web.vetting_register.selectors import vetting_record_for
    from probity.web.vetting_register.services import assessment_open

    later = tmp_path / "later"
    shutil.copytree(generated_force, later)
    staff_id, old_post = _edit(later, "staff", "post_id", 0, None)
    extract_load(path=generated_force, actor=None)
    extract_load(path=later, actor=None)
    assessment_open(actor=officer, staff_id=staff_id, kind="vetting", reason="post_change",
                    level="mv", opened_on=date(2025, 1, 1), rationale="Moving to a new post")
    record = vetting_record_for(viewer=officer, staff_id=staff_id, purpose="test history")
    rows = [(h.entity, h.field, h.before, h.after) for h in record.history]
    assert ("staff_post", "post_id", old_post or "", "") in rows
    assert ("assessment", "status", "", "open") in rows
