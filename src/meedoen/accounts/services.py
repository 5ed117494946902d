"""Writes on accounts. Keyword-only arguments; callers are views, the CLI and the demo."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_otp.models import MAX_THROTTLE_DELAY_SECONDS
from django_otp.plugins.otp_totp.models import TOTPDevice

from meedoen.accounts.models import ApiToken, User
from meedoen.accounts.roles import Role
from meedoen.accounts.throttle import CHANNEL_ATTRIBUTE, CLIENT_ATTRIBUTE, lockout_reason
from meedoen.audits.accounts import audit_account_role_recorded
from meedoen.audits.trace import TraceContext

#: The processing activity under which changes to accounts are logged (an account is personal
#: data of the employee who holds it).
ACCOUNTS_ACTIVITY = "urn:meedoen:verwerkingsactiviteit:accountbeheer"


def _digid_only(user: User) -> None:
    """A resident account bound through DigiD signs in through DigiD only: it gets no password
    and no other role, so nobody (an administrator included) can sign in as that resident and
    read their data. ValidationError for such an account."""
    if User.objects.filter(pk=user.pk, resident_identity__via="oidc").exists():
        raise ValidationError(
            _(
                "this account of a resident signs in with DigiD only: it gets no password and no "
                "other role"
            ),
            code="digid_only",
        )


def _account_audit(
    *,
    operation: str,
    account: User,
    by: str,
    by_role: str,
    channel: str,
    client: str = "",
    detail: str = "",
) -> None:
    """An account change in the audit log: who did it (access record) and to which account
    (processing record, data subject type ``account``)."""
    from datetime import UTC, datetime

    from meedoen.audits.services import audit_action

    audit_action(
        trace=TraceContext.start(),
        user_name=by,
        user_role=by_role,
        channel=channel,
        client=client,
        operation=operation,
        activity=ACCOUNTS_ACTIVITY,
        subjects={"account": [account.username]},
        started=datetime.now(UTC),
        detail=detail,
    )


def user_create(
    *,
    username: str,
    role: Role | str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    by: str = "system",
    by_role: str = "",
    channel: str = "cli",
) -> User:
    """Create a user with one role. The password must pass the configured validators
    (django.core.exceptions.ValidationError otherwise). Logged as ``account.create`` by ``by``
    (the command line passes the operating-system user)."""
    role = Role(role)
    user = User(
        username=username, role=role, first_name=first_name, last_name=last_name, email=email
    )
    validate_password(password, user=user)
    user.set_password(password)
    user.full_clean()
    user.save()
    _account_audit(
        operation="account.create",
        account=user,
        by=by,
        by_role=by_role,
        channel=channel,
        detail=f"role {user.role}",
    )
    return user


@transaction.atomic
def user_role_change(
    *,
    username: str,
    role: Role | str,
    by: str,
    by_role: str,
    channel: str = "cli",
    client: str = "",
) -> User:
    """Give an account another role, logged as ``account.role`` (``role NEW (was OLD)``). The
    audit check (``meedoen audit verify``) compares every account's role with the last one the
    log recorded, so a role changed any other way (a database shell) is reported. Nothing is
    written when the account has the role and the log says so; when the log says otherwise (the
    role was changed outside meedoen), giving the role records it (``role NEW (the log had
    OLD)``). ``User.DoesNotExist`` for an unknown account."""
    role = Role(role)
    user = User.objects.select_for_update().get(username=username)
    if role != user.role:
        _digid_only(user)
    old = user.role
    if old == role:
        recorded = audit_account_role_recorded(username=username)
        if recorded == role.value:
            return user
        detail = f"role {role.value} (the log had {recorded or 'no record'})"
    else:
        detail = f"role {role.value} (was {old})"
        user.role = role  # a valid role: Role(role) refused any other
        user.save(update_fields=["role"])
    _account_audit(
        operation="account.role",
        account=user,
        by=by,
        by_role=by_role,
        channel=channel,
        client=client,
        detail=detail,
    )
    return user


#: A team's short code (as the contract's ``casus.team``): letters, digits, ``_`` and ``-``.
TEAM_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


@transaction.atomic
def user_team_set(
    *,
    username: str,
    team: str,
    by: str,
    by_role: str,
    channel: str = "cli",
    client: str = "",
) -> User:
    """Put an account in a team (``wijkteam-noord``; empty: none), logged as ``account.team``:
    a team lead opens and assigns cases for the case workers of the own team, so a team is a
    permission. ValidationError for a malformed code; ``User.DoesNotExist`` for an unknown
    account. Nothing is written when nothing changes."""
    team = team.strip()
    if team and not TEAM_CODE.fullmatch(team):
        raise ValidationError(
            _("a team is a short code: letters, digits, _ and -, e.g. wijkteam-noord"),
            code="team",
        )
    user = User.objects.select_for_update().get(username=username)
    if user.team == team:
        return user
    old = user.team
    user.team = team
    user.save(update_fields=["team"])
    _account_audit(
        operation="account.team",
        account=user,
        by=by,
        by_role=by_role,
        channel=channel,
        client=client,
        detail=f"team {team or '(none)'} (was {old or '(none)'})",
    )
    return user


@transaction.atomic
def user_active_set(
    *,
    username: str,
    active: bool,
    by: str,
    by_role: str,
    channel: str = "web",
    client: str = "",
) -> User:
    """Deactivate an account (it can no longer sign in, and its API tokens stop working) or
    activate it again, logged as ``account.deactivate``/``account.activate``; accounts are
    never deleted, so the log keeps naming who acted. Nothing is written when nothing changes.
    An administrator cannot deactivate their own account (ValidationError): someone must be
    left to undo it. ``User.DoesNotExist`` for an unknown account."""
    user = User.objects.select_for_update().get(username=username)
    if user.is_active == active:
        return user
    if not active and username == by:
        raise ValidationError(_("you cannot deactivate your own account"), code="own_account")
    user.is_active = active
    user.save(update_fields=["is_active"])
    _account_audit(
        operation="account.activate" if active else "account.deactivate",
        account=user,
        by=by,
        by_role=by_role,
        channel=channel,
        client=client,
        detail=f"role {user.role}",
    )
    return user


def user_password_reset_link(
    *, username: str, by: str, by_role: str, client: str = "", channel: str = "web"
) -> str:
    """A one-time link with which the holder of ``username`` sets a new password; returns its
    path (``/wachtwoord/UID/TOKEN/``). Nothing of it is stored: the token is Django's
    ``default_token_generator`` (an HMAC over the account's password hash and last sign-in, so
    it stops working once a password is set with it or the account signs in) and it expires
    after ``PASSWORD_RESET_TIMEOUT`` (``MEEDOEN_PASSWORD_RESET_HOURS``). Logged as
    ``account.reset_link`` in the name of ``by``. A deactivated account gets no link
    (ValidationError); ``User.DoesNotExist`` for an unknown account."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.get(username=username)
    _digid_only(user)
    if not user.is_active:
        raise ValidationError(
            _("a deactivated account gets no link: activate it first"), code="inactive"
        )
    path = reverse(
        "accounts:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    _account_audit(
        operation="account.reset_link",
        account=user,
        by=by,
        by_role=by_role,
        channel=channel,
        client=client,
        detail=f"role {user.role}",
    )
    return path


