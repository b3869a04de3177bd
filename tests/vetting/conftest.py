"""Hand-built Force Extracts for these tests: the fixtures of tests/extract/handmade_fixtures.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "extract"))
from handmade_fixtures import _private_data_dir, make_extract  # noqa: E402,F401
