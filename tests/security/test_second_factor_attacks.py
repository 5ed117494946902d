"""Attacks on the second sign-in factor (issue 17), by someone who knows an account's password
but does not hold its phone — a colleague who saw it typed, or an administrator who set it with
a one-time link.

1. Swapping in one's own authenticator app on the account page with only the password.
2. Setting the password with a one-time link and signing in with it: the app is still asked.
3. Guessing codes one after another: each wrong code is logged and the next waits longer.

Not here: guessing in a burst of parallel requests. ``second_factor_check`` locks the device's
row while it checks a code so that such guesses meet the throttle one by one, but a test with
parallel database connections cannot run in this suite (flushing the test database is refused
by the audit log's append-only triggers).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from meedoen.accounts.roles import Role
from meedoen.accounts.services import SecondFactorWait, second_factor_check
from meedoen.accounts.tests.test_second_factor import code, set_up, sign_in
from meedoen.audits.models import ProcessingRecord


@pytest.mark.django_db
def test_the_password_alone_cannot_swap_in_another_app(make_user) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    first = set_up(sign_in("a.jansen"), analyst)
    attacker = sign_in("a.jansen")  # knows the password, not the phone
    response = attacker.post("/account/", {"action": "start"})
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/code/")
    assert list(TOTPDevice.objects.filter(user=analyst)) == [first]


@pytest.mark.django_db
def test_a_password_link_does_not_pass_the_second_factor(make_user) -> None:
    """The administrator who opens a reset link themselves sets the password, but the account's
    authenticator stays: without its code nothing opens."""
    make_user(Role.ADMINISTRATOR, username="beheer")
    officer = make_user(Role.PRIVACY_OFFICER, username="p.officer")
    set_up(sign_in("p.officer"), officer)
    beheer = sign_in("beheer")
    link = beheer.post(f"/beheer/gebruikers/{officer.pk}/", {"action": "reset_link"})
    path = link.context["reset_link"].removeprefix("http://testserver")
    attacker = Client()
    form = attacker.get(path)["Location"]
    new = "een-wachtwoord-van-de-beheerder-30"
    attacker.post(form, {"new_password": new, "new_password_again": new})
    assert (
        attacker.post("/inloggen/", {"username": "p.officer", "password": new}).status_code == 302
    )
    assert attacker.get("/verwerkingen/")["Location"].startswith("/inloggen/code/")
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


@pytest.mark.django_db
def test_guesses_one_after_another_are_logged_and_slowed(make_user) -> None:
    analyst = make_user(Role.ANALYST, username="a.jansen")
    device = set_up(sign_in("a.jansen"), analyst)
    assert second_factor_check(user=analyst, code="000000") is None
    with pytest.raises(SecondFactorWait):  # even the right code waits after a wrong one
        second_factor_check(user=analyst, code=code(device, 1))
    failed = ProcessingRecord.objects.filter(name="account.second_factor_failed")
    assert failed.count() == 1
