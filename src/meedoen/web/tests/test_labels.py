"""Every code the product writes has a label: the audit operations in the code, the household
types the derivation makes; pages show labels, not codes."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from meedoen.web.labels import HOUSEHOLD_TYPES, OPERATIONS, label, value_label

SRC = Path(__file__).resolve().parents[3]
OPERATION = re.compile(
    r'"((?:account|activity|audit|household|intake|partner|publication|quarantine|table|vault)'
    r'\.[a-z_]+(?:\.[a-z_]+)?)"'
)


def test_every_audit_operation_in_the_code_has_a_label() -> None:
    written = set()
    for path in (SRC / "meedoen").rglob("*.py"):
        if "tests" in path.parts:
            continue
        for name in OPERATION.findall(path.read_text(encoding="utf-8")):
            written.add(name)
    # Module paths and settings look the same ("meedoen.audits" is not matched: no prefix).
    written = {w for w in written if not w.endswith((".py", ".html"))}
    assert written - set(OPERATIONS) == set()


def test_every_household_type_the_derivation_makes_has_a_label() -> None:
    derivation = (SRC / "meedoen_data" / "households" / "derivation.py").read_text()
    made = set(re.findall(r"THEN '((?:paar|een|overig|institutioneel)[a-z_]*)'", derivation))
    assert made and made <= set(HOUSEHOLD_TYPES)


def test_labels_are_dutch_and_unknown_codes_stay_visible() -> None:
    with translation.override("nl"):
        assert label("operation", "household.build") == "Huishoudens afgeleid"
        assert value_label("household_type", "eenouder") == "Eenoudergezin"
        assert label("dimension", "wijkcode") == "Wijk"
        assert label("operation", "iets.nieuws") == "iets.nieuws"
        assert value_label("wijkcode", "WK078400") == "WK078400"
        assert value_label("wijkcode", "WK078400", {"WK078400": "Rijen"}) == "Rijen (WK078400)"
        assert value_label("household_type", "Totaal") == "Totaal"
        assert value_label("woningbezit", "huur_corporatie") == "Huurwoning van een corporatie"
        assert (value_label("ww", "1"), value_label("ww", "0")) == ("Ja", "Nee")
        assert value_label("size", "1") == "1"
        assert value_label("opleidingsniveau", "onbekend") == "Onbekend"


def test_every_variable_and_amount_of_a_table_has_a_heading() -> None:
    from meedoen.web.labels import DIMENSIONS
    from meedoen_data.disclosure.household import AMOUNTS, VARIABLES

    assert set(VARIABLES) | set(AMOUNTS) <= set(DIMENSIONS)


def test_every_step_of_a_long_run_has_a_dutch_label() -> None:
    """The run pages say "Stap 24 van 37: Referentiepersoon van elk huishouden", never the
    step's code (issue 17)."""
    from meedoen.audits.selectors import SETS_STEP
    from meedoen.web.labels import BUILD_STEPS, CHAIN_CHECK_STEPS, LINK_STEPS
    from meedoen.web.runs import run_step_label
    from meedoen_data.linkage.link import STEPS

    derivation = (SRC / "meedoen_data" / "households" / "derivation.py").read_text()
    made = set(re.findall(r'Step\(\s*"([a-z_]+)"', derivation)) | {"writing"}
    assert len(made) > 30 and made <= set(BUILD_STEPS)
    assert set(STEPS) <= set(LINK_STEPS)
    assert {"processing chain", "access chain", SETS_STEP} <= set(CHAIN_CHECK_STEPS)
    with translation.override("nl"):
        for kind, codes in (("build_step", made), ("link_step", STEPS)):
            words = run_step_label(kind)
            for code in codes:
                assert words(code) != code and not re.search(r"[a-z]_[a-z]", words(code))
        assert run_step_label("build_step")("store: toewijzing") == (
            "Tabel toewijzing van de activiteit bijwerken"
        )
        assert run_step_label("link_step")("intake: validating") == (
            "Intakepoort: de rijen controleren"
        )


def test_a_date_in_a_message_is_written_in_the_language_it_is_shown_in() -> None:
    from datetime import UTC, datetime

    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext_lazy

    from meedoen.utils.dates import ShownDate

    refusal = ValidationError(
        gettext_lazy("publication %(id)s was withdrawn already, on %(date)s by %(by)s"),
        params={"id": 3, "date": ShownDate(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)), "by": "x"},
    )
    with translation.override("nl"):  # Europe/Amsterdam: already the 7th
        assert refusal.messages == ["publicatie 3 was al ingetrokken, op 7 december 2026 door x"]
    with translation.override("en"):
        assert refusal.messages == ["publication 3 was withdrawn already, on Dec. 7, 2026 by x"]
