"""The JSON API of the debt worker's work list (``/api/v1/vroegsignalen/``), for the systems
debt-help teams already use: the households with open signals (no names: ids, codes, signal ids,
amounts and dates), and registering an outreach. Token or session authentication; the same
services as the pages, so the same rules: debt workers under an approved activity only (403
otherwise), every household returned logged per person."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meedoen.accounts.roles import Role
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.models import CHANNELS, FOLLOW_UPS, RESULTS, Contact, SignalHousehold
from meedoen.earlysignals.selectors import Filters
from meedoen.earlysignals.services import contact_register, worklist_api
from meedoen.web.access import actor_for
from meedoen.web.api import api_service


def _gate(request: Request) -> None:
    if getattr(request.user, "role", None) != Role.DEBT_WORKER:
        raise exceptions.PermissionDenied(_("Only debt workers work with early signals."))


def _trace(request: Request) -> TraceContext:
    return TraceContext.start(request.headers.get("traceparent"))


def household_json(row: SignalHousehold) -> dict[str, Any]:
    return {
        "id": row.pk,
        "activity": row.activity_id,
        "wijk": row.wijk,
        "priority": row.priority,
        "rule": {"id": row.rule_id, "name": row.rule_name, "why": row.rule_why},
        "triggered": row.triggered,
        "signal_ids": row.signal_ids,
        "kinds": row.kinds,
        "partners": row.partners,
        "amount_total": f"{row.amount_total:.2f}",
        "months_in_arrears": row.months_in_arrears,
        "first_signal": row.first_signal.isoformat() if row.first_signal else None,
        "last_signal": row.last_signal.isoformat() if row.last_signal else None,
        "status": row.status,
        "assigned_to": row.assigned_to.username if row.assigned_to else None,
        "in_debt_help": row.in_debt_help,
        "earlier_outreach": bool(getattr(row, "outreach", False)),
    }


def contact_json(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "household": contact.household_id,
        "date": contact.date.isoformat(),
        "channel": contact.channel,
        "result": contact.result,
        "follow_up": contact.follow_up,
        "signal_ids": contact.signal_ids,
        "registered_by": contact.registered_by,
        "registered_at": contact.registered_at.isoformat(),
        "household_status": contact.household.status,
    }


class ContactSerializer(serializers.Serializer):  # type: ignore[type-arg]
    channel = serializers.ChoiceField(choices=CHANNELS)
    result = serializers.ChoiceField(choices=RESULTS)
    follow_up = serializers.ChoiceField(choices=FOLLOW_UPS)
    date = serializers.DateField()


class WorklistAPI(APIView):
    """``GET /api/v1/vroegsignalen/``, filtered by ``activiteit``, ``wijk``, ``prioriteit``,
    ``partner``, ``status`` and ``mijn=1`` as the page is."""

    def get(self, request: Request) -> Response:
        _gate(request)
        query = request.query_params
        asked = query.get("activiteit", "")
        state, rows = api_service(
            lambda: worklist_api(
                actor=actor_for(request.user),
                activity_id=int(asked) if asked.isdigit() and len(asked) < 12 else None,
                filters=Filters.parse(query.dict()),
                trace=_trace(request),
                via="api",
                client=request.META.get("REMOTE_ADDR", ""),
            )
        )
        return Response(
            {
                "activity": state.id,
                "count": len(rows),
                "households": [household_json(row) for row in rows],
            }
        )


class ContactAPI(APIView):
    """``POST /api/v1/vroegsignalen/<id>/contacten/`` with channel, result, follow_up, date."""

    def post(self, request: Request, household_id: int) -> Response:
        _gate(request)
        body = ContactSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        contact = api_service(
            lambda: contact_register(
                actor=actor_for(request.user),
                household_id=household_id,
                channel=data["channel"],
                result=data["result"],
                follow_up=data["follow_up"],
                on=data["date"],
                trace=_trace(request),
                via="api",
                client=request.META.get("REMOTE_ADDR", ""),
            )
        )
        return Response(contact_json(contact), status=status.HTTP_201_CREATED)
