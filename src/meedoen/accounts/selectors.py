"""Reads on accounts."""

from __future__ import annotations

from django.db.models import Count

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role


def user_counts_by_role() -> dict[str, int]:
    counts = {role.value: 0 for role in Role}
    for row in User.objects.filter(is_active=True).values("role").annotate(n=Count("id")):
        counts[row["role"]] = row["n"]
    return counts
