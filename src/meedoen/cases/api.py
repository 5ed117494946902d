"""The JSON API of case work (``/api/v1/casussen/``), for the case-management systems workers
already use: open a case, read its family. Token or session authentication; the same services
as the pages, so the same rules: a case worker reads only the families of cases on the own
caseload (403 otherwise), every member shown is logged."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meedoen.accounts.roles import Role
from meedoen.audits.trace import TraceContext
from meedoen.cases.selectors import case_activities
from meedoen.cases.services import case_open, family_view
from meedoen.cases.summary import family_json
from meedoen.web.access import actor_for
from meedoen.web.api import api_service

WORKERS = (Role.CASE_WORKER, Role.TEAM_LEAD)


class CaseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """``POST /api/v1/casussen/``: by BSN, or by surname and date of birth."""

    bsn = serializers.CharField(required=False, allow_blank=True, max_length=11, default="")
    achternaam = serializers.CharField(required=False, allow_blank=True, max_length=200)
    geboortedatum = serializers.DateField(required=False, allow_null=True, default=None)
    reden = serializers.CharField(max_length=2000)
    grondslag = serializers.CharField(max_length=300)
    activiteit = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    medewerker = serializers.CharField(required=False, allow_blank=True, max_length=150)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("bsn") and not (attrs.get("achternaam") and attrs.get("geboortedatum")):
            raise serializers.ValidationError(
                _("Give the BSN, or the surname and the date of birth.")
            )
        return attrs


def _gate(request: Request) -> None:
    if getattr(request.user, "role", None) not in WORKERS:
        raise exceptions.PermissionDenied(_("Only case workers and team leads work with cases."))


def _activity(request: Request, asked: int | None) -> int:
    """The operational activity: the one asked for, or the only one the role may use."""
    if asked:
        return asked
    choices = case_activities(role=str(getattr(request.user, "role", "")))
    if len(choices) != 1:
        raise exceptions.ValidationError(
            {"activiteit": [_("Name the operational processing activity (its number).")]}
        )
    return choices[0].id


class CaseListAPI(APIView):
    def post(self, request: Request) -> Response:
        _gate(request)
        body = CaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        activity_id = _activity(request, data.get("activiteit"))
        case = api_service(
            lambda: case_open(
                actor=actor_for(request.user),
                activity_id=activity_id,
                reason=data["reden"],
                legal_basis=data["grondslag"],
                bsn=data["bsn"] or None,
                surname=None if data["bsn"] else data.get("achternaam"),
                birth_date=None if data["bsn"] else data.get("geboortedatum"),
                worker=data.get("medewerker", ""),
                trace=TraceContext.start(request.headers.get("traceparent")),
                channel="api",
                client=request.META.get("REMOTE_ADDR", ""),
            )
        )
        return Response({"id": case.pk, "casusnummer": case.number}, status=status.HTTP_201_CREATED)


class CaseFamilyAPI(APIView):
    def get(self, request: Request, case_id: int) -> Response:
        _gate(request)
        view = api_service(
            lambda: family_view(
                actor=actor_for(request.user),
                case_id=case_id,
                trace=TraceContext.start(request.headers.get("traceparent")),
                channel="api",
                client=request.META.get("REMOTE_ADDR", ""),
            )
        )
        return Response(family_json(view))
