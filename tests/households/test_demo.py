"""`meedoen build` on the demo municipality: against the generator's truth, on both engines,
from the command line, only under an approved activity, and logged."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from meedoen_data.activity_store import ActivityStoreError, activity_pseudonyms, store_prepare
from meedoen_data.households import household_build
from meedoen_data.households.quality import household_quality
from tests.helpers import demo_copy, meedoen, meedoen_as, meedoen_json, meedoen_json_as, passwords

PEILDATUM = "2025-01-01"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("households") / "home"
    result = demo_copy(Path(home))
    result["home"] = home
    result["passwords"] = passwords(result)
    return result


def as_user(demo: dict[str, Any], username: str, *args: str) -> Any:
    """`meedoen ARGS --by USERNAME`, signed in with the demo user's password."""
    return meedoen_as(username, demo["passwords"][username], *args)


def json_as(demo: dict[str, Any], username: str, *args: str) -> Any:
    return meedoen_json_as(username, demo["passwords"][username], *args)


def _store(demo: dict[str, Any]) -> Path:
    return Path(demo["home"]) / "activities" / f"activity-{demo['activity']['id']}.duckdb"


def test_the_demo_builds_households(demo: dict[str, Any]) -> None:
    built = demo["activity"]["households"]
    assert built["peildatum"] == PEILDATUM
    assert 10_000 < built["households"] < 13_000
    assert set(built["by_type"]) == {
        "eenpersoons",
        "paar_zonder_kinderen",
        "paar_met_kinderen",
        "eenouder",
        "overig",
        "institutioneel",
    }


def test_households_match_the_generators_truth(demo: dict[str, Any]) -> None:
    home = Path(demo["home"])
    with open(Path(demo["sources"]) / "truth" / "household.csv", newline="") as f:
        truth = list(csv.DictReader(f))
    ids = activity_pseudonyms(
        home=home,
        activity_id=demo["activity"]["id"],
        bsns=[row["burgerservicenummer"] for row in truth],
    )
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE truth (person_id VARCHAR, household_id VARCHAR, household_type VARCHAR)"
    )
    con.executemany(
        "INSERT INTO truth VALUES (?, ?, ?)",
        [
            (p, row["household_id"], row["household_type"])
            for p, row in zip(ids, truth, strict=True)
        ],
    )
    con.execute("ATTACH ? AS store (READ_ONLY)", [str(_store(demo))])
    con.execute(
        "CREATE TABLE derived AS SELECT person_id, household_id, household_type "
        "FROM store.household.household_member WHERE peildatum = ?",
        [PEILDATUM],
    )
    quality = household_quality(con, derived="derived", truth="truth")
    assert quality.person_share >= 0.99, quality
    assert quality.type_share >= 0.98, quality
    # The error classes docs/households.md lists are the only ones.
    for kind, _ in quality.errors:
        assert kind in {
            "overig -> paar_zonder_kinderen",  # two housemates look like a couple
            "institutioneel -> institutioneel+not placed",  # moved in on the peildatum itself
            "paar_met_kinderen -> paar_met_kinderen+not placed",  # born on the peildatum
            "eenouder -> eenouder+not placed",
        }, quality.errors


def _snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            table: con.execute(f"SELECT * FROM household.{table} ORDER BY ALL").fetchall()
            for table in ("household", "household_person", "household_year", "household_stacking")
        }
    finally:
        con.close()


@pytest.mark.spark
def test_duckdb_and_spark_give_identical_tables(demo: dict[str, Any], tmp_path: Path) -> None:
    source = Path(demo["home"])
    home = tmp_path / "home"
    shutil.copytree(source / "activities", home / "activities")
    store = home / "activities" / _store(demo).name
    kwargs = {
        "home": home,
        "activity_id": demo["activity"]["id"],
        "peildatum": date.fromisoformat(PEILDATUM),
        "domains": demo["activity"]["sources"],
    }
    household_build(**kwargs, engine="duckdb")
    on_duckdb = _snapshot(store)
    spark = household_build(**kwargs, engine="spark")
    on_spark = _snapshot(store)
    assert spark.engine == "spark" and spark.households == len(on_duckdb["household"])
    for table, rows in on_duckdb.items():
        assert rows == on_spark[table], table
    assert not [p for p in store.parent.iterdir() if ".spark" in p.name]  # exchange removed


def test_build_from_the_command_line(demo: dict[str, Any]) -> None:
    home = str(demo["home"])
    activity = str(demo["activity"]["id"])
    build = ("build", "--peildatum", "2024-01-01", "--activity", activity, "--home", home)
    first = json_as(demo, "analyst", *build)
    assert first["peildatum"] == "2024-01-01" and first["households"] > 10_000
    stacking = {row["combination"]: row for row in first["stacking"]}
    assert len(stacking) == 8 and stacking["geen"]["households"] > 5_000
    assert sum(row["with_schuldhulp"] for row in first["stacking"]) > 0  # schulden covered
    assert "vroegsignaal" in first["not_covered"]
    again = json_as(demo, "analyst", *build)
    assert again["by_type"] == first["by_type"]  # re-running is safe and gives the same
    query = "SELECT peildatum, count(*) FROM household.household_member GROUP BY ALL ORDER BY ALL"
    sql = ("sql", query, "--activity", activity, "--format", "json", "--home", home)
    result = as_user(demo, "analyst", *sql)
    assert result.returncode == 0, result.stderr
    assert [r[0] for r in json.loads(result.stdout)["rows"]] == ["2024-01-01", "2025-01-01"]
    plain = as_user(demo, "analyst", *build)
    assert plain.returncode == 0 and "Households by type" in plain.stdout


