# SPDX-License-Identifier: EUPL-1.2
"""Settings of a node, read from environment variables (see docs/configuration.md)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def env(name: str, default: str = "") -> str:
    """A setting from the environment, or from the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    return env(name, default).strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(env("INTERSCAMBIO_DATA_DIR", "data")).resolve()

NODE_ROLE = env("INTERSCAMBIO_ROLE", "comune").strip().lower()
if NODE_ROLE not in {"comune", "questura"}:
    raise RuntimeError(f"INTERSCAMBIO_ROLE must be 'comune' or 'questura', not {NODE_ROLE!r}")
# A Comune is named by its ISTAT code (001272 is Torino), a Questura by its province code.
NODE_ID = env("INTERSCAMBIO_NODE_ID", "001272" if NODE_ROLE == "comune" else "TO")
NODE_NAME = env(
    "INTERSCAMBIO_NODE_NAME", "Torino" if NODE_ROLE == "comune" else "Questura di Torino"
)


def _secret_key() -> str:
    configured = env("DJANGO_SECRET_KEY")
    if configured:
        return configured
    # A local node without a configured key keeps a generated one in its data folder,
    # so sessions survive restarts; production sets DJANGO_SECRET_KEY(_FILE).
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = envbool("DJANGO_DEBUG", "False")
ALLOWED_HOSTS = [h for h in env("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "interscambio.node",
    "interscambio.registry",
    "interscambio.permits",
    "interscambio.exchange",
    "interscambio.reconciliation",
    "interscambio.audit",
    "interscambio.access",
    "interscambio.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "interscambio.project.urls"
WSGI_APPLICATION = "interscambio.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_sqlite_url = f"sqlite:///{DATA_DIR / 'interscambio.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", _sqlite_url), conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0"))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the portal read while a long import writes; the timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano"), ("en", "English")]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("INTERSCAMBIO_LOG_LEVEL", "WARNING")},
}

# The exchange (docs/configuration.md): days of grace before a partner's flow counts as late,
# how far partner clocks may drift, and how large a flow this node accepts over the API.
EXCHANGE_GRACE_DAYS = {
    "anagrafe": int(env("INTERSCAMBIO_GRACE_DAYS_ANAGRAFE", "5")),
    "permessi": int(env("INTERSCAMBIO_GRACE_DAYS_PERMESSI", "10")),
}
EXCHANGE_CLOCK_TOLERANCE_SECONDS = int(env("INTERSCAMBIO_CLOCK_TOLERANCE_SECONDS", "300"))
EXCHANGE_MAX_FLOW_BYTES = int(env("INTERSCAMBIO_MAX_FLOW_BYTES", str(4 * 1024**3)))
EXCHANGE_HTTP_TIMEOUT_SECONDS = int(env("INTERSCAMBIO_HTTP_TIMEOUT_SECONDS", "600"))

# Reconciliation (docs/reconciliation.md): run after each partner flow; renewals the Questura
# reported are applied to the registry or proposed to an operator; a renewal through the
# exchange also counts as the habitual-dwelling declaration; linkage and expiry thresholds.
RECONCILE_AFTER_FLOW = envbool("INTERSCAMBIO_RECONCILE_AFTER_FLOW", "true")
RECONCILE_RENEWALS = env("INTERSCAMBIO_RENEWALS", "propose").strip().lower()
if RECONCILE_RENEWALS not in {"apply", "propose"}:
    raise RuntimeError(
        f"INTERSCAMBIO_RENEWALS must be 'apply' or 'propose', not {RECONCILE_RENEWALS!r}"
    )
RECONCILE_DWELLING_FROM_EXCHANGE = envbool("INTERSCAMBIO_DWELLING_FROM_EXCHANGE", "true")
RECONCILE_LINK_THRESHOLD = float(env("INTERSCAMBIO_LINK_THRESHOLD", "0.5"))
RECONCILE_APPLY_SCORE = float(env("INTERSCAMBIO_RENEWAL_MIN_SCORE", "0.99"))
RECONCILE_EXPIRED_GRACE_DAYS = int(env("INTERSCAMBIO_EXPIRED_GRACE_DAYS", "60"))

# The access log (docs/audit-log.md): minutes between signed tree heads (`audit head --if-due`).
AUDIT_HEAD_INTERVAL_MINUTES = int(env("INTERSCAMBIO_AUDIT_HEAD_INTERVAL_MINUTES", "60"))
