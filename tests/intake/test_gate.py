"""The gate's passes over a file: row numbers are the file's, duplicates are found also with an
empty key part, and pseudonyms from the per-ingest memo are the keyed hash of the value, per
domain (and per law in the by-law domain), however many files of the ingest carry it."""

from __future__ import annotations

from meedoen_data.intake import ingest_directory, quarantine_show
from meedoen_data.intake.pseudonyms import domain_key, pseudonym
from meedoen_data.keystore import KeyStore
from tests.intake.conftest import PERSON_HEADER, analytics_rows, person_rows, valid_bsns

RELATION_HEADER = (
    "burgerservicenummer,gerelateerde_burgerservicenummer,soortrelatie,soortverbintenis,"
    "datumingang,datumeinde"
)


def test_quarantined_rows_are_numbered_as_in_a_large_file(home, delivery) -> None:
    """Large enough that DuckDB reads the file in parallel: the numbers must still be the
    file's data rows."""
    rows = person_rows(150_000)
    broken = (1, 77_777, 150_000)
    for number in broken:
        rows[number - 1] = "12345678X" + rows[number - 1][9:]
    result = ingest_directory(
        home=home,
        user="t",
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows])),
    ).files[0]
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 149_997, 3)
    shown = quarantine_show(home=home, batch_id=result.batch_id)
    assert sorted({r["row_number"] for r in shown}) == list(broken)
    assert all('"burgerservicenummer":"12345678X"' in r["raw_row"] for r in shown)


def test_a_duplicate_key_is_found_also_when_a_key_part_is_empty(home, delivery) -> None:
    a, b = valid_bsns(2)
    rows = [
        f"{a},{b},partner,H,,",
        f"{a},{b},ouder,,,",
        f"{a},{b},partner,P,,",
        f"{a},{b},partner,H,2020-01-01,",
    ]
    result = ingest_directory(
        home=home,
        user="t",
        directory=delivery("relatie.csv", "\n".join([RELATION_HEADER, *rows])),
        max_reject_share=1,
    ).files[0]
    reasons = {
        (r["row_number"], r["reason"]) for r in quarantine_show(home=home, batch_id=result.batch_id)
    }
    key = "burgerservicenummer, gerelateerde_burgerservicenummer, soortrelatie, datumingang"
    assert reasons == {(3, f"duplicate key (same {key} as row 1)")}


def test_pseudonyms_from_the_memo_are_the_keyed_hash_in_every_file(home, delivery) -> None:
    bsns = valid_bsns(4)
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(4)]))
    (folder / "relatie.csv").write_text(
        "\n".join(
            [
                RELATION_HEADER,
                f"{bsns[0]},{bsns[1]},partner,H,2001-01-01,",
                f"{bsns[1]},{bsns[0]},partner,H,2001-01-01,",
            ]
        ),
        encoding="utf-8",
    )
    (folder / "toewijzing.csv").write_text(
        "\n".join(
            [
                "toewijzingnummer,burgerservicenummer,wet,productcategorie,datumstarttoewijzing",
                f"T1,{bsns[2]},WMO,02,2024-01-01",
                f"T2,{bsns[2]},JEUGDWET,45,2024-01-01",
            ]
        ),
        encoding="utf-8",
    )
    report = ingest_directory(home=home, directory=folder, user="t")
    assert [f.status for f in report.files] == ["loaded"] * 3, [f.message for f in report.files]
    keys = KeyStore(home / "keys")
    brp = {b: pseudonym(domain_key(keys, "brp"), b) for b in bsns}
    assert analytics_rows(
        home, "SELECT person_pseudonym FROM source.ingeschrevenpersoon ORDER BY ALL"
    ) == sorted((p,) for p in brp.values())
    assert sorted(
        analytics_rows(
            home, "SELECT person_pseudonym, related_person_pseudonym FROM source.relatie"
        )
    ) == sorted([(brp[bsns[0]], brp[bsns[1]]), (brp[bsns[1]], brp[bsns[0]])])
    assert sorted(
        analytics_rows(home, "SELECT wet, person_pseudonym FROM source.toewijzing")
    ) == sorted(
        [
            ("JEUGDWET", pseudonym(domain_key(keys, "jeugd"), bsns[2])),
            ("WMO", pseudonym(domain_key(keys, "wmo"), bsns[2])),
        ]
    )
