"""The OpenAPI description of ``/api/v1/`` (served at ``/api/v1/openapi.json``), written out
here rather than generated: a test checks that every route of the API is in it and that
nothing else is."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

_AUTH = [{"session": []}, {"token": []}]
_ERRORS = {
    "403": {"description": "Not signed in, or the role may not do this (JSON with `detail`)."},
    "404": {"description": "No such object (or a withdrawn release)."},
}


def _get(
    summary: str, description: str, parameters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "parameters": parameters or [],
            "security": _AUTH,
            "responses": {"200": {"description": "JSON"}, **_ERRORS},
        }
    }


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _post(summary: str, description: str, path_id: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "description": description,
            "parameters": [_id(path_id)],
            "security": _AUTH,
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {
                "200": {"description": "JSON"},
                "400": {"description": "Refused, with messages per field (JSON)."},
                **_ERRORS,
            },
        }
    }


DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "meedoen API",
        "version": "1",
        "description": "The register of processing activities, published tables, the "
        "dashboard's indicators, case work and early signals (docs/api.md). Session (with "
        "CSRF) or personal token (`Authorization: Token …`).",
    },
    "components": {
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
            "token": {"type": "apiKey", "in": "header", "name": "Authorization"},
        }
    },
    "paths": {
        "/api/v1/activities/": {
            **_get("Processing activities", "The register; analysts, privacy officer, admin."),
            "post": {
                **_post("Request an activity", "Analysts.", "unused")["post"],
                "parameters": [],
            },
        },
        "/api/v1/activities/{activity_id}/": _get(
            "One activity", "With every version and what changed.", [_id("activity_id")]
        ),
        "/api/v1/activities/{activity_id}/amend": _post(
            "Amend a request", "Analysts; a new version.", "activity_id"
        ),
        "/api/v1/activities/{activity_id}/{decision}": {
            "post": {
                **_post("Decide", "The privacy officer: approve, refuse or revoke.", "activity_id")[
                    "post"
                ],
                "parameters": [
                    _id("activity_id"),
                    {
                        "name": "decision",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": ["approve", "refuse", "revoke"]},
                    },
                ],
            }
        },
        "/api/v1/publications/": _get(
            "Published tables", "Every release that is not withdrawn, newest first."
        ),
        "/api/v1/publications/{publication_id}/": _get(
            "One published table",
            "In the JSON shape of `meedoen table --format json`.",
            [_id("publication_id")],
        ),
        "/api/v1/casussen/": {
            "post": {
                **_post(
                    "Open a case",
                    "Case workers (for themselves) and team leads (for a case worker of the team, "
                    '`medewerker`): `{"bsn": …, "reden": …, "grondslag": …}` or '
                    "`achternaam` + `geboortedatum` instead of `bsn`; `activiteit` when more than "
                    "one operational activity allows the role. 201 with `id` and `casusnummer`.",
                    "unused",
                )["post"],
                "parameters": [],
            }
        },
        "/api/v1/casussen/{case_id}/gezin/": _get(
            "The family of a case",
            "Its case worker only (403 for anyone else): members with role, "
            "`lives_at_address`, services (domain, category label, provider, contact, since, "
            "until) and involvements, and per source the state (`geregistreerd`, "
            "`geen_registratie`, `bron_niet_aangesloten`, `geen_toegang`). Every member shown "
            "is logged.",
            [_id("case_id")],
        ),
        "/api/v1/mij/": _get(
            "My data (the signed-in resident)",
            "Residents only (403 for any other role, 503 while new data are loaded): what the "
            "sources hold about the resident, as `/mijn/` shows it (`gegevens`: registration "
            "and address history, household, services, early signals, partner files, each with "
            "its source and last delivery), their consents (`toestemmingen`), their objection "
            "and correction requests (`verzoeken`) and the privacy officer's contact. Logged "
            "as `resident.data_view`.",
        ),
        "/api/v1/mij/verwerkingen/": _get(
            "Who used my data (the signed-in resident)",
            "Residents only: every action on the resident's data, newest first, 50 per page, "
            "in plain language as `/mijn/verwerkingen/` shows it (`at`, `who`, `sentence`, "
            "`reason`, `activity`, `purpose`, `legal_basis`, `done`, `notes`); `volgende` says "
            "whether another page follows. Logged as `resident.processing_view`.",
            [{"name": "pagina", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
        ),
        "/api/v1/vroegsignalen/": _get(
            "The work list of early signals",
            "Debt workers under an approved operational activity for debt help (403 for anyone "
            "else): the households with open signals, most urgent first, without names: `id`, "
            "`wijk`, `priority`, `rule` (`id`, `name`, `why`), `triggered` and `signal_ids`, "
            "`partners`, `amount_total`, first and last signal, `status`, `assigned_to`, "
            "`in_debt_help`. Every household returned is logged per person.",
            [
                {"name": name, "in": "query", "schema": {"type": "string"}}
                for name in ("activiteit", "wijk", "prioriteit", "partner", "status", "mijn")
            ],
        ),
        "/api/v1/vroegsignalen/{household_id}/contacten/": {
            "post": {
                **_post(
                    "Register an outreach",
                    'Debt workers: `{"channel": …, "result": …, "follow_up": …, '
                    '"date": "YYYY-MM-DD"}` for a household of the work list. 201 with the '
                    "outreach and the household's new status.",
                    "household_id",
                )["post"],
            }
        },
        "/api/v1/indicators/": _get(
            "Indicators",
            "The catalogue with the released values per area for a peildatum.",
            [{"name": "peildatum", "in": "query", "schema": {"type": "string", "format": "date"}}],
        ),
    },
}


@login_not_required
@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(DOCUMENT)