@transaction.atomic
def user_password_set(*, user: User, password: str, client: str = "") -> User:
    """The holder of a one-time link sets their new password (the configured validators
    apply: ValidationError). Earlier failed sign-ins of the account are forgotten, so a
    lockout ends with it; logged as ``account.password_set`` in the account's own name."""
    from axes.utils import reset as axes_reset

    _digid_only(user)  # a link made before the account was bound to a resident
    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    axes_reset(username=user.username)
    _account_audit(
        operation="account.password_set",
        account=user,
        by=user.username,
        by_role=user.role,
        channel="web",
        client=client,
        detail="with a one-time link",
    )
    return user


# --- The second factor (an authenticator app, TOTP) ------------------------------------------


class SecondFactorWait(Exception):
    """Too many wrong codes in a row: the next code is checked after ``seconds``."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


def _wait_for(device: TOTPDevice) -> None:
    """SecondFactorWait while django-otp's throttle holds the device (1, 2, 4, … s after
    successive wrong codes): a code sent then is not even looked at, so say so."""
    allowed, _details = device.verify_is_allowed()
    if allowed:
        return
    delay = min(
        device.get_throttle_factor() * 2 ** (device.throttling_failure_count - 1),
        MAX_THROTTLE_DELAY_SECONDS,
    )
    waited = (timezone.now() - device.throttling_failure_timestamp).total_seconds()
    raise SecondFactorWait(max(1, math.ceil(delay - waited)))


def second_factor_start(*, user: User) -> TOTPDevice:
    """A new, not yet confirmed authenticator for ``user`` (an earlier unconfirmed one goes):
    its secret is shown once as a QR code; it counts only after ``second_factor_confirm``."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator-app", confirmed=False)


