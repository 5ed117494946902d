"""The vault's index of persons by pseudonym (issue 16): the lookup by pseudonym as a point read
that gives the same answers as the scans it replaces, cannot be fooled by a colliding prefix and
never outlives the identity rows it was built from."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from meedoen_data.audit_person import PersonNotFound, logged_person
from meedoen_data.contract import SPECS
from meedoen_data.intake import ingest_directory
from meedoen_data.intake.person_index import PREFIX_HEX, pseudonym_prefix
from meedoen_data.intake.subjects import batches_subject_sets
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic municipality ingested and logged (the register numbers everyone)."""
    root = tmp_path_factory.mktemp("person_index")
    home, sources = root / "home", root / "sources"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=sources, persons=300)
    report = ingest_directory(home=home, directory=sources, user="test")
    batches_subject_sets(home=home, batch_ids=[f.batch_id for f in report.files if f.batch_id])
    return home


@pytest.fixture
def home(indexed: Path, tmp_path: Path) -> Path:
    shutil.copytree(indexed, tmp_path / "home")
    return tmp_path / "home"


def vault(home: Path, *, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(home / "vault" / "vault.duckdb"), read_only=read_only)


def person_pseudonyms(home: Path) -> list[tuple[str, str]]:
    """(BSN, pseudonym) of every person column of every identity table, a few per table."""
    out: list[tuple[str, str]] = []
    with vault(home) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'identity' "
            "AND column_name IN ('burgerservicenummer_pseudonym', "
            "'burgerservicenummer_gerelateerde_pseudonym') ORDER BY ALL"
        ).fetchall()
        for table, column in columns:
            raw = column.removesuffix("_pseudonym")
            out += con.execute(
                f'SELECT DISTINCT CAST("{raw}" AS VARCHAR), "{column}" FROM identity."{table}" '
                f'WHERE "{column}" IS NOT NULL ORDER BY 2 LIMIT 5'
            ).fetchall()
    return out


def test_the_index_gives_the_same_person_as_the_scans_for_every_table(
    indexed: Path, home: Path
) -> None:
    pairs = person_pseudonyms(indexed)
    assert len({p for _, p in pairs}) >= 10
    with vault(indexed) as con:
        (rows,) = con.execute("SELECT count(*) FROM lookup.person").fetchone() or (0,)
        (unnumbered,) = con.execute(
            "SELECT count(*) FROM lookup.person WHERE serial IS NULL"
        ).fetchone() or (0,)
    assert rows > 300 and unnumbered == 0  # everyone delivered has a number in the register
    with_index = [logged_person(home=indexed, name=p) for _, p in pairs]
    with vault(home, read_only=False) as con:
        con.execute("DROP TABLE lookup.person")  # the copy falls back to the scans
    without = [logged_person(home=home, name=p) for _, p in pairs]
    assert with_index == without
    for (bsn, _), person in zip(pairs, with_index, strict=True):
        assert person.known and person.serial is not None
        assert person == logged_person(home=indexed, bsn=bsn)


def test_a_row_whose_prefix_collides_is_not_taken_for_the_person(home: Path) -> None:
    (bsn, name), (other_bsn, other) = person_pseudonyms(home)[:2]
    with vault(home, read_only=False) as con:
        # Another person's row under the first pseudonym's 64 bits, sorted before the real one.
        con.execute(
            "INSERT INTO lookup.person SELECT $p, $b, serial FROM lookup.person WHERE bsn = $b",
            {"p": pseudonym_prefix(name), "b": other_bsn},
        )
    person = logged_person(home=home, name=name)
    assert name in person.pseudonyms.values()
    assert other not in person.pseudonyms.values()
    assert person == logged_person(home=home, bsn=bsn)


@pytest.mark.parametrize("value", ["", "0" * 31, "z" * 32, "0" * PREFIX_HEX])
def test_a_value_that_is_no_pseudonym_names_nobody(indexed: Path, value: str) -> None:
    assert pseudonym_prefix(value) is None
    with pytest.raises(PersonNotFound):
        logged_person(home=indexed, name=value)


