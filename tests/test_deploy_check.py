"""Django's deployment checklist (`check --deploy`) passes with the production environment."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import cli_env


def test_production_settings_pass_the_deploy_checks(tmp_path) -> None:
    env = cli_env(
        MEEDOEN_ENVIRONMENT="production",
        DATABASE_URL="postgresql://meedoen@db.invalid:5432/meedoen",
        SECRET_KEY="a-production-key-" + "k" * 50,
        MEEDOEN_HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="meedoen.conf.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_sqlite(tmp_path) -> None:
    env = cli_env(
        MEEDOEN_ENVIRONMENT="production",
        SECRET_KEY="a-production-key-" + "k" * 50,
        MEEDOEN_HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="meedoen.conf.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "production needs PostgreSQL" in result.stderr