def test_build_is_logged_for_every_member(demo: dict[str, Any]) -> None:
    """One household.build record referencing the set of every person placed in a household
    (ADR 0011), and a member's own activity pseudonym finds it through the lookup."""
    home = str(demo["home"])
    activity = str(demo["activity"]["id"])
    records = meedoen_json("audit", "list", "--activity", activity, "--home", home)
    builds = [r for r in records if r["name"] == "household.build"]
    assert builds, [r["name"] for r in records][:20]
    newest = builds[0]
    peildatum = newest["detail"].split()[1].rstrip(",")  # "peildatum 2025-01-01, engine …"
    con = duckdb.connect(str(_store(demo)), read_only=True)
    try:
        members = sorted(
            str(r[0])
            for r in con.execute(
                "SELECT DISTINCT person_pseudonym FROM household.household_person "
                "WHERE peildatum = ?",
                [date.fromisoformat(peildatum)],
            ).fetchall()
        )
    finally:
        con.close()
    assert newest["subject_set_id"] and newest["subject_count"] == len(members) > 20_000
    trace = newest["trace_id"]
    for pseudonym in (members[0], members[len(members) // 2], members[-1]):
        found = meedoen_json("audit", "list", "--subject", pseudonym, "--home", home)
        assert trace in {r["trace_id"] for r in found}, pseudonym


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--peildatum", "1-1-2025"], "--peildatum must be a date YYYY-MM-DD"),
        (["--peildatum", "2025-01-01", "--engine", "pandas"], "--engine must be duckdb or spark"),
        (["--peildatum", "2999-01-01"], "lies in the future"),
    ],
)
def test_bad_arguments_are_refused(demo: dict[str, Any], args: list[str], message: str) -> None:
    result = as_user(
        demo,
        "analyst",
        "build",
        *args,
        "--activity",
        str(demo["activity"]["id"]),
        "--home",
        str(demo["home"]),
    )
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_build_needs_an_approved_activity_covering_brp(demo: dict[str, Any]) -> None:
    home = str(demo["home"])
    request = [
        "activity",
        "request",
        "--name",
        "Alleen jeugd",
        "--purpose",
        "x",
        "--legal-basis",
        "Jeugdwet",
        "--retention-days",
        "30",
        *("--data-categories", "Jeugdhulp", "--recipients", "Analisten", "--dpia", "DPIA-1"),
        "--home",
        home,
    ]
    pending = json_as(demo, "analyst", *request, "--sources", "brp,jeugd")
    result = as_user(
        demo, "analyst", "build", "--peildatum", PEILDATUM, "--activity", str(pending["id"]),
        "--home", home,
    )  # fmt: skip
    assert result.returncode == 2 and "not approved" in result.stderr
    youth = json_as(demo, "analyst", *request, "--sources", "jeugd")
    json_as(
        demo,
        "privacy_officer",
        "activity",
        "approve",
        str(youth["id"]),
        "--version",
        "1",
        "--motivation",
        "ok",
        "--home",
        home,
    )
    result = as_user(
        demo, "analyst", "build", "--peildatum", PEILDATUM, "--activity", str(youth["id"]),
        "--home", home,
    )  # fmt: skip
    assert result.returncode == 2 and "not approved for brp" in result.stderr, result.stderr
    assert json.loads(meedoen("activity", "list", "--json", "--home", home).stdout)


def test_tables_in_use_by_another_process_give_a_message(demo: dict[str, Any]) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(60)",
            str(_store(demo)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        activity = str(demo["activity"]["id"])
        home = str(demo["home"])
        query = as_user(demo, "analyst", "sql", "SELECT 1", "--activity", activity, "--home", home)
        assert query.returncode == 2 and "are in use" in query.stderr, query.stderr
        build = as_user(
            demo, "analyst", "build", "--peildatum", PEILDATUM, "--activity", activity,
            "--home", home,
        )  # fmt: skip
        assert build.returncode == 2 and "in use" in build.stderr, build.stderr
        assert "Traceback" not in query.stderr + build.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_store_open_for_writing_in_this_process_is_not_replaced(demo: dict[str, Any]) -> None:
    """The web app builds in a thread: a query's refresh in the same process must not swap the
    file underneath the build (DuckDB refuses a second connection with another configuration)."""
    path = _store(demo)
    inode = path.stat().st_ino
    writer = duckdb.connect(str(path))
    try:
        with pytest.raises(ActivityStoreError, match="in use"):
            store_prepare(
                home=Path(demo["home"]),
                activity_id=demo["activity"]["id"],
                sources=demo["activity"]["sources"],
            )
    finally:
        writer.close()
    assert path.stat().st_ino == inode
