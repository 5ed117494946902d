"""Reading settings from the environment.

Every variable meedoen reads is listed in ``ENV_VARS`` and documented in
docs/admin/configuration.md; a test checks that both agree. An environment
(``MEEDOEN_ENVIRONMENT``) only supplies defaults; a variable that is set always wins.
"""

from __future__ import annotations

import os

#: name -> one-line description. Keep in sync with docs/admin/configuration.md.
ENV_VARS: dict[str, str] = {
    "MEEDOEN_ENVIRONMENT": "local (default), dev, ci or production: picks the defaults below.",
    "MEEDOEN_HOME": "Workspace folder (default ./meedoen-data); --home overrides it.",
    "DATABASE_URL": "Web app database; unset means SQLite in the workspace.",
    "SECRET_KEY": "Django signing key; unset means keys/web-secret.key of the workspace.",
    "ALLOWED_HOSTS": "Comma-separated host names the web app answers to.",
    "CSRF_TRUSTED_ORIGINS": "Comma-separated origins (scheme://host) trusted for POSTs.",
    "DEBUG": "Show debug pages (never in production).",
    "SECURE_SSL": "Served over HTTPS: secure cookies, HSTS, redirect to https.",
    "LOG_LEVEL": "Level of meedoen's own log messages (default INFO).",
    "TIME_ZONE": "Time zone for display (default Europe/Amsterdam).",
    "FAST_PASSWORD_HASHER": "Use a fast, insecure password hasher (test suite only).",
    "TRACEPARENT": "W3C trace context a caller passes to a command; its audit records join it.",
    "MEEDOEN_CASEWORK_SOURCE_MAX_DAYS": "Days after which a source counts as not connected (45).",
    "MEEDOEN_CASEWORK_DATE": "Date a family view is read for (YYYY-MM-DD; empty: today).",
    "MEEDOEN_SIGNALS_OPEN_DAYS": "Days an early signal stays open on the work list (182).",
    "MEEDOEN_SIGNALS_RETENTION_DAYS": (
        "Days after which an early signal without follow-up is deleted everywhere (365)."
    ),
    "MEEDOEN_RESIDENT_SHOW_NAMES": "Show residents the employee's name in who used their data (0).",
    "MEEDOEN_PRIVACY_CONTACT": "How residents reach the privacy officer (text or e-mail).",
    "MEEDOEN_DUCKDB_MEMORY": "DuckDB memory limit for activity stores and households (10GB).",
    "MEEDOEN_LINK_MEMORY": "DuckDB memory limit while linking a partner file (e.g. 8GB).",
    "MEEDOEN_SPARK_MASTER": "Spark master URL for build --engine spark (default local[*]).",
    "MEEDOEN_SPARK_MEMORY": "Spark driver memory for build --engine spark (default 4g).",
    "MEEDOEN_SPARK_DIR": "Shared folder for build --engine spark (a subfolder per build).",
    "MEEDOEN_SQL_MAX_ROWS": "Most rows of a meedoen sql / SQL page result (10000).",
    "MEEDOEN_SQL_MAX_CELLS": "Most cells (rows x columns) of a SQL result (100000).",
    "MEEDOEN_SQL_MAX_BYTES": "Most bytes of text of a SQL result (500000).",
    "MEEDOEN_SQL_TIMEOUT": "Seconds a SQL query may run before it is stopped (60).",
    "MEEDOEN_SQL_MEMORY": "DuckDB memory limit of SQL queries on a store, per process (1GB).",
    "MEEDOEN_SQL_THREADS": "DuckDB threads of SQL queries on a store, per process (2).",
    "MEEDOEN_SQL_SPILL": "Disk a SQL query may spill to in HOME/vault/tmp/sql (0 = none).",
    "MEEDOEN_INTAKE_MAX_FILE_ROWS": "Rows per delivered file the intake accepts (10,000,000).",
    "MEEDOEN_INTAKE_MAX_FILE_BYTES": "Size per delivered file the intake accepts (2GB).",
    "MEEDOEN_INTAKE_MAX_UPLOAD_ROWS": "Rows per ingest run or web upload (30,000,000).",
    "MEEDOEN_INTAKE_MAX_UPLOAD_BYTES": "Size per ingest run or web upload (6GB).",
    "MEEDOEN_INTAKE_MEMORY": "DuckDB memory limit of the intake (6GB); more spills to vault/tmp.",
    "MEEDOEN_INTAKE_TEMP_SPACE": "Most the intake may spill to HOME/vault/tmp (20GB).",
    "MEEDOEN_INTAKE_PARALLEL_FILES": "Files of one intake processed side by side (2).",
    "MEEDOEN_MAX_REQUEST_BYTES": "Largest web request body (512MB); larger gets 413.",
    "MEEDOEN_AUDIT_WITNESS": "Folder for signed audit checkpoints (HOME/audit-witness; WORM).",
    "MEEDOEN_CHECKPOINT_KEY": "Ed25519 key signing audit checkpoints (HOME/keys/…checkpoint.key).",
    "MEEDOEN_CHECKPOINT_PUBLIC_KEY": "Pinned public key to check checkpoints (beside the key).",
    "MEEDOEN_CHECKPOINT_INTERVAL": "Seconds between serve's audit checkpoints (900; 0 = off).",
    "MEEDOEN_AUDIT_MIN_RETENTION_DAYS": "Days the audit log is kept at least before a prune (365).",
    "MEEDOEN_PASSWORD": "Password of the --by user for scripts (prefer MEEDOEN_TOKEN).",
    "MEEDOEN_TOKEN": "Personal API token of the --by user (meedoen user token create).",
    "MEEDOEN_LOGIN_FAILURE_LIMIT": "Failed sign-ins per user and address before a lockout (5).",
    "MEEDOEN_LOGIN_LOCKOUT_MINUTES": "Length of a first lockout in minutes; doubles after (15).",
    "MEEDOEN_LOGIN_LOCKOUT_MAX_HOURS": "Longest lockout in hours (24).",
    "MEEDOEN_SESSION_IDLE_MINUTES": "Minutes without a request before a web session ends (30).",
    "MEEDOEN_SESSION_MAX_HOURS": "Hours after signing in that a web session ends anyway (8).",
    "MEEDOEN_SECOND_FACTOR": "optional or required (production): a code after the password.",
    "MEEDOEN_OTP_CODE": "The --by user's current code of the second factor, for scripts.",
    "MEEDOEN_PASSWORD_RESET_HOURS": "Hours a one-time link for a new password works (24).",
    "MEEDOEN_ORGANISATION": "The organisation's name beside meedoen in the header and titles.",
    "MEEDOEN_LOGO": "An SVG or PNG file on the server shown as the logo in the header.",
    "MEEDOEN_THEME_CSS": "A CSS file of NL Design System tokens loaded after the built-in theme.",
    "MEEDOEN_OIDC_ISSUER": "Residents sign in with DigiD: the OpenID provider's issuer (off).",
    "MEEDOEN_OIDC_CLIENT_ID": "Client id meedoen is registered under at the OpenID provider.",
    "MEEDOEN_OIDC_CLIENT_SECRET": "Client secret of that registration.",
    "MEEDOEN_OIDC_AUTHORIZATION_ENDPOINT": "The provider's authorization endpoint (URL).",
    "MEEDOEN_OIDC_TOKEN_ENDPOINT": "The provider's token endpoint (URL).",
    "MEEDOEN_OIDC_JWKS_ENDPOINT": "The provider's JWKS endpoint: its signing keys (URL).",
    "MEEDOEN_OIDC_END_SESSION_ENDPOINT": "The provider's end-session endpoint (URL; optional).",
    "MEEDOEN_OIDC_BSN_CLAIM": "The ID token claim that holds the BSN (bsn).",
    "MEEDOEN_OIDC_SCOPES": "Scopes asked of the provider, space-separated (openid).",
}

