"""An upheld objection is ignored because the store was "up to date", or because a table was
reused from the previous store.

The attack (no bad intent needed: it is what a cache does): a resident objects to analysis
activity X (AVG art. 21) and the privacy officer upholds the objection. Nothing in the sources
changed, so the store of X looks up to date — same deliveries, same keys, same approval — and
``store_prepare`` leaves it alone: the objector stays in every table. Or the store is rebuilt
because one delivery changed, but each table whose own deliveries did not change is copied
from the previous store (``reusable``), the objector's rows with it; and the households derived
in the previous store are carried over into the new one, still counting the objector.

Now the persons left out are part of what a store is made of: a digest of their BSNs (an HMAC
under the activity's key, so the store does not give the BSNs away to someone who tries every
BSN) enters the store's fingerprint and the lineage of every table with persons, so adding a
person makes an up-to-date store stale and no person table is reused; derived results are only
carried over from a store made with the same exclusion. Every path that builds an analysis
store (the web, ``meedoen build``, households, linkages, signals, the retention job) goes
through ``activities.enforcement._store_refresh``, which passes the BSNs of the persons with an
upheld objection.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from meedoen.activities.actors import Actor
from meedoen.activities.enforcement import activity_store_open, retention_run
from meedoen.audits.trace import TraceContext
from meedoen.residents.models import SubjectRequest
from meedoen.residents.requests import request_decide, request_submit
from meedoen.residents.services import Acting, resident_account_bind
from meedoen_data.activity_store import (
    activity_key_create,
    activity_pseudonyms,
    store_path,
    store_prepare,
)
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.households.build import household_build
from meedoen_data.workspace import Workspace
from tests.security.conftest import approved

pytestmark = pytest.mark.django_db
SOURCES = ["brp", "wmo", "jeugd", "participatie", "schulden"]


def _related_persons(home: Path, count: int) -> list[str]:
    """BSNs of persons in the BRP who are also someone's relative (rows in several tables)."""
    vault = Workspace(home).vault_dir / "vault.duckdb"
    with duckdb.connect(str(vault), read_only=True) as con:
        rows = con.execute(
            "SELECT r.gerelateerde_burgerservicenummer FROM identity.relatie r "
            "JOIN identity.ingeschrevenpersoon p "
            "ON p.burgerservicenummer = r.gerelateerde_burgerservicenummer "
            "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
            [count],
        ).fetchall()
    return [str(r[0]) for r in rows]


def _rows(home: Path, activity_id: int, value: str) -> dict[str, int]:
    """Rows holding ``value`` in any text column, per ``schema.table`` of the store."""
    out = {}
    with duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = current_database() AND data_type = 'VARCHAR' ORDER BY ALL"
        ).fetchall()
        for schema, table, column in columns:
            row = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE "{column}" = ?',
                [value],
            ).fetchone()
            name = f"{schema}.{table}"
            out[name] = out.get(name, 0) + (int(row[0]) if row else 0)
    return out


def _meta(home: Path, activity_id: int) -> tuple[str, str, dict[str, str]]:
    with duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True) as con:
        fingerprint, exclusion = con.execute(
            "SELECT fingerprint, exclusion FROM meta.store"
        ).fetchone() or ("", "")
        lineages = dict(con.execute("SELECT table_name, lineage FROM meta.store_table").fetchall())
    return str(fingerprint), str(exclusion or ""), lineages


def test_an_upheld_objection_makes_an_up_to_date_store_stale(home, analyst, officer) -> None:
    activity_id = approved(analyst, officer, sources=SOURCES)
    actor = Actor(analyst.username, analyst)

    def build() -> str:
        trace = TraceContext.start()
        return activity_store_open(
            activity_id=activity_id, actor=actor, trace=trace, channel="cli"
        ).status

    assert build() == "built"
    assert build() == "unchanged"  # the cache the attack relies on
    (bsn,) = _related_persons(home, 1)
    (name,) = activity_pseudonyms(home=home, activity_id=activity_id, bsns=[bsn])
    assert _rows(home, activity_id, name)["source.ingeschrevenpersoon"] == 1
    resident = resident_account_bind(bsn=bsn, via="demo", username="bezwaarmaker")
    request = request_submit(
        acting=Acting(resident), kind="bezwaar", activity_id=activity_id, reason="Nee"
    )
    assert build() == "unchanged"  # an objection that is not decided changes nothing
    request_decide(
        actor=Actor(officer.username, officer), request_id=request.pk, upheld=True, motivation="Ja"
    )
    assert build() == "built"  # no longer "up to date"
    assert not any(_rows(home, activity_id, name).values())
    assert build() == "unchanged"  # and the exclusion holds at the builds after it
    assert not any(_rows(home, activity_id, name).values())
    assert SubjectRequest.objects.get().state == "toegewezen"


