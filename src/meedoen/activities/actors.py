"""Who acts on the register and on an activity's data, and the role check every service makes."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role


@dataclass(frozen=True)
class Actor:
    """Who acts: a user account, or an operator of the workspace on the command line.

    A command-line operator without ``--by`` is whoever can read the workspace's keys and
    vault (the operating system protects those folders); such an operator may act as analyst or
    vault administrator, never as privacy officer."""

    name: str
    user: User | None = None

    @property
    def role(self) -> str:
        return self.user.role if self.user is not None else "operator"


OPERATOR_ROLES = {Role.ANALYST, Role.ADMINISTRATOR}


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.user is not None:
        if actor.user.role not in roles:
            wanted = " or ".join(r.value for r in roles)
            raise PermissionDenied(f"{actor.name} does not hold the {wanted} role")
        return
    if not set(roles) & OPERATOR_ROLES:
        wanted = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"only a user with the {wanted} role may do this (give --by)")
