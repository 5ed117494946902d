"""Finding 5 of issue 15 (the row cap bypassed) and the medium finding on SQL without limits.

The attacks: the analyst's SQL capped results at a number of rows only, so one cell carried
what the cap held back — `string_agg(person_pseudonym, ',')` returned all 25,420 pseudonyms of
the demo in one row — and a wide `SELECT *` returned every column of every row up to the cap.
A query had no time or memory limit (one ran for 100 s and could take the machine's memory),
and 8 queries sent at once through the web app gave 4 HTTP 500s: "database is locked", when
their audit records were written to the SQLite database.

Now a result is capped in rows, cells and bytes of text, and says which cap cut it off (on the
page, on standard error and in the JSON of `meedoen sql`); the caps are configured
(MEEDOEN_SQL_MAX_*) and can be lowered per query, never raised; a query is interrupted at its
time limit and refused beyond its memory limit, with a clear (Dutch) message; and concurrent
queries all answer (SQLite in WAL mode, IMMEDIATE transactions, a busy timeout; PostgreSQL
locks the chain's head row)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.helpers import cli_env, meedoen, meedoen_as, served
from tests.security.sqlweb import (
    Demo,
    WebUser,
    demo_workspace,
    logged,
    page_text,
    result_rows,
)

ACTIVITY = 1
#: The server's limits in this module: small, so the tests are quick.
SERVER_LIMITS = {
    "MEEDOEN_SQL_TIMEOUT": "3",
    "MEEDOEN_SQL_MEMORY": "64MB",
    "MEEDOEN_SQL_MAX_CELLS": "1000",
}
#: Billions of hashes over the register: runs for half a minute unless it is stopped.
SLOW = (
    "SELECT count(*) FROM source.ingeschrevenpersoon a, range(100000) r(x) "
    "WHERE hash(a.person_pseudonym, x) % 97 = 0"
)
#: A hash table of millions of strings: far more than 64 MB.
HUNGRY = "SELECT count(DISTINCT md5(x::VARCHAR)) FROM range(3000000) t(x)"


@dataclass(frozen=True)
class Site:
    demo: Demo
    url: str
    analyst: WebUser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    demo = demo_workspace(tmp_path_factory.mktemp("sql-limits"))
    with served(demo.home, **SERVER_LIMITS) as url:
        yield Site(demo, url, WebUser(url).login("analyst", demo.passwords["analyst"]))


def sql_cli(site: Site, query: str, *options: str, **env: str):  # type: ignore[no-untyped-def]
    return meedoen_as(
        "analyst",
        site.demo.passwords["analyst"],
        "sql",
        "--activity",
        str(ACTIVITY),
        query,
        *options,
        "--home",
        str(site.demo.home),
        **env,
    )


def test_a_wide_result_is_cut_off_at_the_cell_cap(site: Site) -> None:
    answer = site.analyst.sql(ACTIVITY, "SELECT * FROM source.ingeschrevenpersoon")
    assert answer.status == 200
    assert result_rows(answer) == 1000 // 7  # 7 columns: 142 whole rows, not the 200 of the page
    text = page_text(answer)
    assert "meer dan 1000 cellen" in text and "alleen de eerste 142 rijen" in text


def test_one_cell_with_every_pseudonym_is_cut_off_at_the_byte_cap(site: Site) -> None:
    trace = uuid.uuid4().hex
    result = sql_cli(
        site,
        "SELECT string_agg(person_pseudonym, ',') AS everyone FROM source.ingeschrevenpersoon",
        "--format",
        "json",
        TRACEPARENT=f"00-{trace}-{'2' * 16}-01",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["rows"] == [] and out["truncated"] and out["truncated_by"] == "bytes"
    assert out["limits"]["max_bytes"] == 500_000  # the default: the 838 kB cell is over it
    assert "more than 500000 bytes of text" in result.stderr
    assert len(logged(site.demo.home, trace)[f"pseudonym-activity-{ACTIVITY}"]) == 25_420


def test_caps_can_be_lowered_per_query_but_not_raised(site: Site) -> None:
    result = sql_cli(
        site, "SELECT * FROM source.cbs_persoon", "--max-cells", "10", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert len(out["rows"]) == 3 and out["truncated_by"] == "cells"  # 3 columns, 10 cells
    assert "more than 10 cells (--max-cells" in result.stderr
    raised = sql_cli(site, "SELECT 1", "--max-rows", "20000")
    assert raised.returncode == 2
    assert "above the limit of 10000 set for this installation (MEEDOEN_SQL_MAX_ROWS)" in (
        raised.stderr
    )
    lowered_ceiling = sql_cli(
        site, "SELECT person_pseudonym FROM source.cbs_persoon", MEEDOEN_SQL_MAX_BYTES="330"
    )
    assert lowered_ceiling.returncode == 0, lowered_ceiling.stderr
    assert "only the first 10 rows are shown" in lowered_ceiling.stderr  # 10 x 32 bytes


def test_a_long_query_is_stopped_at_the_time_limit(site: Site) -> None:
    answer = site.analyst.sql(ACTIVITY, SLOW)
    assert answer.status == 200
    assert "De query duurde langer dan 3 seconden en is afgebroken" in page_text(answer)
    assert result_rows(answer) == 0 and answer.seconds < 20
    started = time.monotonic()
    cli = sql_cli(site, SLOW, "--timeout", "1")
    assert cli.returncode == 2 and "stopped after 1 s, the time limit" in cli.stderr
    assert time.monotonic() - started < 20


def test_a_query_over_the_memory_limit_is_refused(site: Site) -> None:
    answer = site.analyst.sql(ACTIVITY, HUNGRY)
    assert answer.status == 200
    text = page_text(answer)
    assert "De query heeft meer geheugen nodig dan de 64MB die een query mag gebruiken" in text
    assert result_rows(answer) == 0


def test_eight_concurrent_queries_through_the_web_app_all_answer(site: Site) -> None:
    users = [WebUser(site.url).login("analyst", site.demo.passwords["analyst"]) for _ in range(8)]
    tables = ["toewijzing", "schuldhulptraject", "inkomensvoorziening", "cbs_persoon"]
    queries = [f"SELECT count(*) AS n FROM source.{tables[i % 4]} WHERE {i} >= 0" for i in range(8)]
    start = threading.Barrier(8)
    answers: list[object] = [None] * 8

    def ask(number: int) -> None:
        start.wait()
        answers[number] = users[number].sql(ACTIVITY, queries[number])

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    for answer in answers:
        assert answer is not None
        assert answer.status == 200, answer.text[:2000]  # type: ignore[attr-defined]
        assert result_rows(answer) == 1  # type: ignore[arg-type]
    verify = meedoen("audit", "verify", "--home", str(site.demo.home))
    assert verify.returncode == 0, verify.stdout + verify.stderr


#: Run in a fresh process against a throw-away PostgreSQL database: 8 threads log a query
#: each at the same moment (the audit log refuses the flush of a transactional test).
APPENDS = """
import json, threading
from datetime import UTC, datetime
import django
django.setup()
from django.db import connection
from meedoen.activities.actors import Actor
from meedoen.activities.enforcement import activity_log
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.selectors import audit_verify
from meedoen.audits.trace import TraceContext