def test_the_retention_job_applies_an_objection_to_a_store_nobody_rebuilds(
    home, analyst, officer
) -> None:
    """A store that is only read (target groups and publications read it without rebuilding
    it) still gets the objection: the scheduled retention job rebuilds it without the person."""
    activity_id = approved(analyst, officer, sources=SOURCES)
    trace = TraceContext.start()
    activity_store_open(
        activity_id=activity_id, actor=Actor(analyst.username, analyst), trace=trace, channel="cli"
    )
    path = store_path(Workspace(home), activity_id)
    built = path.stat().st_mtime_ns
    retention_run(trace=trace)
    assert path.stat().st_mtime_ns == built  # nothing to do: left alone
    (bsn,) = _related_persons(home, 1)
    (name,) = activity_pseudonyms(home=home, activity_id=activity_id, bsns=[bsn])
    resident = resident_account_bind(bsn=bsn, via="demo", username="bezwaarmaker")
    request = request_submit(
        acting=Acting(resident), kind="bezwaar", activity_id=activity_id, reason="Nee"
    )
    request_decide(
        actor=Actor(officer.username, officer), request_id=request.pk, upheld=True, motivation="Ja"
    )
    assert _rows(home, activity_id, name)["source.ingeschrevenpersoon"] == 1  # not yet built
    retention_run(trace=TraceContext.start())
    assert not any(_rows(home, activity_id, name).values())
    rebuilt = path.stat().st_mtime_ns
    retention_run(trace=TraceContext.start())
    assert path.stat().st_mtime_ns == rebuilt  # applied once; the next run leaves it alone


def test_no_table_with_persons_is_reused_and_no_household_carried_over(home) -> None:
    """The data side alone: a store built, its households derived, then rebuilt with a person
    left out. Every person table is copied again (its lineage changed), the tables without
    persons may be reused, and the derived households are not carried over."""
    activity_key_create(home=home, activity_id=7)
    store_prepare(home=home, activity_id=7, sources=SOURCES, fine=HOUSEHOLD_DETAIL)
    household_build(home=home, activity_id=7, peildatum=date(2025, 1, 1), domains=SOURCES)
    fingerprint, exclusion, lineages = _meta(home, 7)
    assert exclusion == ""
    (bsn,) = _related_persons(home, 1)
    (name,) = activity_pseudonyms(home=home, activity_id=7, bsns=[bsn])
    before = _rows(home, 7, name)
    assert before["household.household_person"] >= 1 and before["source.relatie"] >= 1

    report = store_prepare(
        home=home, activity_id=7, sources=SOURCES, fine=HOUSEHOLD_DETAIL, excluded=[bsn]
    )
    assert report.status == "built"
    after = _rows(home, 7, name)
    assert not any(after.values()), after
    assert "household.household_person" not in after  # derived again, not carried over
    new_fingerprint, new_exclusion, new_lineages = _meta(home, 7)
    assert new_fingerprint != fingerprint
    for table in ("ingeschrevenpersoon", "relatie", "verblijfplaats", "toewijzing"):
        assert new_lineages[table] != lineages[table], table
    assert new_lineages["nummeraanduiding"] == lineages["nummeraanduiding"]  # no persons
    # The digest names nobody: neither the BSN nor its plain hash is in the store file.
    assert new_exclusion and new_exclusion != hashlib.sha256(bsn.encode()).hexdigest()
    raw = store_path(Workspace(home), 7).read_bytes()
    assert bsn.encode() not in raw
    assert hashlib.sha256(bsn.encode()).hexdigest().encode() not in raw
    # The same exclusion again: up to date, left alone.
    again = store_prepare(
        home=home, activity_id=7, sources=SOURCES, fine=HOUSEHOLD_DETAIL, excluded=[bsn]
    )
    assert again.status == "unchanged"


def test_a_linkage_after_the_exclusion_does_not_link_the_objector_back(home) -> None:
    """The attack through a partner file: the objector is gone from the store, but the food
    bank's client list still holds them. A linkage run after the rebuild found their record and
    published it under their activity pseudonym (``link.record.person_id``), putting them back
    into the analysis. A published link may only name a person the store holds."""
    from meedoen_data.linkage.link import link_partner

    sources = ["brp", "partner-voedselbank"]
    activity_key_create(home=home, activity_id=8)
    store_prepare(home=home, activity_id=8, sources=sources)
    link_partner(home=home, activity_id=8, source="voedselbank")
    with duckdb.connect(str(store_path(Workspace(home), 8)), read_only=True) as con:
        linked = [
            str(r[0])
            for r in con.execute(
                "SELECT DISTINCT person_id FROM link.record WHERE person_id IS NOT NULL"
            ).fetchall()
        ]
    assert linked, "the food bank's list linked nobody: the test proves nothing"
    vault = Workspace(home).vault_dir / "vault.duckdb"
    with duckdb.connect(str(vault), read_only=True) as con:
        bsns = [
            str(r[0])
            for r in con.execute(
                "SELECT burgerservicenummer FROM identity.ingeschrevenpersoon"
            ).fetchall()
        ]
    names = dict(zip(activity_pseudonyms(home=home, activity_id=8, bsns=bsns), bsns, strict=True))
    bsn = names[linked[0]]
    name = linked[0]

    store_prepare(home=home, activity_id=8, sources=sources, excluded=[bsn])
    link_partner(home=home, activity_id=8, source="voedselbank")
    assert not any(_rows(home, 8, name).values())
    with duckdb.connect(str(store_path(Workspace(home), 8)), read_only=True) as con:
        after = con.execute(
            "SELECT count(DISTINCT person_id) FROM link.record WHERE person_id IS NOT NULL"
        ).fetchone()
    assert after is not None and after[0] >= len(linked) - 1  # everyone else still linked
