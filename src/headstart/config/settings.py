"""Django settings, read from the environment (see README "Configuration").

Embedded defaults: SQLite and files under $HEADSTART_HOME (./var), console mail.
HEADSTART_ENV=production turns on TLS-only cookies, HSTS and the SSL redirect so that
`manage.py check --deploy` is clean.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from headstart.config.env import ConfigError, env_bool, env_int, env_json_object, env_list, env_path, env_str
from headstart.faces.static_headers import add_security_headers

HOME: Path = env_path("HEADSTART_HOME", "./var")
ENVIRONMENT = env_str("HEADSTART_ENV", "local")
if ENVIRONMENT not in {"local", "production"}:
    raise ConfigError(f"HEADSTART_ENV={ENVIRONMENT!r}: use 'local' or 'production'")
PRODUCTION = ENVIRONMENT == "production"


# SECRET_KEY from the environment, else the one kept in this file (0600), which `headstart init`
# writes (headstart.apps.program.keys). Reading settings writes nothing: `--help` or a command
# on a home without a program must leave the disk alone; until init, a key lives in memory only.
HEADSTART_SECRET_KEY_FILE: Path | None = None if env_str("SECRET_KEY") else HOME / "secret_key"


def _secret_key() -> str:
    if HEADSTART_SECRET_KEY_FILE is None:
        return env_str("SECRET_KEY", "")
    if HEADSTART_SECRET_KEY_FILE.exists():
        return HEADSTART_SECRET_KEY_FILE.read_text().strip()
    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's security-key list page loads its filters
    # django-ninja as an app: the API docs page from its local template and Swagger UI files,
    # served by the project under its CSP (without it ninja loads them from a CDN).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "headstart.apps.audit",
    "headstart.apps.accounts",
    "headstart.apps.program",
    "headstart.apps.partners",
    "headstart.apps.advisories",
    "headstart.apps.notifications",
    "headstart.apps.delivery",
    "headstart.apps.investigations",
    "headstart.apps.readiness",
    "headstart.apps.questions",
    "headstart.faces.portal",
    # After the portal, so that its templates (login, MFA pages in the portal's layout) win.
    "allauth",
    "allauth.account",
    "allauth.mfa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that may answer an API request with an error, so every one is JSON.
    "headstart.faces.api.errors.ApiErrorsAsJson",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "headstart.apps.accounts.middleware.PartnerStatusMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # No page but sign-in and enrolment until the session has passed a second factor.
    "headstart.apps.accounts.middleware.SecondFactorMiddleware",
    "headstart.faces.caching.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "headstart.config.urls"
WSGI_APPLICATION = "headstart.config.wsgi.application"

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

_default_db = f"sqlite:///{HOME / 'headstart.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db) or _default_db, conn_max_age=60)}
# How long a statement waits for a lock another transaction holds before it fails, and a web
# request answers 503 with Retry-After (headstart.faces.busy) instead of hanging.
HEADSTART_DB_LOCK_WAIT_MS = env_int("HEADSTART_DB_LOCK_WAIT_MS", 30_000)
if HEADSTART_DB_LOCK_WAIT_MS < 1:
    raise ConfigError(f"HEADSTART_DB_LOCK_WAIT_MS={HEADSTART_DB_LOCK_WAIT_MS}: must be at least 1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers up front, so the audit chain never forks
    # and a writer waits (timeout) instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": HEADSTART_DB_LOCK_WAIT_MS / 1000,
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options["options"] = f"{_pg_options.get('options', '')} -c lock_timeout={HEADSTART_DB_LOCK_WAIT_MS}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Sign-in with a mandatory second factor (django-allauth: its account and MFA apps; see
# docs/accounts.md). An e-mail address and a password, then a TOTP code, a security key or
# passkey (WebAuthn), or a one-time recovery code. A user without a second factor is sent to
# enrol one on first sign-in (accounts.middleware.SecondFactorMiddleware). No self sign-up.
ACCOUNT_ADAPTER = "headstart.apps.accounts.allauth_adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "headstart.apps.accounts.forms.LoginForm",
                 "reset_password": "headstart.apps.accounts.forms.ResetPasswordForm"}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for an address that is no one's mails nothing
PASSWORD_RESET_TIMEOUT = 2 * 3600  # seconds a reset link works (once)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_REDIRECT_URL = "/login/"
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False  # /login/ shows its form to anyone, as it always has
ACCOUNT_SESSION_REMEMBER = False  # a session ends with the browser, or after HEADSTART_SESSION_SECONDS
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300  # seconds: then a second-factor change asks for the password again
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a new password still needs the second factor to sign in
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Headstart] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# django-axes throttles the password step (below); allauth's counters limit wrong second-factor
# codes (10 a minute per address, 10 in 15 minutes per user) and sign-in posts (30 a minute per
# address, whoever they name).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,10/15m/key", "login": "30/m/ip"}
MFA_ADAPTER = "headstart.apps.accounts.allauth_adapter.MFAAdapter"
MFA_FORMS = {"authenticate": "headstart.apps.accounts.forms.AuthenticateForm",
             "reauthenticate": "headstart.apps.accounts.forms.ReauthenticateForm",
             "activate_totp": "headstart.apps.accounts.forms.ActivateTOTPForm",
             "add_webauthn": "headstart.apps.accounts.forms.AddWebAuthnForm"}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("HEADSTART_TOTP_ISSUER", "Headstart") or "Headstart"
MFA_TOTP_TOLERANCE = 1  # one 30 s step either side, for phones whose clocks drift
MFA_RECOVERY_CODES_SHOW_ONCE = True
MFA_ALLOW_UNVERIFIED_EMAIL = True  # addresses are set by staff and invitations, never by the user
MFA_PASSKEY_LOGIN_ENABLED = False  # a key is a second factor, after the password
# WebAuthn needs HTTPS, except on localhost while developing.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION


def _positive(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ConfigError(f"{name}={value}: must be at least 1")
    return value


# Sign-in throttling (django-axes, on /login/ and /admin/login/): after this many failed
# sign-ins for one e-mail address from one IP address, that pair is locked out for the
# lockout time (every failure during the lockout starts it again). django-axes' backend comes
# first: it refuses a locked-out pair before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
HEADSTART_LOGIN_FAILURE_LIMIT = _positive("HEADSTART_LOGIN_FAILURE_LIMIT", 5)
HEADSTART_LOGIN_LOCKOUT_MINUTES = _positive("HEADSTART_LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = HEADSTART_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=HEADSTART_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form names the e-mail field "username"
AXES_USERNAME_CALLABLE = "headstart.apps.accounts.signin.username_of"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked_out.html"
# The audit chain records every sign-in, failure, sign-out and lockout (accounts.signin);
# django-axes keeps only its counters, and its tables stay out of the admin.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False

# API tokens expire this many days after they are created.
HEADSTART_TOKEN_DAYS = _positive("HEADSTART_TOKEN_DAYS", 90)
# After this many refused bearer tokens from one IP address, every bearer token from there
# gets 429 for this many minutes (counted in the shared cache below, so every worker process
# and every server behind the load balancer counts together).
HEADSTART_TOKEN_REFUSAL_LIMIT = _positive("HEADSTART_TOKEN_REFUSAL_LIMIT", 10)
HEADSTART_TOKEN_REFUSAL_MINUTES = _positive("HEADSTART_TOKEN_REFUSAL_MINUTES", 15)

# "default" is per process (the API's per-caller rate limit: a bound, not a count anyone
# relies on). "shared" is a table in the database (program migration 0002), for counts that
# every process and server must agree on; only refused tokens write to it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "headstart_shared_cache",
               # Large, so that refusals sprayed from many addresses do not cull a throttled one.
               "OPTIONS": {"MAX_ENTRIES": 100_000}},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
MEDIA_ROOT = HOME / "artifacts"
# Prepared packages (signed and encrypted, one per partner and advisory); see
# headstart.apps.delivery.services.store_package.
HEADSTART_PACKAGES_DIR = HOME / "packages"
# Artifacts (the originals) and packages go through Django's storage API: local directories
# by default (0600 files in 0700 directories), or any storage backend, e.g. django-storages'
# "storages.backends.s3.S3Storage", with its options as a JSON object. Several app servers
# share them: one shared directory, or one bucket.
_FILE_SYSTEM = "django.core.files.storage.FileSystemStorage"
HEADSTART_ARTIFACTS_STORAGE = env_str("HEADSTART_ARTIFACTS_STORAGE", _FILE_SYSTEM)
HEADSTART_PACKAGES_STORAGE = env_str("HEADSTART_PACKAGES_STORAGE", _FILE_SYSTEM)


def _storage(backend: str, options: dict[str, Any], location: Path) -> dict[str, Any]:
    if backend == _FILE_SYSTEM:
        options = {"location": str(location), "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700,
                   **options}
    return {"BACKEND": backend, "OPTIONS": options}


STORAGES = {
    "default": _storage(HEADSTART_ARTIFACTS_STORAGE, env_json_object("HEADSTART_ARTIFACTS_STORAGE_OPTIONS"),
                        MEDIA_ROOT),
    "packages": _storage(HEADSTART_PACKAGES_STORAGE, env_json_object("HEADSTART_PACKAGES_STORAGE_OPTIONS"),
                         HEADSTART_PACKAGES_DIR),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_ADD_HEADERS_FUNCTION = add_security_headers

# Artifacts larger than this are refused on input (bytes; default 50 MB).
HEADSTART_MAX_ARTIFACT_BYTES = env_int("HEADSTART_MAX_ARTIFACT_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = HEADSTART_MAX_ARTIFACT_BYTES + 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# Partners' YARA rules under test (headstart.apps.readiness): the largest rule file accepted
# (bytes), and the limits of the child process that compiles and runs it: CPU seconds, address
# space (bytes), and seconds per file scanned.
HEADSTART_READINESS_MAX_RULES_BYTES = _positive("HEADSTART_READINESS_MAX_RULES_BYTES", 256 * 1024)
HEADSTART_READINESS_CPU_SECONDS = _positive("HEADSTART_READINESS_CPU_SECONDS", 20)
HEADSTART_READINESS_MEMORY_BYTES = _positive("HEADSTART_READINESS_MEMORY_BYTES", 1024 * 1024 * 1024)
HEADSTART_READINESS_SCAN_SECONDS = _positive("HEADSTART_READINESS_SCAN_SECONDS", 5)
# A test runs as a `headstart worker` job; the API's POST waits this long for it before answering
# 202 (default: the child's wall limit, 2 x CPU + 5 s, plus 5 s). 0: answer 202 at once.
HEADSTART_READINESS_WAIT_SECONDS = env_int("HEADSTART_READINESS_WAIT_SECONDS",
                                           HEADSTART_READINESS_CPU_SECONDS * 2 + 10)
# Benign files of a PoC's format beside its near misses: files with its extension under these
# directories (comma-separated) that parse under its specification and miss the trigger, at most
# HEADSTART_READINESS_BENIGN_FILES of them, chosen in a fixed order.
HEADSTART_READINESS_BENIGN_DIRS = env_list("HEADSTART_READINESS_BENIGN_DIRS", ["/usr/share"])
HEADSTART_READINESS_BENIGN_FILES = env_int("HEADSTART_READINESS_BENIGN_FILES", 16)

# Carriers (the slots found in each original) kept between processes; see
# headstart.apps.delivery.carrier_store. Safe to delete: they are rebuilt.
HEADSTART_CARRIER_CACHE_DIR = HOME / "cache" / "carriers"
# Django authorises and records a download; the bytes go out as a FileResponse read from the
# packages storage, or are handed to the front server when one is named here: "nginx"
# (X-Accel-Redirect to HEADSTART_SENDFILE_URL followed by the package's storage name: an
# internal location aliasing the packages directory, or proxying to the bucket) or "apache"
# (X-Sendfile with the file's path: packages in a local directory only).
HEADSTART_SENDFILE = env_str("HEADSTART_SENDFILE", "") or ""
if HEADSTART_SENDFILE not in ("", "nginx", "apache"):
    raise ConfigError(f"HEADSTART_SENDFILE={HEADSTART_SENDFILE!r}: use nginx, apache, or leave it unset")
if HEADSTART_SENDFILE == "apache" and HEADSTART_PACKAGES_STORAGE != _FILE_SYSTEM:
    raise ConfigError("HEADSTART_SENDFILE=apache sends a file by its path: it needs packages in a local directory "
                      "(leave HEADSTART_PACKAGES_STORAGE unset), or use nginx")
HEADSTART_SENDFILE_URL = env_str("HEADSTART_SENDFILE_URL", "/_headstart/packages/") or ""
if not (HEADSTART_SENDFILE_URL.startswith("/") and HEADSTART_SENDFILE_URL.endswith("/")):
    raise ConfigError(f"HEADSTART_SENDFILE_URL={HEADSTART_SENDFILE_URL!r}: an absolute URL path ending in /")

# Investigations: the family-wise p-value at or below which a partner is accused (checked
# where it is used, so `--threshold` and this setting get the same message), and the limits
# on leaked material an investigation unpacks, against archive bombs.
HEADSTART_ACCUSATION_THRESHOLD = env_str("HEADSTART_ACCUSATION_THRESHOLD", "") or ""
# Scheduling refuses a marked artifact whose forum copy keeps fewer robust bits than this, or
# does not name its leaker even whole (`headstart advisory check`). 32: about what a whole copy
# needs to name one of 1,000 partners at 1e-6 (log2(1000 / 1e-6) = 29.9). 0 keeps only the
# second test.
HEADSTART_MIN_ROBUST_BITS = env_int("HEADSTART_MIN_ROBUST_BITS", 32)
if HEADSTART_MIN_ROBUST_BITS < 0:
    raise ConfigError(f"HEADSTART_MIN_ROBUST_BITS={HEADSTART_MIN_ROBUST_BITS}: must be 0 or more")
HEADSTART_INTAKE_MAX_BYTES = env_int("HEADSTART_INTAKE_MAX_BYTES", 200 * 1024 * 1024)
HEADSTART_INTAKE_MAX_MEMBER_BYTES = env_int("HEADSTART_INTAKE_MAX_MEMBER_BYTES", 50 * 1024 * 1024)
HEADSTART_INTAKE_MAX_MEMBERS = env_int("HEADSTART_INTAKE_MAX_MEMBERS", 2000)
HEADSTART_INTAKE_MAX_RATIO = env_int("HEADSTART_INTAKE_MAX_RATIO", 100)
HEADSTART_INTAKE_MAX_DEPTH = env_int("HEADSTART_INTAKE_MAX_DEPTH", 2)
# `headstart advisory prepare` renders, signs and encrypts packages in this many processes;
# 0: one per core this process may run on.
HEADSTART_PREPARE_WORKERS = env_int("HEADSTART_PREPARE_WORKERS", 0)
if HEADSTART_PREPARE_WORKERS < 0:
    raise ConfigError(f"HEADSTART_PREPARE_WORKERS={HEADSTART_PREPARE_WORKERS}: must be 0 (every core) or more")
# Text analysed at once (bytes): a longer text is read in parts this large, so an
# investigation's memory follows this, not the size of the material.
HEADSTART_INTAKE_MAX_TEXT_BYTES = env_int("HEADSTART_INTAKE_MAX_TEXT_BYTES", 4 * 1024 * 1024)

# Program secrets live outside the database (see headstart.apps.program.keys).
HEADSTART_MARKING_KEY = env_str("HEADSTART_MARKING_KEY")
HEADSTART_KEY_DIR = HOME / "keys"
# The OpenPGP signing key's file; unset, it is signing-key.asc in HEADSTART_KEY_DIR.
_signing_key_file = env_str("HEADSTART_SIGNING_KEY_FILE")
HEADSTART_SIGNING_KEY_FILE: Path | None = Path(_signing_key_file) if _signing_key_file else None
# The audit key (HMAC of every audit event; see headstart.apps.audit.keys): 64 hex digits, or
# unset for the file audit.key in HEADSTART_KEY_DIR. Signed checkpoints of the audit chain are
# written to HEADSTART_CHECKPOINT_DIR (see headstart.apps.program.checkpoints).
HEADSTART_AUDIT_KEY = env_str("HEADSTART_AUDIT_KEY")
HEADSTART_CHECKPOINT_DIR = HOME / "checkpoints"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "psirt@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Notifications (see docs/notifications.md): the portal address mails point to, and how long
# before the patch partners are reminded of the embargo end.
HEADSTART_PORTAL_URL = env_str("HEADSTART_PORTAL_URL", "http://127.0.0.1:8000/")
HEADSTART_REMINDER_LEAD_HOURS = env_int("HEADSTART_REMINDER_LEAD_HOURS", 24)

# Security headers. Cookies are HttpOnly and SameSite everywhere; TLS-only in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("HEADSTART_SESSION_SECONDS", 8 * 3600)
CSRF_COOKIE_HTTPONLY = True
# A refused CSRF check gets the portal's page (JSON under /api/, as every API error).
CSRF_FAILURE_VIEW = "headstart.faces.portal.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("HEADSTART_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
HEADSTART_BEHIND_PROXY = env_bool("HEADSTART_BEHIND_PROXY", False)
if HEADSTART_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Addresses `headstart serve` (gunicorn) trusts to set the forwarded headers ("*": any); only
# behind a proxy: without one, nobody may claim the request came over HTTPS.
HEADSTART_FORWARDED_ALLOW_IPS: list[str] = env_list("HEADSTART_FORWARDED_ALLOW_IPS", ["127.0.0.1"])

from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HEADSTART_LOG_LEVEL", "WARNING")},
}