ENVIRONMENTS: dict[str, dict[str, str]] = {
    # The `meedoen` command on one machine: loopback, no TLS, SQLite + DuckDB in the workspace.
    "local": {},
    # Developers: debug pages.
    "dev": {"DEBUG": "1"},
    # The test suite: fast hashing of test passwords.
    "ci": {"FAST_PASSWORD_HASHER": "1"},
    # Behind a TLS-terminating reverse proxy, with PostgreSQL (checked in settings).
    "production": {"SECURE_SSL": "1", "MEEDOEN_SECOND_FACTOR": "required"},
}

ENVIRONMENT = os.environ.get("MEEDOEN_ENVIRONMENT", "local")
if ENVIRONMENT not in ENVIRONMENTS:
    raise ValueError(
        f"MEEDOEN_ENVIRONMENT={ENVIRONMENT!r} is unknown; use one of {', '.join(ENVIRONMENTS)}"
    )


def env_str(name: str, default: str) -> str:
    if name not in ENV_VARS:
        raise KeyError(f"document {name} in ENV_VARS and docs/admin/configuration.md")
    return os.environ.get(name, ENVIRONMENTS[ENVIRONMENT].get(name, default))


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name, "1" if default else "0").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"environment variable {name}={raw!r} is not a boolean (use 1/0, true/false)")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name, ",".join(default))
    return [item.strip() for item in raw.split(",") if item.strip()]
