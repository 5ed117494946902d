"""The rules of a publication against the privacy officer's floor for the activity: options not
given take the floor, a stricter value is accepted, a weaker one is refused naming the rule, the
value asked and the floor (:func:`rules_make`, :func:`rules_check`)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from meedoen.activities.floors import DEFAULT_FLOOR, floor_make
from meedoen.publications.services import rules_check, rules_make
from meedoen_data.disclosure import Rules

STRICT = floor_make(min_frequency=20, dominance=(2, 40.0), p_percent=15.0, protection=25.0)


def check(rules: Rules, floor=DEFAULT_FLOOR, colvar: str | None = "household_type") -> None:  # type: ignore[no-untyped-def]
    rules_check(rules=rules, floor=floor, colvar=colvar, activity_id=7)


@pytest.mark.parametrize("floor", [DEFAULT_FLOOR, STRICT])
def test_no_options_take_the_floor_and_meet_it(floor) -> None:  # type: ignore[no-untyped-def]
    rules = rules_make(floor=floor, colvar="household_type")
    assert rules.min_frequency == floor.min_frequency
    assert rules.dominance == floor.dominance and rules.p_percent == floor.p_percent
    assert rules.protection == floor.protection
    assert rules.group == {"household_type": frozenset()}
    check(rules, floor)
    check(rules_make(floor=floor), floor, colvar=None)  # one variable: no group rule


def test_the_defaults_are_cbs() -> None:
    rules = rules_make(colvar="wijkcode")
    assert (rules.min_frequency, rules.dominance, rules.p_percent) == (10, (1, 50.0), 10.0)
    assert rules.protection is None  # the width an attacker must keep: the minimum frequency


def test_stricter_rules_pass() -> None:
    rules = rules_make(
        floor=STRICT,
        colvar="household_type",
        min_frequency=30,
        dominance=(3, 30.0),
        p_percent=20.0,
        protection=40.0,
        zeros="protect",
    )
    check(rules, STRICT)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_frequency": 1}, "minimum frequency 1 is below the floor 20"),
        ({"dominance": (1, 40.0)}, "dominance rule (1, 40) is weaker than the floor (2, 40)"),
        ({"dominance": (2, 60.0)}, "dominance rule (2, 60) is weaker than the floor (2, 40)"),
        ({"p_percent": 5.0}, "p% rule 5 is below the floor 15"),
        ({"group": False}, "group rule on household_type is off; the floor has it on"),
        ({"protection": 10.0}, "protection 10 is below the floor 25"),
    ],
)
def test_a_weaker_rule_is_refused_naming_rule_value_and_floor(options, message) -> None:  # type: ignore[no-untyped-def]
    rules = rules_make(floor=STRICT, colvar="household_type", **options)
    with pytest.raises(ValidationError) as refused:
        check(rules, STRICT)
    text = " ".join(refused.value.messages)
    assert message in text
    assert "the privacy officer set for activity 7" in text and "only make them stricter" in text


def test_switched_off_rules_are_refused() -> None:
    rules = Rules(min_frequency=10, dominance=None, p_percent=None, group={})
    with pytest.raises(ValidationError) as refused:
        check(rules)
    text = " ".join(refused.value.messages)
    assert "dominance rule switched off; the floor is (1, 50)" in text
    assert "p% rule switched off; the floor is 10" in text
    assert "group rule on household_type is off" in text


def test_a_group_rule_limited_to_some_categories_is_weaker() -> None:
    rules = Rules(group={"household_type": frozenset({"eenouder"})})
    with pytest.raises(ValidationError, match="limited to some categories"):
        check(rules)


def test_a_floor_without_the_group_rule_leaves_it_to_the_analyst() -> None:
    floor = floor_make(group=False)
    assert rules_make(floor=floor, colvar="household_type").group == {}
    check(rules_make(floor=floor, colvar="household_type", group=False), floor)
    check(rules_make(floor=floor, colvar="household_type", group=True), floor)


def test_the_protection_floor_defaults_to_the_minimum_frequency() -> None:
    floor = floor_make(min_frequency=15)
    check(rules_make(floor=floor, colvar=None, min_frequency=15), floor, colvar=None)
    with pytest.raises(ValidationError, match="protection 12 is below the floor 15"):
        check(rules_make(floor=floor, colvar=None, protection=12.0), floor, colvar=None)
