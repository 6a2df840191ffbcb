"""Settings for Bostøtte, read from the environment. See README.md, "Configuration"."""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from housingfirst.config import (
    database_from_url,
    default_sqlite_url,
    development_cpr_keys,
    env_bool,
    env_int,
    env_list,
)

BASE_DIR = Path(__file__).resolve().parent.parent


def _raise_unknown_role(name: str):
    raise ImproperlyConfigured(
        f"TWO_FACTOR_ROLES holds {name!r}; use administrator, team_lead, support_worker, workshop_leader, "
        "comma-separated."
    )


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off. Set DEBUG=true for local development.")
    SECRET_KEY = "django-insecure-local-development-only-3f9a1c7e5b2d4a6c8e0f"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "housingfirst",
    "citizens",
    "interventions",
    "agreements",
    "invoicing",
    "audit",
    "agenda",
    "workshops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "housingfirst.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "housingfirst.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the body (CSRF reads a POST): an oversized body is refused unread.
    "housingfirst.security.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Marks a session verified by a second factor; then holds a user who must give a code on the code page.
    "django_otp.middleware.OTPMiddleware",
    "housingfirst.twofactor.SecondFactorMiddleware",
    "housingfirst.security.PrivateCacheMiddleware",
    "housingfirst.security.RefuseNulBytesMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the login page with the lockout message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "housingfirst.urls"
WSGI_APPLICATION = "housingfirst.wsgi.application"
ASGI_APPLICATION = "housingfirst.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "housingfirst.context_processors.navigation",
                "django.template.context_processors.csp",
                "agenda.context_processors.notifications",
            ],
            "builtins": ["housingfirst.templatetags.hf"],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL") or default_sqlite_url(BASE_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "housingfirst.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes, housingfirst/signin.py): after LOGIN_FAILURE_LIMIT wrong passwords for
# one user name, or from one address, within LOGIN_LOCKOUT_MINUTES, that name or address is refused
# until the minutes have passed since its last failure or an administrator lifts the lockout
# (Administration → Lockouts). The check runs before the password is hashed, so a flood of guesses
# costs the server nothing.
AUTHENTICATION_BACKENDS = [
    "housingfirst.signin.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The failures are forgotten when a login is complete: after the second factor where one is asked for
# (housingfirst/twofactor.py), so wrong codes after a right password keep counting.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "housingfirst.signin.lockout_response"
AXES_VERBOSE = False
# Behind PROXY_COUNT proxies the client's address is read from X-Forwarded-For (README, "Production");
# with none, REMOTE_ADDR. Wrong here, every login would share the proxy's address and lockout.
LOGIN_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "housingfirst.signin.client_ip"
# Two-factor sign-in (housingfirst/twofactor.py): a code from an authenticator app after the password,
# required for superusers and these roles, offered to the others; TWO_FACTOR_FOR_ALL requires it of everyone.
# The role groups' names (housingfirst/roles.py, which cannot be imported before the apps are loaded).
_TWO_FACTOR_ROLE_NAMES = {
    "administrator": "Administrator",
    "team_lead": "Teamleder",
    "support_worker": "Bostøttemedarbejder",
    "workshop_leader": "Værkstedsleder",
}
TWO_FACTOR_ROLES = [
    _TWO_FACTOR_ROLE_NAMES[name]
    for name in env_list("TWO_FACTOR_ROLES", ["administrator", "team_lead"])
    if name in _TWO_FACTOR_ROLE_NAMES or _raise_unknown_role(name)
]
TWO_FACTOR_FOR_ALL = env_bool("TWO_FACTOR_FOR_ALL", False)
OTP_TOTP_ISSUER = "Bostøtte"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions live in the database so any worker behind the load balancer can serve any request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["housingfirst.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded documents hold personal data: they are served only through permission-checked views,
# never from a public MEDIA_URL.
MEDIA_URL = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads above this size are refused with a message (plans, consents, signed agreements).
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest form (an action plan with 30 goals) has under 250 fields and one file; a request with more is
# refused with the 400 page before a form is built, so it costs a worker next to nothing.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Slow work (documents, sending invoices, reports, daily jobs) runs on the task queue. django-tasks-db keeps
# the queue in the database, so any number of `manage.py db_worker` processes on any machine take work
# from it. TASK_BACKEND=immediate runs each task at once in the process that enqueues it (the tests do).
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_task_backend = os.environ.get("TASK_BACKEND", "database")
if _task_backend not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {_task_backend!r}.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[_task_backend], "QUEUES": ["default", "documents"]}}
# A task still "running" after this long is taken to be lost with its worker and is queued again.
TASK_STALE_MINUTES = env_int("TASK_STALE_MINUTES", 15)
# Files made for a user (reports, exports) hold personal data: deleted after this many days.
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)
# Tasks `manage.py run_daily` enqueues once a day (dotted paths; each takes the day as an ISO date and is
# safe to run twice). Add a job here, not a cron line: see housingfirst/daily.py.
DAILY_JOBS = [
    "housingfirst.daily.start_planned_courses",
    "housingfirst.daily.remind_follow_ups",
    "housingfirst.daily.remind_expiring_consents",
    "housingfirst.daily.prune_exports",
    "citizens.tasks.anonymise_due_citizens",
]

