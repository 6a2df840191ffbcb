import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from housingfirst.config import database_from_url, env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


def test_postgres_url_is_parsed():
    config = database_from_url("postgres://bo:secret@db.example:5433/bostotte")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == ("bostotte", "db.example", 5433, "bo")


def test_sqlite_url_is_parsed():
    config = database_from_url("sqlite:////tmp/demo.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/tmp/demo.sqlite3"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "scheme 'mysql' is not supported"),
        ("localhost:5432/db", "scheme '(none)' is not supported"),
        ("postgres://postgres@127.0.0.1:5432/", "names no database"),
        ("postgres://postgres@127.0.0.1:notaport/db", "could not be read"),
    ],
)
def test_bad_database_url_gives_a_clear_error(url, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        database_from_url(url)


def test_booleans_and_numbers_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        env_bool("FLAG", False)
    monkeypatch.setenv("COUNT", "twelve")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        env_int("COUNT", 12)


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_configuration_passes_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-production-secret-key-with-many-different-characters-0123456789",
        ALLOWED_HOSTS="bostotte.example.dk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_database_url_stops_manage_py_with_the_message():
    result = _manage("check", DEBUG="true", DATABASE_URL="mysql://root@localhost/db")
    assert result.returncode != 0
    assert "DATABASE_URL must look like" in result.stderr


def test_the_two_factor_roles_setting_names_the_role_groups():
    from django.conf import settings

    from housingfirst import roles

    assert settings.TWO_FACTOR_ROLES == [roles.ADMINISTRATOR, roles.TEAM_LEAD]
    from housingfirst.settings import _TWO_FACTOR_ROLE_NAMES

    assert set(_TWO_FACTOR_ROLE_NAMES.values()) == set(roles.ROLES)
