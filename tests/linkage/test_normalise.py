"""The Dutch normalisation: examples, and the DuckDB macros agree with the Python functions
(the partner encodes with Python, the register is normalised in SQL)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from meedoen_data.linkage import normalise as n
from meedoen_data.synth.nametable import first_names, surnames

SURNAMES = [
    ("van der", "Berg"),
    ("v.d.", "Berg"),
    (None, "van der Berg"),
    (None, "Vanderberg"),
    ("van 't", "Hof"),
    ("", "De"),
    ("ter", "Müller-Lüdenscheidt"),
    ("d'", "Ancona"),
    (None, "Çelik"),
    (None, "Ødegård"),
    (None, None),
    ("van", ""),
]
GIVEN = ["Jan Frans", "J.F.", "Émile", "", None, "j. Frans", "Anne-Marie Els", "Ö"]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(n.SQL_MACROS)
    return con


@pytest.mark.parametrize(
    ("prefix", "surname", "core", "full"),
    [
        ("van der", "Berg", "berg", "vanderberg"),
        ("v.d.", "Berg", "berg", "vdberg"),
        (None, "van der Berg", "berg", "vanderberg"),
        (None, "Vanderberg", "vanderberg", "vanderberg"),
        ("van 't", "Hof", "hof", "vanthof"),
        ("", "De", "de", "de"),
        (None, "Çelik", "celik", "celik"),
    ],
)
def test_surname_forms(prefix: str | None, surname: str, core: str, full: str) -> None:
    assert n.surname_forms(prefix, surname) == (core, full)


def test_first_names_initials_addresses_and_dates() -> None:
    assert (n.first_name("Jan Frans"), n.initials("Jan Frans")) == ("jan", "jf")
    assert (n.first_name("J.F."), n.initials("J.F.")) == (None, "jf")
    assert n.address_key("5120 ak", 3, "A", "-2") == "5120AK|3|a2"
    assert n.house_key("5120ak", "3") == "5120AK|3"
    assert n.swapped_date(date(1980, 3, 5)) == date(1980, 5, 3)
    assert n.swapped_date(date(1980, 3, 13)) is None and n.swapped_date(date(1980, 4, 4)) is None


def _sql(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> tuple[object, ...]:
    return tuple(con.execute(sql, params).fetchall()[0])


def test_sql_and_python_agree_on_every_generator_name(con: duckdb.DuckDBPyConnection) -> None:
    names = surnames()
    prefixes = names.prefixes.to_pylist() if names.prefixes is not None else []
    pairs = list(zip(prefixes, names.values.to_pylist(), strict=False)) + SURNAMES
    con.execute("CREATE OR REPLACE TEMP TABLE s (i INTEGER, prefix VARCHAR, surname VARCHAR)")
    con.executemany("INSERT INTO s VALUES (?, ?, ?)", [(i, p, s) for i, (p, s) in enumerate(pairs)])
    rows = con.execute(
        "SELECT nl_surname_core(prefix, surname), nl_surname_full(prefix, surname) FROM s "
        "ORDER BY i"
    ).fetchall()
    for (prefix, surname), got in zip(pairs, rows, strict=True):
        assert got == n.surname_forms(prefix, surname), (prefix, surname)
    given = first_names("M").values.to_pylist() + first_names("V").values.to_pylist() + GIVEN
    con.execute("CREATE OR REPLACE TEMP TABLE g (i INTEGER, given VARCHAR)")
    con.executemany("INSERT INTO g VALUES (?, ?)", list(enumerate(given)))
    rows = con.execute(
        "SELECT nl_first_name(given), nl_initials(given) FROM g ORDER BY i"
    ).fetchall()
    for value, got in zip(given, rows, strict=True):
        assert got == (n.first_name(value), n.initials(value)), value


def test_sql_and_python_agree_on_addresses_and_dates(con: duckdb.DuckDBPyConnection) -> None:
    for code, number, letter, addition in [
        ("5120 ak", 3, "A", "-2"),
        ("5120AK", 12, None, None),
        (None, 3, None, None),
        ("1234ab", None, "b", "bis"),
    ]:
        assert _sql(
            con, "SELECT nl_address_key(?, ?, ?, ?), nl_house_key(?, ?)",
            [code, number, letter, addition, code, number],
        ) == (n.address_key(code, number, letter, addition), n.house_key(code, number))  # fmt: skip
    for day in (date(1980, 3, 5), date(1980, 3, 13), date(1980, 4, 4), date(2000, 12, 1)):
        assert _sql(con, "SELECT nl_swapped_date(?)", [day]) == (n.swapped_date(day),)
