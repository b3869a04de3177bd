"""Fixtures of the report tests; the builders live in reports_testkit.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from reports_testkit import write_extract  # noqa: E402


@pytest.fixture()
def extract_dir(tmp_path: Path) -> Path:
    return write_extract(tmp_path / "extract")


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the extract reader caches validation reports in the data directory
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path / "data"))
