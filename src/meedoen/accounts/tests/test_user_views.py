"""The administrator's account pages (/beheer/gebruikers/): list, make, another role,
deactivate and activate again — each logged in the administrator's name."""

from __future__ import annotations

import pytest
from django.test import Client

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.audits.accounts import audit_account_roles_check
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.conftest import PASSWORD as TEST_PASSWORD

pytestmark = pytest.mark.django_db
PASSWORD = "een-lang-en-sterk-wachtwoord-26"


@pytest.fixture
def admin(client: Client, make_user) -> User:  # type: ignore[no-untyped-def]
    user = make_user(Role.ADMINISTRATOR, username="beheer")
    client.force_login(user)
    return user


def logged(username: str, operation: str) -> list[str]:
    return list(
        ProcessingRecord.objects.filter(data_subject_id=username, name=operation)
        .order_by("position")
        .values_list("detail", flat=True)
    )


def test_the_list_shows_every_account_by_name_and_role_label(client: Client, admin) -> None:
    User.objects.create(username="a.jansen", first_name="Anna", last_name="Jansen", role="analyst")
    html = client.get("/beheer/gebruikers/").content.decode()
    assert "Anna Jansen" in html and "a.jansen" in html
    assert "Analist" in html and ">analyst<" not in html
    assert 'href="/beheer/gebruikers/nieuw/"' in html
    assert 'aria-current="page"' in html and ">Gebruikers</a>" in html  # in the menu


def test_the_administrator_makes_an_account_logged_in_their_name(client: Client, admin) -> None:
    response = client.post(
        "/beheer/gebruikers/nieuw/",
        {
            "username": "a.jansen",
            "first_name": "Anna",
            "last_name": "Jansen",
            "role": "analyst",
            "password": PASSWORD,
        },
    )
    user = User.objects.get(username="a.jansen")
    assert response.status_code == 302 and response["Location"] == f"/beheer/gebruikers/{user.pk}/"
    assert user.role == Role.ANALYST and user.check_password(PASSWORD)
    assert logged("a.jansen", "account.create") == ["role analyst"]
    access = AccessRecord.objects.get(
        trace_id=ProcessingRecord.objects.get(
            data_subject_id="a.jansen", name="account.create"
        ).trace_id
    )
    assert (access.user_name, access.channel) == ("beheer", "web")
    assert audit_account_roles_check() == []


def test_a_weak_password_or_taken_name_is_refused_on_the_form(client: Client, admin) -> None:
    weak = client.post(
        "/beheer/gebruikers/nieuw/",
        {
            "username": "b",
            "first_name": "B",
            "last_name": "C",
            "role": "analyst",
            "password": "123",
        },
    )
    html = weak.content.decode()
    assert weak.status_code == 200 and "Fout:" in html
    assert not User.objects.filter(username="b").exists()
    taken = client.post(
        "/beheer/gebruikers/nieuw/",
        {"username": "beheer", "first_name": "B", "last_name": "C", "role": "analyst",
         "password": PASSWORD},
    )  # fmt: skip
    assert taken.status_code == 200 and User.objects.filter(username="beheer").count() == 1


