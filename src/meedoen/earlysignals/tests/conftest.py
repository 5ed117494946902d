"""Fixtures of the work-list tests: the signal town loaded through the intake gate (once per
session, copied per test), debt workers and other roles, and an approved operational activity
for debt help with its signals linked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.activities.services import activity_approve, activity_request
from meedoen.areas.services import areas_replace
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.services import signals_link
from meedoen.earlysignals.tests.town import ON, SignalTown, signal_town
from meedoen_data.workspace import workspace_init

DEBT_ACTIVITY = {
    "name": "Vroegsignalering schulden",
    "purpose": "Huishoudens met betalingsachterstanden tijdig hulp aanbieden",
    "legal_basis": "Wgs art. 3 en 4a",
    "sources": ["brp", "signalen", "schulden", "wmo", "participatie"],
    "retention_days": 365,
    "data_categories": "Betalingsachterstanden, huishouden, lopende hulp",
    "recipients": "Schuldhulpverleners van de gemeente",
    "dpia_reference": "DPIA-9",
    "kind": "uitvoering",
    "roles": ["debt_worker"],
    "task": "schuldhulpverlening",
}

TOWN = signal_town()


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """Messages in English: the tests match them (the pages are Dutch by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def town_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return TOWN.load(tmp_path_factory.mktemp("earlysignals") / "home")


@pytest.fixture
def town() -> SignalTown:
    return TOWN


@pytest.fixture
def home(town_home: Path, tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(town_home, home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    settings.CASEWORK_DATE = ON.isoformat()
    settings.SIGNALS_OPEN_DAYS = 182
    return home


def actor(user: User | None) -> Actor:
    return Actor(user.username, user) if user is not None else Actor("operator")


@pytest.fixture
def people(make_user, db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    return {
        "debt": make_user(Role.DEBT_WORKER, username="debt"),
        "debt2": make_user(Role.DEBT_WORKER, username="debt2"),
        "wijk": make_user(Role.CASE_WORKER, username="wijk"),
        "analyst": make_user(Role.ANALYST, username="analyst"),
        "officer": make_user(Role.PRIVACY_OFFICER, username="officer"),
        "admin": make_user(Role.ADMINISTRATOR, username="admin"),
    }


@pytest.fixture
def activity_id(people: dict[str, User], home: Path) -> int:
    """Approved, not yet linked."""
    activity = activity_request(actor=actor(people["analyst"]), **DEBT_ACTIVITY)
    activity_approve(
        activity_id=activity.pk, actor=actor(people["officer"]), motivation="akkoord", version=1
    )
    areas_replace(home=home)
    return activity.pk


@pytest.fixture
def linked(people: dict[str, User], activity_id: int) -> int:
    """The activity with its signals linked by the administrator (the work list made)."""
    signals_link(
        activity_id=activity_id, actor=actor(people["admin"]), trace=TraceContext.start(), via="cli"
    )
    return activity_id