@transaction.atomic
def second_factor_confirm(*, user: User, code: str, client: str = "") -> TOTPDevice | None:
    """Confirm the authenticator of ``second_factor_start`` with a code it shows; it replaces
    any earlier one. Logged as ``account.second_factor_on``. None for a wrong code (the
    device's own throttle then makes the next try wait longer; SecondFactorWait while it
    does)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        return None
    _wait_for(device)
    if not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _account_audit(
        operation="account.second_factor_on",
        account=user,
        by=user.username,
        by_role=user.role,
        channel="web",
        client=client,
        detail="authenticator app",
    )
    return device


@transaction.atomic
def second_factor_check(
    *, user: User, code: str, channel: str = "web", client: str = ""
) -> TOTPDevice | None:
    """The code of ``user``'s confirmed authenticator, at sign-in: the device or None. Each
    wrong code is logged (``account.second_factor_failed``) and makes the next try wait longer
    (django-otp's throttle: 1, 2, 4, … seconds; SecondFactorWait until then); a code is
    accepted once. The device's row is locked while its code is checked: requests sent side by
    side wait for each other, so a burst of guesses meets the throttle one by one."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return None
    _wait_for(device)
    if device.verify_token(code.strip()):
        return device
    _account_audit(
        operation="account.second_factor_failed",
        account=user,
        by=user.username,
        by_role=user.role,
        channel=channel,
        client=client,
        detail="wrong or reused code",
    )
    return None


@transaction.atomic
def second_factor_remove(
    *, username: str, by: str, by_role: str, client: str = "", channel: str = "web"
) -> bool:
    """The administrator removes an account's authenticator (a lost phone); the account sets
    up a new one at its next sign-in where one is required. Not one's own (ValidationError).
    Logged as ``account.second_factor_off``; False when there was none."""
    user = User.objects.get(username=username)
    if username == by:
        raise ValidationError(
            _("you cannot remove the second factor of your own account"), code="own_account"
        )
    removed, _by_kind = TOTPDevice.objects.filter(user=user).delete()
    if not removed:
        return False
    _account_audit(
        operation="account.second_factor_off",
        account=user,
        by=by,
        by_role=by_role,
        channel=channel,
        client=client,
        detail="authenticator app removed",
    )
    return True


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
    Role.TEAM_LEAD: ("Tessa", "Teamleider"),
    Role.DEBT_WORKER: ("Sanne", "Schuldhulp"),
    Role.RESIDENT: ("Ilse", "Inwoner"),
}


