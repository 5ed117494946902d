"""Readiness checks for monitoring: can the web database and the analytics store be read?"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from meedoen_data.workspace import WorkspaceError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def health_checks() -> list[Check]:
    checks: list[Check] = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks.append(Check("database", True, connection.vendor))
    except Exception as exc:  # any driver error means "not healthy"
        checks.append(Check("database", False, type(exc).__name__))
    # The analytics store is not opened: DuckDB allows one writing process, and a health probe
    # must neither wait for nor disturb a running ingest or build.
    workspace = settings.WORKSPACE
    try:
        manifest = workspace.manifest()
        present = workspace.analytics_path.is_file() and workspace.vault_dir.is_dir()
        detail = f"format {manifest['format']}" if present else "analytics store or vault missing"
        checks.append(Check("workspace", present, detail))
    except (WorkspaceError, OSError) as exc:
        checks.append(Check("workspace", False, type(exc).__name__))
    return checks
