"""Breached-password check (ASVS 6.2.12) against a Pwned Passwords style file, offline."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from probity.web.accounts.breached import BreachedPasswordValidator, breached_hash_in_file

BREACHED = ["correct horse battery staple", "Summer2024!Summer", "letmein-letmein-99"]


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest().upper()  # noqa: S324


def _list_file(path: Path, passwords: list[str], filler: int = 3000) -> Path:
    rng = random.Random(5)
    hashes = {_sha1(p) for p in passwords} | {f"{rng.getrandbits(160):040X}" for _ in range(filler)}
    lines = [f"{h}:{rng.randint(1, 99999)}" for h in sorted(hashes)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())  # the download's line ends
    return path


def test_every_line_is_found_and_nothing_else(tmp_path: Path) -> None:
    path = _list_file(tmp_path / "pwned.txt", BREACHED)
    lines = path.read_text().split()
    for line in lines[:50] + lines[-50:] + lines[::97]:  # first, last and spread
        assert breached_hash_in_file(path, line[:40])
    for n in range(200):
        assert not breached_hash_in_file(path, _sha1(f"not in the list {n}"))
    assert not breached_hash_in_file(path, "0" * 40) and not breached_hash_in_file(path, "F" * 40)
    assert breached_hash_in_file(path, lines[0][:40].lower())  # digests in any case


def test_single_line_and_empty_files(tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_text(f"{_sha1('only')}:3\n")
    assert breached_hash_in_file(one, _sha1("only")) and not breached_hash_in_file(one, _sha1("x"))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert not breached_hash_in_file(empty, _sha1("only"))


def test_breached_passwords_are_refused_by_the_validators(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PROBITY_BREACHED_PASSWORDS_FILE = str(_list_file(tmp_path / "pwned.txt", BREACHED))
    with pytest.raises(ValidationError) as info:
        validate_password("correct horse battery staple")
    assert "data breach" in str(info.value)
    validate_password("an unbreached and long passphrase 7731")  # no error
    assert BreachedPasswordValidator().path == Path(settings.PROBITY_BREACHED_PASSWORDS_FILE)


def test_without_a_list_nothing_extra_is_refused_and_a_missing_file_fails_the_check(
        settings) -> None:  # type: ignore[no-untyped-def]
    from probity.web.accounts.breached import breached_list_check

    settings.PROBITY_BREACHED_PASSWORDS_FILE = None
    validate_password("correct horse battery staple")  # not in Django's common list either
    assert breached_list_check() == []
    settings.PROBITY_BREACHED_PASSWORDS_FILE = "/nonexistent/pwned.txt"
    assert [m.id for m in breached_list_check()] == ["probity.E001"]