start = threading.Barrier(8)
failures = []

def append(number):
    try:
        start.wait()
        activity_log(
            trace=TraceContext.start(), actor=Actor(f"analyst-{number}"), channel="web",
            client="test", operation="activity.sql", activity_id=1,
            subjects=[f"{number:02d}{i:030d}" for i in range(500)], started=datetime.now(UTC),
        )
    except BaseException as exc:
        failures.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({
    "vendor": connection.vendor,
    "failures": failures,
    "records": ProcessingRecord.objects.count(),
    "broken": [report.broken_at for report in audit_verify()],
}))
"""


@pytest.mark.postgres
def test_eight_concurrent_audit_appends_on_postgresql(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The audit append under concurrency on PostgreSQL: the UPDATE of the chain's head row
    serialises the writers, so every record gets its own position and the chain holds."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    import psycopg

    name = f"meedoen_sql_concurrency_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        database = urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()
        home = str(tmp_path / "home")
        init = meedoen("init", "--home", home, DATABASE_URL=database)
        assert init.returncode == 0, init.stderr
        run = subprocess.run(
            [sys.executable, "-c", APPENDS],
            env=cli_env(
                DATABASE_URL=database,
                MEEDOEN_HOME=home,
                DJANGO_SETTINGS_MODULE="meedoen.conf.settings",
            ),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        out = json.loads(run.stdout.strip().splitlines()[-1])
        assert out["vendor"] == "postgresql" and out["failures"] == []
        assert out["records"] == 8 * 500 and out["broken"] == [None, None]
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
