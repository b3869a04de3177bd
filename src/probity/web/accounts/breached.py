"""Refuse passwords that appear in a breached-password list (ASVS 6.2.12), offline.

The list is the file that Have I Been Pwned publishes for download ("Pwned Passwords",
SHA-1, ordered by hash: one `HASH:COUNT` line per password, upper-case hex), named by
PROBITY_BREACHED_PASSWORDS_FILE. A force downloads it once (about 40 GB) and refreshes it when
it likes; no password, and no part of its hash, ever leaves the server. The file is searched
by bisection on byte offsets: some 36 reads for the full list, no index to build.

Without the setting, only Django's list of 20,000 common passwords applies; a setting that names
no file fails the deployment check."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError

HASH_LENGTH = 40


def _line_from(handle: BinaryIO, offset: int) -> bytes:
    """The first whole line that starts at `offset` or after it (b"" at the end)."""
    if offset:
        handle.seek(offset - 1)
        handle.readline()  # to the start of the next line (or stays, if offset starts one)
    else:
        handle.seek(0)
    return handle.readline()


def breached_hash_in_file(path: Path, digest: str) -> bool:
    """Is this upper-case SHA-1 hex digest a line of the sorted HASH:COUNT file?"""
    target = digest.upper().encode("ascii")
    with path.open("rb") as handle:
        low, high = 0, path.stat().st_size
        while low < high:
            middle = (low + high) // 2
            line = _line_from(handle, middle)
            if not line or line[:HASH_LENGTH].upper() >= target:
                high = middle
            else:
                low = middle + 1
        return _line_from(handle, low)[:HASH_LENGTH].upper() == target


class BreachedPasswordValidator:
    """A Django password validator: refuses a password found in the breached-password file."""

    def __init__(self, path: str | None = None) -> None:
        self._path = path  # else the setting, read at each check (validators are cached)

    @property
    def path(self) -> Path | None:
        configured = self._path or getattr(settings, "PROBITY_BREACHED_PASSWORDS_FILE", None)
        return Path(configured) if configured else None

    def validate(self, password: str, user: Any = None) -> None:
        path = self.path
        if path is None:
            return
        digest = hashlib.sha1(password.encode("utf-8")).hexdigest()  # noqa: S324 (the list's format)
        if breached_hash_in_file(path, digest):
            raise ValidationError(
                "This password has appeared in a data breach. Choose a different one.",
                code="password_breached")

    def get_help_text(self) -> str:
        return "Your password must not be one that has appeared in a data breach."


def breached_list_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """A deployment check: a configured breached-password list must exist (without one, only
    Django's common-password list applies: docs/security.md says so)."""
    from django.core import checks

    configured = getattr(settings, "PROBITY_BREACHED_PASSWORDS_FILE", None)
    if configured and not Path(configured).is_file():
        return [checks.Error(f"PROBITY_BREACHED_PASSWORDS_FILE {configured}: no such file",
                             hint="Download the Pwned Passwords SHA-1 file, ordered by hash.",
                             id="probity.E001")]
    return []
