"""The second sign-in factor (an authenticator app, TOTP; attacks on it: tests/security/
test_second_factor_attacks.py): set up on the own account page,
asked after the password on every new session, required for the roles that see person-level
data when MEEDOEN_SECOND_FACTOR=required, removed only by another administrator, and asked on
the command line too. Codes are computed here as the app would (RFC 6238)."""

from __future__ import annotations

import pytest
import typer
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.cli.common import cli_actor
from meedoen.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the app shows now (or ``steps_ahead`` periods of 30 s later)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, drift=steps_ahead)
    return f"{value:06d}"


def sign_in(username: str) -> Client:
    """A fresh browser that typed the right password (no code yet)."""
    client = Client()
    response = client.post("/inloggen/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def logged(username: str, operation: str) -> int:
    return ProcessingRecord.objects.filter(data_subject_id=username, name=operation).count()


def set_up(client: Client, user: User) -> TOTPDevice:
    client.post("/account/", {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/", {"action": "confirm", "code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_an_analyst_sets_up_the_app_and_then_needs_a_code(make_user) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    client = sign_in("a.jansen")
    assert client.get("/").status_code == 200  # optional: no factor, no code asked
    page = client.get("/account/").content.decode()
    assert "Tweede factor instellen" in page
    client.post("/account/", {"action": "start"})
    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    page = client.get("/account/").content.decode()
    assert "<svg" in page and "QR-code voor uw authenticator-app" in page
    wrong = client.post("/account/", {"action": "confirm", "code": "000000"})
    assert "Deze code klopt niet" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    set_up(client, analyst)
    assert logged("a.jansen", "account.second_factor_on") == 1
    assert client.get("/").status_code == 200  # this session entered the code

    # A new session: the password alone opens nothing.
    other = sign_in("a.jansen")
    response = other.get("/verwerkingen/")
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/code/?next=%2Fverwerkingen%2F"
    assert other.get("/account/")["Location"].startswith("/inloggen/code/")
    api = other.get("/api/v1/activities/")
    assert api.status_code == 403 and "tweede factor" in api.json()["detail"]
    refused = other.post("/inloggen/code/", {"code": "000000", "next": "/verwerkingen/"})
    assert "Deze code klopt niet" in refused.content.decode()
    assert logged("a.jansen", "account.second_factor_failed") == 1
    assert other.get("/verwerkingen/").status_code == 302
    device = TOTPDevice.objects.get(user=analyst)
    # Right after a wrong code even the right one waits: the page says how long.
    waits = other.post("/inloggen/code/", {"code": code(device, 1), "next": "/verwerkingen/"})
    assert "Enkele verkeerde codes: wacht 1 seconde" in waits.content.decode()
    assert logged("a.jansen", "account.second_factor_failed") == 1  # not a try: not logged
    device.throttling_failure_count = 0  # no waiting for the wrong code above
    device.save()
    done = other.post("/inloggen/code/", {"code": code(device, 1), "next": "/verwerkingen/"})
    assert done.status_code == 302 and done["Location"] == "/verwerkingen/"
    assert other.get("/verwerkingen/").status_code == 200
    # A code is accepted once: a third browser cannot reuse it.
    third = sign_in("a.jansen")
    reused = third.post("/inloggen/code/", {"code": code(device, 1), "next": "/"})
    assert reused.status_code == 200 and third.get("/")["Location"].startswith("/inloggen/code/")


def test_required_for_roles_that_see_persons(make_user, settings) -> None:
    settings.SECOND_FACTOR = "required"
    make_user(Role.PRIVACY_OFFICER, username="p.officer")
    make_user(Role.POLICY_MAKER, username="b.beleid")
    officer = sign_in("p.officer")
    response = officer.get("/logboek/")
    assert response.status_code == 302 and response["Location"] == "/account/?next=%2Flogboek%2F"
    page = officer.get("/account/?next=/logboek/").content.decode()
    assert "Uw rol kan gegevens over personen zien" in page
    assert sign_in("b.beleid").get("/publicaties/").status_code == 200  # aggregates only


def test_the_administrator_removes_a_lost_app_but_not_their_own(make_user) -> None:
    admin = make_user(Role.ADMINISTRATOR, username="beheer")
    analyst = make_user(Role.ANALYST, username="a.jansen")
    set_up(sign_in("a.jansen"), analyst)
    beheer = sign_in("beheer")
    page = beheer.get(f"/beheer/gebruikers/{analyst.pk}/").content.decode()
    assert "Tweede factor verwijderen" in page
    beheer.post(f"/beheer/gebruikers/{analyst.pk}/", {"action": "second_factor_off"})
    assert not TOTPDevice.objects.filter(user=analyst).exists()
    trace = ProcessingRecord.objects.get(
        data_subject_id="a.jansen", name="account.second_factor_off"
    )
    assert AccessRecord.objects.get(trace_id=trace.trace_id).user_name == "beheer"
    assert sign_in("a.jansen").get("/").status_code == 200  # optional again, no code

    set_up(beheer, admin)
    own = beheer.post(f"/beheer/gebruikers/{admin.pk}/", {"action": "second_factor_off"})
    assert own.status_code == 200 and own.context["error"]
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_the_command_line_asks_for_the_code(make_user, monkeypatch) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    device = set_up(sign_in("a.jansen"), analyst)
    monkeypatch.setenv("MEEDOEN_PASSWORD", PASSWORD)
    monkeypatch.delenv("MEEDOEN_TOKEN", raising=False)
    monkeypatch.delenv("MEEDOEN_OTP_CODE", raising=False)
    monkeypatch.setattr("meedoen.cli.common._terminal", lambda: False)
    with pytest.raises(typer.Exit) as no_code:
        cli_actor("a.jansen")
    assert no_code.value.exit_code == 2
    monkeypatch.setenv("MEEDOEN_OTP_CODE", "000000")
    with pytest.raises(typer.Exit):
        cli_actor("a.jansen")
    assert logged("a.jansen", "account.second_factor_failed") == 1
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    monkeypatch.setenv("MEEDOEN_OTP_CODE", code(device, 1))
    assert cli_actor("a.jansen").name == "a.jansen"
