"""What each role's start page shows. The only place the portals reach the data package."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.models import User
from meedoen.accounts.roles import ROLE_DESCRIPTIONS, Role
from meedoen.accounts.selectors import user_counts_by_role
from meedoen.activities.models import Status
from meedoen.activities.selectors import activity_list
from meedoen.cases.selectors import break_glass_waiting
from meedoen.residents.requests import requests_open_count, requests_overdue_count
from meedoen_data.workspace import WorkspaceError, workspace_status


@dataclass(frozen=True)
class StartPage:
    role: str
    role_label: str
    description: str
    upcoming: list[str]
    context: dict[str, Any]


#: What each role will do here, shown until the capability is built (and then removed).
UPCOMING: dict[str, list[str]] = {
    Role.ADMINISTRATOR: [
        _("Manage users and roles in the web app"),
        _("Manage key rotation and backups"),
    ],
    Role.ANALYST: [],
    Role.PRIVACY_OFFICER: [],
    Role.POLICY_MAKER: [_("Compose own tables, disclosure-controlled")],
    Role.COUNCIL_MEMBER: [],
    Role.CASE_WORKER: [],
    Role.TEAM_LEAD: [],
    Role.DEBT_WORKER: [],
    Role.RESIDENT: [],
}


WORKSPACE_SUMMARY_SECONDS = 30


def _workspace_summary() -> dict[str, Any]:
    """Cached for a short while: opening the analytics store costs ~40 ms per page view."""
    return cache.get_or_set(  # type: ignore[no-any-return]
        f"portals:workspace-summary:{settings.MEEDOEN_HOME}",
        _read_workspace_summary,
        WORKSPACE_SUMMARY_SECONDS,
    )


def _read_workspace_summary() -> dict[str, Any]:
    try:
        status = workspace_status(home=settings.MEEDOEN_HOME)
    except (WorkspaceError, OSError) as exc:
        return {"available": False, "error": str(exc)}
    except Exception as exc:  # DuckDB lock held by a running ingest, etc.
        return {"available": False, "error": type(exc).__name__}
    return {
        "available": True,
        "home": str(status.home),
        "created": status.created,
        "analytics_tables": status.analytics_tables,
        "key_count": len(status.keys),
        "vault_present": status.vault_present,
    }


def start_page_for(*, user: User) -> StartPage:
    role = Role(user.role)
    context: dict[str, Any] = {}
    if role == Role.ADMINISTRATOR:
        context["workspace"] = _workspace_summary()
        context["database_vendor"] = connection.vendor
        context["user_counts"] = [
            (Role(key).label, count) for key, count in user_counts_by_role().items()
        ]
    elif role == Role.ANALYST:
        context["workspace"] = _workspace_summary()
    elif role == Role.PRIVACY_OFFICER:
        context["requests_waiting"] = sum(
            1 for activity in activity_list() if activity.status == Status.REQUESTED
        )
        context["break_glass_waiting"] = break_glass_waiting()
        # Residents' objection and correction requests (AVG art. 16, 21) awaiting a decision.
        context["resident_requests_waiting"] = requests_open_count()
        context["resident_requests_overdue"] = requests_overdue_count()
    elif role == Role.POLICY_MAKER:
        # The monitor of early signalling exists once debt help has an approved activity.
        from meedoen.earlysignals.selectors import signal_activities

        context["signals_monitor"] = bool(signal_activities())
    return StartPage(
        role=role.value,
        role_label=str(role.label),
        description=str(ROLE_DESCRIPTIONS[role]),
        upcoming=[str(item) for item in UPCOMING[role]],
        context=context,
    )
