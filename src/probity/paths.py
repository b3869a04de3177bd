"""Where Probity keeps its files: PROBITY_DATA_DIR, or a per-user default."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The data directory (database, trained models, demo force). Created on first use."""
    configured = os.environ.get("PROBITY_DATA_DIR")
    if configured:
        path = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "probity"
    path.mkdir(parents=True, exist_ok=True)
    return path
