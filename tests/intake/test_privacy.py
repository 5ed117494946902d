"""After ingesting a synthetic municipality, no identifier of any person is in the analytics
store (every column of every table is scanned), nor in the ingest's messages and logs."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pytest

from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("privacy")
    synth_municipality(gemeente="GM0784", out=root / "src", persons=6000, with_truth=True)
    workspace_init(home=root / "home")
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("meedoen_data")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        report = ingest_directory(home=root / "home", directory=root / "src", user="t")
    finally:
        logger.removeHandler(handler)
    messages += [f.message for f in report.files]
    assert {f.status for f in report.files} == {"loaded"}
    assert sum(f.rows_quarantined for f in report.files) == 0  # the generator meets the contract
    return root / "src", root / "home", messages


def _identifiers(src: Path) -> duckdb.DuckDBPyConnection:
    """A connection with table ``secret(value)`` of every identifier in the source files, and
    the analytics store attached as ``a``."""
    con = duckdb.connect()

    def csv(name: str) -> str:
        return f"read_csv('{src / name}.csv', all_varchar = true)"

    con.execute(f"""CREATE TABLE secret AS
        SELECT burgerservicenummer AS value FROM {csv("ingeschrevenpersoon")}
        UNION SELECT geslachtsnaam FROM {csv("ingeschrevenpersoon")}
        UNION SELECT voornamen FROM {csv("ingeschrevenpersoon")}
        UNION SELECT unnest(string_split(voornamen, ' ')) FROM {csv("ingeschrevenpersoon")}
        UNION SELECT geslachtsnaam FROM {csv("voedselbank")}
        UNION SELECT voornamen FROM {csv("voedselbank")}
        UNION SELECT postcode FROM {csv("nummeraanduiding")}
        UNION SELECT postcode || huisnummer FROM {csv("nummeraanduiding")}
        UNION SELECT postcode || ' ' || huisnummer FROM {csv("nummeraanduiding")}
        UNION SELECT adresseerbaarobjectidentificatie FROM {csv("nummeraanduiding")}
        UNION SELECT identificatie FROM {csv("nummeraanduiding")}
        UNION SELECT klantnummer FROM {csv("voedselbank")}""")
    return con


def test_no_identifier_in_any_column_of_the_analytics_store(ingested) -> None:
    src, home, _ = ingested
    con = _identifiers(src)
    con.execute(f"ATTACH '{home / 'analytics.duckdb'}' AS a (READ_ONLY)")
    columns = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = 'a'"
    ).fetchall()
    assert len(columns) > 80
    found = []
    for schema, table, column in columns:
        hits = con.execute(
            f'SELECT count(*) FROM a."{schema}"."{table}" t JOIN secret s '
            f'ON CAST(t."{column}" AS VARCHAR) = s.value'
        ).fetchone()
        if hits and hits[0]:
            found.append((table, column, hits[0]))
    assert found == []


def test_no_persons_exact_birth_date_in_their_rows(ingested) -> None:
    """Dates of birth: per person, no date in any of that person's rows equals it."""
    _, home, _ = ingested
    con = duckdb.connect()
    con.execute(f"ATTACH '{home / 'analytics.duckdb'}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{home / 'vault' / 'vault.duckdb'}' AS v (READ_ONLY)")
    tables = con.execute("""SELECT table_name, list(column_name) FILTER (data_type = 'DATE'),
                                   bool_or(column_name = 'person_pseudonym')
                            FROM duckdb_columns() WHERE database_name = 'a'
                            AND schema_name = 'source' GROUP BY 1""").fetchall()
    # Birth dates by brp pseudonym; other domains' rows are compared through the BSN.
    con.execute("""CREATE TABLE birth AS SELECT burgerservicenummer AS bsn, datumgeboorte AS d
                   FROM v.identity.ingeschrevenpersoon""")
    checked = 0
    for table, dates, has_person in tables:
        if not dates or not has_person:
            continue
        for column in dates:
            hits = con.execute(f"""
                SELECT count(*) FROM a.source."{table}" t
                JOIN (SELECT DISTINCT burgerservicenummer, burgerservicenummer_pseudonym AS p
                      FROM v.identity."{table}") m ON m.p = t.person_pseudonym
                JOIN birth b ON b.bsn = m.burgerservicenummer AND b.d = t."{column}"
            """).fetchone()
            checked += 1
            assert hits == (0,), (table, column)
    assert checked >= 5


def test_messages_and_logs_carry_no_identifiers(ingested) -> None:
    src, _, messages = ingested
    con = _identifiers(src)
    for message in messages:
        words = {w.strip(".,:;()") for w in message.split()}
        leaked = con.execute(
            "SELECT value FROM secret WHERE list_contains(?, value)", [sorted(words)]
        ).fetchall()
        assert leaked == [], message


def test_analytics_keeps_coarse_variables_only(ingested) -> None:
    _, home, _ = ingested
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        columns = {
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'source'"
            ).fetchall()
        }
    assert {
        "geboortejaar",
        "geboortemaand",
        "postcode4",
        "person_pseudonym",
        "address_pseudonym",
    } <= columns
    forbidden = {
        "burgerservicenummer",
        "geslachtsnaam",
        "voornamen",
        "voorvoegsel",
        "datumgeboorte",
        "postcode",
        "huisnummer",
        "openbareruimtenaam",
        "klantnummer",
        "adresseerbaarobjectidentificatie",
    }
    assert columns.isdisjoint(forbidden)
