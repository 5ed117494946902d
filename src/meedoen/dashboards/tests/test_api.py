"""The API of published tables and indicators (issue 18): a release in the JSON shape of
`meedoen table --format json`, a withdrawn one gone (404), residents refused (403), the
indicators with their released values only; the OpenAPI description lists every API route."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.dashboards.tests.test_selectors import release
from meedoen.web.openapi import DOCUMENT

pytestmark = pytest.mark.django_db


def test_a_release_in_the_shape_of_meedoen_table_and_a_withdrawn_one_gone(
    client: Client, make_user
) -> None:  # type: ignore[no-untyped-def]
    shown = release("bijstand", {("Totaal", "Totaal"): 100, ("Totaal", "1"): None})
    cells = {("Totaal", "Totaal"): 100, ("Totaal", "1"): 7}
    gone = release(
        "bijstand", cells, day="2024-01-01", withdrawn_at=timezone.now(), withdrawn_by="fg"
    )
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    listed = client.get("/api/v1/publications/").json()
    assert [item["id"] for item in listed] == [shown.pk]
    body = client.get(f"/api/v1/publications/{shown.pk}/").json()
    assert body["publication"] == shown.pk and body["mode"] == "suppression"
    assert body["tables"] == shown.content["tables"] and body["title"].startswith("Huishoudens met")
    assert client.get(f"/api/v1/publications/{gone.pk}/").status_code == 404
    client.force_login(make_user(Role.RESIDENT))
    assert client.get("/api/v1/publications/").status_code == 403


def test_the_indicators_with_their_released_values_only(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    release("bijstand", {("Totaal", "Totaal"): 200, ("Totaal", "1"): 10,
                         ("WK078400", "Totaal"): 100, ("WK078400", "1"): None})  # fmt: skip
    client.force_login(make_user(Role.POLICY_MAKER))
    body = client.get("/api/v1/indicators/").json()
    assert body["peildatum"] == "2025-01-01"
    by_id = {i["id"]: i for i in body["indicators"]}
    values = {v["area"]: v for v in by_id["bijstand"]["values"]}
    assert values["Totaal"]["value"] == 5.0 and values["WK078400"]["value"] is None
    assert by_id["eenzaamheid"]["values"] == [] and by_id["eenzaamheid"]["needed"]


def _api_routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    routes = []
    for p in patterns:
        text = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            routes += _api_routes(p.url_patterns, text)
        elif text.startswith(("api/v1/", "^api/v1/")):
            routes.append(text)
    return routes


def test_the_openapi_description_lists_every_route_of_the_api(client: Client) -> None:
    def shape(route: str) -> str:
        route = route.replace("^", "").replace("$", "").replace("/?", "")
        route = re.sub(r"\(\?P<([a-z_]+)>[^)]*\)", r"{\1}", route)
        route = re.sub(r"<(?:int:)?([a-z_]+)>", r"{\1}", route)
        return "/" + route

    routes = {shape(r) for r in _api_routes(get_resolver().url_patterns)}
    assert routes == set(DOCUMENT["paths"]) | {"/api/v1/openapi.json"}
    served = client.get("/api/v1/openapi.json")  # no sign-in needed
    assert served.status_code == 200 and served.json()["openapi"].startswith("3.")
