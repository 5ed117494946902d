"""The two sides of a linkage, made in the identity zone (the vault) with DuckDB SQL.

Both functions run on a connection that has the vault attached as ``vault`` and the analytics
store as ``analytics`` (read-only) and the macros of :mod:`normalise` created. They make temp
tables with the columns of :data:`model.FEATURES`:

- ``register_input``: one row per person of the BRP who was alive at the file's date, keyed by
  BSN (which never leaves this connection): names, the surname of the person's last partner
  (married or registered, relation started on or before the date), birth date, the address at
  the file's date and every address since the first delivery (``house_history``);
- ``partner_input``: one row per record of the partner file's current delivery, keyed by the
  partner's own record number, with an ``evidence`` hash of its identifying fields: a record
  whose evidence is unchanged keeps its earlier link.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from meedoen_data.intake.sql import ident
from meedoen_data.linkage.clk import ENCODED_FIELDS, ClkEncoder, bits_sql
from meedoen_data.linkage.model import ENCODED_FEATURES


def register_raw(con: duckdb.DuckDBPyConnection, *, on: date) -> int:
    """Make ``register_raw``: per person alive at ``on`` the identifying fields as the
    register has them, the last partner's surname, the address at ``on`` and the postcode +
    house number of every address until ``on``. Returns the number of persons."""
    params = {"on": on}
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE register_address AS
        SELECT v.burgerservicenummer AS bsn, coalesce(v.datumvan, DATE '1900-01-01') AS van,
               n.postcode, n.huisnummer, n.huisletter, n.huisnummertoevoeging
        FROM vault.identity.verblijfplaats v
        JOIN vault.identity.nummeraanduiding n
          ON n.identificatie = v.nummeraanduidingidentificatie
        WHERE v.datumvan IS NULL OR v.datumvan <= $on
        """,
        params,
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE register_partner AS
        SELECT r.burgerservicenummer AS bsn,
               arg_max(p.voorvoegsel, r.datumingang) AS partner_voorvoegsel,
               arg_max(p.geslachtsnaam, r.datumingang) AS partner_geslachtsnaam
        FROM vault.identity.relatie r
        JOIN analytics.source.relatie a
          ON a.person_pseudonym = r.burgerservicenummer_pseudonym
         AND a.related_person_pseudonym = r.gerelateerde_burgerservicenummer_pseudonym
         AND a.soortrelatie = 'partner'
        JOIN vault.identity.ingeschrevenpersoon p
          ON p.burgerservicenummer = r.gerelateerde_burgerservicenummer
        WHERE r.datumingang IS NULL OR r.datumingang <= $on
        GROUP BY 1
        """,
        params,
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE register_raw AS
        WITH current AS (
            SELECT bsn,
                   arg_max(postcode, van) AS postcode,
                   arg_max(huisnummer, van) AS huisnummer,
                   arg_max(huisletter, van) AS huisletter,
                   arg_max(huisnummertoevoeging, van) AS huisnummertoevoeging,
                   list(DISTINCT nl_house_key(postcode, huisnummer))
                       FILTER (WHERE nl_house_key(postcode, huisnummer) IS NOT NULL)
                       AS house_history
            FROM register_address GROUP BY 1
        )
        SELECT i.burgerservicenummer AS bsn,
               i.burgerservicenummer_pseudonym AS person_pseudonym,
               i.geslachtsnaam, i.voorvoegsel, i.voornamen, i.datumgeboorte,
               rp.partner_voorvoegsel, rp.partner_geslachtsnaam,
               c.postcode, c.huisnummer, c.huisletter, c.huisnummertoevoeging, c.house_history
        FROM vault.identity.ingeschrevenpersoon i
        LEFT JOIN analytics.source.ingeschrevenpersoon a
          ON a.person_pseudonym = i.burgerservicenummer_pseudonym
        LEFT JOIN register_partner rp ON rp.bsn = i.burgerservicenummer
        LEFT JOIN current c ON c.bsn = i.burgerservicenummer
        WHERE a.datumoverlijden IS NULL OR a.datumoverlijden >= $on
        """,
        params,
    )
    con.execute("DROP TABLE register_address")
    con.execute("DROP TABLE register_partner")
    return _count(con, "register_raw")


