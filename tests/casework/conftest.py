"""Fixtures of the case-work tests: the step family of ``test_family`` loaded through the intake
gate (once per session, copied per test), case workers of two teams, and an approved operational
activity."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.services import Actor, activity_approve, activity_request
from meedoen.conftest import PASSWORD, make_user  # noqa: F401  (fixture)
from meedoen_data.workspace import workspace_init
from tests.casework.town import Town, step_family

__all__ = ["PASSWORD"]

FAMILY_ACTIVITY = {
    "name": "Gezinscontext",
    "purpose": "De casusregisseur ziet het gezin van een casus op de eigen caseload",
    "legal_basis": "Jeugdwet art. 7.4.0; Wmo 2015 art. 5.1.1",
    "sources": ["brp", "jeugd", "wmo", "participatie", "schulden", "betrokkenheid"],
    "retention_days": 365,
    "data_categories": "Gezinssamenstelling, voorzieningen",
    "recipients": "Casusregisseurs en teamleiders van het wijkteam",
    "dpia_reference": "DPIA-7",
    "kind": "uitvoering",
    "roles": ["case_worker", "team_lead"],
}


def family_town() -> Town:
    """Noor (11) lives with her mother Hanna and step-father Jan, whose son Kees lives there
    too; her father Ivo lives elsewhere with her half-sister Lotte and Lotte's mother Mila. Noor
    has youth care and a lead professional; Hanna had bijstand."""
    t = Town()
    step_family(t)
    t.person("Piet Anders", date(1950, 1, 1), sex="M")
    t.live("Piet Anders", "Stationsweg")
    t.care("Noor Mulder", "JEUGDWET", "45", date(2024, 5, 1))
    t.care("Piet Anders", "WMO", "01", date(2024, 1, 1))
    t.benefit("Hanna de Wit", date(2023, 2, 1), date(2023, 9, 30))
    t.involve("Noor Mulder", "Fleur Regie", "regievoerder", date(2024, 5, 1), date(2024, 12, 1))
    t._add(
        "casus",
        casusnummer="C2024-000001",
        burgerservicenummer=t.bsn("Noor Mulder"),
        medewerker="wijk1",
        team="noord",
        startdatum=date(2024, 5, 1),
        einddatum=None,
    )
    return t


TOWN = family_town()


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """Messages in English: the tests match them (the pages are Dutch by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def town_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return TOWN.load(tmp_path_factory.mktemp("casework") / "home")


@pytest.fixture
def town() -> Town:
    return TOWN


@pytest.fixture
def home(town_home: Path, tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(town_home, home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    settings.CASEWORK_DATE = "2025-01-01"
    return home


def _user(factory, role: Role, username: str, team: str = "") -> User:  # type: ignore[no-untyped-def]
    user = factory(role, username=username)
    user.team = team
    user.save(update_fields=["team"])
    return user


@pytest.fixture
def people(make_user, db) -> dict[str, User]:  # type: ignore[no-untyped-def]  # noqa: F811
    return {
        "wijk1": _user(make_user, Role.CASE_WORKER, "wijk1", "noord"),
        "wijk2": _user(make_user, Role.CASE_WORKER, "wijk2", "noord"),
        "zuid1": _user(make_user, Role.CASE_WORKER, "zuid1", "zuid"),
        "lead": _user(make_user, Role.TEAM_LEAD, "lead", "noord"),
        "lead_zuid": _user(make_user, Role.TEAM_LEAD, "lead_zuid", "zuid"),
        "analyst": _user(make_user, Role.ANALYST, "analyst"),
        "officer": _user(make_user, Role.PRIVACY_OFFICER, "officer"),
        "debt": _user(make_user, Role.DEBT_WORKER, "debt"),
        "council": _user(make_user, Role.COUNCIL_MEMBER, "council"),
    }


def actor(user: User) -> Actor:
    return Actor(user.username, user)


@pytest.fixture
def activity_id(people: dict[str, User], home: Path) -> int:
    activity = activity_request(actor=actor(people["analyst"]), **FAMILY_ACTIVITY)
    activity_approve(
        activity_id=activity.pk, actor=actor(people["officer"]), motivation="akkoord", version=1
    )
    return activity.pk
