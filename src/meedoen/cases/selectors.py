"""Reads on cases that show no person-level data (the family and the names on a caseload are
read by services, which log them)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import timezone

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.selectors import ActivityState, activities_operational
from meedoen.cases.models import BreakGlassReview, Case
from meedoen_data.workspace import Workspace, WorkspaceError

#: The synthetic generator's default reference date (``synth_municipality(peildatum=…)``): a
#: demo workspace's family views are read for it, so the demo's services are current.
DEMO_DATE = date(2025, 1, 1)


def casework_date() -> date:
    """The date a family is read for: MEEDOEN_CASEWORK_DATE, else the demo's reference date in
    a demo workspace, else today."""
    if settings.CASEWORK_DATE:
        try:
            return date.fromisoformat(settings.CASEWORK_DATE)
        except ValueError:
            raise ImproperlyConfigured(
                f"MEEDOEN_CASEWORK_DATE={settings.CASEWORK_DATE!r} is not a date (YYYY-MM-DD)"
            ) from None
    try:
        demo = bool(Workspace(settings.MEEDOEN_HOME).manifest().get("demo"))
    except (WorkspaceError, OSError):
        demo = False
    return DEMO_DATE if demo else timezone.localdate()


def source_max_age_days() -> int:
    return int(settings.CASEWORK_SOURCE_MAX_DAYS)


def case_activities(*, role: str) -> list[ActivityState]:
    """The operational activities a role may open cases under (approved now)."""
    return activities_operational(role=role)


def cases_open(*, user: User) -> list[Case]:
    """Open cases on the user's caseload (a team lead: of the whole team), newest first."""
    today = timezone.localdate()
    cases = Case.objects.select_related("worker").filter(closed_at__isnull=True)
    cases = cases.exclude(end__lt=today)
    if user.role == Role.TEAM_LEAD:
        return list(cases.filter(team=user.team)) if user.team else []
    return list(cases.filter(worker=user))


def case_get(*, user: User, case_id: int) -> Case:
    """A case on the user's caseload (a team lead: of the team); PermissionDenied otherwise,
    Case.DoesNotExist when there is none."""
    case = Case.objects.select_related("worker").get(pk=case_id)
    mine = case.worker_id == user.pk or (
        user.role == Role.TEAM_LEAD and user.team and case.team == user.team
    )
    if not mine:
        raise PermissionDenied
    return case


def team_workers(*, team: str) -> list[User]:
    if not team:
        return []
    return list(
        User.objects.filter(role=Role.CASE_WORKER, team=team, is_active=True).order_by("username")
    )


def break_glass_queue() -> list[BreakGlassReview]:
    """Break-the-glass accesses, those awaiting review first, then the newest."""
    return sorted(
        BreakGlassReview.objects.select_related("case", "case__worker"),
        key=lambda r: (r.reviewed_at is not None, -r.case.opened_at.timestamp()),
    )


def break_glass_waiting() -> int:
    return BreakGlassReview.objects.filter(reviewed_at__isnull=True).count()
