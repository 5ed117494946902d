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
