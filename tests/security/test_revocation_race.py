"""Medium finding of issue 15: revocation raced a running query.

The attack: while an analyst's long query ran on an activity's tables, the privacy officer
revoked the activity. The revocation answered HTTP 500, the store stayed on disk until the
next `meedoen retention run`, and a query returned rows 3 s after the store had been deleted:
data of a revoked activity, shown after its revocation.

Now everyone who uses an activity's store holds a shared OS file lock on it; a revocation marks
the deletion, stops the queries running in the web process at once, waits (bounded by the
query time limit) for users in other processes — a `meedoen sql`, a build, a linkage — and then
deletes the store in the same operation. A query checks the approval again after it ran and
never returns data of a revoked activity; a build or linkage stops at its next step with a
refusal, not a traceback. The SQL page says in Dutch that the activity was revoked."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from meedoen_data.categories import HOUSEHOLD_DETAIL
from tests.helpers import cli_env, meedoen, meedoen_as, meedoen_json, served
from tests.security.sqlweb import (
    Answer,
    Demo,
    WebUser,
    demo_workspace,
    logged,
    page_text,
    result_rows,
    store_in_use,
    wait_until,
)

#: The server's time limit: a revocation waits at most this (and 10 s) for other processes.
TIMEOUT = "45"
#: Billions of hashes over the register: about half a minute unless it is stopped.
SLOW = (
    "SELECT count(*) FROM source.ingeschrevenpersoon a, range(100000) r(x) "
    "WHERE hash(a.person_pseudonym, x) % 97 = 0"
)


@dataclass(frozen=True)
class Race:
    demo: Demo
    analyst: WebUser
    officer: WebUser
    web_query: int  # the demo's activity 1
    cli_query: int
    build: int


def as_user(demo: Demo, username: str, *args: str) -> subprocess.CompletedProcess[str]:
    return meedoen_as(username, demo.passwords[username], *args, "--home", str(demo.home))


def approved_activity(demo: Demo, name: str) -> int:
    created = as_user(
        demo,
        "analyst",
        *("activity", "request", "--name", name, "--purpose", "Huishoudens in beeld"),
        *("--legal-basis", "Participatiewet art. 7", "--sources", "brp"),
        *("--retention-days", "30", "--fine", ",".join(HOUSEHOLD_DETAIL)),
        *("--data-categories", "Huishoudens", "--recipients", "Analisten", "--dpia", "DPIA-1"),
        *("--fine-reason", "huishoudens op een peildatum", "--json"),
    )
    assert created.returncode == 0, created.stderr
    activity = int(json.loads(created.stdout)["id"])
    decided = as_user(
        demo,
        "privacy_officer",
        *("activity", "approve", str(activity), "--version", "1", "--motivation", "akkoord"),
    )
    assert decided.returncode == 0, decided.stderr
    return activity


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Race]:
    demo = demo_workspace(tmp_path_factory.mktemp("revocation-race"))
    cli_query = approved_activity(demo, "Race op de opdrachtregel")
    build = approved_activity(demo, "Race met een bouw")
    with served(demo.home, MEEDOEN_SQL_TIMEOUT=TIMEOUT) as url:
        analyst = WebUser(url).login("analyst", demo.passwords["analyst"])
        officer = WebUser(url).login("privacy_officer", demo.passwords["privacy_officer"])
        for activity in (cli_query, build):  # build their stores now, not during the race
            assert result_rows(analyst.sql(activity, "SELECT count(*) FROM range(1)")) == 1
        yield Race(demo, analyst, officer, 1, cli_query, build)


def store_files(race: Race, activity: int) -> list[str]:
    home = race.demo.home
    return [
        str(path.relative_to(home))
        for path in [
            *(home / "activities").glob(f"activity-{activity}.*"),
            home / "keys" / f"activity-{activity}.key",
        ]
        if path.exists() and path.suffix != ".lock"
    ]


def revoke_on_the_web(race: Race, activity: int) -> Answer:
    page = race.officer.get(f"/verwerkingen/{activity}/")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    fields = {"decision": "revoke", "motivation": "Het doel is vervallen", "confirmed": "yes"}
    if version:
        fields["version"] = version.group(1)
    return race.officer.post(f"/verwerkingen/{activity}/", fields)


def test_a_web_query_is_stopped_and_the_store_deleted_when_revocation_returns(race: Race) -> None:
    activity = race.web_query
    assert store_files(race, activity)
    trace = uuid.uuid4().hex
    answers: list[Answer] = []
    query = threading.Thread(
        target=lambda: answers.append(race.analyst.sql(activity, SLOW, trace=trace))
    )
    query.start()
    wait_until(lambda: store_in_use(race.demo.home, activity), what="the query to start")
    time.sleep(1)  # the query runs
    revoked = revoke_on_the_web(race, activity)
    assert revoked.status == 200, revoked.text[:2000]  # was: HTTP 500
    assert store_files(race, activity) == []  # deleted in the same operation, key and all
    query.join(timeout=60)
    (answer,) = answers
    assert answer.status == 200, answer.text[:2000]
    assert "ingetrokken terwijl de query liep" in page_text(answer)
    assert result_rows(answer) == 0  # no data of a revoked activity
    assert answer.seconds < 20  # stopped, not run to its end (30 s) or its limit (45 s)
    assert logged(race.demo.home, trace) == {"none": {""}}  # nothing was shown to anyone


def test_a_query_in_another_process_is_waited_for_and_returns_nothing(race: Race) -> None:
    activity = race.cli_query
    assert store_files(race, activity)
    command = [sys.executable, "-m", "meedoen", "sql", "--activity", str(activity), SLOW]
    options = ["--timeout", "8", "--format", "json", "--by", "analyst"]
    process = subprocess.Popen(
        [*command, *options, "--home", str(race.demo.home)],
        env=cli_env(MEEDOEN_PASSWORD=race.demo.passwords["analyst"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: store_in_use(race.demo.home, activity), what="meedoen sql to start")
        revoked = as_user(
            race.demo,
            "privacy_officer",
            *("activity", "revoke", str(activity), "--motivation", "Het doel is vervallen"),
        )
        assert revoked.returncode == 0, revoked.stderr
        assert store_files(race, activity) == []  # deleted before the revocation returned
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, err
    assert f"activity {activity} was revoked while the query ran" in err
    assert out == ""  # not one row
    assert "Traceback" not in err


def test_a_build_stops_cleanly_and_its_store_is_deleted(race: Race) -> None:
    activity = race.build
    started = race.analyst.post(
        "/huishoudens/",
        {"activity": str(activity), "peildatum": "2024-01-01", "engine": "duckdb"},
    )
    assert started.status == 200, started.text[:2000]
    run = int(re.search(r"/huishoudens/(\d+)/status/", started.text).group(1))  # type: ignore[union-attr]
    revoked = revoke_on_the_web(race, activity)
    assert revoked.status == 200, revoked.text[:2000]

    def status() -> dict[str, object]:
        return json.loads(race.analyst.get(f"/huishoudens/{run}/status/").text)

    wait_until(lambda: bool(status()["finished"]), what="the build to stop")
    state = status()
    assert state["status"] == "failed"
    assert "revoked" in str(state["message"]) and "Traceback" not in str(state["message"])
    wait_until(lambda: store_files(race, activity) == [], seconds=30, what="the deletion")
    # Nothing is left for the retention job, and the log is intact.
    assert meedoen_json("retention", "run", "--home", str(race.demo.home))["activities"] == []
    verify = meedoen("audit", "verify", "--home", str(race.demo.home))
    assert verify.returncode == 0, verify.stdout + verify.stderr
