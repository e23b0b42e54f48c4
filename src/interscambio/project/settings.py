# SPDX-License-Identifier: EUPL-1.2
"""Settings of a node, read from environment variables (see docs/configuration.md)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from interscambio.operations import logs


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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "bootstrap_italia_template",
    "interscambio.node",
    "interscambio.registry",
    "interscambio.permits",
    "interscambio.exchange",
    "interscambio.reconciliation",
    "interscambio.audit",
    "interscambio.access",
    "interscambio.api",
    "interscambio.portal",
    "interscambio.demo",
    "interscambio.operations",
    "interscambio.notices",
    "interscambio.deadlines",
    "interscambio.prefill",
    "interscambio.report",
]

MIDDLEWARE = [
    # First, so that it times and labels everything below it (docs/operations.md).
    "interscambio.operations.requests.middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "interscambio.portal.middleware.security_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language, login and messages middleware are passed over for /api/ (portal/
    # middleware.py says why); the session and CSRF ones are cheap, and the deploy checks look
    # for them by name.
    "interscambio.portal.middleware.Locale",
    "interscambio.portal.middleware.Common",
    "django.middleware.csrf.CsrfViewMiddleware",
    "interscambio.portal.middleware.Authentication",
    "interscambio.portal.middleware.SecondFactor",
    "interscambio.portal.middleware.Messages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "interscambio.portal.context.portal",
            ],
        },
    },
]

_sqlite_url = f"sqlite:///{DATA_DIR / 'interscambio.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", _sqlite_url),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
        # A connection kept open is checked before a request uses it: after a failover to the
        # standby the first request finds a new connection instead of failing.
        conn_health_checks=envbool("DATABASE_CONN_HEALTH_CHECKS", "true"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the portal read while a long import writes; the timeout rides out short locks;
    # IMMEDIATE transactions take the write lock up front, so that two requests that read then
    # write (an API call and its log entry) wait their turn instead of failing as "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano"), ("en", "English")]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# The portal's CSS, scripts and fonts are served by the node itself (WhiteNoise), from the
# installed packages: no CDN, no download at run time.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "portal" / "locale"]

# Login (docs/portal.md): local accounts with a mandatory second factor (TOTP), lockout after
# repeated failures, a session that ends when idle, strong passwords; OIDC by configuration.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(env("INTERSCAMBIO_PASSWORD_MIN_LENGTH", "12"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 60 * int(env("INTERSCAMBIO_SESSION_IDLE_MINUTES", "15"))
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_SECURE = envbool("INTERSCAMBIO_SECURE_COOKIES", "true")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = int(env("INTERSCAMBIO_HSTS_SECONDS", "0"))
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("INTERSCAMBIO_BEHIND_PROXY", "false") else None
)
# For `check --deploy` (docs/deploy.md). A node has a host name of its own, so HSTS may cover
# its subdomains (security.W005); behind the TLS proxy plain http is redirected to https
# (security.W008), except the probes called on 127.0.0.1:8000 from the machine itself.
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_SSL_REDIRECT = SECURE_PROXY_SSL_HEADER is not None
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
OTP_TOTP_ISSUER = f"interscambio {NODE_NAME}"
AXES_FAILURE_LIMIT = int(env("INTERSCAMBIO_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("INTERSCAMBIO_LOCKOUT_MINUTES", "30")))
# Per account, not per address: an office's staff share one address behind its NAT, and five
# mistakes by one clerk must not lock out the whole office (axes' W006 warns of exactly that).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# HSTS preloading is for the owner of the whole domain (the Comune's), not one node's host.
SILENCED_SYSTEM_CHECKS += ["security.W021"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "interscambio.portal.views.login.locked_out"
AXES_VERBOSE = False

# An external identity provider (OpenID Connect), when configured: docs/portal.md.
OIDC_ENABLED = bool(env("INTERSCAMBIO_OIDC_ISSUER"))
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("interscambio.portal.oidc.Backend")
    _ISSUER = env("INTERSCAMBIO_OIDC_ISSUER").rstrip("/")
    OIDC_RP_CLIENT_ID = env("INTERSCAMBIO_OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env("INTERSCAMBIO_OIDC_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = env("INTERSCAMBIO_OIDC_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env(
        "INTERSCAMBIO_OIDC_AUTHORIZATION_ENDPOINT", f"{_ISSUER}/authorize"
    )
    OIDC_OP_TOKEN_ENDPOINT = env("INTERSCAMBIO_OIDC_TOKEN_ENDPOINT", f"{_ISSUER}/token")
    OIDC_OP_USER_ENDPOINT = env("INTERSCAMBIO_OIDC_USER_ENDPOINT", f"{_ISSUER}/userinfo")
    OIDC_OP_JWKS_ENDPOINT = env("INTERSCAMBIO_OIDC_JWKS_ENDPOINT", f"{_ISSUER}/jwks")
    OIDC_RP_SCOPES = env("INTERSCAMBIO_OIDC_SCOPES", "openid email profile")
    OIDC_CREATE_USER = False  # an account exists only once an administrator authorized it
    OIDC_USERNAME_CLAIM = env("INTERSCAMBIO_OIDC_USERNAME_CLAIM", "preferred_username")
    LOGIN_REDIRECT_URL_FAILURE = "portal:login"

# The portal's contacts: the privacy notice's data controller and security.txt's contact.
PRIVACY_CONTROLLER = env("INTERSCAMBIO_PRIVACY_CONTROLLER", f"Comune di {NODE_NAME}")
PRIVACY_CONTACT = env("INTERSCAMBIO_PRIVACY_CONTACT", "rpd@comune.example.it")
SECURITY_CONTACT = env("INTERSCAMBIO_SECURITY_CONTACT", "mailto:security@comune.example.it")

# Logs on stderr, one JSON object a line with the request id (docs/operations.md).
LOGGING = logs.config(
    env("INTERSCAMBIO_LOG_LEVEL", "WARNING"),
    env("INTERSCAMBIO_LOG_FORMAT", "json").strip().lower(),
    envbool("INTERSCAMBIO_LOG_REQUESTS", "true"),
)
# /metrics answers loopback callers, or any caller with this token as its bearer.
METRICS_TOKEN = env("INTERSCAMBIO_METRICS_TOKEN", "")

# The exchange (docs/configuration.md): days of grace before a partner's flow counts as late,
# how far partner clocks may drift, and how large a flow this node accepts over the API.
EXCHANGE_GRACE_DAYS = {
    "anagrafe": int(env("INTERSCAMBIO_GRACE_DAYS_ANAGRAFE", "5")),
    "permessi": int(env("INTERSCAMBIO_GRACE_DAYS_PERMESSI", "10")),
}
EXCHANGE_CLOCK_TOLERANCE_SECONDS = int(env("INTERSCAMBIO_CLOCK_TOLERANCE_SECONDS", "300"))
EXCHANGE_MAX_FLOW_BYTES = int(env("INTERSCAMBIO_MAX_FLOW_BYTES", str(4 * 1024**3)))
EXCHANGE_HTTP_TIMEOUT_SECONDS = int(env("INTERSCAMBIO_HTTP_TIMEOUT_SECONDS", "600"))

# Retention (docs/operations.md): days after a flow closed before its file goes (its records are
# in the database, its hash and signature stay), before its receipt goes, and after a
# discrepancy was resolved before it goes with its history.
RETAIN_FLOW_FILES_DAYS = int(env("INTERSCAMBIO_RETAIN_FLOW_FILES_DAYS", "400"))
RETAIN_RECEIPTS_DAYS = int(env("INTERSCAMBIO_RETAIN_RECEIPTS_DAYS", "1830"))
RETAIN_RESOLVED_DISCREPANCIES_DAYS = int(
    env("INTERSCAMBIO_RETAIN_RESOLVED_DISCREPANCIES_DAYS", "730")
)
# Days an access log entry is kept before `purge` prunes it behind a signed checkpoint
# (docs/audit-log.md): 24 months, the Garante's minimum for logs of access to sensitive records,
# and a month. 0 or empty: never prune.
RETAIN_AUDIT_DAYS = int(env("INTERSCAMBIO_RETAIN_AUDIT_DAYS", "760").strip() or "0")

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

# The deadlines engine (docs/deadlines.md): a permit is "in scadenza" this many days before it
# expires. The grace after the expiry and the dwelling rule are the reconciliation's above.
DEADLINES_EXPIRING_DAYS = int(env("INTERSCAMBIO_DEADLINES_EXPIRING_DAYS", "60"))

# The supervisor's anomaly reports (docs/portal.md): reads on a public holiday are off hours all
# day; with a province's code (e.g. TO) its patron saint's day is a holiday too.
ANOMALIES_HOLIDAYS_PROVINCE = env("INTERSCAMBIO_HOLIDAYS_PROVINCE", "").strip().upper()

# The portal's CSV and XLSX downloads (docs/portal.md): the most rows one file may hold; a list
# longer than that is refused with a request to narrow the filters, rather than built in memory.
EXPORT_MAX_ROWS = int(env("INTERSCAMBIO_EXPORT_MAX_ROWS", "100000"))

# The access log (docs/audit-log.md): minutes between signed tree heads (`audit head --if-due`).
AUDIT_HEAD_INTERVAL_MINUTES = int(env("INTERSCAMBIO_AUDIT_HEAD_INTERVAL_MINUTES", "60"))

# The consultation platform (docs/consultation.md): the purposes a consultation may give, as
# "code:label" pairs separated by ";", and what a case reference looks like.
_PURPOSES = env(
    "INTERSCAMBIO_PURPOSES",
    "rinnovo_permesso:Istruttoria di rinnovo del permesso di soggiorno;"
    "rilascio_permesso:Istruttoria di rilascio del permesso di soggiorno;"
    "verifica_domicilio:Verifica del domicilio dichiarato;"
    "ricongiungimento:Ricongiungimento familiare;"
    "cittadinanza:Istruttoria per la cittadinanza;"
    "allineamento:Allineamento dei dati tra Comune e Questura",
)
CONSULTATION_PURPOSES = dict(
    (code.strip(), label.strip())
    for code, _, label in (p.partition(":") for p in _PURPOSES.split(";") if p.strip())
)
CONSULTATION_CASE_PATTERN = env(
    "INTERSCAMBIO_CASE_REFERENCE_PATTERN", r"[A-Za-z0-9][A-Za-z0-9/._-]{2,99}"
)

# The discrepancy work queue (docs/queue.md): the outcomes a discrepancy is resolved with, as
# "code:label" pairs separated by ";", and the most discrepancies one bulk action may change.
_QUEUE_OUTCOMES = env(
    "INTERSCAMBIO_QUEUE_OUTCOMES",
    "rinnovo_registrato:Rinnovo registrato in anagrafe;"
    "indirizzo_aggiornato:Indirizzo aggiornato in anagrafe;"
    "dimora_confermata:Dimora abituale confermata;"
    "dati_corretti:Dati anagrafici corretti;"
    "iscrizione_avviata:Procedimento di iscrizione avviato;"
    "cancellazione_avviata:Procedimento di cancellazione avviato;"
    "segnalata_al_partner:Segnalata all'altro ufficio;"
    "nessuna_azione:Verificata, nessuna azione necessaria",
)
QUEUE_OUTCOMES = [
    (code.strip(), label.strip())
    for code, _, label in (p.partition(":") for p in _QUEUE_OUTCOMES.split(";") if p.strip())
]
QUEUE_BULK_MAX = int(env("INTERSCAMBIO_QUEUE_BULK_MAX", "500"))

# The verification API: calls per client per minute (docs/api.md).
VERIFICATION_CALLS_PER_MINUTE = int(env("INTERSCAMBIO_VERIFICATION_CALLS_PER_MINUTE", "600"))

# Notices to residents (docs/notices.md): the language table's overrides as "COUNTRY:language"
# pairs separated by ";" (ISO 3166-1 alpha-3, a language of notices/languages.py), and the
# office whose name, address and contacts each letter carries.
NOTICES_LANGUAGE_BY_COUNTRY = {
    country.strip().upper(): language.strip().lower()
    for country, _, language in (
        p.partition(":") for p in env("INTERSCAMBIO_NOTICE_LANGUAGES").split(";") if p.strip()
    )
}
NOTICES_LETTERHEAD = env(
    "INTERSCAMBIO_NOTICE_LETTERHEAD", f"Comune di {NODE_NAME}\nServizi Demografici - Anagrafe"
)
NOTICES_OFFICE = env("INTERSCAMBIO_NOTICE_OFFICE", f"Ufficio Anagrafe del Comune di {NODE_NAME}")
NOTICES_OFFICE_ADDRESS = env("INTERSCAMBIO_NOTICE_OFFICE_ADDRESS", "Via della Consolata 23")
NOTICES_OFFICE_PHONE = env("INTERSCAMBIO_NOTICE_OFFICE_PHONE", "011 011 11111")
NOTICES_OFFICE_EMAIL = env("INTERSCAMBIO_NOTICE_OFFICE_EMAIL", "anagrafe@comune.example.it")
NOTICES_OFFICE_HOURS = env("INTERSCAMBIO_NOTICE_OFFICE_HOURS", "lun-ven 9-12")
NOTICES_FONT_DIRS = [p for p in env("INTERSCAMBIO_FONT_DIRS").split(os.pathsep) if p]

# Pre-filled permit applications (docs/prefill.md): the province of the residence address,
# which the registry does not hold (the node's name is the Comune's).
PREFILL_PROVINCE = env("INTERSCAMBIO_PROVINCE", "TO").strip().upper()
