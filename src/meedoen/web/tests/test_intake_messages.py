"""The intake gate's messages in Dutch on pages (issue 17): the code and values taken from the
gate's English, said again with Dutch numbers; what has no code is shown as written."""

from __future__ import annotations

from django.utils import translation

from meedoen.web.intake_messages import intake_file_text, intake_row_text


def test_row_reasons_are_dutch_with_their_values() -> None:
    with translation.override("nl"):
        assert intake_row_text("required value missing") == "verplichte waarde ontbreekt"
        assert (
            intake_row_text("code Q is not in its list (M, V, O)")
            == "code Q staat niet in de lijst (M, V, O)"
        )
        assert (
            intake_row_text("duplicate key (same burgerservicenummer as row 4)")
            == "dubbele sleutel (dezelfde burgerservicenummer als rij 4)"
        )
        assert (
            intake_row_text(
                "not in its list (schuldenvrij, overig); the value is not shown; it holds a BSN"
            )
            == "staat niet in de lijst (schuldenvrij, overig); de waarde wordt niet getoond; "
            "de waarde bevat een BSN"
        )
        assert intake_row_text(
            "free text holds a BSN, a name and a date; the row is not loaded and the value is "
            "not shown"
        ) == (
            "de vrije tekst bevat een BSN, een naam en een datum; de rij is niet geladen en de "
            "waarde wordt niet getoond"
        )
        assert intake_row_text("iets nieuws") == "iets nieuws"
    with translation.override("en"):
        assert intake_row_text("required value missing") == "required value missing"


def test_file_messages_are_dutch_without_the_file_name_and_with_dutch_numbers() -> None:
    with translation.override("nl"):
        assert (
            intake_file_text(
                "toewijzing.csv: 4471 rows loaded into toewijzing, 12 rows quarantined"
            )
            == "4.471 rijen ingelezen in toewijzing, 12 rijen in quarantaine"
        )
        assert intake_file_text(
            "x.csv: 30 of 40 rows (75.0%) fail the checks, more than the 5% allowed; the whole "
            "file is rejected and its failing rows are in quarantine"
        ).startswith("30 van 40 rijen (75,0%) voldoen niet aan de controles")
        limit = intake_file_text(
            "big.csv: 12,000,000 rows (on disk), more than the limit of 10,000,000 rows per "
            "file; nothing was read or loaded. To load it, raise it with "
            "MEEDOEN_INTAKE_FILE_ROWS (docs/admin/configuration.md), or load a national "
            "delivery on the command line with: meedoen ingest DIR --national"
        )
        assert limit.startswith("12.000.000 rijen, meer dan de grens van 10.000.000 rijen")
        assert "verhoog MEEDOEN_INTAKE_FILE_ROWS" in limit
        unchanged = intake_file_text(
            "a.csv: already loaded in batch B1 on 2026-12-07 01:57; nothing changed"
        )
        assert (
            unchanged == "al ingelezen in partij B1 op 7 december 2026 02:57; er is niets veranderd"
        )


def test_a_linkage_stopped_by_the_gate_says_why_in_dutch() -> None:
    from meedoen.web.intake_messages import intake_failure_text

    stopped = (
        "voedselbank.csv: 3 of 4 rows (75.0%) fail the checks, more than the 5% allowed; the "
        "whole file is rejected and its failing rows are in quarantine (row 1, datumgeboorte: "
        "not a valid date (expected YYYY-MM-DD or DD-MM-YYYY); row 2, aantal_personen: not a "
        "whole number)"
    )
    with translation.override("nl"):
        assert intake_failure_text(stopped) == (
            "3 van 4 rijen (75,0%) voldoen niet aan de controles, meer dan de toegestane 5%; het "
            "hele bestand is geweigerd en de foute rijen staan in quarantaine (rij 1, "
            "datumgeboorte: geen geldige datum (verwacht JJJJ-MM-DD of DD-MM-JJJJ); rij 2, "
            "aantal_personen: geen geheel getal)"
        )
        assert intake_failure_text("voedselbank.csv: no rows") == "het bestand heeft geen rijen"
        assert intake_failure_text("the linkage was interrupted") == "the linkage was interrupted"


def test_a_failed_run_says_what_happened_in_dutch_and_keeps_the_technical_message() -> None:
    from meedoen.web.run_messages import run_failure

    with translation.override("nl"):
        store = run_failure(
            "the activity's store has no verblijfplaats: households need the BRP (…)"
        )
        assert store.text.startswith("De tabellen van deze verwerking missen gegevens")
        assert store.technical.startswith("the activity's store has no verblijfplaats")
        gate = run_failure("voedselbank.csv: no rows")
        assert (gate.text, gate.technical) == ("het bestand heeft geen rijen", "")
        unknown = run_failure("boom")
        assert unknown.text.startswith("Er ging iets mis") and unknown.technical == "boom"
        revoked = run_failure("activity 3 (x) is revoked, not approved: the privacy officer …")
        assert revoked.text.startswith("De verwerking is hiervoor niet (meer) goedgekeurd")
