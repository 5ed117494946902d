import pytest
from django.test import Client

from meedoen.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_administrator_sees_workspace_and_user_counts(client: Client, make_user) -> None:
    client.force_login(make_user(Role.ADMINISTRATOR))
    make_user(Role.ANALYST)
    response = client.get("/")
    assert response.status_code == 200
    counts = dict(response.context["user_counts"])
    assert counts[Role.ANALYST.label] == 1
    assert counts[Role.ADMINISTRATOR.label] == 1


@pytest.mark.parametrize("role", [r for r in Role if r not in {Role.ADMINISTRATOR}])
def test_other_roles_do_not_see_key_store(client: Client, make_user, role: Role) -> None:
    client.force_login(make_user(role))
    html = client.get("/").content.decode()
    assert "Sleutels" not in html
    assert "user_counts" not in (client.get("/").context or {})


def test_a_resident_starts_at_their_own_data(client: Client, make_user) -> None:
    client.force_login(make_user(Role.RESIDENT))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/mijn/")
