"""Who acts on the register and on an activity's data, and the role check every service makes."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role


@dataclass(frozen=True)
class Actor:
    """Who acts: a user account, or the operator of the workspace on the command line.

    The operator is whoever runs a command without ``--by``: the operating-system account that
    can read the workspace's keys and vault (the operating system protects those folders). The
    operator runs maintenance — only where a service says so with ``operator=True`` — and never
    decides on, reads or publishes an activity's data: that needs an authenticated user."""

    name: str
    user: User | None = None

    @property
    def role(self) -> str:
        return self.user.role if self.user is not None else OPERATOR


#: The role name the audit log records for the operating-system operator.
OPERATOR = "operator"

#: What the command line says when the operator tries what only a user may do.
OPERATOR_REFUSAL = (
    "only a user with the {wanted} role may do this: give --by USERNAME (the command then asks "
    "for the password, or reads MEEDOEN_PASSWORD or a personal API token in MEEDOEN_TOKEN)"
)


def require_role(actor: Actor, *roles: Role, operator: bool = False) -> None:
    """Refuse (PermissionDenied) unless the actor's account holds one of ``roles``.

    The workspace operator (an Actor without a user) passes only when ``operator`` is true: a
    maintenance task the service explicitly allows on the command line without ``--by``."""
    wanted = " or ".join(r.value for r in roles)
    if actor.user is not None:
        if actor.user.role not in roles:
            raise PermissionDenied(f"{actor.name} does not hold the {wanted} role")
        return
    if not operator:
        raise PermissionDenied(OPERATOR_REFUSAL.format(wanted=wanted))
