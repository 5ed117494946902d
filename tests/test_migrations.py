"""The models and their migrations agree: a change to a model (such as moving a field of the
long runs' abstract model into its kinds, issue 17) comes with its migration or needs none."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_model_change_lacks_its_migration() -> None:
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"a model changed without its migration:\n{out.getvalue()}\n({exc})")
    assert "No changes detected" in out.getvalue()
