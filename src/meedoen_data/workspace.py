"""A meedoen workspace: one folder that holds everything of one installation.

Layout of ``HOME`` (``--home``, else ``$MEEDOEN_HOME``, else ``./meedoen-data``)::

    workspace.json      format version and creation time
    analytics.duckdb    pseudonymised analytics store (DuckDB)
    web.sqlite3         web app database, unless DATABASE_URL points elsewhere
    vault/              identity vault: identifiers, restricted (0700)
    keys/               key material, one 0600 file per key (0700)
    quarantine/         rejected input rows, kept for inspection
    logs/               application logs

Creating a workspace is idempotent: running it again creates what is missing and leaves keys and
data untouched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from meedoen_data import __version__
from meedoen_data.keystore import KeyStore

WORKSPACE_FORMAT = 1
DEFAULT_HOME = "meedoen-data"
HOME_ENV = "MEEDOEN_HOME"

#: Source domains of DESIGN.md, each with its own pseudonym key (privacy model, point 2).
#: Partner files get a key of their own, named after the file, when they are first linked.
#: ``betrokkenheid`` and ``casus`` (contract v2) are listed so that ``meedoen init`` makes their
#: keys and an activity can ask for them; a workspace made before gets their keys at the first
#: delivery, as every domain whose key is missing (``intake.pseudonyms.domain_key``).
SOURCE_DOMAINS: tuple[str, ...] = (
    "brp",
    "wmo",
    "jeugd",
    "participatie",
    "schulden",
    "signalen",
    "cbs",
    "betrokkenheid",
    "casus",
)

#: Keys every workspace has: the web app's signing key and one pseudonym key per domain.
WEB_SECRET_KEY = "web-secret"  # noqa: S105  (a key file name, not a key)
AUDIT_CHAIN_KEY = "audit-chain"  # the HMAC key of the audit log's hash chain


class WorkspaceError(Exception):
    """The workspace folder cannot be used (not a workspace, wrong format, no permission)."""


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """``--home`` if given, else ``$MEEDOEN_HOME``, else ``./meedoen-data``; made absolute."""
    chosen = home if home else os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


@dataclass(frozen=True)
class Workspace:
    home: Path

    @property
    def manifest_path(self) -> Path:
        return self.home / "workspace.json"

    @property
    def analytics_path(self) -> Path:
        return self.home / "analytics.duckdb"

    @property
    def web_database_path(self) -> Path:
        return self.home / "web.sqlite3"

    @property
    def vault_dir(self) -> Path:
        return self.home / "vault"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def keys(self) -> KeyStore:
        return KeyStore(self.home / "keys")

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def manifest(self) -> dict[str, object]:
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WorkspaceError(
                f"{self.home} is not a meedoen workspace (no workspace.json); "
                f"create one with: meedoen init --home {self.home}"
            ) from None
        except json.JSONDecodeError as exc:
            raise WorkspaceError(f"{self.manifest_path} is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != WORKSPACE_FORMAT:
            raise WorkspaceError(
                f"{self.manifest_path} has workspace format {data.get('format')!r}; "
                f"this meedoen reads format {WORKSPACE_FORMAT}"
            )
        return data


@dataclass
class InitReport:
    workspace: Workspace
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)

    @property
    def was_new(self) -> bool:
        return "workspace.json" in self.created


def workspace_init(*, home: Path, demo: bool = False) -> InitReport:
    """Create (or complete) the workspace at ``home``; never overwrites keys or data.

    ``demo=True`` marks a new workspace as a demo workspace, and refuses an existing workspace
    that is not one: the demo resets its accounts, which must never hit a real installation.
    """
    workspace = Workspace(home)
    report = InitReport(workspace)

    def note(name: str, created: bool) -> None:
        (report.created if created else report.existing).append(name)

    if home.exists() and not home.is_dir():
        raise WorkspaceError(f"{home} exists and is not a folder")
    if home.is_dir() and not workspace.exists() and any(home.iterdir()):
        raise WorkspaceError(
            f"{home} is a non-empty folder that is not a meedoen workspace; "
            "choose an empty or new folder"
        )
    if workspace.exists():
        manifest = workspace.manifest()  # refuses another format before anything is touched
        if demo and not manifest.get("demo"):
            raise WorkspaceError(
                f"{home} is a real workspace, not a demo workspace; the demo resets accounts, "
                "so run it with --home on a new folder"
            )
    home.mkdir(parents=True, exist_ok=True)
    if not workspace.exists():
        os.chmod(home, 0o700)  # pseudonymised data and the vault: owner only

    for folder, mode in (
        (workspace.vault_dir, 0o700),
        (workspace.quarantine_dir, 0o700),
        (workspace.log_dir, 0o700),
    ):
        note(folder.name + "/", not folder.exists())
        folder.mkdir(mode=mode, exist_ok=True)
        os.chmod(folder, mode)

    keys = workspace.keys
    keys.ensure_directory()
    for name in (
        WEB_SECRET_KEY,
        AUDIT_CHAIN_KEY,
        *(f"pseudonym-{domain}" for domain in SOURCE_DOMAINS),
    ):
        note(f"keys/{name}.key", keys.create(name))

    note("analytics.duckdb", not workspace.analytics_path.exists())
    import duckdb  # here, not at the top: every CLI start would pay ~0.1 s for it

    connection = duckdb.connect(str(workspace.analytics_path))
    try:
        connection.execute("CREATE SCHEMA IF NOT EXISTS meta")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS meta.workspace (key VARCHAR PRIMARY KEY, value VARCHAR)"
        )
        connection.execute(
            "INSERT OR IGNORE INTO meta.workspace VALUES ('format', ?)", [str(WORKSPACE_FORMAT)]
        )
    finally:
        connection.close()
    os.chmod(workspace.analytics_path, 0o600)  # DuckDB creates it with the umask

    if workspace.exists():
        note("workspace.json", False)
        os.chmod(workspace.manifest_path, 0o600)  # older workspaces wrote it with the umask
    else:
        manifest = {
            "format": WORKSPACE_FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "created_by_version": __version__,
            "demo": demo,
        }
        # Written last: a workspace.json means every part above exists.
        tmp = workspace.manifest_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        tmp.chmod(0o600)  # every file of the workspace: owner only
        tmp.replace(workspace.manifest_path)
        note("workspace.json", True)
    return report


@dataclass(frozen=True)
class WorkspaceStatus:
    home: Path
    format: int
    created: str
    analytics_tables: int
    keys: tuple[str, ...]
    vault_present: bool


def workspace_status(*, home: Path) -> WorkspaceStatus:
    """A summary of the workspace for status pages and ``meedoen`` health checks."""
    import duckdb

    workspace = Workspace(home)
    manifest = workspace.manifest()
    connection = duckdb.connect(str(workspace.analytics_path), read_only=True)
    try:
        row = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema <> 'meta'"
        ).fetchone()
    finally:
        connection.close()
    return WorkspaceStatus(
        home=home,
        format=int(str(manifest["format"])),
        created=str(manifest.get("created", "")),
        analytics_tables=int(row[0]) if row else 0,
        keys=tuple(workspace.keys.names()),
        vault_present=workspace.vault_dir.is_dir(),
    )
