"""Reads of the intake for the web app: the history of every batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from meedoen.accounts.selectors import user_full_names
from meedoen_data.intake import ingest_history
from meedoen_data.workspace import WorkspaceError

HISTORY_LIMIT = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class IntakeHistory:
    available: bool
    rows: list[dict[str, Any]] = field(default_factory=list)  # newest first
    total: int = 0
    error: str = ""


def intake_history(*, limit: int = HISTORY_LIMIT) -> IntakeHistory:
    """Every batch, loaded or rejected, newest first (at most ``limit``).

    ``available`` is False when the workspace or its stores cannot be read right now."""
    try:
        rows = ingest_history(home=settings.MEEDOEN_HOME)
    except (WorkspaceError, OSError) as exc:
        return IntakeHistory(available=False, error=str(exc))
    except Exception as exc:  # DuckDB lock held by a running CLI ingest or upload, etc.
        return IntakeHistory(available=False, error=type(exc).__name__)
    for row in rows:
        at_time = row.get("at_time")
        if isinstance(at_time, datetime) and at_time.tzinfo is None:
            row["at_time"] = at_time.replace(tzinfo=UTC)  # the store keeps UTC
    names = user_full_names(usernames={str(r["user_name"]) for r in rows})
    for row in rows:
        row["user_label"] = names.get(str(row["user_name"]), row["user_name"])
    rows.sort(key=lambda r: (r["at_time"] or EPOCH, str(r["batch_id"])), reverse=True)
    return IntakeHistory(available=True, rows=rows[:limit], total=len(rows))