# Retention (issue 11): a citizen is anonymised this many years after the last intervention ended, the
# time the bookkeeping rules keep invoices. Invoices themselves are kept as issued.
CITIZEN_RETENTION_YEARS = env_int("CITIZEN_RETENTION_YEARS", 5)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Caseload caps (method fidelity): citizens per worker. DOMAIN.md, "The three methods".
CASELOAD_CAP_CTI = env_int("CASELOAD_CAP_CTI", 12)
CASELOAD_CAP_ICM = env_int("CASELOAD_CAP_ICM", 8)

# The agreement form: an agreed return to the shelter is paid at the shelter's day rate, and support
# hours logged during the stay are not billed as well, unless the provider's agreement says they are.
BILL_SUPPORT_DURING_SHELTER_STAY = env_bool("BILL_SUPPORT_DURING_SHELTER_STAY", False)

# E-mail (invoices to municipalities). The demo prints mail to the console; production sets SMTP.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_mail_options = {}
if EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND, "OPTIONS": _mail_options}}
del EMAIL_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "bostotte@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env_list("ADMINS", [])]
# Error e-mails carry no query values, request bodies, file names or local values (housingfirst/error_reports.py).
DEFAULT_EXCEPTION_REPORTER = "housingfirst.error_reports.PersonalDataReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "housingfirst.error_reports.PersonalDataFilter"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Content-Security-Policy in every mode, so a page that breaks it breaks in development too.
from housingfirst.security import CONTENT_SECURITY_POLICY  # noqa: E402

SECURE_CSP = CONTENT_SECURITY_POLICY

# CPR numbers are encrypted at rest (citizens/crypto.py). Each list is `id:base64key`, newest first; the
# older keys only decrypt until `manage.py rotate_cpr_keys` has moved every row. README, "CPR keys".
CPR_ENCRYPTION_KEYS = env_list("CPR_ENCRYPTION_KEYS", [])
CPR_HMAC_KEYS = env_list("CPR_HMAC_KEYS", [])
if not (CPR_ENCRYPTION_KEYS and CPR_HMAC_KEYS):
    if not DEBUG:
        raise ImproperlyConfigured(
            "CPR_ENCRYPTION_KEYS and CPR_HMAC_KEYS must be set when DEBUG is off; "
            "make them with `manage.py generate_cpr_key` (README, 'CPR keys')."
        )
    CPR_ENCRYPTION_KEYS, CPR_HMAC_KEYS = development_cpr_keys(BASE_DIR / ".cpr-dev-keys.json")

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

_log_format = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if _log_format not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {_log_format!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    # LOG_FORMAT=json (the default without DEBUG): one JSON object per line; text reads better in a terminal.
    "formatters": {
        "json": {"()": "housingfirst.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _log_format}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The request line of housingfirst.logs says the same, with the user's id and the time.
        "django.server": {"level": "WARNING"},
        # WeasyPrint and fontTools report every step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