def register_input(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``register_input`` (clear-text features) from ``register_raw``."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE register_input AS
        WITH folded AS (
            SELECT *, nl_tokens(voorvoegsel, geslachtsnaam) AS own,
                   nl_tokens(partner_voorvoegsel, partner_geslachtsnaam) AS partner,
                   nl_given_tokens(voornamen) AS given
            FROM register_raw
        )
        SELECT bsn AS unique_id,
               nl_core_of(own) AS surname_core,
               nl_full_of(own) AS surname_full,
               nl_core_of(partner) AS partner_surname_core,
               nl_full_of(partner) AS partner_surname_full,
               nl_first_of(given) AS first_name,
               nl_initials_of(given) AS initials,
               left(nl_initials_of(given), 1) AS first_initial,
               datumgeboorte AS birth_date,
               nl_swapped_date(datumgeboorte) AS birth_date_swapped,
               year(datumgeboorte) AS birth_year,
               nl_address_key(postcode, huisnummer, huisletter, huisnummertoevoeging)
                   AS address_key,
               nl_house_key(postcode, huisnummer) AS house_key,
               nl_postcode(postcode) AS postcode,
               house_history
        FROM folded
        """
    )


def register_encoded(
    con: duckdb.DuckDBPyConnection, *, encoder: ClkEncoder, batch: int = 50_000
) -> None:
    """Make ``register_input`` (Bloom-filter encodings, :data:`model.ENCODED_FEATURES`) from
    ``register_raw`` with the partner's shared secret (Python: about 15,000 persons/s)."""
    names = [*ENCODED_FEATURES]
    columns: dict[str, list[object]] = {"unique_id": [], **{n: [] for n in names}}
    result = con.execute(
        "SELECT bsn, geslachtsnaam, voorvoegsel, voornamen, datumgeboorte, postcode, huisnummer, "
        "huisletter, huisnummertoevoeging, nl_surname_core(partner_voorvoegsel, "
        "partner_geslachtsnaam), house_history FROM register_raw"
    )
    while rows := result.fetchmany(batch):
        for bsn, sur, pre, given, born, pc, number, letter, plus, partner, history in rows:
            encoded = encoder.encode(
                geslachtsnaam=sur,
                voorvoegsel=pre,
                voornamen=given,
                datumgeboorte=born,
                postcode=pc,
                huisnummer=number,
                huisnummertoevoeging=plus,
                huisletter=letter,
            )
            encoded["partner_surname_core_bf"] = encoder.surname_core_bf(partner)
            columns["unique_id"].append(bsn)
            for name in names:
                if name == "house_history_h":
                    columns[name].append([encoder.house_h(k) for k in history or []])
                else:
                    columns[name].append(encoded.get(name))
    table = pa.table(
        {
            name: pa.array(values, type=pa.list_(pa.string()))
            if name == "house_history_h"
            else pa.array(values, type=pa.string())
            for name, values in columns.items()
        }
    )
    con.register("register_encoded_arrow", table)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE register_input AS SELECT {_encoded_select()} "
        "FROM register_encoded_arrow"
    )
    con.unregister("register_encoded_arrow")


def _encoded_select() -> str:
    """Bloom filters as BIT strings (fast Dice), hashes as they are."""
    parts = ["unique_id"]
    for name in ENCODED_FEATURES:
        if name.endswith("_bf"):
            parts.append(f"{bits_sql(ident(name))} AS {ident(name)}")
        else:
            parts.append(ident(name))
    return ", ".join(parts)


def partner_encoded(con: duckdb.DuckDBPyConnection, *, path: Path) -> tuple[int, date | None]:
    """Make ``partner_input`` from an encoded partner file (``meedoen encode``'s output);
    return its number of records and its latest enrolment or leaving date."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE partner_file AS "
        "SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [str(path)],
    )
    present = {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'partner_file'"
        ).fetchall()
    }
    missing = [c for c in ("klantnummer", *ENCODED_FIELDS) if c not in present]
    if missing:
        raise ValueError(
            f"{path.name}: not an encoded partner file (made by meedoen encode); missing "
            f"columns: {', '.join(missing)}"
        )
    fields = [ident(c) for c in ENCODED_FIELDS]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE partner_encoded_fields AS
        SELECT klantnummer AS unique_id,
               sha256(concat_ws('|', {", ".join(f"coalesce({f}, '')" for f in fields)}))
                   AS evidence,
               NULL::VARCHAR AS partner_surname_core_bf,
               list_filter([house_h], lambda k: k IS NOT NULL) AS house_history_h,
               *
        FROM partner_file
        """
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE partner_input AS SELECT evidence, {_encoded_select()} "
        "FROM partner_encoded_fields"
    )
    latest = con.execute(
        "SELECT greatest(max(try_cast(datuminschrijving AS DATE)), "
        "max(try_cast(datumuitschrijving AS DATE))) FROM partner_file"
    ).fetchall()[0][0]
    con.execute("DROP TABLE partner_file")
    con.execute("DROP TABLE partner_encoded_fields")
    return _count(con, "partner_input"), latest if isinstance(latest, date) else None


