"""The subject register (meedoen_data.audit_subjects): one number per subject for good, dense,
handed out in random order, per kind; identifiers stay in the vault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest

from meedoen_data.audit_sets import subject_set_serials
from meedoen_data.audit_subjects import (
    PERSON,
    SubjectRegisterError,
    record_kind,
    subject_identifiers,
    subject_serial,
    subjects_register,
)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("ATTACH ? AS vault", [str(tmp_path / "vault.duckdb")])
    yield connection
    connection.close()


def bsns(con: duckdb.DuckDBPyConnection, values: list[str | None]) -> duckdb.DuckDBPyRelation:
    return con.sql("SELECT unnest($v::VARCHAR[]) AS burgerservicenummer", params={"v": values})


def test_new_subjects_get_dense_numbers_and_keep_them(con: duckdb.DuckDBPyConnection) -> None:
    first = subjects_register(con, kind=PERSON, identifiers=bsns(con, ["111", "222", "333"]))
    assert first.tolist() == [0, 1, 2]
    known = {b: subject_serial(con, kind=PERSON, identifier=b) for b in ("111", "222", "333")}
    # Again, with one new subject, a duplicate, a NULL and an empty value.
    again = subjects_register(
        con, kind=PERSON, identifiers=bsns(con, ["333", "444", "444", None, "", "111"])
    )
    assert subject_serial(con, kind=PERSON, identifier="444") == 3
    assert again.tolist() == sorted([known["333"], known["111"], 3])
    assert {b: subject_serial(con, kind=PERSON, identifier=b) for b in known} == known
    assert subject_serial(con, kind=PERSON, identifier="999") is None
    (count,) = con.execute("SELECT count(*) FROM vault.audit.subject").fetchone() or (0,)
    assert count == 4


def test_numbers_are_handed_out_in_random_order(con: duckdb.DuckDBPyConnection) -> None:
    values = [f"{i:09d}" for i in range(2_000)]
    subjects_register(con, kind=PERSON, identifiers=bsns(con, values))
    order = [subject_serial(con, kind=PERSON, identifier=v) for v in values[:200]]
    assert order != sorted(order), "numbers follow the order of the delivery"


def test_kinds_are_numbered_separately(con: duckdb.DuckDBPyConnection) -> None:
    subjects_register(con, kind=PERSON, identifiers=bsns(con, ["1", "2"]))
    records = subjects_register(con, kind=record_kind("voedselbank"), identifiers=bsns(con, ["1"]))
    assert records.tolist() == [0]
    assert subject_identifiers(con, kind=record_kind("voedselbank"), serials=[0]) == {0: "1"}
    with pytest.raises(SubjectRegisterError, match="unknown kind"):
        subjects_register(con, kind="bsn", identifiers=bsns(con, ["1"]))
    with pytest.raises(SubjectRegisterError, match="unknown kind"):
        subject_serial(con, kind="record:", identifier="1")


def test_the_numbers_make_a_set_the_identifiers_come_back_from(
    con: duckdb.DuckDBPyConnection,
) -> None:
    values = [f"{i:09d}" for i in range(10_000)]
    serials = subjects_register(con, kind=PERSON, identifiers=bsns(con, values))
    made = subject_set_serials(subject_type=PERSON, serials=serials)
    assert made.size == 10_000 and len(made.containers) == 1  # dense: one container
    back = subject_identifiers(con, kind=PERSON, serials=made.serials()[:50])
    assert len(back) == 50 and set(back.values()) <= set(values)
    assert all(subject_serial(con, kind=PERSON, identifier=b) == s for s, b in back.items())
    assert subject_identifiers(con, kind=PERSON, serials=np.empty(0, np.uint32)) == {}


def test_the_identifiers_are_one_column(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(SubjectRegisterError, match="one column"):
        subjects_register(con, kind=PERSON, identifiers=con.sql("SELECT 1 AS a, 2 AS b"))
