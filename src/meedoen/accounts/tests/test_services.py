import pytest
from django.core.exceptions import ValidationError

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.accounts.services import demo_users_reset, user_create

pytestmark = pytest.mark.django_db


def test_user_create_sets_role_and_hashes_password() -> None:
    user = user_create(username="femke", role="privacy_officer", password="a-long-passphrase-7")
    assert user.role == Role.PRIVACY_OFFICER
    assert user.check_password("a-long-passphrase-7")
    assert "a-long-passphrase-7" not in user.password


def test_user_create_refuses_weak_password() -> None:
    with pytest.raises(ValidationError):
        user_create(username="femke", role="analyst", password="123")
    assert not User.objects.filter(username="femke").exists()


def test_user_create_refuses_unknown_role() -> None:
    with pytest.raises(ValueError, match="superhero"):
        user_create(username="x", role="superhero", password="a-long-passphrase-7")


def test_demo_users_cover_every_role_and_get_new_passwords_on_rerun() -> None:
    first = {user.role: user for user in demo_users_reset()}
    assert set(first) == set(Role.values)
    second = {user.role: user for user in demo_users_reset()}
    assert User.objects.count() == len(Role)
    for role in Role.values:
        assert first[role].password != second[role].password
        assert User.objects.get(username=role).check_password(second[role].password)
