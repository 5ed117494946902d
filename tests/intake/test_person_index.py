"""The vault's index of the BRP's persons by pseudonym (issue 16, ADR 0017): the lookup by
pseudonym as a point read that gives the same answers as the scans it replaces, cannot be
fooled by a colliding prefix and never outlives the identity rows it was built from."""

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
    # The register numbers everyone, as after every intake (intake_log).
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


def brp_pairs(home: Path, n: int = 5) -> list[tuple[str, str]]:
    with vault(home) as con:
        return con.execute(
            "SELECT CAST(burgerservicenummer AS VARCHAR), burgerservicenummer_pseudonym "
            "FROM identity.ingeschrevenpersoon ORDER BY 2 LIMIT $n",
            {"n": n},
        ).fetchall()


def index_rows(home: Path, where: str = "true", params: dict | None = None) -> int:  # type: ignore[type-arg]
    with vault(home) as con:
        (rows,) = con.execute(
            f"SELECT count(*) FROM lookup.person WHERE {where}", params or {}
        ).fetchone() or (0,)
    return int(rows)


def index_exists(home: Path) -> bool:
    with vault(home) as con:
        (tables,) = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'lookup'"
        ).fetchone() or (0,)
    return bool(tables)


def test_the_index_gives_the_same_person_as_the_scans_for_every_table(
    indexed: Path, home: Path
) -> None:
    """BRP pseudonyms through the index, the others through the scans: the same answers as
    the scans alone, for persons of every identity table."""
    pairs = person_pseudonyms(indexed)
    assert len({p for _, p in pairs}) >= 10
    with vault(indexed) as con:
        (persons,) = con.execute(
            "SELECT count(DISTINCT burgerservicenummer) FROM identity.ingeschrevenpersoon"
        ).fetchone() or (0,)
    assert index_rows(indexed) == persons > 300
    with_index = [logged_person(home=indexed, name=p) for _, p in pairs]
    with vault(home, read_only=False) as con:
        con.execute("DROP TABLE lookup.person")  # the copy falls back to the scans
    without = [logged_person(home=home, name=p) for _, p in pairs]
    assert with_index == without
    for (bsn, _), person in zip(pairs, with_index, strict=True):
        assert person.known and person.serial is not None
        assert person == logged_person(home=indexed, bsn=bsn)


def test_a_pseudonym_the_index_does_not_hold_is_found_by_the_scans(home: Path) -> None:
    """The index holds the BRP's register of persons; a person of another table (here: one
    removed from the index, as if only in a relation) is still found."""
    (bsn, name), *_ = brp_pairs(home, 1)
    with vault(home, read_only=False) as con:
        con.execute("DELETE FROM lookup.person WHERE bsn = $b", {"b": int(bsn)})
    assert logged_person(home=home, name=name) == logged_person(home=home, bsn=bsn)


@pytest.mark.parametrize("value", ["", "0" * 31, "z" * 32, "0" * PREFIX_HEX])
def test_a_value_that_is_no_pseudonym_names_nobody(indexed: Path, value: str) -> None:
    assert pseudonym_prefix(value) is None
    with pytest.raises(PersonNotFound):
        logged_person(home=indexed, name=value)


def test_a_replacing_delivery_rebuilds_the_index_without_the_persons_it_removed(
    indexed: Path, home: Path, tmp_path: Path
) -> None:
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
    assert index_exists(home)
    assert index_rows(home, "prefix = $p", {"p": pseudonym_prefix(name)}) == 0
    with pytest.raises(PersonNotFound):
        logged_person(home=home, name=name)
    assert logged_person(home=home, bsn=gone.strip('"')).serial is not None  # kept for good


def test_a_run_that_fails_leaves_no_index_and_the_scans_answer(home: Path) -> None:
    """The index is dropped before anything changes and built only after a run that raised
    nothing: a failed run cannot leave one that no longer fits the identity tables."""
    from meedoen_data.intake import _connect

    (bsn, name), *_ = brp_pairs(home, 1)
    with pytest.raises(RuntimeError), _connect(home, person_index="rebuild"):
        raise RuntimeError("killed halfway")
    assert not index_exists(home)
    assert logged_person(home=home, name=name) == logged_person(home=home, bsn=bsn)
    with _connect(home, person_index="rebuild"):
        pass
    assert index_exists(home) and index_rows(home) > 300


def test_after_a_key_rotation_the_new_pseudonym_finds_the_person_and_the_old_one_nobody(
    home: Path,
) -> None:
    from meedoen_data.intake.rotation import rotate_domain_key

    (bsn, old), *_ = brp_pairs(home, 1)
    rotate_domain_key(home=home, domain="brp")
    person = logged_person(home=home, bsn=bsn)
    new = person.pseudonyms["pseudonym-brp"]
    assert new != old
    assert logged_person(home=home, name=new) == person
    assert (
        index_rows(home, "bsn = $b AND prefix = $p", {"b": int(bsn), "p": pseudonym_prefix(new)})
        == 1
    )
    with pytest.raises(PersonNotFound):
        logged_person(home=home, name=old)
