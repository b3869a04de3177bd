"""Settings fail fast: production without a secret key, wildcard hosts; deploy checks pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("PROBITY_")
             and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    clean.update({"PROBITY_DATA_DIR": str(tmp_path),
                  "DJANGO_SETTINGS_MODULE": "probity.web.config.settings", **env})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=clean, timeout=120)


SETUP = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY[:4])"


def test_production_without_secret_key_fails_with_clear_message(tmp_path: Path) -> None:
    result = _run(SETUP, tmp_path, PROBITY_ENV="production")
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert "PROBITY_SECRET_KEY is not set" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_probity_cli_reports_missing_secret_key_cleanly(tmp_path: Path) -> None:
    probity = Path(sys.executable).with_name("probity")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PROBITY_")}
    clean.update({"PROBITY_DATA_DIR": str(tmp_path), "PROBITY_ENV": "production"})
    result = subprocess.run([str(probity), "manage", "check"], capture_output=True, text=True,
                            env=clean, timeout=120)
    assert result.returncode == 3
    assert "PROBITY_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_generates_one_secret_key_per_data_dir(tmp_path: Path) -> None:
    first = _run(SETUP, tmp_path)
    second = _run(SETUP, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0


def test_wildcard_allowed_hosts_is_refused(tmp_path: Path) -> None:
    result = _run(SETUP, tmp_path, PROBITY_ALLOWED_HOSTS="*")
    assert result.returncode != 0 and "contains '*'" in result.stderr


def test_database_url_selects_postgresql_and_default_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    code = ("import django; django.setup(); from django.conf import settings; "
            "d = settings.DATABASES['default']; print(d['ENGINE'], d['NAME'])")
    sqlite = _run(code, tmp_path)
    assert sqlite.stdout.split() == ["django.db.backends.sqlite3",
                                     str(tmp_path / "probity.sqlite3")]
    pg = _run(code, tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:5432/probity")
    assert pg.stdout.split() == ["django.db.backends.postgresql", "probity"]


def test_production_deploy_check_passes_with_secret_and_hosts(tmp_path: Path) -> None:
    code = ("import sys; from django.core.management import execute_from_command_line; "
            "execute_from_command_line(['x', 'check', '--deploy', '--fail-level', 'WARNING'])")
    result = _run(code, tmp_path, PROBITY_ENV="production",
                  PROBITY_SECRET_KEY="k" * 20 + "-Zq9!x" * 10,
                  PROBITY_ALLOWED_HOSTS="probity.force.example")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
