"""Secret scan of every file git tracks (detect-secrets); exits 1 naming each finding.

    .venv/bin/python scripts/secret_scan.py [ROOT]

Suppressions are inline: a `pragma: allowlist secret` comment on the line, followed by the
reason in brackets (test-only passwords, choice labels...). Excluded, with the reason:
src/probity/web/static/govuk/ holds the vendored, minified GOV.UK Frontend (third-party
code, not ours; its version is pinned in docs/decisions/0031-govuk-frontend-assets.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXCLUDE = r"^src/probity/web/static/govuk/"


def findings(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, kind) for every suspected secret under `root` (a git work tree)."""
    exe = Path(sys.executable).with_name("detect-secrets")
    out = subprocess.run([str(exe), "scan", "--exclude-files", EXCLUDE], cwd=root,
                         capture_output=True, text=True, check=True).stdout
    results = json.loads(out)["results"]
    return sorted((name, int(hit["line_number"]), str(hit["type"]))
                  for name, hits in results.items() for hit in hits)


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    found = findings(root)
    for name, line, kind in found:
        print(f"secret scan: {name}:{line}: {kind} (remove it, or if it is not a secret add "
              f"'pragma: allowlist secret (reason)' on that line)")
    if not found:
        print("secret scan: no secrets in tracked files")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
