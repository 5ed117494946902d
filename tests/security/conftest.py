"""Fixtures of the attack tests: a small synthetic municipality loaded through the intake gate,
accounts of each role, and processing activities approved by the privacy officer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meedoen.accounts.roles import Role
from meedoen.activities.services import Actor, activity_approve, activity_request
from meedoen.conftest import PASSWORD, make_user  # noqa: F401  (fixture)
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

__all__ = ["PASSWORD", "approved"]


@pytest.fixture(scope="session")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic municipality of 800 persons loaded through the intake gate, once; each test
    that needs it works on its own copy."""
    root = tmp_path_factory.mktemp("security")
    home = root / "home"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=root / "sources", persons=800)
    report = ingest_directory(home=home, directory=root / "sources", user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    return home


@pytest.fixture
def home(ingested: Path, tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    shutil.copytree(ingested, home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    return home


@pytest.fixture
def analyst(make_user):  # type: ignore[no-untyped-def]  # noqa: F811
    return make_user(Role.ANALYST)


@pytest.fixture
def officer(make_user):  # type: ignore[no-untyped-def]  # noqa: F811
    return make_user(Role.PRIVACY_OFFICER)


@pytest.fixture
def administrator(make_user):  # type: ignore[no-untyped-def]  # noqa: F811
    return make_user(Role.ADMINISTRATOR)


def approved(analyst, officer, *, sources: list[str]) -> int:  # type: ignore[no-untyped-def]
    """A processing activity requested by the analyst and approved by the privacy officer."""
    activity_id = activity_request(
        actor=Actor(analyst.username, analyst),
        name="Aanval",
        purpose="Stapeling van voorzieningen per huishouden",
        legal_basis="Participatiewet art. 7",
        sources=sources,
        retention_days=30,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        fine_columns=list(HOUSEHOLD_DETAIL),
        fine_reason="huishoudens op een peildatum",
    ).pk
    activity_approve(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="akkoord",
        version=1,
    )
    return activity_id
