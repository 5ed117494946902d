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


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Each test its own witness folder and checkpoint key (not the shared test workspace's)."""
    settings.AUDIT_WITNESS_DIR = tmp_path / "audit-witness"
    settings.AUDIT_CHECKPOINT_KEY = tmp_path / "checkpoint-keys" / "audit-checkpoint.key"
    settings.AUDIT_CHECKPOINT_PUBLIC_KEY = tmp_path / "checkpoint-keys" / "audit-checkpoint.pub"
