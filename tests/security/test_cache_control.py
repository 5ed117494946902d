"""Finding (issue 15, low): pages with personal data lack `Cache-Control: no-store`.

The attack: on a shared workstation (a wijkteam office, a library), after the analyst signed
out, the next user opened the browser's history and back/forward cache and read the SQL page
with its rows of pseudonyms, and a caching proxy could have kept the JSON API's answers: the
responses carried no caching instruction at all.

Now every response to a signed-in user, and every JSON API response, says
`Cache-Control: no-store` and `Pragma: no-cache`; static files keep their long cache lifetime."""

from __future__ import annotations

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.accounts.services import token_create
from tests.security.conftest import approved

pytestmark = pytest.mark.django_db

QUERY = "SELECT person_pseudonym FROM source.ingeschrevenpersoon LIMIT 5"


def no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return response.get("Cache-Control") == "no-store" and response.get("Pragma") == "no-cache"


def test_a_page_with_personal_data_is_not_stored(client: Client, home, analyst, officer) -> None:
    activity_id = approved(analyst, officer, sources=["brp"])
    client.force_login(analyst)
    response = client.post("/sql/", {"activity": activity_id, "sql": QUERY})
    pseudonym = response.context["result"].rows[0][0]
    assert pseudonym in response.content.decode()  # the page does show personal data
    assert no_store(response)
    for url in ["/", "/verwerkingen/", f"/verwerkingen/{activity_id}/", "/api/v1/activities/"]:
        assert no_store(client.get(url)), url


def test_the_api_with_a_token_is_not_stored(client: Client, make_user) -> None:
    _row, token = token_create(user=make_user(Role.ANALYST))
    response = client.get("/api/v1/activities/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200 and no_store(response)
    assert no_store(client.get("/api/v1/activities/"))  # refused, and not stored either


def test_static_files_keep_their_cache_lifetime(client: Client, make_user) -> None:
    client.force_login(make_user(Role.ANALYST))
    static = client.get("/static/meedoen/css/meedoen.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
