"""Retention of early-warning signals: a signal that led to no follow-up is deleted everywhere
once it is older than the period the law allows (docs/users/debt-worker.md, *Retention*).

"Everywhere" is every copy meedoen made: the vault's whole copy (names, address, BSN), the
analytics store's row, every activity's linkage file (links, review candidates, tokens,
reviewers' decisions about it) and every analysis store that holds it (its pseudonymised row
and ``link.record`` rows, found with that activity's key). What the monitor needs afterwards is
aggregate (counts per month and partner), returned here and kept by the caller.

Which signals had a follow-up (and are kept with the debt-help file) is the caller's answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from meedoen_data.activity_store import activities_dir, activity_key_name, store_path
from meedoen_data.intake import vault_path
from meedoen_data.intake.pseudonyms import domain_key, hmac_pads, hmac_sql, pseudonym
from meedoen_data.keystore import KeyStoreError
from meedoen_data.linkage.link import record_prefix
from meedoen_data.workspace import Workspace

__all__ = ["ExpireReport", "SignalsBusy", "retention_cutoff", "signals_expire"]

SOURCE = "vroegsignaal"
_LINK_TABLES = ("link", "candidate", "review_token", "decision")
_WHERE = " WHERE source = ? AND klantnummer IN (SELECT signaalid FROM doomed)"
#: Statements per linkage-file table (table names are these literals, never input).
_COUNT = {t: "SELECT count(*) FROM " + t + _WHERE for t in _LINK_TABLES}  # noqa: S608
_DELETE = {t: "DELETE FROM " + t + _WHERE for t in _LINK_TABLES}  # noqa: S608


class SignalsBusy(Exception):
    """The vault, the analytics store or a linkage file is in use (an ingest, a linkage)."""


@dataclass
class ExpireReport:
    before: date
    dry_run: bool
    signals: int = 0  # signals deleted (or, in a dry run, that would be)
    kept: int = 0  # older signals kept because they had a follow-up
    #: BRP pseudonyms of the persons the deleted signals were about (for the audit log).
    persons: list[str] = field(default_factory=list)
    #: (signal month YYYY-MM, partner) -> signals deleted: what the monitor keeps.
    by_month: dict[tuple[str, str], int] = field(default_factory=dict)
    linkage_rows: int = 0
    #: activity id -> rows deleted from its store; stores in use are listed in ``busy``.
    stores: dict[int, int] = field(default_factory=dict)
    busy: list[int] = field(default_factory=list)


def signals_expire(
    *, home: Path, before: date, keep: Iterable[str], dry_run: bool = False
) -> ExpireReport:
    """Delete every signal dated before ``before`` whose id is not in ``keep`` (see the
    module). ``dry_run`` counts without deleting. Safe to run again: what is gone stays gone."""
    workspace = Workspace(home)
    report = ExpireReport(before, dry_run)
    vault = vault_path(workspace)
    if not vault.exists() or not workspace.analytics_path.exists():
        return report
    con = duckdb.connect()
    try:
        try:
            con.execute("ATTACH ? AS vault", [str(vault)])
            con.execute("ATTACH ? AS analytics", [str(workspace.analytics_path)])
        except duckdb.Error as exc:
            raise SignalsBusy(
                "the vault or the analytics store is in use (an ingest?); run the retention "
                f"again when it has finished ({str(exc).splitlines()[0]})"
            ) from None
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'vault' "
            "AND schema_name = 'identity' AND table_name = ?",
            [SOURCE],
        ).fetchall()[0][0]
        if not found:
            return report
        con.execute("CREATE TEMP TABLE kept (signaalid VARCHAR)")
        _insert(con, "kept", sorted(set(keep)))
        con.execute(
            """
            CREATE TEMP TABLE doomed AS
            SELECT signaalid, signaalpartner, strftime(signaaldatum, '%Y-%m') AS month,
                   burgerservicenummer
            FROM vault.identity.vroegsignaal
            WHERE signaaldatum < $before
              AND signaalid NOT IN (SELECT signaalid FROM kept)
            """,
            {"before": before},
        )
        report.kept = int(
            con.execute(
                "SELECT count(*) FROM vault.identity.vroegsignaal WHERE signaaldatum < ? "
                "AND signaalid IN (SELECT signaalid FROM kept)",
                [before],
            ).fetchall()[0][0]
        )
        report.signals = int(con.execute("SELECT count(*) FROM doomed").fetchall()[0][0])
        report.by_month = {
            (str(m), str(p)): int(n)
            for m, p, n in con.execute(
                "SELECT month, signaalpartner, count(*) FROM doomed GROUP BY 1, 2 ORDER BY 1, 2"
            ).fetchall()
        }
        if report.signals == 0:
            return report
        ids = [str(r[0]) for r in con.execute("SELECT signaalid FROM doomed").fetchall()]
        bsns = {str(r[0]) for r in con.execute(
            "SELECT burgerservicenummer FROM doomed WHERE burgerservicenummer IS NOT NULL"
        ).fetchall()}  # fmt: skip
        bsns |= _linkage(workspace, ids, dry_run, report)
        key = domain_key(workspace.keys, "brp")
        report.persons = sorted({pseudonym(key, b) for b in bsns})
        if not dry_run:
            retention_mark(home=home, before=before)
            _stores(workspace, ids, report)
            # The vault's rows decide what is doomed: they go last, so a run stopped halfway
            # finds the rest again next time.
            con.execute(
                "DELETE FROM analytics.source.vroegsignaal "
                "WHERE signaalid IN (SELECT signaalid FROM doomed)"
            )
            con.execute(
                "DELETE FROM vault.identity.vroegsignaal "
                "WHERE signaalid IN (SELECT signaalid FROM doomed)"
            )
            con.execute("CHECKPOINT vault")
            con.execute("CHECKPOINT analytics")
    finally:
        con.close()
    return report


def _linkage(workspace: Workspace, ids: list[str], dry_run: bool, report: ExpireReport) -> set[str]:
    """Remove the signals from every activity's linkage file; the BSNs they were linked to."""
    folder = workspace.vault_dir / "linkage"
    bsns: set[str] = set()
    for path in sorted(folder.glob("activity-*.duckdb")) if folder.exists() else []:
        try:
            con = duckdb.connect(str(path), read_only=dry_run)
        except duckdb.Error as exc:
            raise SignalsBusy(
                f"{path.name} is in use (a linkage is running); run the retention again when it "
                f"has finished ({str(exc).splitlines()[0]})"
            ) from None
        try:
            present = {
                str(r[0])
                for r in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
                ).fetchall()
            }
            if "link" not in present:
                continue
            con.execute("CREATE TEMP TABLE doomed (signaalid VARCHAR)")
            _insert(con, "doomed", ids)
            bsns |= {
                str(r[0])
                for r in con.execute(
                    "SELECT DISTINCT bsn FROM link WHERE source = ? AND bsn IS NOT NULL "
                    "AND klantnummer IN (SELECT signaalid FROM doomed)",
                    [SOURCE],
                ).fetchall()
            }
            for table in _LINK_TABLES:
                if table not in present:
                    continue
                rows = con.execute(_COUNT[table], [SOURCE]).fetchall()[0][0]
                report.linkage_rows += int(rows)
                if not dry_run and rows:
                    con.execute(_DELETE[table], [SOURCE])
        finally:
            con.close()
    return bsns


