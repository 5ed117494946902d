"""The free-text scanner: which values hold an identifier, and which do not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from meedoen_data.contract import TABLES
from meedoen_data.intake import ingest_directory
from meedoen_data.intake.identifiers import elfproef, identifier_kinds
from tests.intake.conftest import valid_bsns

GIVEN = frozenset({"jurre", "piet", "anna", "israel"})
SURNAMES = frozenset({"vries", "jansen", "bakker", "zeeland", "hof"})


def kinds(value: str) -> list[str]:
    return identifier_kinds(value, given=GIVEN, surnames=SURNAMES)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("BSN 573687304", ["BSN"]),
        ("5736 87 304", ["BSN"]),
        ("573.687.304", ["BSN"]),
        ("573-687-304", ["BSN"]),
        ("Jurre de Vries", ["name"]),
        ("de Vries, Jurre", ["name"]),
        ("J. de Vries", ["name"]),
        ("mw. Jansen", ["name"]),
        ("17-05-1980", ["date"]),
        ("1980-05-17", ["date"]),
        ("17 mei 1980", ["date"]),
        ("19800517", ["date"]),
        ("4811 AB", ["postcode"]),
        ("4811ab 12", ["postcode"]),
        ("Dorpsstraat 12", ["address"]),
        ("jurre@example.nl", ["e-mail address"]),
        ("06-12345678", ["phone number"]),
        ("010 123 4567", ["phone number"]),
        ("+31 6 1234 5678", ["phone number"]),
    ],
)
def test_identifiers_are_found(value: str, expected: list[str]) -> None:
    assert kinds(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "Nederland",
        "Verenigd Koninkrijk",
        "Nieuw-Zeeland",  # Zeeland is a surname here, but one word is not a name
        "Israël",  # a given name here, alone
        "123456789",  # nine digits failing the 11-proef
        "sinds 1980 en later",  # a year is not a date, "1980 en" is not a postcode
        "31-02-1980",  # no such day
        "schuldenvrij",
        "T0010000001",  # a record number, not a phone number
        "18-34",
    ],
)
def test_ordinary_values_are_not_identifiers(value: str) -> None:
    assert kinds(value) == []


def test_elfproef() -> None:
    assert elfproef("111222333") and elfproef("573687304")
    assert not elfproef("111222334") and not elfproef("000000000") and not elfproef("12345678")


def test_a_long_wrong_code_is_never_shown(home: Path, delivery: Callable[..., Path]) -> None:
    header = ",".join(TABLES["schuldhulptraject"])
    rows = [f"{b},2023-01-01,,,,schuldenvrij" for b in valid_bsns(40)]
    rows[0] = rows[0].replace("schuldenvrij", "X")
    rows[1] = rows[1].replace("schuldenvrij", "Afgesloten door Jansen")
    folder = delivery("schuldhulptraject.csv", "\n".join([header, *rows]) + "\n")
    [result] = ingest_directory(home=home, directory=folder, user="t").files
    reasons = {e["row"]: e["reason"] for e in result.errors}
    assert reasons[1].startswith("code X is not in its list (schuldenvrij, ")
    assert reasons[2].startswith("not in its list (schuldenvrij, ")
    assert reasons[2].endswith("; the value is not shown")
    assert "Jansen" not in reasons[2]
