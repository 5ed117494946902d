"""An administrator gave their own account the analyst's role on the account page.

The attack (found reviewing the account pages of issue 17): administration and analysis are
separate roles — the administrator role reads no personal data. With *Andere rol* on
/beheer/gebruikers/<own id>/ an administrator could make their own account an analyst (or a
privacy officer) and then read activity stores, or approve activities, in their own name. Now
the page refuses a role change of one's own account (another administrator does it, and it is
logged in that administrator's name), as it refuses deactivating it.
"""

from __future__ import annotations

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.audits.models import ProcessingRecord

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.ANALYST, Role.PRIVACY_OFFICER])
def test_an_administrator_cannot_change_their_own_role(client: Client, make_user, role) -> None:
    admin = make_user(Role.ADMINISTRATOR, username="beheer")
    client.force_login(admin)
    url = f"/beheer/gebruikers/{admin.pk}/"
    assert 'value="role"' not in client.get(url).content.decode()
    response = client.post(url, {"action": "role", "role": role})
    assert "U kunt de rol van uw eigen account niet wijzigen" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMINISTRATOR
    assert not ProcessingRecord.objects.filter(name="account.role").exists()
    # Another administrator's account is changed as before (the refusal is about oneself).
    other = make_user(Role.ADMINISTRATOR, username="collega")
    client.post(f"/beheer/gebruikers/{other.pk}/", {"action": "role", "role": role})
    other.refresh_from_db()
    assert other.role == role
