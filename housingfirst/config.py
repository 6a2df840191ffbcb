"""Reading settings from the environment (12-factor), with clear errors for bad values."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}
SUPPORTED_DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "sqlite")


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def database_from_url(url: str) -> dict:
    """Parse DATABASE_URL; say plainly what is wrong instead of failing deep inside Django."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in SUPPORTED_DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            "DATABASE_URL must look like postgres://user:password@host:5432/name "
            f"or sqlite:///path/to/db.sqlite3; the scheme {scheme or '(none)'!r} is not supported."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL could not be read: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (the part after the last '/').")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite is for the demo and quick tests; keep connections short-lived.
        config["CONN_MAX_AGE"] = 0
    return config


def default_sqlite_url(base_dir: Path) -> str:
    return f"sqlite:///{base_dir / 'db.sqlite3'}"


def development_cpr_keys(path: Path) -> tuple[list[str], list[str]]:
    """Keys for local development only (DEBUG): made once, kept in a git-ignored file beside the code.

    Production sets CPR_ENCRYPTION_KEYS and CPR_HMAC_KEYS in the environment; see README, "CPR keys".
    """
    import base64
    import json
    import secrets

    if not path.exists():
        def key():
            return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

        path.write_text(json.dumps({"encryption": [f"dev1:{key()}"], "hmac": [f"dev1:{key()}"]}))
        path.chmod(0o600)
    stored = json.loads(path.read_text())
    return stored["encryption"], stored["hmac"]