def _stores(workspace: Workspace, ids: list[str], report: ExpireReport) -> None:
    """Remove the signals from every analysis store that holds them (by its own pseudonyms)."""
    folder = activities_dir(workspace)
    for path in sorted(folder.glob("activity-*.duckdb")) if folder.exists() else []:
        try:
            activity_id = int(path.stem.removeprefix("activity-"))
        except ValueError:
            continue
        if path != store_path(workspace, activity_id):
            continue
        try:
            key = workspace.keys.read(activity_key_name(activity_id))
        except KeyStoreError:
            continue  # no key: the store is being deleted with its activity
        try:
            con = duckdb.connect(str(path))
        except duckdb.Error:
            report.busy.append(activity_id)
            continue
        try:
            tables = {
                f"{s}.{t}"
                for s, t in con.execute(
                    "SELECT schema_name, table_name FROM duckdb_tables()"
                ).fetchall()
            }
            if "source.vroegsignaal" not in tables:
                continue
            ipad, opad = hmac_pads(key)
            con.execute("CREATE TEMP TABLE doomed (signaalid VARCHAR)")
            _insert(con, "doomed", ids)
            value = hmac_sql(f"'{record_prefix(SOURCE)}' || signaalid", "$ipad", "$opad")
            con.execute(
                f"CREATE TEMP TABLE gone AS SELECT {value} AS record_id FROM doomed",  # noqa: S608
                {"ipad": ipad, "opad": opad},
            )
            deleted = 0
            con.execute("BEGIN")
            deleted += int(con.execute(
                "DELETE FROM source.vroegsignaal WHERE signaalid IN (SELECT record_id FROM gone)"
            ).fetchall()[0][0])  # fmt: skip
            if "link.record" in tables:
                deleted += int(con.execute(
                    "DELETE FROM link.record WHERE source = ? "
                    "AND record_id IN (SELECT record_id FROM gone)",
                    [SOURCE],
                ).fetchall()[0][0])  # fmt: skip
            con.execute("COMMIT")
            report.stores[activity_id] = deleted
        finally:
            con.close()


def _insert(con: duckdb.DuckDBPyConnection, table: str, values: list[str]) -> None:
    """Fill a one-column temp table (``kept`` or ``doomed``, literals of this module)."""
    if values:
        con.executemany(_INSERT[table], [[v] for v in values])


_INSERT = {"kept": "INSERT INTO kept VALUES (?)", "doomed": "INSERT INTO doomed VALUES (?)"}


def _mark_path(home: Path) -> Path:
    return Workspace(home).home / "signals" / "retention.json"


def retention_mark(*, home: Path, before: date) -> None:
    """Remember the latest cut-off: signals dated before it may be missing (deleted without a
    follow-up), so what remains of that period is only what was followed up."""
    path = _mark_path(home)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    current = retention_cutoff(home=home)
    if current is None or before > current:
        path.write_text(json.dumps({"before": before.isoformat()}), encoding="utf-8")
        path.chmod(0o600)


def retention_cutoff(*, home: Path) -> date | None:
    """The latest cut-off of a retention run that deleted signals, or None."""
    path = _mark_path(home)
    if not path.exists():
        return None
    return date.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["before"])
