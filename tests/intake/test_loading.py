"""Idempotence, load modes, pseudonym properties, losing and rotating keys."""

from __future__ import annotations

from pathlib import Path

from meedoen_data.intake import ingest_directory, ingest_history
from meedoen_data.intake.pseudonyms import pseudonym
from meedoen_data.intake.rotation import rotate_domain_key
from meedoen_data.keystore import KeyStore
from tests.intake.conftest import (
    PERSON_HEADER,
    analytics_fingerprint,
    analytics_rows,
    person_rows,
    valid_bsns,
)

CBS_HEADER = "burgerservicenummer,opleidingsniveau,migratieachtergrond"
INCOME_HEADER = "burgerservicenummer,wet,code,ingangsdatum,einddatum,bedrag"


def test_same_file_twice_changes_nothing(home, delivery) -> None:
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(5)]))
    first = ingest_directory(home=home, directory=folder, user="t").files[0]
    before = analytics_fingerprint(home)
    again = ingest_directory(home=home, directory=folder, user="t").files[0]
    assert again.status == "unchanged"
    assert again.message.startswith(
        f"ingeschrevenpersoon.csv: already loaded in batch {first.batch_id} on "
    )
    assert again.message.endswith("; nothing changed")
    assert analytics_fingerprint(home) == before


def test_replace_mode_replaces_the_table(home, delivery) -> None:
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(5)])),
    )
    ingest_directory(
        home=home,
        user="t",
        directory=delivery(
            "ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(3, offset=100)])
        ),
    )
    assert analytics_rows(home, "SELECT count(*) FROM source.ingeschrevenpersoon") == [(3,)]


def test_append_mode_upserts_by_key(home, delivery) -> None:
    bsn = valid_bsns(3)
    first = [f"{bsn[0]},PARTICIPATIEWET,ABB,2023-01-01,,100", f"{bsn[1]},IOAW,IOAW,2023-01-01,,200"]
    later = [f"{bsn[1]},IOAW,IOAW,2023-01-01,2024-01-01,250", f"{bsn[2]},IOAZ,IOAZ,2024-01-01,,300"]
    for rows in (first, later):
        ingest_directory(
            home=home,
            user="t",
            directory=delivery("inkomensvoorziening.csv", "\n".join([INCOME_HEADER, *rows])),
        )
    amounts = analytics_rows(
        home,
        "SELECT wet, bedrag, einddatum IS NOT NULL FROM source.inkomensvoorziening ORDER BY wet",
    )
    assert [(w, float(a), e) for w, a, e in amounts] == [
        ("IOAW", 250.0, True),
        ("IOAZ", 300.0, False),
        ("PARTICIPATIEWET", 100.0, False),
    ]


def test_lineage_records_every_batch(home, delivery) -> None:
    ingest_directory(
        home=home,
        user="femke",
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(4)])),
    )
    ingest_directory(home=home, user="femke", directory=delivery("onbekend.csv", "a,b\n1,2\n"))
    history = ingest_history(home=home)
    assert [(h["file_name"], h["status"], h["rows_loaded"]) for h in history] == [
        ("ingeschrevenpersoon.csv", "loaded", 4),
        ("onbekend.csv", "rejected", 0),
    ]
    loaded = history[0]
    assert loaded["user_name"] == "femke" and loaded["contract_version"] == "1"
    assert len(loaded["file_sha256"]) == 64


def _pseudonyms_of(home: Path, table: str) -> set[str]:
    return {p for (p,) in analytics_rows(home, f"SELECT person_pseudonym FROM source.{table}")}


def test_domains_get_different_pseudonyms_deliveries_the_same(home, delivery) -> None:
    bsn = valid_bsns(1)[0]
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("cbs_persoon.csv", f"{CBS_HEADER}\n{bsn},laag,geen\n"),
    )
    ingest_directory(
        home=home,
        user="t",
        directory=delivery(
            "inkomensvoorziening.csv", f"{INCOME_HEADER}\n{bsn},PARTICIPATIEWET,ABB,2023-01-01,,1\n"
        ),
    )
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("cbs_persoon.csv", f"{CBS_HEADER}\n{bsn},hoog,geen\n"),
    )
    cbs, participatie = (
        _pseudonyms_of(home, "cbs_persoon"),
        _pseudonyms_of(home, "inkomensvoorziening"),
    )
    assert cbs != participatie
    keys = KeyStore(home / "keys")
    assert cbs == {pseudonym(keys.read("pseudonym-cbs"), bsn)}  # SQL HMAC = Python HMAC
    assert participatie == {pseudonym(keys.read("pseudonym-participatie"), bsn)}


def test_losing_the_key_store_makes_new_deliveries_unlinkable(home, delivery) -> None:
    bsn = valid_bsns(1)[0]
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("cbs_persoon.csv", f"{CBS_HEADER}\n{bsn},laag,geen\n"),
    )
    old = _pseudonyms_of(home, "cbs_persoon")
    (home / "keys" / "pseudonym-cbs.key").unlink()  # lost; the gate creates a new key
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("cbs_persoon.csv", f"{CBS_HEADER}\n{bsn},middelbaar,geen\n"),
    )
    assert _pseudonyms_of(home, "cbs_persoon").isdisjoint(old)


def test_rotating_a_key_keeps_data_linkable_within_the_domain(home, delivery) -> None:
    rows = person_rows(20)
    relations = [f"{rows[i][:9]},{rows[i + 1][:9]},partner,H,2001-02-03," for i in range(0, 20, 2)]
    relations += [f"{rows[i + 1][:9]},{rows[i][:9]},partner,H,2001-02-03," for i in range(0, 20, 2)]
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows])),
    )
    ingest_directory(
        home=home,
        user="t",
        directory=delivery(
            "relatie.csv",
            "\n".join(
                [
                    "burgerservicenummer,gerelateerde_burgerservicenummer,soortrelatie,soortverbintenis,"
                    "datumingang,datumeinde",
                    *relations,
                ]
            ),
        ),
    )
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("cbs_persoon.csv", f"{CBS_HEADER}\n{rows[0][:9]},laag,geen\n"),
    )
    before_brp, before_cbs = (
        _pseudonyms_of(home, "ingeschrevenpersoon"),
        _pseudonyms_of(home, "cbs_persoon"),
    )

    report = rotate_domain_key(home=home, domain="brp")

    after = _pseudonyms_of(home, "ingeschrevenpersoon")
    assert report.analytics_rows == 20 + 40 + 0 and after.isdisjoint(before_brp)
    assert analytics_rows(
        home,
        """SELECT count(*) FROM source.relatie r JOIN
        source.ingeschrevenpersoon p ON p.person_pseudonym = r.related_person_pseudonym""",
    ) == [(20,)]
    assert _pseudonyms_of(home, "cbs_persoon") == before_cbs  # other domains untouched
    # A delivery after the rotation uses the new key: same pseudonyms as the rotated data.
    ingest_directory(
        home=home,
        user="t",
        directory=delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *rows[:5]])),
    )
    assert _pseudonyms_of(home, "ingeschrevenpersoon") <= after
    assert not (home / "keys" / "pseudonym-brp-next.key").exists()
