"""`meedoen activity …` exactly as issue #5 specifies it for scripting."""

from __future__ import annotations

import pytest

from tests.helpers import meedoen, meedoen_json

REQUEST = [
    "activity",
    "request",
    "--name",
    "Voedselbank",
    "--purpose",
    "Klanten in beeld",
    "--legal-basis",
    "Participatiewet art. 7",
    "--sources",
    "brp,partner-voedselbank",
    "--retention-days",
    "30",
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> str:
    home = str(tmp_path_factory.mktemp("gov") / "home")
    meedoen_json("demo", "--no-serve", "--home", home)
    return home


def test_request_approve_list(home) -> None:
    created = meedoen_json(*REQUEST, "--by", "analyst", "--home", home)
    plain = meedoen(*REQUEST, "--home", home)
    assert plain.returncode == 0 and int(plain.stdout) == created["id"] + 1
    approved = meedoen_json(
        "activity",
        "approve",
        str(created["id"]),
        "--by",
        "privacy_officer",
        "--motivation",
        "Doel en grondslag helder",
        "--home",
        home,
    )
    assert approved["status"] == "approved" and approved["version"] == 2
    listed = {a["id"]: a for a in meedoen_json("activity", "list", "--home", home)}
    assert listed[created["id"]]["status"] == "approved"
    assert listed[created["id"]]["sources"] == ["brp", "partner-voedselbank"]


def test_decisions_need_the_privacy_officer(home) -> None:
    created = meedoen_json(*REQUEST, "--home", home)
    result = meedoen(
        "activity",
        "approve",
        str(created["id"]),
        "--by",
        "analyst",
        "--motivation",
        "x",
        "--home",
        home,
    )
    assert result.returncode == 2
    assert "analyst does not hold the privacy_officer role" in result.stderr
    unknown = meedoen(
        "activity",
        "refuse",
        str(created["id"]),
        "--by",
        "nobody",
        "--motivation",
        "x",
        "--home",
        home,
    )
    assert unknown.returncode == 2 and "no active user 'nobody'" in unknown.stderr
    missing = meedoen(
        "activity", "revoke", "999", "--by", "privacy_officer", "--motivation", "x", "--home", home
    )
    assert missing.returncode == 2 and "there is no activity 999" in missing.stderr


def test_bad_request_is_rejected(home) -> None:
    bad = [*REQUEST[:-4], "--sources", "brp,fiod", "--retention-days", "30"]
    result = meedoen(*bad, "--home", home)
    assert result.returncode == 2 and "unknown source domain fiod" in result.stderr
