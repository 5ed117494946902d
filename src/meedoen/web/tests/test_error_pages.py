"""A refused form (CSRF) and a server error: in the app's layout, in Dutch, saying what to do
next and never the technical reason. (403 and 404: tests/browser/test_error_pages.py.)"""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from meedoen.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_a_form_without_its_token_is_refused_with_a_page_that_says_what_to_do(make_user) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.ANALYST))
    response = client.post("/uitloggen/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Het formulier is verlopen · meedoen</title>" in page
    assert "laad de pagina opnieuw" in page
    assert 'class="utrecht-nav-bar meedoen-nav' in page  # the layout, with the menu
    assert "CSRF" not in page and "Forbidden" not in page
    # Nothing happened: still signed in.
    assert client.get("/").status_code == 200


def test_a_server_error_has_the_layout_and_no_detail() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="nl"' in page
    assert "<title>Er ging iets mis · meedoen</title>" in page
    assert "geef dan aan de beheerder door" in page
    assert "Traceback" not in page and "Server Error" not in page
