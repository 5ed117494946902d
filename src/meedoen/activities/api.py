"""The JSON API of the register: ``/api/v1/activities/…`` (Django REST framework).

Session authentication with CSRF, JSON in and out. The endpoints gate by role like the pages and
call the same services, which check the role again; errors come back as JSON: 403 for a role,
400 with messages per field, 404 for an unknown activity. No logic here or in the serializers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meedoen.accounts.roles import Role
from meedoen.activities.floors import floor_make
from meedoen.activities.forms import MAX_RETENTION_DAYS
from meedoen.activities.selectors import (
    ActivityDetail,
    Version,
    activity_detail,
    activity_register,
)
from meedoen.activities.services import activity_amend, activity_request
from meedoen.activities.views import DECISIONS, READERS
from meedoen.audits.trace import TraceContext
from meedoen.web.access import actor_for
from meedoen.web.api import api_service


class RequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The body of ``POST /api/v1/activities/``: the arguments of ``activity_request``."""

    name = serializers.CharField(max_length=200)
    purpose = serializers.CharField()
    legal_basis = serializers.CharField()
    sources = serializers.ListField(
        child=serializers.CharField(max_length=100), allow_empty=False, max_length=50
    )
    retention_days = serializers.IntegerField(min_value=1, max_value=MAX_RETENTION_DAYS)
    data_categories = serializers.CharField(required=False, allow_blank=True, default="")
    recipients = serializers.CharField(required=False, allow_blank=True, default="")
    dpia_reference = serializers.CharField(
        required=False, allow_blank=True, max_length=200, default=""
    )
    columns = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=500
    )
    fine_columns = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=100
    )
    fine_reason = serializers.CharField(required=False, allow_blank=True, default="")
    #: ``analyse`` (default) or ``uitvoering``; the service checks them and the roles.
    kind = serializers.CharField(required=False, max_length=16, default="analyse")
    roles = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, max_length=10
    )
    #: The statutory task (``""`` or ``schuldhulpverlening``); a purpose-bound source such as
    #: ``signalen`` needs the task it is bound to. The service checks it.
    task = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")


class AmendSerializer(RequestSerializer):
    """The body of ``POST /api/v1/activities/ID/amend``: the complete new content."""

    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The body of ``POST /api/v1/activities/ID/approve|refuse|revoke``."""

    motivation = serializers.CharField()
    #: The version the caller read (approve, refuse): a request that changed since is refused.
    version = serializers.IntegerField(min_value=1, required=False)
    #: Floors of the disclosure rules (approve only; the defaults when left out).
    min_frequency = serializers.IntegerField(min_value=1, required=False)
    dominance = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, required=False
    )
    p_percent = serializers.FloatField(required=False)
    group = serializers.BooleanField(required=False)
    protection = serializers.FloatField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        decision = self.context["decision"]
        if decision in {"approve", "refuse"} and "version" not in attrs:
            raise serializers.ValidationError(
                {"version": _("Name the version you decide on: the request may have changed.")}
            )
        return attrs

    def arguments(self, request: Request) -> dict[str, Any]:
        """The decision service's arguments besides ``activity_id`` and ``actor``."""
        data = self.validated_data
        decision = self.context["decision"]
        if decision == "revoke":
            return {
                "motivation": data["motivation"],
                "trace": TraceContext.start(request.headers.get("traceparent")),
                "channel": "api",
            }
        arguments: dict[str, Any] = {
            "motivation": data["motivation"],
            "version": data["version"],
            "trace": TraceContext.start(request.headers.get("traceparent")),
            "channel": "api",
        }
        if decision == "approve":
            floors = {
                name: data[name]
                for name in ("min_frequency", "dominance", "p_percent", "group", "protection")
                if name in data
            }
            arguments["floor"] = floor_make(**floors)
        return arguments


def _gate(request: Request, *roles: Role) -> None:
    role = getattr(request.user, "role", None)
    if role not in roles:
        raise exceptions.PermissionDenied(
            _("Your role (%(role)s) may not do this; it needs: %(roles)s.")
            % {"role": role, "roles": ", ".join(r.value for r in roles)}
        )


def _version(version: Version) -> dict[str, Any]:
    s = version.state
    return {
        "version": s.number,
        "action": version.action,
        "by": s.acted_by,
        "at": version.at,
        "motivation": s.motivation,
        "name": s.name,
        "kind": s.kind,
        "roles": s.roles,
        "task": s.task,
        "purpose": s.purpose,
        "legal_basis": s.legal_basis,
        "sources": s.sources,
        "columns": s.columns,
        "fine_columns": s.fine_columns,
        "fine_reason": s.fine_reason,
        "floor": s.floor.as_dict() if s.status == "approved" and not s.operational else None,
        "data_categories": version.data_categories,
        "recipients": version.recipients,
        "retention_days": s.retention_days,
        "dpia_reference": version.dpia_reference,
        "status": s.status,
        "valid_until": s.valid_until,
    }


def _activity(detail: ActivityDetail) -> dict[str, Any]:
    return {
        "id": detail.current.state.id,
        "current": _version(detail.current),
        "versions": [
            {
                **_version(v),
                "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in v.changes],
            }
            for v in detail.versions
        ],
        "deleted_data": [
            {"at": p.at, "by": p.by, "reason": p.reason, "summary": p.summary}
            for p in detail.purges
        ],
    }


class ActivityListAPI(APIView):
    """GET: the register (current version of every activity). POST: request one (analysts)."""

    def get(self, request: Request) -> Response:
        _gate(request, *READERS)
        return Response(
            [{"id": v.state.id, **_version(v)} for v in api_service(lambda: activity_register())]
        )

    def post(self, request: Request) -> Response:
        _gate(request, Role.ANALYST)
        body = RequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        activity = api_service(
            lambda: activity_request(
                actor=actor_for(request.user), channel="api", **body.validated_data
            )
        )
        detail = api_service(lambda: activity_detail(activity_id=activity.pk))
        location = reverse("activities-api:detail", kwargs={"activity_id": activity.pk})
        return Response(
            _activity(detail), status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class ActivityDetailAPI(APIView):
    """GET: one activity, its current version and every version with its changes."""

    def get(self, request: Request, activity_id: int) -> Response:
        _gate(request, *READERS)
        return Response(_activity(api_service(lambda: activity_detail(activity_id=activity_id))))


class ActivityDecisionAPI(APIView):
    """POST {"motivation": …}: approve, refuse or revoke (privacy officer)."""

    def post(self, request: Request, activity_id: str, decision: str) -> Response:
        _gate(request, Role.PRIVACY_OFFICER)
        body = DecisionSerializer(data=request.data, context={"decision": decision})
        body.is_valid(raise_exception=True)
        api_service(
            lambda: DECISIONS[decision](
                activity_id=int(activity_id),
                actor=actor_for(request.user),
                **body.arguments(request),
            )
        )
        return Response(
            _activity(api_service(lambda: activity_detail(activity_id=int(activity_id))))
        )


class ActivityAmendAPI(APIView):
    """POST the complete new content of a requested or refused activity (analysts)."""

    def post(self, request: Request, activity_id: int) -> Response:
        _gate(request, Role.ANALYST)
        body = AmendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        api_service(
            lambda: activity_amend(
                activity_id=activity_id,
                actor=actor_for(request.user),
                channel="api",
                **body.validated_data,
            )
        )
        return Response(_activity(api_service(lambda: activity_detail(activity_id=activity_id))))
