"""Personal API tokens, signing in outside the login page, and account changes in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.test import Client
from django.utils import timezone

from meedoen.accounts.models import ApiToken
from meedoen.accounts.roles import Role
from meedoen.accounts.selectors import token_list
from meedoen.accounts.services import (
    SignInRefused,
    token_create,
    token_revoke,
    token_user,
    user_authenticate,
    user_create,
)
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_token_is_stored(make_user) -> None:
    analyst = make_user(Role.ANALYST)
    row, token = token_create(user=analyst, name="export", days=30)
    assert token.startswith("meedoen_") and len(token) > 40
    stored = ApiToken.objects.values().get(pk=row.pk)
    assert token not in str(stored) and len(stored["digest"]) == 64
    assert token_user(token=token) == analyst
    assert ApiToken.objects.get(pk=row.pk).last_used is not None
    assert timedelta(days=29) < row.expires - timezone.now() <= timedelta(days=30)
    [listed] = token_list(user=analyst)
    assert (listed.id, listed.name, listed.status) == (row.pk, "export", "active")
    assert token not in str(vars(listed))


def test_revoked_expired_and_inactive_tokens_do_not_sign_in(make_user) -> None:
    analyst = make_user(Role.ANALYST)
    revoked, first = token_create(user=analyst)
    token_revoke(user=analyst, token_id=revoked.pk)
    assert token_user(token=first) is None
    expired, second = token_create(user=analyst)
    ApiToken.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert token_user(token=second) is None
    assert {r.status for r in token_list(user=analyst)} == {"revoked", "expired"}
    _row, third = token_create(user=analyst, days=None)
    assert token_user(token=third) == analyst
    analyst.is_active = False
    analyst.save()
    assert token_user(token=third) is None
    assert token_user(token="meedoen_not-a-token") is None
    assert token_user(token="no-prefix") is None


def test_a_user_revokes_only_their_own_tokens(make_user) -> None:
    analyst, other = make_user(Role.ANALYST), make_user(Role.ANALYST, username="other")
    row, token = token_create(user=analyst)
    with pytest.raises(ObjectDoesNotExist):
        token_revoke(user=other, token_id=row.pk)
    assert token_user(token=token) == analyst


def test_the_api_accepts_a_token_with_its_users_role(client: Client, make_user) -> None:
    officer = make_user(Role.PRIVACY_OFFICER)
    _row, token = token_create(user=officer)
    header = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/v1/activities/", **header).status_code == 200
    # No CSRF token needed with a token; the role still decides (the officer does not request).
    body = {"name": "x", "purpose": "x", "legal_basis": "x", "sources": ["brp"],
            "retention_days": 1}  # fmt: skip
    refused = client.post("/api/v1/activities/", body, content_type="application/json", **header)
    assert refused.status_code == 403
    assert client.get("/api/v1/activities/", HTTP_AUTHORIZATION="Token x y").status_code == 403
    wrong = client.get("/api/v1/activities/", HTTP_AUTHORIZATION="Token meedoen_wrong")
    assert wrong.status_code == 403 and "ongeldig" in wrong.json()["detail"]


def test_a_token_signs_in_only_as_its_own_user(make_user) -> None:
    analyst = make_user(Role.ANALYST)
    make_user(Role.PRIVACY_OFFICER)
    _row, token = token_create(user=analyst)
    assert user_authenticate(username="analyst", token=token) == analyst
    with pytest.raises(SignInRefused, match="not right"):
        user_authenticate(username="privacy_officer", token=token)
    assert user_authenticate(username="privacy_officer", password=PASSWORD).username == (
        "privacy_officer"
    )


def test_account_changes_are_audit_records(make_user) -> None:
    user = user_create(
        username="femke",
        role=Role.PRIVACY_OFFICER,
        password="a-long-passphrase-7",
        by="root",
        by_role="operator",
    )
    access = AccessRecord.objects.get(operation="account.create")
    assert (access.user_name, access.user_role, access.channel) == ("root", "operator", "cli")
    record = ProcessingRecord.objects.get(name="account.create", trace_id=access.trace_id)
    assert (record.data_subject_id_type, record.data_subject_id) == ("account", "femke")
    assert "privacy_officer" in record.detail
    row, _token = token_create(user=user, name="script")
    token_revoke(user=user, token_id=row.pk)
    token_revoke(user=user, token_id=row.pk)  # twice: nothing new
    operations = list(
        AccessRecord.objects.filter(user_name="femke").values_list("operation", flat=True)
    )
    assert operations == ["account.token_create", "account.token_revoke"]