def test_an_intake_drops_the_index_so_it_never_outlives_the_rows(
    indexed: Path, home: Path, tmp_path: Path
) -> None:
    """Replacing deliveries remove a person from the BRP's tables: from the intake until the
    register's step builds the index again, lookups scan the identity tables as they are, and
    the rebuilt index no longer names the person."""
    sources = indexed.parent / "sources"
    lines = (sources / "ingeschrevenpersoon.csv").read_text().splitlines()
    gone = lines[1].split(",")[0]
    with vault(home) as con:
        (name,) = con.execute(
            "SELECT burgerservicenummer_pseudonym FROM identity.ingeschrevenpersoon "
            "WHERE CAST(burgerservicenummer AS VARCHAR) = $b LIMIT 1",
            {"b": gone.strip('"')},
        ).fetchone() or ("",)
    assert logged_person(home=home, name=name).known
    again = tmp_path / "again"
    again.mkdir()
    for file in sources.glob("*.csv"):
        spec = SPECS.get(file.stem)
        if spec is not None and spec.domain == "brp" and gone in file.read_text():
            kept = [line for line in file.read_text().splitlines() if gone not in line]
            (again / file.name).write_text("\n".join(kept) + "\n")
    report = ingest_directory(home=home, directory=again, user="test")
    assert {f.status for f in report.files} == {"loaded"}
    with vault(home) as con:
        (tables,) = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'lookup'"
        ).fetchone() or (1,)
    assert tables == 0
    with pytest.raises(PersonNotFound):
        logged_person(home=home, name=name)  # by the scans
    batches_subject_sets(home=home, batch_ids=[f.batch_id for f in report.files])
    with vault(home) as con:
        (rows,) = con.execute(
            "SELECT count(*) FROM lookup.person WHERE prefix = $p", {"p": pseudonym_prefix(name)}
        ).fetchone() or (1,)
    assert rows == 0
    with pytest.raises(PersonNotFound):
        logged_person(home=home, name=name)  # by the index
    assert logged_person(home=home, bsn=gone.strip('"')).serial is not None  # kept for good


def test_after_a_key_rotation_the_new_pseudonym_finds_the_person_and_the_old_one_nobody(
    home: Path,
) -> None:
    from meedoen_data.intake.rotation import rotate_domain_key

    with vault(home) as con:
        (bsn, old) = con.execute(
            "SELECT CAST(burgerservicenummer AS VARCHAR), burgerservicenummer_pseudonym "
            "FROM identity.ingeschrevenpersoon ORDER BY 2 LIMIT 1"
        ).fetchone() or ("", "")
    rotate_domain_key(home=home, domain="brp")
    person = logged_person(home=home, bsn=bsn)
    new = person.pseudonyms["pseudonym-brp"]
    assert new != old
    assert logged_person(home=home, name=new) == person
    with vault(home) as con:
        (rows,) = con.execute(
            "SELECT count(*) FROM lookup.person WHERE bsn = $b AND prefix = $p",
            {"b": bsn, "p": pseudonym_prefix(new)},
        ).fetchone() or (0,)
    assert rows == 1
    with pytest.raises(PersonNotFound):
        logged_person(home=home, name=old)


def test_before_the_register_exists_the_index_holds_the_persons_without_numbers(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=tmp_path / "sources", persons=50)
    ingest_directory(home=home, directory=tmp_path / "sources", user="test")
    from meedoen_data.intake import _connect

    with _connect(home, person_index="rebuild"):
        pass
    (bsn, name) = person_pseudonyms(home)[0]
    with vault(home) as con:
        assert not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit'"
        ).fetchone()[0]  # type: ignore[index]
        (rows, numbered) = con.execute(
            "SELECT count(*), count(serial) FROM lookup.person"
        ).fetchone() or (0, 0)
    assert rows > 50 and numbered == 0
    person = logged_person(home=home, name=name)
    assert person.known and person.serial is None
    assert person == logged_person(home=home, bsn=bsn)