@transaction.atomic
def demo_users_reset(*, by: str = "demo") -> list[DemoUser]:
    """Create the demo account of every role, or give an existing one a fresh password.

    Passwords are random and only printed, so a demo left running is not open to anyone who
    read the README. Each creation or reset is logged (``account.create``, ``account.reset``)."""
    result = []
    for role in Role:
        first_name, last_name = DEMO_NAMES[role]
        password = "-".join(secrets.token_urlsafe(6) for _part in range(3))
        was = User.objects.filter(username=role.value).values_list("role", flat=True).first()
        user, created = User.objects.update_or_create(
            username=role.value,
            defaults={"role": role, "first_name": first_name, "last_name": last_name},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        # A demo account given another role meanwhile gets its demo role back: said in the log.
        changed = f" (was {was})" if was is not None and was != role.value else ""
        _account_audit(
            operation="account.create" if created else "account.reset",
            account=user,
            by=by,
            by_role="operator",
            channel="cli",
            detail=f"demo account, role {role.value}{changed}",
        )
        result.append(DemoUser(username=user.username, role=role.value, password=password))
    return result


# --- Signing in outside the login page ------------------------------------------------------


class SignInRefused(Exception):
    """A sign-in with a wrong password or token, or while locked out (the message says which)."""


def user_authenticate(
    *,
    username: str,
    password: str | None = None,
    token: str | None = None,
    channel: str = "cli",
    client: str = "",
) -> User:
    """Sign ``username`` in with a password or a personal API token, as the login page does:
    through ``django.contrib.auth.authenticate``, so django-axes counts every failure and locks
    the user after too many (SignInRefused, with the reason), and every failure is logged.

    The command line has no network address: its attempts are counted per user name, apart
    from the web's. ``client`` names who ran it (the operating-system user)."""
    if (password is None) == (token is None):
        raise ValueError("give a password or a token")
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = f"/{channel}/"
    request.META["HTTP_USER_AGENT"] = f"meedoen-{channel}"
    request.META["PATH_INFO"] = request.path_info
    request.POST = QueryDict(mutable=True)
    request.POST["username"] = username
    setattr(request, CHANNEL_ATTRIBUTE, channel)
    setattr(request, CLIENT_ATTRIBUTE, client)
    if token is not None:
        user = authenticate(request, username=username, token=token)
    else:
        user = authenticate(request, username=username, password=password)
    if user is None:
        with translation.override("en"):  # the command line speaks English
            raise SignInRefused(lockout_reason(request))
    # As a sign-in on the login page: axes keeps its access log and clears the failures.
    user_logged_in.send(sender=type(user), request=request, user=user)
    return user


# --- Personal API tokens --------------------------------------------------------------------

#: Tokens start with this, so a leaked one is recognisable (e.g. by secret scanners).
TOKEN_PREFIX = "meedoen_"  # noqa: S105  (a prefix, not a secret)
#: Default lifetime of a new token.
TOKEN_DAYS = 90


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_create(
    *, user: User, name: str = "", days: int | None = TOKEN_DAYS, client: str = ""
) -> tuple[ApiToken, str]:
    """A new personal API token of ``user``: 32 random bytes, returned once (only its hash is
    stored). It expires after ``days`` days (None or 0: never). Logged as
    ``account.token_create``."""
    if days is not None and days < 0:
        raise ValidationError(_("the number of days may not be negative"), code="negative")
    if len(name) > 100:
        raise ValidationError(_("the name may be at most 100 characters"), code="too_long")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        digest=token_digest(secret),
        expires=timezone.now() + timedelta(days=days) if days else None,
    )
    _account_audit(
        operation="account.token_create",
        account=user,
        by=user.username,
        by_role=user.role,
        channel="cli",
        client=client,
        detail=f"token {row.pk} {row.name}".strip(),
    )
    return row, secret


def token_revoke(*, user: User, token_id: int, client: str = "") -> ApiToken:
    """Revoke one of ``user``'s own tokens (ObjectDoesNotExist for anyone else's). Logged as
    ``account.token_revoke``; revoking twice changes nothing."""
    row = ApiToken.objects.filter(pk=token_id, user=user).first()
    if row is None:
        raise ObjectDoesNotExist(f"{user.username} has no API token {token_id}")
    if row.revoked is None:
        row.revoked = timezone.now()
        row.save(update_fields=["revoked"])
        _account_audit(
            operation="account.token_revoke",
            account=user,
            by=user.username,
            by_role=user.role,
            channel="cli",
            client=client,
            detail=f"token {row.pk}",
        )
    return row


def token_user(*, token: str) -> User | None:
    """The active user whose usable (not revoked, not expired) token this is; records its use."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
    now = timezone.now()
    if row is None or not row.usable(now) or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used=now)
    return row.user
