"""The links of one person in the activities' linkage files (identity zone), for
:mod:`meedoen_data.residents.mydata`: which early-warning signals and partner-file records a
linkage linked to the person.

Every activity that linked a partner file or the signals keeps its runs and links in its own
file, ``HOME/vault/linkage/activity-ID.duckdb`` (:func:`meedoen_data.linkage.linkage_path`).
Per file and source only the latest run counts, and in it only the decided links: ``bsn``,
``auto`` (the engine was sure) and ``accepted`` (a reviewer said so) — a link awaiting review
(``pending``) is a guess and is left out, as the debt worker's work list leaves it out
(:data:`meedoen_data.signals.worklist.LINKED`). A file that cannot be opened read-only (a
linkage is writing it right now) is named, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from meedoen_data.signals.worklist import LINKED
from meedoen_data.workspace import Workspace

__all__ = ["Link", "Links", "links_read"]

_LINKAGE_GLOB = "activity-*.duckdb"


@dataclass
class Link:
    status: str  # bsn, auto or accepted (accepted wins when activities differ)
    linked_at: datetime | None  # the newest run that links it
    activity_ids: list[int]


@dataclass
class Links:
    """(source, record number) -> the record's link to the person, over the files read."""

    found: dict[tuple[str, str], Link] = field(default_factory=dict)
    unreadable: list[int] = field(default_factory=list)  # activity ids of files in use

    def records(self, source: str) -> dict[str, Link]:
        """Record number -> link, of one source (``vroegsignaal`` or a partner file's name)."""
        return {record: link for (s, record), link in self.found.items() if s == source}


def links_read(
    con: duckdb.DuckDBPyConnection,
    *,
    home: Path,
    bsn: str,
    activity_ids: Iterable[int] | None = None,
) -> Links:
    """The decided links to ``bsn`` in the linkage files of ``activity_ids`` (default: every
    linkage file of the workspace), each attached read-only to ``con`` in turn."""
    links = Links()
    folder = Workspace(home).vault_dir / "linkage"
    wanted = None if activity_ids is None else set(activity_ids)
    files: list[tuple[int, Path]] = []
    for path in sorted(folder.glob(_LINKAGE_GLOB)) if folder.exists() else []:
        number = path.stem.removeprefix("activity-")
        if number.isdigit() and (wanted is None or int(number) in wanted):
            files.append((int(number), path))
    for activity, path in sorted(files):
        try:
            con.execute("ATTACH ? AS linkfile (READ_ONLY)", [str(path)])
        except duckdb.Error:  # in use by a running linkage (or not a linkage file)
            links.unreadable.append(activity)
            continue
        try:
            rows = _linked(con, bsn)
        except duckdb.Error:
            links.unreadable.append(activity)
            continue
        finally:
            con.execute("DETACH linkfile")
        for source, record, status, at in rows:
            key = (str(source), str(record))
            link = links.found.setdefault(key, Link(str(status), at, []))
            link.activity_ids.append(activity)
            if status == "accepted":  # a reviewer's decision outranks the engine's
                link.status = "accepted"
            if at is not None and (link.linked_at is None or at > link.linked_at):
                link.linked_at = at
    return links


def _linked(con: duckdb.DuckDBPyConnection, bsn: str) -> list[tuple[Any, ...]]:
    """(source, record number, status, run time) of the records linked to ``bsn`` in the
    latest run of each source of the attached linkage file."""
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'linkfile' "
        "AND schema_name = 'main' AND table_name IN ('link', 'run')"
    ).fetchone()
    if not present or present[0] != 2:
        return []
    rows: list[tuple[Any, ...]] = con.execute(
        "SELECT l.source, l.klantnummer, l.status, r.started_at "
        "FROM linkfile.main.run r "
        "JOIN (SELECT source, arg_max(run_id, started_at) AS run_id FROM linkfile.main.run "
        "      GROUP BY 1) latest USING (source, run_id) "
        "JOIN linkfile.main.link l ON l.run_id = r.run_id AND l.source = r.source "
        "WHERE l.bsn = $bsn AND list_contains($linked, l.status)",
        {"bsn": bsn, "linked": list(LINKED)},
    ).fetchall()
    return rows
