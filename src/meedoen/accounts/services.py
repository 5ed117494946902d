"""Writes on accounts. Keyword-only arguments; callers are views, the CLI and the demo."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role


def user_create(
    *,
    username: str,
    role: Role | str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a user with one role. The password must pass the configured validators
    (django.core.exceptions.ValidationError otherwise)."""
    role = Role(role)
    user = User(
        username=username, role=role, first_name=first_name, last_name=last_name, email=email
    )
    validate_password(password, user=user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    password: str


#: One demo account per role; the user name is the role id, easy to remember in a demo.
DEMO_NAMES: dict[str, tuple[str, str]] = {
    Role.ADMINISTRATOR: ("Anna", "de Beheerder"),
    Role.ANALYST: ("Ahmed", "Analist"),
    Role.PRIVACY_OFFICER: ("Femke", "van der Gegevens"),
    Role.POLICY_MAKER: ("Bram", "Beleid"),
    Role.COUNCIL_MEMBER: ("Ria", "Raadslid"),
    Role.CASE_WORKER: ("Wim", "Wijkteam"),
    Role.DEBT_WORKER: ("Sanne", "Schuldhulp"),
    Role.RESIDENT: ("Ilse", "Inwoner"),
}


@transaction.atomic
def demo_users_reset() -> list[DemoUser]:
    """Create the demo account of every role, or give an existing one a fresh password.

    Passwords are random and only printed, so a demo left running is not open to anyone who
    read the README."""
    result = []
    for role in Role:
        first_name, last_name = DEMO_NAMES[role]
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        user, _created = User.objects.update_or_create(
            username=role.value,
            defaults={"role": role, "first_name": first_name, "last_name": last_name},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        result.append(DemoUser(username=user.username, role=role.value, password=password))
    return result
