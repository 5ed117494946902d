"""Finding (issue 15, low): no login throttling and no failed-login logging.

The attack: the attacker posted 50 wrong passwords for `analyst` to `/inloggen/` in 11 seconds,
then the right one, and was signed in; nothing recorded the 50 failures. The same guessing
worked against `--by USER` on the command line once that asked for a password, and against
the JSON API's tokens.

Now django-axes counts failures per user name and address on every channel (login page, JSON
API, `--by` on the command line): after LOGIN_FAILURE_LIMIT (5) failures the pair is locked,
the right password is refused while it is locked (the page says so in Dutch, HTTP 429), the
lock gets longer with every further lockout, and every failure and lockout is in axes's tables
and in the audit log (`account.login_failed`, `account.locked`) — never the password itself."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog
from django.test import Client
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.accounts.services import SignInRefused, token_create, user_authenticate
from meedoen.audits.models import AccessRecord
from tests.helpers import meedoen, meedoen_json
from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "wrong-password-guess"
ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.20"


def sign_in(client: Client, password: str, address: str = ATTACKER):  # type: ignore[no-untyped-def]
    return client.post(
        "/inloggen/", {"username": "analyst", "password": password}, REMOTE_ADDR=address
    )


def minutes(response) -> int:  # type: ignore[no-untyped-def]
    found = re.search(r"(\d+) minuten", response.content.decode())
    assert found, response.content.decode()[:2000]
    return int(found.group(1))


def test_fifty_wrong_passwords_then_the_right_one_is_refused(client: Client, make_user) -> None:
    make_user(Role.ANALYST)
    for _ in range(50):
        assert not sign_in(client, WRONG).wsgi_request.user.is_authenticated
    response = sign_in(client, PASSWORD)
    assert not response.wsgi_request.user.is_authenticated
    assert response.status_code == 429
    html = response.content.decode()
    assert "Tijdelijk geblokkeerd" in html and "Te veel mislukte inlogpogingen" in html
    assert 'role="alert"' in html
    assert client.get("/").status_code == 302  # still not signed in

    # Recorded: every attempt in axes's tables and in the audit log, never the password.
    assert AccessFailureLog.objects.filter(username="analyst", ip_address=ATTACKER).count() == 51
    assert AccessAttempt.objects.get(username="analyst").failures_since_start == 51
    failed = AccessRecord.objects.filter(operation="account.login_failed", user_name="analyst")
    assert failed.count() == 51
    assert {(r.channel, r.client) for r in failed} == {("web", ATTACKER)}
    assert AccessRecord.objects.filter(operation="account.locked", user_name="analyst").count()
    for attempt in AccessAttempt.objects.all():
        assert WRONG not in attempt.post_data and PASSWORD not in attempt.post_data
    for record in AccessRecord.objects.all():
        assert WRONG not in str(vars(record)) and PASSWORD not in str(vars(record))


def test_the_lock_is_per_user_and_address_and_grows(client: Client, make_user) -> None:
    make_user(Role.ANALYST)
    for _ in range(4):
        sign_in(client, WRONG)
    first = sign_in(client, WRONG)  # the fifth failure locks
    assert first.status_code == 429 and minutes(first) == 15
    # A colleague on another address signs in as usual (no denial of service by guessing).
    other = Client()
    assert sign_in(other, PASSWORD, COLLEAGUE).wsgi_request.user.is_authenticated

    # When the lock has passed (its expiry moved into the past), the right password works.
    past = timezone.now() - timedelta(hours=1)
    AccessAttempt.objects.update(attempt_time=past)
    AccessAttemptExpiration.objects.update(expires_at=past)
    # ... but five more failures lock for twice as long, and so on.
    for _ in range(4):
        sign_in(client, WRONG)
    second = sign_in(client, WRONG)
    assert second.status_code == 429 and minutes(second) == 30
    assert not sign_in(client, PASSWORD).wsgi_request.user.is_authenticated
    AccessAttempt.objects.update(attempt_time=past)
    AccessAttemptExpiration.objects.update(expires_at=past)
    assert sign_in(client, PASSWORD).wsgi_request.user.is_authenticated


def test_the_json_api_locks_an_address_that_guesses_tokens(client: Client, make_user) -> None:
    analyst = make_user(Role.ANALYST)
    _row, token = token_create(user=analyst, name="script")
    url = "/api/v1/activities/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    for number in range(5):
        guess = f"meedoen_guess{number}"
        refused = client.get(url, HTTP_AUTHORIZATION=f"Token {guess}", REMOTE_ADDR=ATTACKER)
        assert refused.status_code in {403, 429}
    locked = client.get(url, HTTP_AUTHORIZATION=f"Token {token}", REMOTE_ADDR=ATTACKER)
    assert locked.status_code == 429
    assert "Te veel mislukte inlogpogingen" in locked.json()["detail"]
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200  # elsewhere
    failed = AccessRecord.objects.filter(operation="account.login_failed", channel="api")
    assert failed.count() == 6
    assert all(token not in str(vars(r)) for r in AccessRecord.objects.all())


def test_the_command_line_signs_in_through_the_same_throttle(make_user) -> None:
    make_user(Role.PRIVACY_OFFICER)
    for _ in range(4):
        with pytest.raises(SignInRefused, match="not right"):
            user_authenticate(username="privacy_officer", password=WRONG, client="mallory")
    with pytest.raises(SignInRefused, match="locked on this device for 15 minutes"):
        user_authenticate(username="privacy_officer", password=WRONG, client="mallory")
    with pytest.raises(SignInRefused, match="Too many failed sign-in attempts"):
        user_authenticate(username="privacy_officer", password=PASSWORD, client="mallory")
    failed = AccessRecord.objects.filter(operation="account.login_failed", channel="cli")
    assert failed.count() == 6 and {r.client for r in failed} == {"mallory"}
    assert AccessRecord.objects.filter(operation="account.locked", channel="cli").count() == 1
    # The web's address is counted apart: the officer still signs in on the login page.
    assert (
        Client()
        .post("/inloggen/", {"username": "privacy_officer", "password": PASSWORD})
        .wsgi_request.user.is_authenticated
    )


def test_the_limit_is_configurable_and_the_cli_subprocess_is_locked(tmp_path) -> None:
    home = str(tmp_path / "home")
    meedoen_json("init", "--home", home)
    secret = "a-long-and-fine-passphrase"
    meedoen("user", "add", "femke", "--role", "privacy_officer", "--home", home, stdin=secret)
    limit = {"MEEDOEN_LOGIN_FAILURE_LIMIT": "2"}
    for _ in range(2):
        wrong = meedoen("user", "token", "list", "--by", "femke", "--home", home,
                        MEEDOEN_PASSWORD=WRONG, **limit)  # fmt: skip
        assert wrong.returncode == 2 and "authentication failed for femke" in wrong.stderr
    right = meedoen("user", "token", "list", "--by", "femke", "--home", home,
                    MEEDOEN_PASSWORD=secret, **limit)  # fmt: skip
    assert right.returncode == 2 and "Too many failed sign-in attempts" in right.stderr
    logged = meedoen_json("audit", "list", "--home", home)  # processing records, newest first
    assert any(r["name"] == "account.create" for r in logged)
