"""An administrator signs in as a resident and reads their data (found in review of issue 22).

The attack: a resident account made at the first DigiD sign-in has no password, but the
administrator's ordinary account tools still applied to it. An administrator (or anyone with
the administrator's web or command-line access) made a one-time password link for
``inwoner-…``, set a password with it and signed in with it at ``/inloggen/``: ``/mijn/`` then
showed that resident's name, address history, household, help and signals, logged as the
resident reading their own data. The same by way of a role: give the account another role,
set a password, give it back the resident role. Or beforehand: create ``inwoner-<hash of the
pseudonym>`` with a known password; the first DigiD sign-in bound the resident to it and the
password kept working.

Now an account bound through DigiD signs in through DigiD only: no password link, no password
set with a link made before, no other role; and binding through DigiD makes any password on
the account unusable. The demo's resident (bound by ``meedoen demo``) keeps its password."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.test import Client

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.accounts.services import (
    user_create,
    user_password_reset_link,
    user_password_set,
    user_role_change,
)
from meedoen.conftest import PASSWORD
from meedoen.residents.services import resident_account_bind, resident_username
from meedoen_data.casework import person_pseudonym
from meedoen_data.workspace import Workspace

pytestmark = pytest.mark.django_db
STRONG = "een-heel-lang-wachtwoord-7"


def _signs_in(username: str, password: str) -> bool:
    """Through the login page, as an attacker would."""
    client = Client()
    client.post("/inloggen/", {"username": username, "password": password})
    return SESSION_KEY in client.session


def _bsns(home: Path, count: int) -> list[str]:
    with duckdb.connect(str(Workspace(home).vault_dir / "vault.duckdb"), read_only=True) as con:
        rows = con.execute(
            "SELECT burgerservicenummer FROM identity.ingeschrevenpersoon ORDER BY 1 LIMIT ?",
            [count],
        ).fetchall()
    return [str(r[0]) for r in rows]


def test_no_password_for_an_account_bound_through_digid(home, make_user) -> None:  # type: ignore[no-untyped-def]
    (bsn,) = _bsns(home, 1)
    resident = resident_account_bind(bsn=bsn, via="oidc")
    assert not resident.has_usable_password()
    with pytest.raises(ValidationError, match="DigiD"):
        user_password_reset_link(username=resident.username, by="beheer", by_role="administrator")
    with pytest.raises(ValidationError, match="DigiD"):  # a link made before the binding
        user_password_set(user=resident, password=STRONG)
    for role in (Role.ANALYST, Role.ADMINISTRATOR):
        with pytest.raises(ValidationError, match="DigiD"):
            user_role_change(
                username=resident.username, role=role, by="beheer", by_role="administrator"
            )
    resident.refresh_from_db()
    assert resident.role == Role.RESIDENT and not resident.has_usable_password()

    # Through the administrator's page: refused, and no link on it.
    admin = Client()
    admin.force_login(make_user(Role.ADMINISTRATOR))
    page = admin.post(f"/beheer/gebruikers/{resident.pk}/", {"action": "reset_link"})
    assert "/wachtwoord/" not in page.content.decode()
    assert "alleen in met DigiD" in page.content.decode()  # said why, in Dutch
    page = admin.post(f"/beheer/gebruikers/{resident.pk}/", {"action": "role", "role": "analyst"})
    assert User.objects.get(pk=resident.pk).role == Role.RESIDENT
    assert not _signs_in(resident.username, STRONG)


def test_a_password_set_before_the_first_digid_sign_in_stops_working(home) -> None:  # type: ignore[no-untyped-def]
    (bsn,) = _bsns(home, 1)
    name = resident_username(person_pseudonym(home=home, bsn=bsn))
    user_create(username=name, role=Role.RESIDENT, password=STRONG, by="beheer")
    assert _signs_in(name, STRONG)  # the trap is set
    bound = resident_account_bind(bsn=bsn, via="oidc")
    assert bound.username == name
    assert not _signs_in(name, STRONG)


def test_the_demo_resident_keeps_its_password(home) -> None:  # type: ignore[no-untyped-def]
    (bsn,) = _bsns(home, 1)
    user_create(username="resident", role=Role.RESIDENT, password=PASSWORD, by="demo")
    resident_account_bind(bsn=bsn, via="demo", username="resident")
    assert _signs_in("resident", PASSWORD)
    assert user_password_reset_link(username="resident", by="beheer", by_role="administrator")
