"""Attack (found in review of the intake's pseudonym memo, issue 16): the memo leaks a
pseudonym across domains.

Since the gate hashes every distinct value once per ingest and remembers it in a per-connection
table, one mistake in naming that table (a memo per ingest instead of per domain, or the by-law
domain sharing one memo for WMO and Jeugdwet) would give the same person the same pseudonym in
the population register, the CBS microdata and the care allocations: the domains that the
privacy model keeps apart would be joinable on the pseudonym alone, without the vault.

The test delivers one BSN in four domains in a single ingest (BRP, CBS, WMO and Jeugdwet, the
last two in one file) and asserts that every table carries its own domain's keyed hash, and that
no other domain's pseudonym of that person appears anywhere in the analytics store."""

from __future__ import annotations

from pathlib import Path

import duckdb

from meedoen_data.intake import ingest_directory
from meedoen_data.intake.pseudonyms import domain_key, pseudonym
from meedoen_data.keystore import KeyStore
from meedoen_data.workspace import workspace_init
from tests.intake.conftest import PERSON_HEADER, analytics_rows, person_rows, valid_bsns

#: Where each domain's pseudonym of the person must appear, and nowhere else.
EXPECTED = {
    "brp": "SELECT person_pseudonym FROM source.ingeschrevenpersoon",
    "cbs": "SELECT person_pseudonym FROM source.cbs_persoon",
    "wmo": "SELECT person_pseudonym FROM source.toewijzing WHERE wet = 'WMO'",
    "jeugd": "SELECT person_pseudonym FROM source.toewijzing WHERE wet = 'JEUGDWET'",
}


def _every_text_value(home: Path) -> set[str]:
    values: set[str] = set()
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type = 'VARCHAR' AND NOT internal"
        ).fetchall()
        for schema, table, column in columns:
            rows = con.execute(
                f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
            ).fetchall()
            values.update(str(row[0]) for row in rows)
    return values


def test_one_ingest_gives_each_domain_its_own_pseudonym(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace_init(home=home)
    bsn = valid_bsns(1)[0]
    folder = tmp_path / "delivery"
    folder.mkdir()
    (folder / "ingeschrevenpersoon.csv").write_text(
        "\n".join([PERSON_HEADER, *person_rows(1)]), encoding="utf-8"
    )
    (folder / "cbs_persoon.csv").write_text(
        f"burgerservicenummer,opleidingsniveau,migratieachtergrond\n{bsn},laag,geen\n",
        encoding="utf-8",
    )
    (folder / "toewijzing.csv").write_text(
        "toewijzingnummer,burgerservicenummer,wet,productcategorie,datumstarttoewijzing\n"
        f"T1,{bsn},WMO,02,2024-01-01\n"
        f"T2,{bsn},JEUGDWET,45,2024-01-01\n",
        encoding="utf-8",
    )

    report = ingest_directory(home=home, directory=folder, user="t")

    assert [f.status for f in report.files] == ["loaded"] * 3, [f.message for f in report.files]
    keys = KeyStore(home / "keys")
    expected = {domain: pseudonym(domain_key(keys, domain), bsn) for domain in EXPECTED}
    assert len(set(expected.values())) == len(expected), "the keys of two domains are equal"
    for domain, sql in EXPECTED.items():
        assert analytics_rows(home, sql) == [(expected[domain],)], domain
    found = _every_text_value(home)
    assert bsn not in found
    for domain, value in expected.items():
        tables = [
            other
            for other, sql in EXPECTED.items()
            if other != domain and (value,) in analytics_rows(home, sql)
        ]
        assert tables == [], f"the {domain} pseudonym appears in the {tables} data"
        assert value in found