def partner_input(con: duckdb.DuckDBPyConnection, *, source: str) -> int:
    """Make ``partner_input`` from the vault's copy of partner file ``source``."""
    table = f"vault.identity.{ident(source)}"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE partner_input AS
        SELECT klantnummer AS unique_id,
               sha256(concat_ws('|', coalesce(geslachtsnaam, ''), coalesce(voorvoegsel, ''),
                   coalesce(voornamen, ''), coalesce(CAST(datumgeboorte AS VARCHAR), ''),
                   coalesce(postcode, ''), coalesce(CAST(huisnummer AS VARCHAR), ''),
                   coalesce(huisnummertoevoeging, ''))) AS evidence,
               nl_surname_core(voorvoegsel, geslachtsnaam) AS surname_core,
               nl_surname_full(voorvoegsel, geslachtsnaam) AS surname_full,
               NULL::VARCHAR AS partner_surname_core,
               NULL::VARCHAR AS partner_surname_full,
               nl_first_name(voornamen) AS first_name,
               nl_initials(voornamen) AS initials,
               left(nl_initials(voornamen), 1) AS first_initial,
               datumgeboorte AS birth_date,
               nl_swapped_date(datumgeboorte) AS birth_date_swapped,
               year(datumgeboorte) AS birth_year,
               nl_address_key(postcode, huisnummer, NULL, huisnummertoevoeging) AS address_key,
               nl_house_key(postcode, huisnummer) AS house_key,
               nl_postcode(postcode) AS postcode,
               list_filter([nl_house_key(postcode, huisnummer)], lambda k: k IS NOT NULL)
                   AS house_history
        FROM {table}
        """
    )
    return _count(con, "partner_input")


def signal_input(con: duckdb.DuckDBPyConnection) -> int:
    """Make ``partner_input`` from the vault's early-warning signals (``vroegsignaal``): one row
    per signal, keyed by ``signaalid``, with the BSN where the partner sent one (``bsn``) and
    the birth date where it is delivered (contract v2's ``geboortedatum``)."""
    present = {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'vault' "
            "AND schema_name = 'identity' AND table_name = 'vroegsignaal'"
        ).fetchall()
    }
    born = "geboortedatum" if "geboortedatum" in present else "NULL::DATE"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE partner_input AS
        SELECT signaalid AS unique_id, burgerservicenummer AS bsn,
               sha256(concat_ws('|', coalesce(burgerservicenummer, ''),
                   coalesce(geslachtsnaam, ''), coalesce(voorvoegsel, ''),
                   coalesce(voornamen, ''), coalesce(CAST({born} AS VARCHAR), ''),
                   coalesce(postcode, ''), coalesce(CAST(huisnummer AS VARCHAR), ''),
                   coalesce(huisnummertoevoeging, ''))) AS evidence,
               nl_surname_core(voorvoegsel, geslachtsnaam) AS surname_core,
               nl_surname_full(voorvoegsel, geslachtsnaam) AS surname_full,
               NULL::VARCHAR AS partner_surname_core,
               NULL::VARCHAR AS partner_surname_full,
               nl_first_name(voornamen) AS first_name,
               nl_initials(voornamen) AS initials,
               left(nl_initials(voornamen), 1) AS first_initial,
               {born} AS birth_date,
               nl_swapped_date({born}) AS birth_date_swapped,
               year({born}) AS birth_year,
               nl_address_key(postcode, huisnummer, NULL, huisnummertoevoeging) AS address_key,
               nl_house_key(postcode, huisnummer) AS house_key,
               nl_postcode(postcode) AS postcode,
               list_filter([nl_house_key(postcode, huisnummer)], lambda k: k IS NOT NULL)
                   AS house_history
        FROM vault.identity.vroegsignaal
        """
    )
    return _count(con, "partner_input")


def partner_dates(con: duckdb.DuckDBPyConnection, *, source: str) -> date | None:
    """The latest enrolment or leaving date in the partner file (the file's date)."""
    rows = con.execute(
        f"SELECT greatest(max(datuminschrijving), max(datumuitschrijving)) "
        f"FROM analytics.source.{ident(source)}"
    ).fetchall()
    value = rows[0][0] if rows else None
    return value if isinstance(value, date) else None


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    rows = con.execute(f"SELECT count(*) FROM {ident(table)}").fetchall()
    return int(rows[0][0])
