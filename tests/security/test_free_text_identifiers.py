"""Finding (issue 15, medium): free-text columns carried identifiers into analytics.

The attack: a debt-help system exported `schuldhulptraject.csv` with a case worker's note in the
free-text column `uitstroomreden`: "BSN 573687304 Jurre …". The gate typed it as text and loaded
it as it was: the BSN and the name sat in `analytics.duckdb` next to the trajectory's pseudonym,
and every processing activity with the `schulden` source copied them into its store — a BSN and
a name, re-identifying the pseudonym, outside the identity vault. Other text columns
(`geboorteland`, `productcode`, `code`, …) were just as open.

Now every free-text column of the contract is decided: `uitstroomreden` is a closed code list,
codes and record numbers are short formats, and `geboorteland` is scanned for identifiers (a
BSN by the 11-proef, also with spaces or dots; a name known to the register; a date; a postcode;
an e-mail address; a phone number). A row with an identifier goes to quarantine with file, row,
column and the kind of identifier in the reason; the value appears in no message, no log and not
in the analytics store."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import duckdb
import numpy as np
import pytest

from meedoen_data.bsn import bsn_from_index
from meedoen_data.contract import TABLES, Column, Table, free_text_problems
from meedoen_data.intake import ingest_directory
from meedoen_data.intake.store import analytics_columns
from meedoen_data.workspace import workspace_init
from tests.helpers import meedoen

BSN = "573687304"  # passes the 11-proef
#: What the attacker typed into free-text columns, and the kinds the gate must name.
ATTACKS = {
    f"BSN {BSN} Jurre": "a BSN",
    "afgesloten, Jurre Bakker verhuisd": "a name",  # a person of the register
    "5736 87 304": "a BSN",
    "nieuw adres 4811 AB 12": "a postcode",
    "mail jurre.bakker@example.nl": "a name and an e-mail address",
}
SECRETS = (BSN, "5736 87 304", "Jurre", "Bakker", "4811 AB", "jurre.bakker@example.nl")


def bsns(n: int) -> list[str]:
    return [f"{b:09d}" for b in bsn_from_index(np.arange(n, dtype=np.int64))]


def write(folder: Path, table: str, rows: list[dict[str, str]]) -> None:
    folder.mkdir(exist_ok=True)
    header = TABLES[table]
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows([r.get(c, "") for c in header] for r in rows)


def persons(people: list[str], land: dict[int, str] | None = None) -> list[dict[str, str]]:
    rows = []
    for i, bsn in enumerate(people):
        given, surname = ("Jurre", "Bakker") if i == 0 else (f"Anna{i}", f"Jansen{i}")
        rows.append(
            {
                "burgerservicenummer": bsn,
                "geslachtsnaam": surname,
                "voornamen": given,
                "datumgeboorte": "1980-05-17",
                "geslachtsaanduiding": "V",
                "geboorteland": (land or {}).get(i, "Nederland"),
            }
        )
    return rows


def analytics_text(home: Path) -> str:
    """Every value of every table of the analytics store, as one text."""
    out = []
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
        ).fetchall():
            out += [repr(r) for r in con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()]
    return "\n".join(out)


@pytest.fixture
def workspace_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    workspace_init(home=home)
    people = bsns(200)
    write(tmp_path / "register", "ingeschrevenpersoon", persons(people))
    report = ingest_directory(home=home, directory=tmp_path / "register", user="t")
    assert [f.status for f in report.files] == ["loaded"]
    return home


def test_identifiers_in_uitstroomreden_are_quarantined_not_loaded(
    workspace_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    people = bsns(200)
    rows = [
        {
            "burgerservicenummer": bsn,
            "startdatum": "2023-01-01",
            "einddatum": "2024-01-01",
            "uitstroomreden": "schuldenvrij",
        }
        for bsn in people[1:]
    ]
    attacked = list(ATTACKS)
    for i, text in enumerate(attacked):  # rows 1..5 of the file
        rows[i]["uitstroomreden"] = text
    write(tmp_path / "debt", "schuldhulptraject", rows)
    with caplog.at_level(logging.DEBUG):
        report = ingest_directory(home=workspace_home, directory=tmp_path / "debt", user="t")
    [result] = report.files
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 194, 5)
    reasons = {e["row"]: e["reason"] for e in result.errors}
    for row, text in enumerate(attacked, start=1):
        assert reasons[row].startswith("not in its list (schuldenvrij, "), reasons[row]
        assert reasons[row].endswith(f"the value is not shown; it holds {ATTACKS[text]}")
    assert {e["column"] for e in result.errors} == {"uitstroomreden"}
    # Quarantine (the vault) names file, row, column and kind; the raw row stays there only.
    with duckdb.connect(str(workspace_home / "vault" / "vault.duckdb"), read_only=True) as vault:
        quarantined = vault.execute(
            "SELECT file_name, row_number, column_name, reason FROM intake.quarantine "
            "ORDER BY row_number"
        ).fetchall()
    assert [(f, r, c) for f, r, c, _ in quarantined] == [
        ("schuldhulptraject.csv", row, "uitstroomreden") for row in range(1, 6)
    ]
    messages = "\n".join(
        [result.message, *reasons.values(), *(q[3] for q in quarantined), caplog.text]
    )
    stored = analytics_text(workspace_home)
    for secret in SECRETS:
        assert secret not in messages, secret
        assert secret not in stored, secret
    assert "schuldenvrij" in stored  # the valid rows did land


def test_identifiers_in_scanned_free_text_are_quarantined(tmp_path: Path) -> None:
    """`geboorteland` stays free text (a country's name) and is scanned: names of the same
    delivery count (this workspace has no register yet), a country that is also a surname does
    not."""
    home = tmp_path / "fresh"
    workspace_init(home=home)
    people = bsns(80)
    land = {
        3: "Jurre Bakker",  # a name of this very delivery
        4: "573.687.304",  # a BSN written with dots
        5: "geb. 17-05-1980, tel 06-12345678",
        6: "Zeeland",  # a surname below, but one word is not a name
    }
    rows = persons(people, land)
    rows[7]["geslachtsnaam"] = "Zeeland"
    write(tmp_path / "persons", "ingeschrevenpersoon", rows)
    report = ingest_directory(home=home, directory=tmp_path / "persons", user="t")
    [result] = report.files
    assert (result.status, result.rows_quarantined) == ("loaded", 3)
    reasons = {e["row"]: (e["column"], e["reason"]) for e in result.errors}
    assert reasons == {
        4: ("geboorteland", "free text holds a name; the row is not loaded and the value is "
            "not shown"),
        5: ("geboorteland", "free text holds a BSN; the row is not loaded and the value is "
            "not shown"),
        6: ("geboorteland", "free text holds a date and a phone number; the row is not loaded "
            "and the value is not shown"),
    }  # fmt: skip
    stored = analytics_text(home)
    assert "573.687.304" not in stored and "06-12345678" not in stored
    assert "Zeeland" in stored and "Jurre Bakker" not in stored


def test_the_command_line_shows_kinds_never_values(workspace_home: Path, tmp_path: Path) -> None:
    rows = [
        {"burgerservicenummer": bsn, "startdatum": "2023-01-01", "uitstroomreden": "overig"}
        for bsn in bsns(50)
    ]
    rows[0]["uitstroomreden"] = f"BSN {BSN}, Jurre Bakker, jurre.bakker@example.nl"
    write(tmp_path / "cli", "schuldhulptraject", rows)
    result = meedoen("ingest", str(tmp_path / "cli"), "--home", str(workspace_home), COLUMNS="400")
    assert result.returncode == 0, result.stderr
    assert "row 1, uitstroomreden: not in its list" in result.stdout
    assert "it holds a BSN, a name and an e-mail address" in result.stdout
    log_file = workspace_home / "logs" / "meedoen.log"
    log = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    for secret in SECRETS:
        assert secret not in result.stdout + result.stderr + log, secret


def test_every_free_text_column_of_the_contract_is_decided() -> None:
    assert free_text_problems() == []
    note = Column("notitie", "text")
    spec = Table("t", "", (note,), key=("notitie",), load_mode="replace", domain="")
    assert free_text_problems([spec]) == [
        "t.notitie: free text without a decision (free_text scan or drop)"
    ]
    dropped = Table(
        "t",
        "",
        (Column("id", "int"), Column("notitie", "text", free_text="drop")),
        key=("id",),
        load_mode="replace",
        domain="",
    )
    assert free_text_problems([dropped]) == []
    assert [name for name, _ in analytics_columns(dropped)] == ["id"]  # never loaded
