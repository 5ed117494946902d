"""The JSON API of published tables: ``/api/v1/publications/…`` (Django REST framework).

Every role that reads the pages reads the API (not residents). A release is returned in the
JSON shape of ``meedoen table --format json`` — ``{"publication", "mode", "rules", "summary",
"tables"}`` — with its title and definition beside it; a withdrawn release does not exist
(404), also here. Only what passed disclosure control is ever returned."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from meedoen.accounts.roles import Role
from meedoen.publications.models import Publication
from meedoen.publications.selectors import publication_list, publication_title

#: Who may read published tables: everyone signed in except residents (as the pages).
READERS = tuple(role for role in Role if role != Role.RESIDENT)


def gate(request: Request) -> None:
    role = getattr(request.user, "role", None)
    if role not in READERS:
        raise exceptions.PermissionDenied(
            _("Your role (%(role)s) may not do this; it needs: %(roles)s.")
            % {"role": role, "roles": ", ".join(r.value for r in READERS)}
        )


class PublicationListAPI(APIView):
    """GET: every release that is not withdrawn, newest first (metadata only)."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: Request) -> Response:
        gate(request)
        return Response(
            [
                {
                    "id": item.id,
                    "title": item.title,
                    "activity": item.activity_id,
                    "published_at": item.created_at,
                    "mode": item.mode,
                    "url": request.build_absolute_uri(f"/api/v1/publications/{item.id}/"),
                }
                for item in publication_list(limit=None)
            ]
        )


class PublicationDetailAPI(APIView):
    """GET: one release, in the JSON shape of ``meedoen table --format json``."""

    http_method_names = ["get", "head", "options"]

    def get(self, request: Request, publication_id: int) -> Response:
        gate(request)
        publication = Publication.objects.filter(
            pk=publication_id, withdrawn_at__isnull=True
        ).first()
        if publication is None:
            raise exceptions.NotFound(
                _("There is no published table %(id)s.") % {"id": publication_id}
            )
        content: dict[str, Any] = dict(publication.content or {})
        definition: dict[str, Any] = dict(publication.definition or {})
        return Response(
            {
                "publication": publication.pk,
                "title": publication_title(
                    definition=definition, description=publication.description
                ),
                "definition": definition,
                "published_at": publication.created_at,
                **{k: content[k] for k in ("mode", "rules", "summary", "tables") if k in content},
                "areas": content.get("areas", {}),
            }
        )
