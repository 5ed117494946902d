"""The activity's subject map (meedoen_data.activity_subjects): each activity pseudonym of a
person or partner record with its number in the vault's subject register, made in the vault
zone the way the store makes the pseudonyms — checked against HMAC computed here in Python."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from meedoen_data.activity_store import _spec
from meedoen_data.activity_subjects import (
    subject_map_lookup,
    subject_map_numbers,
    subject_map_path,
    subject_map_write,
)
from meedoen_data.audit_subjects import PERSON, record_kind, subject_serial, subjects_register
from meedoen_data.intake.pseudonyms import PSEUDONYM_HEX, hmac_pads
from meedoen_data.workspace import Workspace

KEY = b"activity-7-key-for-tests"
BSNS = ["111222333", "123456782", "999999990"]
CLIENTS = ["K-1", "K-2"]


def pseudonym(value: str) -> str:
    return hmac.new(KEY, value.encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "vault").mkdir(mode=0o700)
    return tmp_path


@pytest.fixture
def con(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The vault with the identities of a register table and a partner file, numbered."""
    connection = duckdb.connect()
    connection.execute("ATTACH ? AS vault", [str(home / "vault" / "vault.duckdb")])
    connection.execute("CREATE SCHEMA vault.identity")
    connection.execute(
        "CREATE TABLE vault.identity.ingeschrevenpersoon AS "
        "SELECT unnest($b::VARCHAR[]) AS burgerservicenummer",
        {"b": [*BSNS, None]},
    )
    connection.execute(
        "CREATE TABLE vault.identity.voedselbank AS SELECT unnest($k::VARCHAR[]) AS klantnummer",
        {"k": CLIENTS},
    )
    subjects_register(
        connection,
        kind=PERSON,
        identifiers=connection.sql(
            "SELECT burgerservicenummer FROM vault.identity.ingeschrevenpersoon"
        ),
    )
    subjects_register(
        connection,
        kind=record_kind("partner-voedselbank"),
        identifiers=connection.sql("SELECT klantnummer FROM vault.identity.voedselbank"),
    )
    yield connection
    connection.close()


def write(con: duckdb.DuckDBPyConnection, home: Path) -> int:
    ipad, opad = hmac_pads(KEY)
    return subject_map_write(
        con,
        workspace=Workspace(home),
        activity_id=7,
        tables=[_spec("ingeschrevenpersoon"), _spec("voedselbank")],
        ipad=ipad,
        opad=opad,
    )


def test_the_map_holds_every_pseudonym_with_its_register_number(
    con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    assert write(con, home) == 5
    path = subject_map_path(Workspace(home), 7)
    assert path.parent == home / "vault" / "audit" and path.stat().st_mode & 0o077 == 0
    with duckdb.connect(str(path), read_only=True) as m:
        rows = set(m.execute("SELECT pseudonym, kind, serial FROM subject").fetchall())
    kind = record_kind("partner-voedselbank")
    expected = {
        (pseudonym(b), PERSON, subject_serial(con, kind=PERSON, identifier=b)) for b in BSNS
    } | {
        (pseudonym(f"partner-voedselbank:{k}"), kind, subject_serial(con, kind=kind, identifier=k))
        for k in CLIENTS
    }
    assert rows == expected


def test_pseudonyms_become_numbers_per_kind_and_the_rest_stays(
    con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    write(con, home)
    numbered = subject_map_numbers(
        home=home,
        activity_id=7,
        pseudonyms=[
            pseudonym(BSNS[0]),
            pseudonym(BSNS[0]),
            pseudonym("partner-voedselbank:K-2"),
            "f" * 32,
        ],
    )
    kind = record_kind("partner-voedselbank")
    assert numbered.serials[PERSON].tolist() == [
        subject_serial(con, kind=PERSON, identifier=BSNS[0])
    ]
    assert numbered.serials[kind].tolist() == [subject_serial(con, kind=kind, identifier="K-2")]
    assert numbered.unknown == ["f" * 32]


def test_without_a_map_every_pseudonym_is_unknown(home: Path) -> None:
    numbered = subject_map_numbers(home=home, activity_id=8, pseudonyms=["b", "a", "a"])
    assert numbered.serials == {} and numbered.unknown == ["a", "b"]


def test_a_pseudonym_finds_its_number_in_any_activity_map(
    con: duckdb.DuckDBPyConnection, home: Path
) -> None:
    write(con, home)
    serial = subject_serial(con, kind=PERSON, identifier=BSNS[1])
    assert subject_map_lookup(home=home, pseudonym=pseudonym(BSNS[1])) == {PERSON: serial}
    assert subject_map_lookup(home=home, pseudonym="0" * 32) == {}


def test_a_rebuild_replaces_the_map_whole(con: duckdb.DuckDBPyConnection, home: Path) -> None:
    write(con, home)
    con.execute("DELETE FROM vault.identity.voedselbank")
    assert write(con, home) == 3
    path = subject_map_path(Workspace(home), 7)
    assert not path.with_suffix(".building").exists()
    assert subject_map_lookup(home=home, pseudonym=pseudonym("partner-voedselbank:K-1")) == {}
