"""Every account's role against the audit log: a role given outside meedoen is found.

A role is what decides what an account may read, so every role an account is given is a record
in the log: ``account.create`` (``role R``), ``account.role`` (``role R (was S)``) and the demo's
``account.reset``. The log is a hash chain witnessed by checkpoints, the accounts table is not:
someone with the database (a shell, SQL) can change a role without a trace there, but not make
the log say so. This check compares every account's role with the role the log last recorded
for it, and reports an account that the log never saw created while it was keeping records."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from meedoen.accounts.models import User
from meedoen.audits.models import ProcessingRecord

#: The operations that record the role an account has from then on.
ROLE_OPERATIONS = ("account.create", "account.role", "account.reset")
_ROLE = re.compile(r"\brole ([a-z_]+)")


@dataclass(frozen=True)
class UnloggedRole:
    """An account whose role the log does not account for."""

    username: str
    role: str
    recorded: str | None  # the role the log last recorded; None: no record of the account
    joined: datetime

    @property
    def message(self) -> str:
        if self.recorded is None:
            return (
                f"account {self.username} (role {self.role}), made on {self.joined:%Y-%m-%d}, "
                "has no record in the audit log: it was made outside meedoen"
            )
        return (
            f"account {self.username} has role {self.role}, but the audit log last recorded "
            f"role {self.recorded}: the role was changed outside meedoen"
        )


def _recorded_roles(usernames: list[str] | None = None) -> dict[str, str]:
    """The role the log last recorded per account (of ``usernames``; None: every account)."""
    records = ProcessingRecord.objects.filter(
        data_subject_id_type="account", name__in=ROLE_OPERATIONS
    )
    if usernames is not None:
        records = records.filter(data_subject_id__in=usernames)
    recorded: dict[str, str] = {}
    rows = records.order_by("position").values_list("data_subject_id", "detail")
    for username, detail in rows.iterator(chunk_size=2_000):
        found = _ROLE.search(detail)
        if found:
            recorded[username] = found.group(1)
    return recorded


def audit_account_role_recorded(*, username: str) -> str | None:
    """The role the log last recorded for the account; None: the log has no record of it."""
    return _recorded_roles([username]).get(username)


def audit_account_roles_check() -> list[UnloggedRole]:
    """Accounts whose role differs from the one the log last recorded, and accounts made after
    the oldest record the log keeps that it has no record of (accounts older than that may have
    been pruned with their records, ``meedoen audit prune``)."""
    recorded = _recorded_roles()
    oldest = ProcessingRecord.objects.order_by("position").values_list("start_time", flat=True)
    since = oldest.first()
    problems = []
    for username, role, joined in User.objects.order_by("username").values_list(
        "username", "role", "date_joined"
    ):
        if username in recorded and recorded[username] != role:
            problems.append(UnloggedRole(username, role, recorded[username], joined))
        elif username not in recorded and since is not None and joined >= since:
            problems.append(UnloggedRole(username, role, None, joined))
    return problems
