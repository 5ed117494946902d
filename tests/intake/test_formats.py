"""Real-world files: separators, encodings, date formats, decimal commas, quoted separators."""

from __future__ import annotations

import codecs

from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from tests.intake.conftest import analytics_rows, valid_bsns, vault_rows


def test_semicolons_windows_1252_dutch_dates(home, delivery) -> None:
    bsn = valid_bsns(2)
    text = (
        "burgerservicenummer;geslachtsnaam;voorvoegsel;voornamen;datumgeboorte;"
        "geslachtsaanduiding;datumoverlijden;aanduidingnaamgebruik;geboorteland\n"
        f"{bsn[0]};Brontë;;Zoë François;17-05-1980;V;;E;Frankrijk\n"
        f'{bsn[1]};"Çelik; de";;Ahmet;1975-12-01;M;;E;Turkije\n'
    )
    folder = delivery("ingeschrevenpersoon.csv", text, encoding="cp1252")
    [result] = ingest_directory(home=home, directory=folder, user="t").files
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    names = vault_rows(
        home,
        "SELECT geslachtsnaam, voornamen, datumgeboorte FROM "
        "identity.ingeschrevenpersoon ORDER BY row_number",
    )
    assert [(n, v, str(d)) for n, v, d in names] == [
        ("Brontë", "Zoë François", "1980-05-17"),
        ("Çelik; de", "Ahmet", "1975-12-01"),
    ]
    assert analytics_rows(
        home, "SELECT geboortejaar, geboortemaand FROM source.ingeschrevenpersoon ORDER BY 1"
    ) == [(1975, 12), (1980, 5)]


def test_utf8_with_bom_keeps_turkish_letters(home, delivery) -> None:
    bsn = valid_bsns(1)[0]
    text = (
        "burgerservicenummer,geslachtsnaam,voorvoegsel,voornamen,datumgeboorte,"
        "geslachtsaanduiding,datumoverlijden,aanduidingnaamgebruik,geboorteland\n"
        f"{bsn},Şahin,,Gülşen,1990-02-03,V,,E,Turkije\n"
    )
    folder = delivery("ingeschrevenpersoon.csv", codecs.BOM_UTF8 + text.encode("utf-8"))
    [result] = ingest_directory(home=home, directory=folder, user="t").files
    assert result.status == "loaded"
    assert vault_rows(
        home, "SELECT geslachtsnaam, voornamen FROM identity.ingeschrevenpersoon"
    ) == [("Şahin", "Gülşen")]


def test_decimal_comma_and_thousands(home, delivery) -> None:
    bsn = valid_bsns(3)
    text = (
        "burgerservicenummer;wet;code;ingangsdatum;einddatum;bedrag\n"
        f"{bsn[0]};PARTICIPATIEWET;ABB;01-03-2023;;1.234,56\n"
        f"{bsn[1]};PARTICIPATIEWET;ABB;2023-03-01;;1234.5\n"
        f'{bsn[2]};BIJZONDERE_BIJSTAND;BB;2023-03-01;2023-03-01;"75,00"\n'
    )
    [result] = ingest_directory(
        home=home, directory=delivery("inkomensvoorziening.csv", text), user="t"
    ).files
    assert result.status == "loaded", result.errors
    amounts = sorted(
        float(a) for (a,) in analytics_rows(home, "SELECT bedrag FROM source.inkomensvoorziening")
    )
    assert amounts == [75.0, 1234.5, 1234.56]


def test_a_parquet_delivery_loads_like_csv(home, tmp_path) -> None:
    synth_municipality(gemeente="GM0784", out=tmp_path / "pq", persons=1500, fmt="parquet")
    report = ingest_directory(home=home, directory=tmp_path / "pq", user="t")
    assert {f.status for f in report.files} == {"loaded"}
    assert all(f.rows_quarantined == 0 for f in report.files)
    assert len(report.files) == 16  # 15 contract tables and the partner file


def test_partner_file_recognised_by_its_columns(home, delivery) -> None:
    text = (
        "klantnummer,geslachtsnaam,voorvoegsel,voornamen,datumgeboorte,postcode,huisnummer,"
        "huisnummertoevoeging,datuminschrijving,datumuitschrijving,aantal_personen\n"
        "K1,Vries,de,Jan,1970-01-02,5121 ab,12,A,2023-01-01,,3\n"
    )
    [result] = ingest_directory(
        home=home, directory=delivery("kledingbank.csv", text), user="t"
    ).files
    assert (result.table, result.status) == ("kledingbank", "loaded")
    assert analytics_rows(
        home, "SELECT postcode4, geboortejaar, aantal_personen FROM source.kledingbank"
    ) == [("5121", 1970, 3)]
    assert (home / "keys" / "pseudonym-partner-kledingbank.key").is_file()
