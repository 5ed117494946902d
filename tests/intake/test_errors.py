"""The corpus of broken files: every error class with the exact message the user sees, and the
analytics store unchanged after each rejected file."""

from __future__ import annotations

import pytest

from meedoen_data.intake import ingest_directory
from tests.intake.conftest import (
    PERSON_HEADER,
    analytics_fingerprint,
    person_rows,
    valid_bsns,
    vault_rows,
)

HEADER_WITHOUT_BIRTH = PERSON_HEADER.replace(",datumgeboorte", "")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "personen.csv",
            "bsn,naam\n1,x\n",
            "personen.csv: unknown table 'personen'; contract tables are aanbieder, "
            "betrokkenheid, casus, cbs_inkomen, cbs_persoon, "
            "gebied, ingeschrevenpersoon, inkomensvoorziening, inwonerspanel, nummeraanduiding, "
            "relatie, schuldhulptraject, toewijzing, verblijfplaats, vroegsignaal, or a partner "
            "file with the columns klantnummer, geslachtsnaam, voorvoegsel, voornamen, "
            "datumgeboorte, postcode, huisnummer, huisnummertoevoeging, datuminschrijving, "
            "datumuitschrijving, aantal_personen",
        ),
        (
            "ingeschrevenpersoon.csv",
            HEADER_WITHOUT_BIRTH + "\n",
            "ingeschrevenpersoon.csv: required column missing: datumgeboorte",
        ),
        (
            "ingeschrevenpersoon.csv",
            "",
            "ingeschrevenpersoon.csv: the file is empty or has no header line",
        ),
        (
            "ingeschrevenpersoon.csv",
            PERSON_HEADER + ",voornamen\n",
            "ingeschrevenpersoon.csv: column appears twice: voornamen",
        ),
        ("ingeschrevenpersoon.csv", PERSON_HEADER + "\n", "ingeschrevenpersoon.csv: no rows"),
        (
            "toewijzing.parquet",
            b"PAR1 this is not parquet",
            "toewijzing.parquet: unreadable Parquet file",
        ),
        ("notes.csv.txt", "x", None),  # not a .csv/.parquet file: not looked at
    ],
)
def test_structural_errors_reject_the_file(home, delivery, name, content, message) -> None:
    before = analytics_fingerprint(home)
    report = ingest_directory(home=home, directory=delivery(name, content), user="t")
    if message is None:
        assert report.files == []
        return
    [result] = report.files
    assert result.status == "rejected"
    assert result.message.startswith(message)
    assert analytics_fingerprint(home) == before


def test_a_row_with_too_many_fields_makes_the_file_unreadable(home, delivery) -> None:
    rows = person_rows(3)
    rows[1] += ",extra,fields"
    before = analytics_fingerprint(home)
    [result] = ingest_directory(
        home=home,
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows]) + "\n"),
        user="t",
    ).files
    assert result.status == "rejected"
    assert result.message.startswith("ingeschrevenpersoon.csv: unreadable (")
    assert "Jansen" not in result.message and valid_bsns(3)[1] not in result.message
    assert analytics_fingerprint(home) == before


def test_row_errors_go_to_quarantine_and_valid_rows_land(home, delivery) -> None:
    good = person_rows(200)
    first_bsn = valid_bsns(1)[0]
    extra = valid_bsns(5, offset=1000)
    bad = [
        "123456789,Bakker,,Piet,1970-01-01,M,,E,Nederland",  # 11-proef
        f"{extra[0]},Bakker,,Piet,31-02-2020,M,,E,Nederland",  # impossible date
        f"{extra[1]},Bakker,,Piet,1970-01-01,X,,E,Nederland",  # code outside list
        f"{first_bsn},Bakker,,Piet,1970-01-01,M,,E,Nederland",  # duplicate key
        f"{extra[2]},Bakker,,Piet,1970-01-01,M,1960-01-01,E,Nederland",  # end before start
        f"{extra[3]},,,Piet,1970-01-01,M,,E,Nederland",  # required value missing
    ]
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *good, *bad]) + "\n")
    [result] = ingest_directory(home=home, directory=folder, user="t").files
    assert result.status == "loaded"
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (206, 200, 6)
    assert [(e["row"], e["column"], e["reason"]) for e in result.errors] == [
        (201, "burgerservicenummer", "not a valid BSN (9 digits, 11-proef)"),
        (202, "datumgeboorte", "not a valid date (expected YYYY-MM-DD or DD-MM-YYYY)"),
        (203, "geslachtsaanduiding", "code X is not in its list (M, V, O)"),
        (204, "burgerservicenummer", "duplicate key (same burgerservicenummer as row 1)"),
        (205, "datumoverlijden", "datumoverlijden is before datumgeboorte"),
        (206, "geslachtsnaam", "required value missing"),
    ]
    quarantined = vault_rows(
        home, "SELECT file_name, row_number, column_name FROM intake.quarantine ORDER BY row_number"
    )
    assert [(f, r) for f, r, _ in quarantined] == [
        ("ingeschrevenpersoon.csv", r) for r in range(201, 207)
    ]
    # Reasons never carry the BSN or the name of the row.
    for reason in (e["reason"] for e in result.errors):
        assert "Bakker" not in reason and "123456789" not in reason


def test_too_many_bad_rows_reject_the_whole_file(home, delivery) -> None:
    rows = person_rows(10)
    rows[3] = rows[3].replace("1980-05", "1980-13")
    rows[7] = rows[7].replace(",V,", ",Q,")
    before = analytics_fingerprint(home)
    [result] = ingest_directory(
        home=home,
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows]) + "\n"),
        user="t",
    ).files
    assert result.status == "rejected"
    assert result.message == (
        "ingeschrevenpersoon.csv: 2 of 10 rows (20.0%) fail the checks, more than the 5% "
        "allowed; the whole file is rejected and its failing rows are in quarantine"
    )
    assert analytics_fingerprint(home) == before
    assert vault_rows(home, "SELECT count(*) FROM intake.quarantine")[0][0] == 2


def test_threshold_is_configurable(home, delivery) -> None:
    rows = person_rows(10)
    rows[3] = rows[3].replace("1980-05", "1980-13")
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows]) + "\n")
    [result] = ingest_directory(home=home, directory=folder, user="t", max_reject_share=0.2).files
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 9, 1)