def test_another_role_is_logged_with_the_old_one(client: Client, admin, make_user) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    url = f"/beheer/gebruikers/{analyst.pk}/"
    response = client.post(url, {"action": "role", "role": "policy_maker"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == Role.POLICY_MAKER
    assert logged("a.jansen", "account.role") == ["role policy_maker (was analyst)"]
    assert "De rol is gewijzigd." in client.get(url).content.decode()


def test_deactivate_and_activate_again(client: Client, admin, make_user) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    url = f"/beheer/gebruikers/{analyst.pk}/"
    form = {"username": "a.jansen", "password": TEST_PASSWORD}
    assert Client().post("/inloggen/", form).status_code == 302  # signs in while active
    client.post(url, {"action": "deactivate"})
    analyst.refresh_from_db()
    assert analyst.is_active is False
    assert Client().post("/inloggen/", form).status_code == 200  # the form again: refused
    client.post(url, {"action": "activate"})
    analyst.refresh_from_db()
    assert analyst.is_active is True
    assert logged("a.jansen", "account.deactivate") == ["role analyst"]
    assert logged("a.jansen", "account.activate") == ["role analyst"]


def test_an_administrator_cannot_deactivate_their_own_account(client: Client, admin) -> None:
    url = f"/beheer/gebruikers/{admin.pk}/"
    html = client.get(url).content.decode()
    assert 'value="deactivate"' not in html
    response = client.post(url, {"action": "deactivate"})
    assert "U kunt uw eigen account niet deactiveren" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active is True and not logged("beheer", "account.deactivate")


def test_an_unknown_account_or_action(client: Client, admin) -> None:
    assert client.get("/beheer/gebruikers/999999/").status_code == 404
    assert client.post(f"/beheer/gebruikers/{admin.pk}/", {"action": "wis"}).status_code == 400


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_other_roles_are_refused(client: Client, make_user, role) -> None:
    target = make_user(Role.ANALYST, username="doel")
    user = make_user(role, username=f"x-{role}")
    client.force_login(user)
    assert client.get("/beheer/gebruikers/").status_code == 403
    assert client.get(f"/beheer/gebruikers/{target.pk}/").status_code == 403
    response = client.post(
        f"/beheer/gebruikers/{target.pk}/", {"action": "role", "role": "administrator"}
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == Role.ANALYST


# -- A one-time link for a new password ---------------------------------------------------------

NEW_PASSWORD = "een-ander-lang-wachtwoord-27"


def make_link(client: Client, account: User) -> str:
    """The link the administrator's page shows once (its path)."""
    response = client.post(f"/beheer/gebruikers/{account.pk}/", {"action": "reset_link"})
    assert response.status_code == 200
    link = response.context["reset_link"]
    assert link.startswith("http://testserver/wachtwoord/")
    return link.removeprefix("http://testserver")


def test_the_administrator_makes_a_link_shown_once_and_logged(
    client: Client, admin, make_user
) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    response = client.post(f"/beheer/gebruikers/{analyst.pk}/", {"action": "reset_link"})
    html = response.content.decode()
    link = response.context["reset_link"]
    assert f'value="{link}"' in html and "Eenmalige link" in html
    assert "no-store" in response["Cache-Control"]  # not kept in the browser's cache
    assert logged("a.jansen", "account.reset_link") == ["role analyst"]
    trace = ProcessingRecord.objects.get(data_subject_id="a.jansen", name="account.reset_link")
    assert AccessRecord.objects.get(trace_id=trace.trace_id).user_name == "beheer"
    # The token is nowhere in the log, and the page shown again has no link.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not ProcessingRecord.objects.filter(detail__contains=token).exists()
    assert "/wachtwoord/" not in client.get(f"/beheer/gebruikers/{analyst.pk}/").content.decode()


def test_the_link_sets_a_new_password_once(client: Client, admin, make_user) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    link = make_link(client, analyst)
    visitor = Client()
    response = visitor.get(link)
    # The token moves into the session; the form is at an address without it (no Referer leak).
    uid = link.split("/")[2]
    assert response.status_code == 302 and response["Location"] == f"/wachtwoord/{uid}/instellen/"
    form = visitor.get(response["Location"])
    assert form.status_code == 200 and form.context["validlink"] is True
    assert "Nieuw wachtwoord instellen" in form.content.decode()
    differ = visitor.post(
        response["Location"],
        {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD + "x"},
    )
    assert "De twee wachtwoorden verschillen." in differ.content.decode()
    weak = visitor.post(
        response["Location"], {"new_password": "kort", "new_password_again": "kort"}
    )
    assert weak.context["form"].errors["new_password"]
    done = visitor.post(
        response["Location"], {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/wachtwoord/ingesteld/"
    analyst.refresh_from_db()
    assert analyst.check_password(NEW_PASSWORD)
    assert logged("a.jansen", "account.password_set") == ["with a one-time link"]
    trace = ProcessingRecord.objects.get(data_subject_id="a.jansen", name="account.password_set")
    assert AccessRecord.objects.get(trace_id=trace.trace_id).user_name == "a.jansen"
    assert "Uw nieuwe wachtwoord is ingesteld" in visitor.get(done["Location"]).content.decode()
    # Used once: the same link no longer works, in a fresh browser or the same one.
    for again in (Client(), visitor):
        page = again.get(link)
        assert page.status_code == 200 and not page.context["validlink"]
        assert "Deze link werkt niet (meer)" in page.content.decode()
    assert visitor.post(
        f"/wachtwoord/{uid}/instellen/",
        {"new_password": "nog-een-ander-wachtwoord-28", "new_password_again": "x"},
    ).context["validlink"] in (False, None)
    analyst.refresh_from_db()
    assert analyst.check_password(NEW_PASSWORD)


def test_the_link_stops_when_the_account_signs_in_or_is_deactivated(
    client: Client, admin, make_user
) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    link = make_link(client, analyst)
    signed_in = Client().post("/inloggen/", {"username": "a.jansen", "password": TEST_PASSWORD})
    assert signed_in.status_code == 302  # signing in moves last_login on
    assert not Client().get(link).context["validlink"]

    link = make_link(client, analyst)
    client.post(f"/beheer/gebruikers/{analyst.pk}/", {"action": "deactivate"})
    assert not Client().get(link).context["validlink"]
    refused = client.post(f"/beheer/gebruikers/{analyst.pk}/", {"action": "reset_link"})
    assert refused.context["error"] and "reset_link" not in refused.context
    assert len(logged("a.jansen", "account.reset_link")) == 2


def test_a_new_password_ends_a_lockout(client: Client, admin, make_user, settings) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    visitor = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        visitor.post("/inloggen/", {"username": "a.jansen", "password": "fout"})
    locked = visitor.post("/inloggen/", {"username": "a.jansen", "password": TEST_PASSWORD})
    assert locked.status_code == 429  # locked: the right password is refused too
    link = make_link(client, analyst)
    form = visitor.get(link)["Location"]
    visitor.post(form, {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    signed_in = visitor.post("/inloggen/", {"username": "a.jansen", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"
