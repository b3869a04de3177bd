"""The secret scan in scripts/test.sh finds a planted secret and honours reasoned suppressions."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "secret_scan", Path(__file__).resolve().parents[2] / "scripts" / "secret_scan.py")
assert _SPEC and _SPEC.loader
secret_scan = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(secret_scan)


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    return tmp_path


def test_planted_secret_is_found(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"settings.py": 'AWS_KEY = "AKIAIOSFODNN7EXAMPLE"\n',  # pragma: allowlist secret (planted fake)
                            "ok.py": "x = 1\n"})
    found = secret_scan.findings(root)
    assert [(f, line) for f, line, _ in found] == [("settings.py", 1)]


def test_reasoned_suppression_and_vendored_files_are_not_findings(tmp_path: Path) -> None:
    root = _repo(tmp_path, {
        "t.py": 'password = "hunter2-but-long"  # pragma: allowlist secret (test password)\n',
        "src/probity/web/static/govuk/x.js":
            'var password="abcdefgh12345678";\n'})  # pragma: allowlist secret (planted fake)
    assert secret_scan.findings(root) == []
