"""Reads on accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from meedoen.accounts.models import ApiToken, User
from meedoen.accounts.roles import SECOND_FACTOR_ROLES, Role


def user_counts_by_role() -> dict[str, int]:
    counts = {role.value: 0 for role in Role}
    for row in User.objects.filter(is_active=True).values("role").annotate(n=Count("id")):
        counts[row["role"]] = row["n"]
    return counts


def user_full_names(*, usernames: set[str]) -> dict[str, str]:
    """Full names of the accounts among ``usernames`` that have one (people are shown by
    name; a user name that is no account, such as the operator's, stays as it is)."""
    found = User.objects.filter(username__in=usernames).only("username", "first_name", "last_name")
    return {u.username: u.get_full_name() for u in found if u.get_full_name()}


def analysts_active() -> list[User]:
    """Active analysts, by name (the privacy officer grants link review to one of them)."""
    return list(
        User.objects.filter(role=Role.ANALYST, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
    )


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    created: datetime
    last_used: datetime | None
    expires: datetime | None
    revoked: datetime | None
    status: str  # active, expired or revoked


def token_list(*, user: User) -> list[TokenRow]:
    """A user's personal API tokens, newest first (never the tokens themselves)."""
    now = timezone.now()
    rows = []
    for t in ApiToken.objects.filter(user=user).order_by("-created", "-pk"):
        status = "revoked" if t.revoked else "expired" if not t.usable(now) else "active"
        rows.append(
            TokenRow(
                id=t.pk,
                name=t.name,
                created=t.created,
                last_used=t.last_used,
                expires=t.expires,
                revoked=t.revoked,
                status=status,
            )
        )
    return rows


def users_all() -> list[User]:
    """Every account, active ones first, by role and name (the administrator's list)."""
    return list(User.objects.order_by("-is_active", "role", "last_name", "first_name", "username"))


def user_by_id(*, user_id: int) -> User:
    """One account (``User.DoesNotExist`` otherwise)."""
    return User.objects.get(pk=user_id)


def second_factor_device(*, user: User) -> TOTPDevice | None:
    """The account's confirmed authenticator (one per account), or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_pending(*, user: User) -> TOTPDevice | None:
    """The authenticator ``user`` began to set up and has not confirmed yet, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def second_factor_required(*, role: str) -> bool:
    """Whether the installation requires a second factor of accounts with ``role``
    (MEEDOEN_SECOND_FACTOR=required and a role that sees persons)."""
    return settings.SECOND_FACTOR == "required" and role in SECOND_FACTOR_ROLES


def second_factor_needed(*, user: User) -> bool:
    """Whether ``user`` signs in with a code after the password: they set up an authenticator,
    or the installation requires one for their role."""
    return second_factor_device(user=user) is not None or second_factor_required(role=user.role)
