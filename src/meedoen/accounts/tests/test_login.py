import pytest
from django.test import Client
from django.urls import reverse

from meedoen.accounts.roles import Role
from meedoen.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_page_is_dutch_by_default(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl"' in html
    assert "Inloggen" in html


def test_english_on_request(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/inloggen/"})
    assert response.status_code == 302
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en"' in html
    assert "Sign in to meedoen" in html


@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_gets_its_start_page(client: Client, make_user, role: Role) -> None:
    make_user(role)
    response = client.post(
        reverse("accounts:login"), {"username": role.value, "password": PASSWORD}, follow=True
    )
    assert response.wsgi_request.user.is_authenticated
    if role == Role.RESIDENT:  # a resident starts at their own data (bound to nobody: 403)
        assert response.redirect_chain[-1][0] == "/mijn/"
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response.context["page"].role == role.value
    assert str(role.label) in response.content.decode()


def test_wrong_password_is_refused_without_saying_which_part(client: Client, make_user) -> None:
    make_user(Role.ANALYST)
    response = client.post(
        reverse("accounts:login"), {"username": "analyst", "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert 'role="alert"' in response.content.decode()


def test_login_requires_csrf_token(make_user) -> None:
    make_user(Role.ANALYST)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 403


def test_logout_is_post_only(client: Client, make_user) -> None:
    client.force_login(make_user(Role.RESIDENT))
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302
