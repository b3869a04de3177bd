"""Fixtures of the extract tests; the extract builders live in extract_testkit.py."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from extract_testkit import Rows, write_extract  # noqa: E402


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test has its own data directory (validation cache)."""
    monkeypatch.setenv("PROBITY_DATA_DIR", str(tmp_path / "probity-data"))


@pytest.fixture
def make_extract(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def make(tables: dict[str, Rows] | None = None, **kwargs: Any) -> Path:
        return write_extract(tmp_path / f"extract{next(counter)}", tables, **kwargs)

    return make
