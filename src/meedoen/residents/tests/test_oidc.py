"""Residents sign in with DigiD through OpenID Connect, end to end: Django's test client against
a real local provider (:mod:`.oidc_provider`, HTTP on 127.0.0.1), with a workspace that has
keys so the BSN can become the BRP pseudonym."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client, RequestFactory
from django.utils import translation

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.residents.models import ResidentIdentity
from meedoen.residents.oidc import (
    BACKEND,
    ID_TOKEN_SESSION_KEY,
    SignInRefused,
    id_token_claims_check,
    id_token_seal,
    id_token_unseal,
)
from meedoen.residents.services import RESIDENT_ACTIVITY, SUBJECT_TYPE
from meedoen.residents.tests.oidc_provider import CLIENT_ID, LocalProvider
from meedoen_data.casework.family import person_pseudonym
from meedoen_data.workspace import workspace_init

BSN = "999990019"  # passes the 11-proef
OTHER_BSN = "123456789"  # fails it
SECOND_BSN = "999990032"
REFUSED_MESSAGE = "Signing in with DigiD did not succeed"
SRC = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def english() -> Client:
    """A browser that picked English with the language switch (the pages are Dutch by default)."""
    browser = Client()
    browser.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return browser


@pytest.fixture
def client() -> Client:
    return english()


@pytest.fixture(scope="module")
def provider() -> Iterator[LocalProvider]:
    local = LocalProvider().start()
    yield local
    local.stop()


@pytest.fixture
def home(tmp_path: Path, settings: Any) -> Path:
    """A workspace with keys and no data: enough to name a person by their BRP pseudonym."""
    home = tmp_path / "home"
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


@pytest.fixture
def op(provider: LocalProvider, settings: Any, home: Path, db: None) -> LocalProvider:
    """meedoen configured for the local provider (as MEEDOEN_OIDC_* would)."""
    provider.reset()
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return provider


def sign_in(client: Client, provider: LocalProvider, start: str = "/mijn/inloggen/") -> Any:
    """Through the whole flow: meedoen → the provider's /authorize → back to the callback.
    The callback's answer."""
    begun = client.get(start)
    assert begun.status_code == 302
    assert begun["Location"].startswith(provider.issuer + "/authorize?")
    consented = requests.get(begun["Location"], allow_redirects=False, timeout=10)
    assert consented.status_code == 302, consented.text
    back = urlsplit(consented.headers["Location"])
    assert back.netloc == "testserver" and back.path == "/mijn/oidc/terug/"
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def places_holding(text: str) -> list[str]:
    """Every text column of every table, and every session decoded, that holds ``text``."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                lookup = {f"{field.attname}__contains": text}
                if model._default_manager.filter(**lookup).exists():
                    found.append(f"{model._meta.db_table}.{field.column}")
    for session in Session.objects.all():
        if text in json.dumps(session.get_decoded()) or text in session.session_data:
            found.append(f"session {session.session_key}")
    return found


def refusals() -> list[ProcessingRecord]:
    return list(ProcessingRecord.objects.filter(name="resident.sign_in_refused"))


# --- Signing in --------------------------------------------------------------------------------


def test_sign_in_binds_one_resident_account_by_pseudonym_and_stores_no_bsn(
    op: LocalProvider, home: Path, client: Client
) -> None:
    op.knobs.bsn = BSN
    answer = sign_in(client, op)

    assert answer.status_code == 302 and answer["Location"] == "/mijn/"
    user = signed_in_user(client)
    assert user is not None and user.role == Role.RESIDENT and not user.has_usable_password()
    assert User.objects.count() == 1
    identity = ResidentIdentity.objects.get(user=user)
    person = person_pseudonym(home=home, bsn=BSN)
    assert identity.person == person and identity.via == "oidc"
    # The flow: client_secret_basic and PKCE at the token endpoint, the nonce in the ID token.
    assert "client_secret" not in op.token_requests[0]
    assert len(op.token_requests[0]["code_verifier"]) >= 43
    # Logged, with the person as data subject; the BSN nowhere in the web database.
    access = AccessRecord.objects.get(operation="resident.sign_in")
    assert (access.user_name, access.user_role, access.channel) == (
        user.username,
        "resident",
        "web",
    )
    record = ProcessingRecord.objects.get(name="resident.sign_in")
    assert (record.data_subject_id, record.data_subject_id_type) == (person, SUBJECT_TYPE)
    assert record.processing_activity_id == RESIDENT_ACTIVITY and record.status == "Ok"
    assert places_holding(BSN) == []
    # The ID token is kept for signing out, sealed: not readable in the session.
    sealed = client.session[ID_TOKEN_SESSION_KEY]
    assert op.issued[-1] not in sealed and id_token_unseal(sealed=sealed) == op.issued[-1]
    assert places_holding(op.issued[-1].split(".")[1][:40]) == []


def test_a_second_sign_in_reuses_the_account(op: LocalProvider, client: Client) -> None:
    op.knobs.bsn = BSN
    sign_in(client, op)
    first = signed_in_user(client)
    other_browser = english()
    sign_in(other_browser, op)
    assert signed_in_user(other_browser) == first
    op.knobs.bsn = SECOND_BSN
    third_browser = english()
    sign_in(third_browser, op)
    assert signed_in_user(third_browser) not in (None, first)
    assert User.objects.filter(role=Role.RESIDENT).count() == 2
    assert ResidentIdentity.objects.count() == 2
    assert AccessRecord.objects.filter(operation="resident.sign_in").count() == 3


def test_after_sign_in_the_resident_goes_to_the_portal_page_asked_for(
    op: LocalProvider, client: Client
) -> None:
    answer = sign_in(client, op, start="/mijn/inloggen/?next=/mijn/toestemmingen/")
    assert answer["Location"] == "/mijn/toestemmingen/"
    elsewhere = sign_in(english(), op, start="/mijn/inloggen/?next=/verwerkingen/")
    assert elsewhere["Location"] == "/mijn/"
    abroad = sign_in(english(), op, start="/mijn/inloggen/?next=https://evil.example/mijn/")
    assert abroad["Location"] == "/mijn/"


def test_a_resident_signed_in_with_digid_gets_403_on_staff_pages(
    op: LocalProvider, client: Client, settings: Any
) -> None:
    # Even where a second factor is required: DigiD is the resident's, no TOTP set-up page.
    settings.SECOND_FACTOR = "required"
    sign_in(client, op)
    for page in ("/verwerkingen/", "/logboek/"):
        answer = client.get(page)
        assert answer.status_code == 403, page
        body = answer.content.decode()
        assert "No access" in body and "utrecht-heading-1" in body and "<html" in body


# --- Signing out -------------------------------------------------------------------------------


def test_sign_out_ends_the_session_here_and_at_the_provider(
    op: LocalProvider, client: Client
) -> None:
    sign_in(client, op)
    id_token = op.issued[-1]

    answer = client.post("/mijn/uitloggen/")

    assert answer.status_code == 302
    target = urlsplit(answer["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == op.issuer + "/end-session"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query == {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "http://testserver/inloggen/",
        "client_id": CLIENT_ID,
    }
    assert signed_in_user(client) is None
    later = client.get("/mijn/")
    assert later.status_code == 302 and later["Location"].startswith("/inloggen/")
    # The provider accepts the hint and sends the browser back to the login page.
    ended = requests.get(answer["Location"], allow_redirects=False, timeout=10)
    assert ended.status_code == 302 and ended.headers["Location"] == "http://testserver/inloggen/"


def test_sign_out_without_an_end_session_endpoint_stays_here(
    op: LocalProvider, client: Client, settings: Any
) -> None:
    settings.OIDC_OP_END_SESSION_ENDPOINT = ""
    sign_in(client, op)
    answer = client.post("/mijn/uitloggen/")
    assert answer.status_code == 302 and answer["Location"] == "/inloggen/"
    assert signed_in_user(client) is None and op.end_sessions == []
    assert client.get("/mijn/uitloggen/").status_code == 405  # a link cannot sign out


# --- Refused ------------------------------------------------------------------------------------

REFUSALS = {
    "wrong audience": ({"audience": "another-client"}, "not meant for this client (aud)"),
    "several audiences, no azp": ({"audience": [CLIENT_ID, "other"]}, "(azp)"),
    "azp of another client": ({"azp": "other"}, "(azp)"),
    "expired": ({"lifetime": -120}, "has expired (exp)"),
    "issued in the future": ({"issued_offset": 600}, "issued in the future (iat)"),
    "wrong issuer": ({"issuer": "https://evil.example"}, "(iss) is not the configured issuer"),
    "bad signature": ({"wrong_key": True}, "JWS token verification failed"),
    "HS256 with the client secret": ({"algorithm": "HS256"}, "'HS256' does not match"),
    "unsigned": ({"algorithm": "none"}, "could not be read (KeyError)"),
    "wrong nonce": ({"nonce": "not-the-nonce"}, "Nonce verification failed"),
    "missing BSN": ({"bsn": None}, "the ID token has no bsn claim"),
    "BSN failing the 11-proef": ({"bsn": OTHER_BSN}, "not a valid BSN (11-proef)"),
    "BSN as a number": ({"extra_claims": {"bsn": int(BSN)}}, "not a valid BSN (11-proef)"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_token_that_fails_a_check_is_refused_logged_and_makes_no_account(
    case: str, op: LocalProvider, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    knobs, reason = REFUSALS[case]
    for name, value in knobs.items():
        setattr(op.knobs, name, value)

    with caplog.at_level(logging.WARNING, logger="meedoen.residents"):
        answer = sign_in(client, op)

    assert answer.status_code == 302 and answer["Location"] == "/inloggen/"
    assert signed_in_user(client) is None
    assert not User.objects.exists() and not ResidentIdentity.objects.exists()
    assert REFUSED_MESSAGE in client.get("/inloggen/").content.decode()
    [record] = refusals()
    assert reason in record.detail and record.status == "Error"
    assert (record.data_subject_id_type, record.data_subject_id) == ("none", "")
    access = AccessRecord.objects.get(operation="resident.sign_in_refused")
    assert access.user_name == "(unknown account)"
    assert not AccessRecord.objects.filter(operation="resident.sign_in").exists()
    assert any(reason in line for line in caplog.messages)
    assert places_holding(BSN) == [] and places_holding(OTHER_BSN) == []


def test_a_deactivated_resident_is_refused_and_logged_as_that_person(
    op: LocalProvider, home: Path, client: Client
) -> None:
    sign_in(client, op)
    user = signed_in_user(client)
    assert user is not None
    User.objects.filter(pk=user.pk).update(is_active=False)
    browser = Client()
    answer = sign_in(browser, op)
    assert answer["Location"] == "/inloggen/" and signed_in_user(browser) is None
    [record] = refusals()
    assert record.detail == "the resident account is deactivated"
    assert record.data_subject_id == person_pseudonym(home=home, bsn=BSN)
    assert AccessRecord.objects.get(operation="resident.sign_in_refused").user_name == user.username
    # The session of the deactivated account no longer signs anyone in.
    assert client.get("/verwerkingen/").status_code == 302


def test_an_answer_of_no_sign_in_started_here_is_refused_and_a_code_works_once(
    op: LocalProvider, client: Client
) -> None:
    begun = client.get("/mijn/inloggen/")
    consented = requests.get(begun["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(consented.headers["Location"])
    # Another browser (an attacker's session) cannot use the answer.
    stranger = english()
    assert stranger.get(f"{back.path}?{back.query}")["Location"] == "/inloggen/"
    assert signed_in_user(stranger) is None
    assert "(state)" in refusals()[0].detail
    # The right browser can, once.
    assert client.get(f"{back.path}?{back.query}")["Location"] == "/mijn/"
    assert client.get(f"{back.path}?{back.query}")["Location"] == "/inloggen/"
    assert User.objects.count() == 1 and len(refusals()) == 2


def test_a_sign_in_the_resident_cancelled_is_refused_and_logged(
    op: LocalProvider, client: Client
) -> None:
    begun = client.get("/mijn/inloggen/")
    state = parse_qs(urlsplit(begun["Location"]).query)["state"][0]
    answer = client.get("/mijn/oidc/terug/", {"error": "access_denied", "state": state})
    assert answer["Location"] == "/inloggen/"
    assert refusals()[0].detail == "the provider answered with error access_denied"
    assert op.token_requests == []


def test_a_provider_that_refuses_the_client_is_a_refused_sign_in(
    op: LocalProvider, client: Client, settings: Any
) -> None:
    settings.OIDC_RP_CLIENT_SECRET = "wrong"
    answer = sign_in(client, op)
    assert answer["Location"] == "/inloggen/" and not User.objects.exists()
    assert refusals()[0].detail == f"the provider answered HTTP 401 at {op.issuer}/token"


def test_a_provider_whose_keys_cannot_be_read_is_a_refused_sign_in(
    op: LocalProvider, client: Client, settings: Any
) -> None:
    settings.OIDC_OP_JWKS_ENDPOINT = op.issuer + "/no-keys-here"
    assert sign_in(client, op)["Location"] == "/inloggen/"
    settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:1/jwks"  # nobody listens
    assert sign_in(english(), op)["Location"] == "/inloggen/"
    assert [r.detail for r in refusals()] == [
        f"the provider answered HTTP 404 at {op.issuer}/no-keys-here",
        "the provider could not be reached (ConnectionError)",
    ]
    assert not User.objects.exists()


# --- Off unless configured; passwords unchanged -------------------------------------------------


def test_without_configuration_there_is_no_digid_sign_in(client: Client, db: None) -> None:
    assert client.get("/mijn/inloggen/").status_code == 404
    assert client.get("/mijn/oidc/terug/?code=x&state=y").status_code == 404
    assert client.post("/mijn/uitloggen/").status_code == 404
    assert client.get("/mijn/uitloggen/").status_code == 405
    login = client.get("/inloggen/").content.decode()
    assert "DigiD" not in login and "/mijn/inloggen/" not in login
    assert not AccessRecord.objects.exists()


def test_the_login_page_offers_digid_when_configured(op: LocalProvider, client: Client) -> None:
    login = client.get("/inloggen/").content.decode()
    assert 'href="/mijn/inloggen/"' in login and "Sign in as a resident (DigiD)" in login


def test_passwords_and_axes_work_as_before(op: LocalProvider, client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt

    from meedoen.conftest import PASSWORD

    analyst = make_user(Role.ANALYST, username="ana")
    request = RequestFactory().post("/inloggen/", {"username": "ana"})
    assert authenticate(request, username="ana", password=PASSWORD) == analyst
    wrong = client.post("/inloggen/", {"username": "ana", "password": "wrong"})
    assert wrong.status_code == 200 and AccessAttempt.objects.filter(username="ana").exists()
    right = client.post("/inloggen/", {"username": "ana", "password": PASSWORD})
    assert right.status_code == 302 and signed_in_user(client) == analyst
    assert client.session["_auth_user_backend"] != BACKEND
    assert not refusals()  # the OIDC backend took no part


# --- The pieces ---------------------------------------------------------------------------------

ISSUER = "https://broker.example"


class Ago(float):
    """A time this many seconds before the check runs (negative: after)."""


def claims(now: float, **changes: Any) -> dict[str, Any]:
    base = {"iss": ISSUER, "aud": "me", "sub": "x", "exp": now + 60, "iat": now}
    base.update({k: now - v if isinstance(v, Ago) else v for k, v in changes.items()})
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "accepted"),
    [
        ({}, True),
        ({"aud": ["me", "other"], "azp": "me"}, True),
        ({"aud": ["me"]}, True),
        ({"exp": Ago(30)}, True),  # within the leeway
        ({"exp": Ago(90)}, False),
        ({"iat": Ago(-30)}, True),
        ({"iat": Ago(-90)}, False),
        ({"nbf": Ago(-90)}, False),
        ({"exp": None}, False),
        ({"iat": "1"}, False),
        ({"exp": True}, False),
        ({"aud": None}, False),
        ({"aud": {"me": 1}}, False),
        ({"iss": ISSUER + "/"}, False),
        ({"sub": None}, False),
    ],
)
def test_id_token_claims_check(changes: dict[str, Any], accepted: bool) -> None:
    now = time.time()
    check = {"claims": claims(now, **changes), "issuer": ISSUER, "client_id": "me", "now": now}
    if accepted:
        id_token_claims_check(**check)
    else:
        with pytest.raises(SignInRefused):
            id_token_claims_check(**check)


def test_a_sealed_id_token_opens_only_with_this_secret_key(settings: Any) -> None:
    sealed = id_token_seal(id_token="a.b.c")
    assert id_token_unseal(sealed=sealed) == "a.b.c" and "a.b.c" not in sealed
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    assert id_token_unseal(sealed=sealed) == "" and id_token_unseal(sealed="junk") == ""


def _settings_in_a_new_process(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps("
        "[s.AUTHENTICATION_BACKENDS, s.CONTENT_SECURITY_POLICY, s.OIDC_BSN_CLAIM]))"
    )
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("MEEDOEN_OIDC_")
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "meedoen.conf.settings",
            "MEEDOEN_ENVIRONMENT": "ci",
            "MEEDOEN_HOME": str(tmp_path / "home"),
            "PYTHONPATH": str(SRC),
        }
    )
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=False
    )


def test_the_environment_turns_it_on_and_names_what_is_missing(tmp_path: Path) -> None:
    on = {
        "MEEDOEN_OIDC_ISSUER": "https://broker.example",
        "MEEDOEN_OIDC_CLIENT_ID": "meedoen",
        "MEEDOEN_OIDC_CLIENT_SECRET": "s",
        "MEEDOEN_OIDC_AUTHORIZATION_ENDPOINT": "https://broker.example/authorize",
        "MEEDOEN_OIDC_TOKEN_ENDPOINT": "https://broker.example/token",
        "MEEDOEN_OIDC_JWKS_ENDPOINT": "https://broker.example/jwks",
        "MEEDOEN_OIDC_END_SESSION_ENDPOINT": "https://logout.broker.example/end?x=1",
        "MEEDOEN_OIDC_BSN_CLAIM": "nl:bsn",
    }
    done = _settings_in_a_new_process(tmp_path, **on)
    assert done.returncode == 0, done.stderr
    backends, policy, claim = json.loads(done.stdout)
    assert backends[0] == "axes.backends.AxesStandaloneBackend" and backends[-1] == BACKEND
    assert "form-action 'self' https://logout.broker.example;" in policy and claim == "nl:bsn"

    off = _settings_in_a_new_process(tmp_path)
    assert off.returncode == 0, off.stderr
    assert BACKEND not in json.loads(off.stdout)[0]

    partial = _settings_in_a_new_process(tmp_path, MEEDOEN_OIDC_ISSUER="https://broker.example")
    assert partial.returncode != 0 and "MEEDOEN_OIDC_CLIENT_ID" in partial.stderr

    plain = _settings_in_a_new_process(
        tmp_path, **on | {"MEEDOEN_OIDC_TOKEN_ENDPOINT": "http://broker.example/token"}
    )
    assert plain.returncode == 0  # fine outside production …
    production = _settings_in_a_new_process(
        tmp_path,
        **on | {"MEEDOEN_OIDC_TOKEN_ENDPOINT": "http://broker.example/token"},
        MEEDOEN_ENVIRONMENT="production",
        DATABASE_URL="postgresql://x@127.0.0.1/x",
        SECRET_KEY="k" * 50,
    )
    assert production.returncode != 0 and "https://" in production.stderr
