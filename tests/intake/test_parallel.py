"""Files of one upload processed side by side (meedoen_data.intake.schedule, ADR 0016)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from meedoen_data.intake import IntakeLimits, ingest_directory
from meedoen_data.intake.schedule import Schedule, order
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init
from tests.security.test_free_text_identifiers import bsns, persons, write

TIMES = {"batch_id", "started_at", "finished_at", "rejected_at"}


def _rows(home: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the analytics store and the vault's identity and intake tables, sorted,
    without batch ids and times (which differ per run)."""
    out = {}
    for name, path in (("a", home / "analytics.duckdb"), ("v", home / "vault" / "vault.duckdb")):
        with duckdb.connect(str(path), read_only=True) as con:
            for schema, table in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "WHERE schema_name IN ('source', 'meta', 'identity', 'intake') "
                "AND table_name <> 'workspace' ORDER BY ALL"
            ).fetchall():
                columns = [
                    c
                    for (c,) in con.execute(
                        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? "
                        "AND table_name = ? ORDER BY column_index",
                        [schema, table],
                    ).fetchall()
                    if c not in TIMES
                ]
                select = ", ".join(f'"{c}"' for c in columns)
                out[f"{name}.{schema}.{table}"] = sorted(
                    con.execute(f'SELECT {select} FROM "{schema}"."{table}"').fetchall(),
                    key=repr,
                )
    return out


def test_two_workers_load_what_one_loads(tmp_path: Path) -> None:
    """The same delivery, with the same keys, one file at a time and two at a time: every
    row of the analytics store and the vault is the same (pseudonyms included)."""
    sources = tmp_path / "sources"
    synth_municipality(gemeente="GM0784", out=sources, persons=4_000)
    homes = {}
    for workers in (1, 2):
        home = tmp_path / f"home{workers}"
        workspace_init(home=home)
        if workers == 2:
            shutil.rmtree(home / "keys")
            shutil.copytree(homes[1] / "keys", home / "keys")
        report = ingest_directory(
            home=home,
            directory=sources,
            user="t",
            limits=IntakeLimits(parallel_files=workers),
        )
        assert {f.status for f in report.files} == {"loaded"}
        assert [f.file for f in report.files] == sorted(p.name for p in sources.iterdir())
        homes[workers] = home
    one, two = _rows(homes[1]), _rows(homes[2])
    assert one.keys() == two.keys()
    assert len(one["a.source.ingeschrevenpersoon"]) > 3_000
    for table in one:
        assert one[table] == two[table], table


@pytest.mark.parametrize("workers", [1, 2])
def test_a_name_of_the_same_upload_is_found_by_a_file_checked_beside_it(
    tmp_path: Path, workers: int
) -> None:
    """A debt-help note names a person whom only the BRP file of the same upload knows (the
    workspace has no register yet). The small debt-help file is checked while the large BRP
    file is still loading; it waits for the names before it scans, so the name is found."""
    home = tmp_path / "home"
    workspace_init(home=home)
    people = bsns(30_000)
    write(tmp_path / "upload", "ingeschrevenpersoon", persons(people))
    rows = [
        {"burgerservicenummer": bsn, "startdatum": "2023-01-01", "uitstroomreden": "schuldenvrij"}
        for bsn in people[1:40]
    ]
    rows[0]["uitstroomreden"] = "afgesloten, Jurre Bakker verhuisd"
    write(tmp_path / "upload", "schuldhulptraject", rows)
    report = ingest_directory(
        home=home,
        directory=tmp_path / "upload",
        user="t",
        limits=IntakeLimits(parallel_files=workers),
    )
    debt = {f.table: f for f in report.files}["schuldhulptraject"]
    assert (debt.status, debt.rows_quarantined) == ("loaded", 1)
    [error] = debt.errors
    assert error["reason"].endswith("the value is not shown; it holds a name"), error


def test_files_with_names_go_first_then_the_largest() -> None:
    files = [
        Path(f"{n}.csv") for n in ("cbs_inkomen", "ingeschrevenpersoon", "relatie", "vroegsignaal")
    ]
    sizes = {files[0]: 50, files[1]: 10, files[2]: 90, files[3]: 5}
    assert [p.stem for p in order(files, sizes, 2)] == [
        "ingeschrevenpersoon",
        "vroegsignaal",
        "relatie",
        "cbs_inkomen",
    ]
    # One worker: the files with names first too, then name order.
    assert [p.stem for p in order(files, sizes, 1)] == [
        "ingeschrevenpersoon",
        "vroegsignaal",
        "cbs_inkomen",
        "relatie",
    ]


def test_one_worker_does_not_wait_for_names_it_has_not_loaded(tmp_path: Path) -> None:
    """A file that scans free text and sorts before the BRP file (gebied.csv) waited for the
    BRP's names with one worker, which was busy waiting: the ingest hung for ever. The names
    now load first; the area named after a person of the same upload is found."""
    home = tmp_path / "home"
    workspace_init(home=home)
    people = bsns(20)
    write(tmp_path / "upload", "ingeschrevenpersoon", persons(people))
    (tmp_path / "upload" / "gebied.csv").write_text(
        "code,naam,niveau,bovenliggend\nWK078400,Rijen,wijk,\nWK078401,Jurre Bakker,wijk,\n",
        encoding="utf-8",
    )
    done: list[object] = []
    worker = threading.Thread(
        target=lambda: done.append(
            ingest_directory(
                home=home,
                directory=tmp_path / "upload",
                user="t",
                limits=IntakeLimits(parallel_files=1),
                max_reject_share=1,
            )
        ),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=120)
    assert done, "the ingest with one worker did not finish"
    areas = {f.table: f for f in done[0].files}["gebied"]  # type: ignore[attr-defined]
    assert (areas.rows_loaded, areas.rows_quarantined) == (1, 1)


def test_a_memo_is_dropped_when_no_unfinished_file_needs_it() -> None:
    brp, cbs, both = Path("a.csv"), Path("b.csv"), Path("c.csv")
    schedule = Schedule([brp, cbs, both], {brp: {"brp"}, cbs: {"cbs"}, both: {"brp", "bag"}})
    assert schedule.finished(brp) == set()  # c still needs brp
    schedule.uses(cbs, {"cbs", "partner"})  # its file turned out to use another domain too
    assert schedule.finished(both) == {"brp", "bag"}
    assert schedule.finished(cbs) == {"cbs", "partner"}
    assert schedule.done == 3


def test_the_number_of_workers_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert IntakeLimits.from_env().parallel_files == 2
    monkeypatch.setenv("MEEDOEN_INTAKE_PARALLEL_FILES", "1")
    assert IntakeLimits.from_env(national=True).parallel_files == 1
    for wrong in ("0", "two"):
        monkeypatch.setenv("MEEDOEN_INTAKE_PARALLEL_FILES", wrong)
        with pytest.raises(ValueError, match="MEEDOEN_INTAKE_PARALLEL_FILES"):
            IntakeLimits.from_env()
