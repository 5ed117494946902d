"""Web sessions end after inactivity and, however active, some hours after signing in."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from meedoen.accounts.roles import Role
from meedoen.utils.middleware import SESSION_STARTED

pytestmark = pytest.mark.django_db


def test_the_defaults_are_half_an_hour_idle_and_eight_hours_at_most() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True  # every request moves the expiry on
    assert settings.SESSION_MAX_SECONDS == 8 * 60 * 60


def test_an_idle_session_is_signed_out(client: Client, make_user) -> None:
    client.force_login(make_user(Role.ANALYST))
    assert client.get("/").status_code == 200
    # Half an hour and a second without a request: the stored session has expired.
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


def test_a_busy_session_ends_after_the_maximum(client: Client, make_user) -> None:
    client.force_login(make_user(Role.ANALYST))
    assert client.get("/").status_code == 200  # the first request notes when it began
    session = client.session
    assert session[SESSION_STARTED] <= time.time()
    session[SESSION_STARTED] = time.time() - settings.SESSION_MAX_SECONDS + 60
    session.save()
    assert client.get("/").status_code == 200  # a minute before the maximum: still signed in
    session = client.session
    session[SESSION_STARTED] = time.time() - settings.SESSION_MAX_SECONDS - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    assert client.get("/").status_code == 302  # and stays signed out
