"""Triage rules: every condition holds and fails where it should, the first rule that holds
wins, the signals that made it hold are the ones shown, and a bad rule file is refused with the
file, the rule and the field named."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from meedoen_data.signals import RuleError, Signal, rules_load, signal_kinds, triage
from meedoen_data.signals.rules import longest_run


def sig(sid: str, partner: str, day: date, amount: str = "500", **kw: object) -> Signal:
    return Signal(sid, partner, day, Decimal(amount), **kw)  # type: ignore[arg-type]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def one_rule(tmp_path: Path, conditions: str) -> object:
    return rules_load(
        write(
            tmp_path,
            f'[[rule]]\nid = "r"\nname = "R"\npriority = "hoog"\n{conditions}\n'
            '[[rule]]\nid = "rest"\nname = "Rest"\npriority = "normaal"\n',
        )
    )


MAY, JUN, JUL, AUG = date(2024, 5, 3), date(2024, 6, 4), date(2024, 7, 5), date(2024, 8, 6)


@pytest.mark.parametrize(
    ("conditions", "signals", "kwargs", "holds", "triggered"),
    [
        ("crisis = true", [sig("a", "HUUR", MAY, crisis=True), sig("b", "WATER", MAY)], {},
         True, ("a",)),
        ("crisis = true", [sig("a", "HUUR", MAY)], {}, False, ()),
        ('partners_all = ["HUUR", "ZORGVERZEKERAAR"]',
         [sig("a", "HUUR", MAY), sig("b", "ZORGVERZEKERAAR", JUN), sig("c", "WATER", JUN)], {},
         True, ("a", "b")),
        ('partners_all = ["HUUR", "ZORGVERZEKERAAR"]', [sig("a", "HUUR", MAY)], {}, False, ()),
        ('partners_any = ["WATER"]', [sig("a", "HUUR", MAY), sig("b", "WATER", MAY)], {},
         True, ("b",)),
        ('partners_any = ["WATER"]', [sig("a", "HUUR", MAY)], {}, False, ()),
        ('partners_only = ["ENERGIE", "WATER"]', [sig("a", "ENERGIE", MAY)], {}, True, ("a",)),
        ('partners_only = ["ENERGIE", "WATER"]',
         [sig("a", "ENERGIE", MAY), sig("b", "HUUR", MAY)], {}, False, ()),
        ("partners_min = 2", [sig("a", "HUUR", MAY), sig("b", "CAK", MAY)], {}, True, ("a", "b")),
        ("partners_min = 2", [sig("a", "HUUR", MAY), sig("b", "HUUR", JUN)], {}, False, ()),
        ("repeated_months = 3",
         [sig("a", "HUUR", MAY), sig("b", "HUUR", JUN), sig("c", "HUUR", JUL),
          sig("d", "WATER", JUL)], {}, True, ("a", "b", "c")),
        ("repeated_months = 3",
         [sig("a", "HUUR", MAY), sig("b", "HUUR", JUN), sig("c", "HUUR", AUG)], {}, False, ()),
        ("amount_below = 250", [sig("a", "WATER", MAY, "100"), sig("b", "WATER", JUN, "149.99")],
         {}, True, ("a", "b")),
        ("amount_below = 250", [sig("a", "WATER", MAY, "100"), sig("b", "WATER", JUN, "150")],
         {}, False, ()),
        ("amount_from = 1000", [sig("a", "HUUR", MAY, "1000")], {}, True, ("a",)),
        ("amount_from = 1000", [sig("a", "HUUR", MAY, "999.99")], {}, False, ()),
        ("arrears_months_from = 3",
         [sig("a", "HUUR", AUG, arrears_since=date(2024, 5, 6)),
          sig("b", "CAK", AUG, arrears_since=date(2024, 6, 1))], {}, True, ("a",)),
        ("arrears_months_from = 3",
         [sig("a", "HUUR", AUG, arrears_since=date(2024, 5, 7))], {}, False, ()),
        ("in_debt_help = true", [sig("a", "HUUR", MAY)], {"in_debt_help": True}, True, ("a",)),
        ("in_debt_help = true", [sig("a", "HUUR", MAY)], {"in_debt_help": False}, False, ()),
        ("earlier_outreach = false", [sig("a", "HUUR", MAY)], {}, True, ("a",)),
        ("earlier_outreach = false", [sig("a", "HUUR", MAY)], {"earlier_outreach": True},
         False, ()),
    ],
)  # fmt: skip
def test_each_condition_holds_or_not(
    tmp_path: Path,
    conditions: str,
    signals: list[Signal],
    kwargs: dict[str, bool],
    holds: bool,
    triggered: tuple[str, ...],
) -> None:
    result = triage(one_rule(tmp_path, conditions), signals, **kwargs)  # type: ignore[arg-type]
    assert result.rule.id == ("r" if holds else "rest")
    if holds:
        assert result.triggered_by == triggered
    else:  # the catch-all: every open signal is why
        assert result.triggered_by == tuple(s.signaalid for s in signals)


def test_conditions_of_one_rule_must_all_hold(tmp_path: Path) -> None:
    rules = one_rule(tmp_path, 'partners_only = ["ENERGIE", "WATER"]\namount_below = 250')
    small = [sig("a", "WATER", MAY, "80")]
    assert triage(rules, small).rule.id == "r"  # type: ignore[arg-type]
    large = [sig("a", "WATER", MAY, "300")]
    assert triage(rules, large).rule.id == "rest"  # type: ignore[arg-type]


def test_the_shipped_rules_in_order() -> None:
    rules = rules_load()
    assert [r.id for r in rules.rules][-1] == "enkelvoudig"
    assert rules.version
    cases = {
        "crisis": [sig("a", "WATER", MAY, "50", crisis=True)],
        "huur-en-zorg": [sig("a", "HUUR", MAY), sig("b", "ZORGVERZEKERAAR", MAY)],
        "herhaald": [sig("a", "CAK", MAY), sig("b", "CAK", JUN), sig("c", "CAK", JUL)],
        "meervoudig": [sig("a", "HUUR", MAY), sig("b", "ENERGIE", MAY)],
        "energie-water-klein": [sig("a", "WATER", MAY, "120"), sig("b", "WATER", JUL, "90")],
        "enkelvoudig": [sig("a", "ENERGIE", MAY, "400")],
    }
    for rule_id, signals in cases.items():
        assert triage(rules, signals).rule.id == rule_id, rule_id
    known = triage(rules, [sig("a", "HUUR", MAY)], in_debt_help=True)
    assert known.rule.id == "al-in-schuldhulp" and known.rule.priority == "laag"
    # A crisis goes first even for a household already in debt help.
    assert triage(rules, cases["crisis"], in_debt_help=True).rule.id == "crisis"


def test_kinds_single_multiple_repeated() -> None:
    assert signal_kinds([sig("a", "HUUR", MAY)]) == ("enkelvoudig",)
    assert signal_kinds([sig("a", "HUUR", MAY), sig("b", "HUUR", JUL)]) == ("enkelvoudig",)
    assert signal_kinds([sig("a", "HUUR", MAY), sig("b", "HUUR", JUN)]) == ("herhaald",)
    assert signal_kinds([sig("a", "HUUR", MAY), sig("b", "CAK", MAY)]) == ("meervoudig",)
    both = [sig("a", "HUUR", MAY), sig("b", "HUUR", JUN), sig("c", "CAK", JUN)]
    assert signal_kinds(both) == ("meervoudig", "herhaald")
    # December to January is consecutive.
    assert (
        longest_run([sig("a", "HUUR", date(2024, 12, 30)), sig("b", "HUUR", date(2025, 1, 2))])[0]
        == 2
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x = 1", "no [[rule]] entries"),
        ('[[rule]]\nid = "a"\nname = "A"\npriority = "hoog"\ncrisis = true\n',
         "the last rule (a) must have no conditions"),
        ('[[rule]]\nid = "a"\nname = "A"\npriority = "dringend"\n',
         "rule 'a': priority 'dringend' is not one of hoog, normaal, laag, wachten"),
        ('[[rule]]\nid = "a"\nname = "A"\npriority = "hoog"\nbedrag = 3\n',
         "rule 1: unknown field bedrag"),
        ('[[rule]]\nid = "a"\nname = "A"\npriority = "hoog"\npartners_any = ["GAS"]\n'
         '[[rule]]\nid = "b"\nname = "B"\npriority = "laag"\n',
         "rule 'a': partners_any names unknown partner GAS"),
        ('[[rule]]\nid = "a"\nname = "A"\npriority = "hoog"\nrepeated_months = "3"\n'
         '[[rule]]\nid = "b"\nname = "B"\npriority = "laag"\n',
         "rule 'a': repeated_months = '3' is not of the right type"),
        ('[[rule]]\nid = "a"\nname = "A"\npriority = "hoog"\n'
         '[[rule]]\nid = "a"\nname = "B"\npriority = "laag"\n', "rule id a is used twice"),
        ('[[rule]]\nname = "A"\npriority = "hoog"\n', "rule 1: id is missing"),
        ("[[rule]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_rule_file_is_refused_naming_file_rule_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RuleError) as refused:
        rules_load(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value)
