"""Every URL and every role, against the matrix documented in docs/users/permissions.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from meedoen.accounts.roles import Role
from meedoen.activities.services import Actor, activity_request
from meedoen.households.models import BuildRun
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[4] / "docs" / "users" / "permissions.md"
ROLES = ["anonymous", *Role.values]


def matrix() -> list[tuple[str, str, dict[str, str]]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 + len(ROLES) and cells[0] in {"GET", "POST"}:
            rows.append((cells[0], cells[1].strip("`"), dict(zip(ROLES, cells[2:], strict=True))))
    return rows


def view_names(patterns: list[URLPattern | URLResolver], prefix: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= view_names(pattern.url_patterns, namespace)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_the_documented_header_has_every_role() -> None:
    header = next(line for line in DOC.read_text().splitlines() if line.startswith("| method"))
    assert [c.strip() for c in header.strip("|").split("|")][2:] == ROLES


def test_every_url_of_the_app_is_in_the_matrix() -> None:
    documented = {
        resolve(url.replace("<id>", "1").replace("<run>", "1")).view_name for _, url, _ in matrix()
    }
    assert view_names(get_resolver().url_patterns) <= documented


def outcome(response, anonymous: bool) -> str:  # type: ignore[no-untyped-def]
    if response.status_code == 403:
        return "\u2013"  # the en dash of the documented table
    if anonymous and response.status_code == 302 and "/inloggen/" in response["Location"]:
        return "login"
    assert response.status_code < 500, response.content[:500]
    return "✓"


@pytest.mark.parametrize(("method", "url", "expected"), matrix(), ids=lambda v: str(v)[:40])
def test_every_role_gets_what_the_matrix_says(
    method, url, expected, make_user, settings, tmp_path
) -> None:
    settings.MEEDOEN_HOME = tmp_path / "home"
    settings.WORKSPACE = workspace_init(home=settings.MEEDOEN_HOME).workspace
    analyst = make_user(Role.ANALYST, username="requester")
    activity = activity_request(
        actor=Actor(analyst.username, analyst),
        name="Matrix",
        purpose="p",
        legal_basis="l",
        sources=["brp"],
        retention_days=1,
    )
    run = BuildRun.objects.create(
        activity_id=activity.pk,
        peildatum=date(2025, 1, 1),
        engine="duckdb",
        requested_by=analyst.username,
        channel="web",
        trace_id="0" * 32,
    )
    concrete = url.replace("<id>", str(activity.pk)).replace("<run>", str(run.pk))
    seen = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(make_user(role, username=f"user-{role}"))
        call = client.get if method == "GET" else client.post
        response = (
            call(concrete, content_type="application/json")
            if "/api/" in url and method == "POST"
            else call(concrete)
        )
        seen[role] = outcome(response, role == "anonymous")
    assert seen == expected
