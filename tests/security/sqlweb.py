"""A real `meedoen demo` workspace served by `meedoen serve`, and a signed-in web user driven
over HTTP: for the attacks on the SQL page (SQL audit escapes, limits, revocation races).

Each test module starts its own demo (~15 s): the revocation test destroys its activity."""

from __future__ import annotations

import fcntl
import html
import http.cookiejar
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from meedoen_data import audit_sets
from tests.helpers import demo_copy, passwords


@dataclass(frozen=True)
class Demo:
    home: Path
    passwords: dict[str, str]


def demo_workspace(root: Path) -> Demo:
    home = root / "home"
    demo = demo_copy(Path(home))
    return Demo(home, passwords(demo))


@dataclass
class Answer:
    status: int
    text: str
    seconds: float
    url: str = ""


class WebUser:
    """A browser without a browser: cookies, CSRF tokens, form posts."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request, timeout: float) -> Answer:
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                body = response.read().decode("utf-8", "replace")
                return Answer(response.status, body, time.monotonic() - started, response.url)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            return Answer(exc.code, body, time.monotonic() - started, request.full_url)

    def get(self, path: str, timeout: float = 60) -> Answer:
        return self._open(urllib.request.Request(self.url + path), timeout)

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken" and c.value)

    def post(
        self,
        path: str,
        data: dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> Answer:
        if not any(c.name == "csrftoken" for c in self.jar):
            self.get(path)
        fields = {**data, "csrfmiddlewaretoken": self.csrf()}
        request = urllib.request.Request(
            self.url + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.url + path, **(headers or {})},
            method="POST",
        )
        return self._open(request, timeout)

    def login(self, username: str, password: str) -> WebUser:
        self.get("/inloggen/")
        answer = self.post("/inloggen/", {"username": username, "password": password})
        assert answer.status == 200 and any(c.name == "sessionid" for c in self.jar), answer.text
        return self

    def sql(self, activity: int, query: str, *, trace: str | None = None) -> Answer:
        headers = {"traceparent": f"00-{trace}-{'1' * 16}-01"} if trace else {}
        return self.post("/sql/", {"activity": str(activity), "sql": query}, headers=headers)


def page_text(answer: Answer) -> str:
    """The page's text as a reader sees it (tags dropped, entities decoded, spaces folded)."""
    main = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", answer.text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def result_rows(answer: Answer) -> int:
    """Rows of the result table on the SQL page (0 when there is none)."""
    body = re.search(r'(?s)<tbody class="utrecht-table__body">(.*?)</tbody>', answer.text)
    return body.group(1).count("<tr") if body else 0


def logged(home: Path, trace: str, name: str = "activity.sql") -> dict[str, set[str]]:
    """Whom the processing records of one trace are about, per subject type: the data subject of
    a record about one subject, and every member of the subject set a record references (ADR
    0011) — a set of register numbers turned back into the activity's pseudonyms through the
    activity's subject map (HOME/vault/audit/activity-N.duckdb), read here without the app."""
    with closing(sqlite3.connect(home / "web.sqlite3", timeout=30)) as db:
        rows = db.execute(
            "SELECT data_subject_id_type, data_subject_id, subject_set_id, "
            "processing_activity_id FROM audits_processingrecord WHERE trace_id = ? AND name = ?",
            [trace, name],
        ).fetchall()
        subjects: dict[str, set[str]] = {}
        for kind, subject, set_id, activity in rows:
            found = subjects.setdefault(kind, set())
            if set_id is None:
                found.add(subject)
            else:
                found |= _set_members(db, home, set_id, int(activity.rsplit(":", 1)[-1]))
    return subjects


def _set_members(db: sqlite3.Connection, home: Path, set_id: int, activity: int) -> set[str]:
    (kind, encoding) = db.execute(
        "SELECT subject_type, encoding FROM audits_subjectset WHERE id = ?", [set_id]
    ).fetchone()
    if encoding == audit_sets.EXPLICIT:
        members = db.execute(
            "SELECT subject FROM audits_subjectsetmember WHERE subject_set_id = ?", [set_id]
        ).fetchall()
        return {m for (m,) in members}
    containers = db.execute(
        "SELECT key, bitmap FROM audits_subjectsetcontainer WHERE subject_set_id = ?", [set_id]
    ).fetchall()
    loaded = audit_sets.subject_set_load(
        subject_type=kind, encoding=encoding, containers=[(k, bytes(b)) for k, b in containers]
    )
    numbers = pa.table({"serial": pa.array(loaded.serials(), type=pa.uint32())})
    path = home / "vault" / "audit" / f"activity-{activity}.duckdb"
    with closing(duckdb.connect(str(path), read_only=True)) as con:
        con.register("numbers", numbers)
        found = con.execute(
            "SELECT s.pseudonym FROM subject s JOIN numbers n ON s.serial = n.serial "
            "WHERE s.kind = ?",
            [kind],
        ).fetchall()
    assert len(found) == loaded.size, f"set {set_id}: {loaded.size} numbers, {len(found)} mapped"
    return {p for (p,) in found}


def store_in_use(home: Path, activity: int) -> bool:
    """Someone holds the activity's store (a shared lock on its lock file)."""
    path = home / "activities" / f"activity-{activity}.lock"
    if not path.exists():
        return False
    with path.open("rb") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False


def wait_until(condition: Callable[[], bool], *, seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s in vain for {what or condition}")
        time.sleep(0.05)
