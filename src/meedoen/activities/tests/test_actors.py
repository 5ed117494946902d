"""The role check of every service, and what the command line's operator may do."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role

pytestmark = pytest.mark.django_db


def test_a_user_needs_one_of_the_roles(make_user) -> None:
    analyst = make_user(Role.ANALYST)
    require_role(Actor(analyst.username, analyst), Role.ANALYST)
    with pytest.raises(PermissionDenied, match="analyst does not hold the privacy_officer role"):
        require_role(Actor(analyst.username, analyst), Role.PRIVACY_OFFICER)
    # operator=True changes nothing for a user: the role still decides.
    with pytest.raises(PermissionDenied):
        require_role(Actor(analyst.username, analyst), Role.ADMINISTRATOR, operator=True)


@pytest.mark.parametrize("role", list(Role))
def test_the_operator_passes_only_where_a_service_allows_it(role: Role) -> None:
    operator = Actor("root")
    assert operator.role == "operator"
    with pytest.raises(PermissionDenied, match="give --by USERNAME") as refused:
        require_role(operator, role)
    assert "MEEDOEN_PASSWORD" in str(refused.value) and "MEEDOEN_TOKEN" in str(refused.value)
    require_role(operator, role, operator=True)
