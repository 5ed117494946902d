"""Settings of the meedoen web app.

Every value that differs between installations comes from an environment variable read through
meedoen.conf.env (documented there and in docs/admin/configuration.md).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from meedoen.conf.env import ENVIRONMENT, env_bool, env_list, env_str
from meedoen_data.workspace import WEB_SECRET_KEY, Workspace, resolve_home

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# The workspace: --home (the CLI exports it as MEEDOEN_HOME), else MEEDOEN_HOME, else ./meedoen-data
MEEDOEN_HOME = resolve_home(env_str("MEEDOEN_HOME", ""))
WORKSPACE = Workspace(MEEDOEN_HOME)


def _secret_key() -> str:
    explicit = env_str("SECRET_KEY", "")
    if explicit:
        return explicit
    if WORKSPACE.keys.exists(WEB_SECRET_KEY):
        return WORKSPACE.keys.read(WEB_SECRET_KEY).hex()
    if ENVIRONMENT in {"dev", "ci"}:
        return "insecure-key-for-development-and-tests-only-" + "x" * 20
    raise ImproperlyConfigured(
        f"no SECRET_KEY and no workspace key in {WORKSPACE.keys.directory}; "
        f"create the workspace first: meedoen init --home {MEEDOEN_HOME}"
    )


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "meedoen.web",
    "meedoen.accounts",
    "meedoen.portals",
    "meedoen.health",
    "meedoen.intakes",
    "meedoen.activities",
    "meedoen.audits",
    "meedoen.households",
    "meedoen.linkages",
    "meedoen.publications",
    "meedoen.areas",
    "meedoen.dashboards",
    "meedoen.targetgroups",
    "meedoen.cases",
    "meedoen.earlysignals",
    "meedoen.residents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "meedoen.utils.middleware.DutchByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signs out a session older than SESSION_MAX_SECONDS, before anything reads the user.
    "meedoen.utils.middleware.SessionLimitMiddleware",
    # Right after authentication and the session limit: refuses large and multipart bodies of
    # anyone but a signed-in analyst before CsrfViewMiddleware.process_view parses them (and
    # writes their files).
    "meedoen.utils.middleware.RequestBodyLimitMiddleware",
    # request.user.is_verified(): whether this session entered a code of the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A signed-in account that has (or in production must have) a second factor opens nothing
    # but the code page, its account page and signing out until the session entered a code.
    "meedoen.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "meedoen.utils.middleware.SecurityHeadersMiddleware",
    "meedoen.utils.middleware.NoStoreForSignedInMiddleware",
    # django-axes: last, so it turns a lockout flagged during sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

# The JSON API (/api/v1/): the web app's session and CSRF protection, or a personal API token;
# JSON only (the browsable API would load scripts and styles the Content-Security-Policy does
# not allow).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Authorization: Token <personal API token> (meedoen user token create)
        "meedoen.accounts.authentication.PersonalTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}

ROOT_URLCONF = "meedoen.conf.urls"
WSGI_APPLICATION = "meedoen.conf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meedoen.web.context_processors.navigation",
                "meedoen.web.branding.branding",
                "meedoen.residents.context_processors.resident_sign_in",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{WORKSPACE.web_database_path}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several threads (waitress) and processes (the CLI) write the audit log at once. WAL lets
    # readers go on while one writes; IMMEDIATE takes the write lock when a transaction begins
    # (a DEFERRED one that reads, then writes fails at once with "database is locked" when
    # another writer came first); the busy timeout makes a writer wait for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("FAST_PASSWORD_HASHER", False):
    if ENVIRONMENT == "production":
        raise ImproperlyConfigured("FAST_PASSWORD_HASHER is for the test suite, never production")
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in: django-axes checks the throttle first (and counts every failure), then the password,
# then a personal API token (command line and JSON API only; the login page sends no token).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "meedoen.accounts.backends.PersonalTokenBackend",
]


def _env_int(name: str, default: int) -> int:
    raw = env_str(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, not {value}")
    return value


# Login throttling (django-axes), for the login page, the JSON API and `--by` on the command
# line: after LOGIN_FAILURE_LIMIT failed attempts for one user name from one address, that pair
# is locked; the lock lasts LOGIN_LOCKOUT_MINUTES and doubles with every further lockout within a
# day, up to LOGIN_LOCKOUT_MAX_HOURS (meedoen.accounts.throttle.cool_off). Every failure and
# lockout is in axes's tables and in the audit log (account.login_failed, account.locked).
LOGIN_FAILURE_LIMIT = _env_int("MEEDOEN_LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = _env_int("MEEDOEN_LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_LOCKOUT_MAX_HOURS = _env_int("MEEDOEN_LOGIN_LOCKOUT_MAX_HOURS", 24)
AXES_ENABLED = True
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "meedoen.accounts.throttle.cool_off"
# Each attempt carries its own expiry: the cool-off differs per user and address.
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_RESET_ON_SUCCESS = True
# Every failure is kept (axes_accessfailurelog); the back-off counts them.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "meedoen.accounts.throttle.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

LOGIN_URL = "accounts:login"
# Second sign-in factor (TOTP, an authenticator app; django-otp). "optional": whoever set one up
# on their account page (/account/) enters a code after the password. "required" (the default in
# production): also every account whose role can see person-level data must set one up before it
# opens anything else (meedoen.accounts.roles.SECOND_FACTOR_ROLES); the command line asks such
# accounts for a code too (MEEDOEN_OTP_CODE).
SECOND_FACTOR = env_str("MEEDOEN_SECOND_FACTOR", "optional")
if SECOND_FACTOR not in {"optional", "required"}:
    raise ImproperlyConfigured(
        f"MEEDOEN_SECOND_FACTOR={SECOND_FACTOR!r}: give 'optional' or 'required'"
    )
# Branding per installation (meedoen.web.branding, docs/admin/branding.md): the organisation's
# name in the header and the titles, its logo (SVG or PNG) and a style sheet of design tokens.
MEEDOEN_ORGANISATION = env_str("MEEDOEN_ORGANISATION", "").strip()
MEEDOEN_LOGO = env_str("MEEDOEN_LOGO", "").strip()
MEEDOEN_THEME_CSS = env_str("MEEDOEN_THEME_CSS", "").strip()

OTP_TOTP_ISSUER = "meedoen"
# A one-time link for a new password (the administrator makes it on an account's page) stops
# working after MEEDOEN_PASSWORD_RESET_HOURS, after it was used, or once the account signs in.
PASSWORD_RESET_TIMEOUT = _env_int("MEEDOEN_PASSWORD_RESET_HOURS", 24) * 60 * 60
LOGIN_REDIRECT_URL = "portals:start"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: gone when the browser closes, not readable by scripts; signed out after
# MEEDOEN_SESSION_IDLE_MINUTES without a request (every request moves the expiry on) and
# MEEDOEN_SESSION_MAX_HOURS after signing in, active or not (SessionLimitMiddleware).
SESSION_COOKIE_AGE = _env_int("MEEDOEN_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_SECONDS = _env_int("MEEDOEN_SESSION_MAX_HOURS", 8) * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Served over HTTPS (production behind a proxy): secure cookies, HSTS, redirect to https.
SECURE_SSL = env_bool("SECURE_SSL", False)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31_536_000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
# HSTS preloading commits the municipality's whole domain to HTTPS in every browser; that is the
# domain owner's decision, made at the proxy, not meedoen's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own origin: no CDN, no inline script. Set by meedoen.utils.middleware.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "object-src 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Residents sign in through OpenID Connect: DigiD through a broker such as Signicat
# (meedoen.residents.oidc; docs/admin/configuration.md#resident-sign-in-openid-connect--digid).
# Off while MEEDOEN_OIDC_ISSUER is empty: /mijn/inloggen/ and the rest answer 404.
OIDC_OP_ISSUER = env_str("MEEDOEN_OIDC_ISSUER", "").strip()
OIDC_RP_CLIENT_ID = env_str("MEEDOEN_OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = env_str("MEEDOEN_OIDC_CLIENT_SECRET", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("MEEDOEN_OIDC_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = env_str("MEEDOEN_OIDC_TOKEN_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = env_str("MEEDOEN_OIDC_JWKS_ENDPOINT", "").strip()
OIDC_OP_END_SESSION_ENDPOINT = env_str("MEEDOEN_OIDC_END_SESSION_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = ""  # not asked: the BSN comes from the signed ID token
OIDC_BSN_CLAIM = env_str("MEEDOEN_OIDC_BSN_CLAIM", "bsn").strip() or "bsn"
OIDC_RP_SCOPES = " ".join(env_str("MEEDOEN_OIDC_SCOPES", "openid").split()) or "openid"
OIDC_RP_SIGN_ALGO = "RS256"  # fixed (the backend insists on it too)
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TOKEN_USE_BASIC_AUTH = True  # client_secret_basic
OIDC_TIMEOUT = 10  # seconds per request to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "residents:oidc_callback"
if OIDC_OP_ISSUER:
    _oidc_required = {
        "MEEDOEN_OIDC_CLIENT_ID": OIDC_RP_CLIENT_ID,
        "MEEDOEN_OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
        "MEEDOEN_OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
        "MEEDOEN_OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
        "MEEDOEN_OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
    }
    _oidc_missing = [name for name, value in _oidc_required.items() if not value]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"MEEDOEN_OIDC_ISSUER is set, so residents sign in with OpenID Connect; "
            f"also set {', '.join(_oidc_missing)}"
        )
    _oidc_urls = (
        OIDC_OP_ISSUER,
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
        OIDC_OP_END_SESSION_ENDPOINT,
    )
    if ENVIRONMENT == "production" and any(
        url and not url.startswith("https://") for url in _oidc_urls
    ):
        raise ImproperlyConfigured("the MEEDOEN_OIDC_* issuer and endpoints must be https:// URLs")
    AUTHENTICATION_BACKENDS.append("meedoen.residents.oidc.ResidentOIDCBackend")
    if OIDC_OP_END_SESSION_ENDPOINT:
        # Signing out posts a form whose answer redirects to the provider: allow that origin.
        _end_session = urlsplit(OIDC_OP_END_SESSION_ENDPOINT)
        CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'",
            f"form-action 'self' {_end_session.scheme}://{_end_session.netloc}",
        )

# Dutch by default, English available.
# A refused form (CSRF) gets a page in the app's layout that says what to do next.
CSRF_FAILURE_VIEW = "meedoen.web.views.csrf_failure"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_TZ = True

# Uploaded source files hold identifiers: large uploads are streamed to a folder inside the
# identity vault, never to /tmp. The handler creates it (0700) on first use, because the
# workspace may not exist yet when the settings load (`meedoen init`, `meedoen demo`); hence
# Django's check that the folder exists (files.E001) is silenced.
FILE_UPLOAD_TEMP_DIR = str(WORKSPACE.vault_dir / "uploads")
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "meedoen.intakes.uploads.VaultTemporaryFileUploadHandler",
]
SILENCED_SYSTEM_CHECKS += ["files.E001"]
# Newly created files and folders: owner only (the upload files above, log files).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def _env_size(name: str, default: str) -> int:
    """A size in bytes from the environment: 512MB (10^6), 1GiB (2^30) or a number of bytes."""
    raw = env_str(name, default).strip()
    units = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9}
    units |= {"kib": 2**10, "mib": 2**20, "gib": 2**30}
    number = raw.rstrip("BbKkMmGgIi ")
    unit = raw[len(number) :].strip().lower()
    try:
        value = int(float(number) * units[unit])
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a size (e.g. 512MB)") from None
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be more than 0")
    return value


# Request bodies (meedoen.utils.middleware.RequestBodyLimitMiddleware; `meedoen serve` passes
# MAX_REQUEST_BYTES to waitress as max_request_body_size): at most MAX_REQUEST_BYTES for anyone;
# uploads (any body over SMALL_REQUEST_BYTES) only from signed-in analysts.
MAX_REQUEST_BYTES = _env_size("MEEDOEN_MAX_REQUEST_BYTES", "512MB")
SMALL_REQUEST_BYTES = 256 * 1024
# Form fields (not files) Django keeps in memory, files per upload (the intake page takes 20
# and explains when there are more), and files up to this size stay in memory, larger ones go
# to FILE_UPLOAD_TEMP_DIR.
DATA_UPLOAD_MAX_MEMORY_SIZE = SMALL_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 25
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Signed checkpoints of the audit log (meedoen.audits.checkpoints): the witness folder they are
# written to (in production a WORM / append-only share), the Ed25519 signing key (a file the web
# process's account need not be able to read), the public key pinned beside it, and how often
# `meedoen serve` writes one when it can read the key (seconds; 0: never, the operator's timer).
AUDIT_WITNESS_DIR = Path(
    env_str("MEEDOEN_AUDIT_WITNESS", "") or WORKSPACE.home / "audit-witness"
).expanduser()
AUDIT_CHECKPOINT_KEY = Path(
    env_str("MEEDOEN_CHECKPOINT_KEY", "") or WORKSPACE.keys.directory / "audit-checkpoint.key"
).expanduser()
AUDIT_CHECKPOINT_PUBLIC_KEY = Path(
    env_str("MEEDOEN_CHECKPOINT_PUBLIC_KEY", "") or AUDIT_CHECKPOINT_KEY.with_suffix(".pub")
).expanduser()
try:
    AUDIT_CHECKPOINT_INTERVAL = int(env_str("MEEDOEN_CHECKPOINT_INTERVAL", "900"))
except ValueError:
    raise ImproperlyConfigured(
        "MEEDOEN_CHECKPOINT_INTERVAL is not a whole number of seconds"
    ) from None
if AUDIT_CHECKPOINT_INTERVAL < 0:
    raise ImproperlyConfigured("MEEDOEN_CHECKPOINT_INTERVAL must be 0 (off) or more seconds")
# `meedoen audit prune --before DATE` refuses a DATE less than this many days ago: the audit log
# is kept at least this long (days; the municipality's retention period for the log is its own
# decision, this is a floor against a slip of the keyboard). It can be raised, not lowered below
# 365: verify reports a prune of younger records as a break (meedoen_data.audit_prune).
try:
    AUDIT_MIN_RETENTION_DAYS = int(env_str("MEEDOEN_AUDIT_MIN_RETENTION_DAYS", "365"))
except ValueError:
    raise ImproperlyConfigured("MEEDOEN_AUDIT_MIN_RETENTION_DAYS is not a whole number") from None
if AUDIT_MIN_RETENTION_DAYS < 365:  # meedoen_data.audit_prune.RETENTION_FLOOR: verify's floor
    raise ImproperlyConfigured(
        "MEEDOEN_AUDIT_MIN_RETENTION_DAYS must be 365 or more: the audit log is kept at least "
        "a year (docs/admin/configuration.md)"
    )

# Family context for case workers (meedoen.cases): a service source whose newest delivery is
# older than this many days counts as "not connected" on the family view (its absence of records
# proves nothing); and the date the family is read for — empty: today; a demo workspace reads
# its synthetic municipality at the generator's reference date unless this is set.
CASEWORK_SOURCE_MAX_DAYS = _env_int("MEEDOEN_CASEWORK_SOURCE_MAX_DAYS", 45)
CASEWORK_DATE = env_str("MEEDOEN_CASEWORK_DATE", "").strip()

# Early signals for debt workers (meedoen.earlysignals): a signal counts as open on the work list
# for this many days after its date (unless an outreach concluded after it).
SIGNALS_OPEN_DAYS = _env_int("MEEDOEN_SIGNALS_OPEN_DAYS", 182)
# A signal that led to no follow-up (no help accepted, no referral, not already in help, no
# outreach in progress) is deleted everywhere once it is this many days old (meedoen retention
# run): the Wgs allows signal data only for the offer of help (docs/users/debt-worker.md,
# Retention — set it to the period your legal adviser reads in the Wgs and its decree).
SIGNALS_RETENTION_DAYS = _env_int("MEEDOEN_SIGNALS_RETENTION_DAYS", 365)

# The resident portal's "who used my data" (meedoen.residents.processing): who acted is shown by
# role and team; the employee's name only when this is on. And how residents reach the privacy
# officer with questions about it (text; an e-mail address in it becomes a link).
RESIDENT_SHOW_NAMES = env_bool("MEEDOEN_RESIDENT_SHOW_NAMES", False)
PRIVACY_CONTACT = env_str("MEEDOEN_PRIVACY_CONTACT", "").strip()

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = None  # no collectstatic: WhiteNoise serves from the installed package
# Served by WhiteNoise straight from the package: no collectstatic step, no CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "null": {"class": "logging.NullHandler"},
    },
    "loggers": {
        "meedoen": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "django.security": {"handlers": ["console"], "level": "WARNING"},
        # django-axes: only to the log file (meedoen.accounts logs each failure and lockout).
        "axes": {"handlers": ["null"], "level": "WARNING", "propagate": False},
    },
}
if WORKSPACE.log_dir.is_dir():
    # Also to HOME/logs/meedoen.log. Application logs never hold personal data: reads of
    # person-level data go to the audit log, not here.
    LOGGING["handlers"]["file"] = {
        # RotatingFileHandler, but every log file (also the rotated ones) is 0600.
        "class": "meedoen.utils.logs.PrivateRotatingFileHandler",
        "filename": str(WORKSPACE.log_dir / "meedoen.log"),
        "maxBytes": 10_000_000,
        "backupCount": 5,
        "formatter": "plain",
    }
    for logger in LOGGING["loggers"].values():
        logger["handlers"].append("file")

if ENVIRONMENT == "production":
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production")
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("production needs PostgreSQL: set DATABASE_URL=postgresql://…")
