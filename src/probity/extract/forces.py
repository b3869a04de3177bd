"""Several extracts in one run (`probity scan|link E1 E2 ... --out-dir DIR`): one per force."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from probity.errors import UsageError


def extracts_by_force(extract_dirs: Sequence[Path], out_dir: Path) -> dict[str, Path]:
    """Each extract's force code, checked before anything is read or written: distinct codes
    (outputs go to OUT_DIR/<code>, and ids are only unique within a force), each usable as a
    directory name, and an existing output directory."""
    from probity.extract import open_extract

    if not out_dir.is_dir():
        raise UsageError(f"--out-dir {out_dir} does not exist")
    codes: dict[str, Path] = {}
    for path in extract_dirs:
        with open_extract(path) as extract:
            code = extract.force_code
        if code in codes:
            raise UsageError(f"{path} and {codes[code]} are both force {code!r}: one extract "
                             f"per force")
        if not code.replace("-", "").replace("_", "").isalnum():
            raise UsageError(f"{path}: force_code {code!r} cannot name a directory")
        codes[code] = path
    return codes
