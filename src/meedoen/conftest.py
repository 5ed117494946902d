"""Fixtures for the Django apps' tests (tests live inside each app)."""

from __future__ import annotations

import pytest

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role

PASSWORD = "correct-horse-battery-staple"  # noqa: S105  (test accounts)


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    def make(role: Role | str = Role.ANALYST, username: str | None = None) -> User:
        role = Role(role)
        user = User(username=username or role.value, role=role, first_name=role.label)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make
