"""Transparent triage rules for early-warning signals, configured per municipality.

A rule file (TOML, ``rules.toml`` in the workspace's ``signals`` folder; the default ships with
meedoen) lists rules in order. For each household the **first rule whose conditions all hold**
sets the priority, and the work list always shows that rule with the signals that made it hold:
no statistical score, nothing hidden. The last rule has no conditions (the catch-all), so every
household gets a priority and a reason.

Conditions (all optional; those given must all hold, over the household's open signals):

- ``crisis = true``: a signal flagged as crisis by the partner;
- ``partners_all = [...]``: signals of each of these partners;
- ``partners_any = [...]``: a signal of at least one of them;
- ``partners_only = [...]``: no signal of any other partner;
- ``partners_min = N``: signals of at least N different partners (*meervoudig*);
- ``repeated_months = N``: one partner signalled in at least N consecutive months (*herhaald*);
- ``amount_below = X`` / ``amount_from = X``: the total open amount in euros;
- ``arrears_months_from = N``: the oldest arrears began at least N months before its signal;
- ``in_debt_help = true|false``: a member has an open debt-help trajectory;
- ``earlier_outreach = true|false``: the household was contacted before about signals.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

#: Priorities, most urgent first. ``wachten``: wait for a further signal before reaching out.
PRIORITIES = ("hoog", "normaal", "laag", "wachten")
PARTNERS = ("HUUR", "ENERGIE", "WATER", "ZORGVERZEKERAAR", "CAK")
DEFAULT_RULES = Path(__file__).with_name("rules.toml")
_CONDITIONS: dict[str, type | tuple[type, ...]] = {
    "crisis": bool,
    "partners_all": list,
    "partners_any": list,
    "partners_only": list,
    "partners_min": int,
    "repeated_months": int,
    "amount_below": (int, float),
    "amount_from": (int, float),
    "arrears_months_from": int,
    "in_debt_help": bool,
    "earlier_outreach": bool,
}
_TEXT = ("id", "name", "priority", "why")


class RuleError(ValueError):
    """A rule file that cannot be used: the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Signal:
    signaalid: str
    partner: str
    signal_date: date
    amount: Decimal | None = None
    arrears_since: date | None = None
    crisis: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    priority: str
    why: str = ""
    conditions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    path: str
    rules: tuple[Rule, ...]
    #: The digest of the file's text: which version of the rules set a priority.
    version: str = ""


@dataclass(frozen=True)
class Triage:
    rule: Rule
    #: The signals that made the rule hold (all open signals for the catch-all).
    triggered_by: tuple[str, ...]
    kinds: tuple[str, ...]  # enkelvoudig / meervoudig / herhaald


def rules_load(path: Path | None = None) -> RuleSet:
    """The rule file at ``path`` (default: the shipped rules), checked (:class:`RuleError`)."""
    import hashlib

    path = path or DEFAULT_RULES
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise RuleError(f"{path}: cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: not valid TOML ({exc})") from None
    raw = data.get("rule")
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{path}: no [[rule]] entries")
    rules = tuple(_rule(path, number, entry) for number, entry in enumerate(raw, start=1))
    ids = [r.id for r in rules]
    doubles = sorted({i for i in ids if ids.count(i) > 1})
    if doubles:
        raise RuleError(f"{path}: rule id {', '.join(doubles)} is used twice")
    if rules[-1].conditions:
        raise RuleError(
            f"{path}: the last rule ({rules[-1].id}) must have no conditions, so that every "
            "household gets a priority and a reason"
        )
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return RuleSet(str(path), rules, digest)


def _rule(path: Path, number: int, entry: object) -> Rule:
    where = f"{path}: rule {number}"
    if not isinstance(entry, dict):
        raise RuleError(f"{where}: not a table")
    unknown = sorted(set(entry) - set(_TEXT) - set(_CONDITIONS))
    if unknown:
        raise RuleError(
            f"{where}: unknown field {', '.join(unknown)}; conditions are {', '.join(_CONDITIONS)}"
        )
    for name in ("id", "name", "priority"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise RuleError(f"{where}: {name} is missing (text)")
    where = f"{path}: rule {entry['id']!r}"
    if entry["priority"] not in PRIORITIES:
        raise RuleError(
            f"{where}: priority {entry['priority']!r} is not one of {', '.join(PRIORITIES)}"
        )
    conditions: dict[str, Any] = {}
    for name, kind in _CONDITIONS.items():
        if name not in entry:
            continue
        if not isinstance(entry[name], kind) or (kind is int and isinstance(entry[name], bool)):
            raise RuleError(f"{where}: {name} = {entry[name]!r} is not of the right type")
        value: Any = entry[name]
        if kind is list:
            bad = [p for p in value if p not in PARTNERS]
            if not value or bad:
                raise RuleError(
                    f"{where}: {name} names unknown partner {', '.join(map(str, bad)) or '(none)'}"
                    f"; partners are {', '.join(PARTNERS)}"
                )
            value = tuple(value)
        if kind in (int, (int, float)) and value < 0:
            raise RuleError(f"{where}: {name} may not be negative")
        conditions[name] = value
    return Rule(
        entry["id"].strip(),
        entry["name"].strip(),
        entry["priority"],
        str(entry.get("why", "")).strip(),
        conditions,
    )


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def longest_run(signals: Sequence[Signal]) -> tuple[int, tuple[str, ...]]:
    """The most consecutive months in which one partner signalled, and those signals."""
    best: tuple[int, tuple[str, ...]] = (0, ())
    for partner in sorted({s.partner for s in signals}):
        own = sorted((s for s in signals if s.partner == partner), key=lambda s: s.signal_date)
        months = sorted({_month(s.signal_date) for s in own})
        run_start, length = months[0], 1
        for previous, current in itertools.pairwise(months):
            if current == previous + 1:
                length += 1
            else:
                run_start, length = current, 1
            if length > best[0]:
                chosen = [s.signaalid for s in own if run_start <= _month(s.signal_date) <= current]
                best = (length, tuple(chosen))
        if best[0] == 0:
            best = (1, (own[0].signaalid,))
    return best


def signal_kinds(signals: Sequence[Signal]) -> tuple[str, ...]:
    """*enkelvoudig* (one partner, no repeat), *meervoudig* (several partners), *herhaald*
    (one partner in consecutive months) — the terms of the national early-signalling tools."""
    kinds = []
    if len({s.partner for s in signals}) > 1:
        kinds.append("meervoudig")
    if longest_run(signals)[0] >= 2:
        kinds.append("herhaald")
    return tuple(kinds) or ("enkelvoudig",)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _holds(
    rule: Rule, signals: Sequence[Signal], in_debt_help: bool, earlier_outreach: bool
) -> tuple[str, ...] | None:
    """The signals that make ``rule`` hold, or None when it does not."""
    c = rule.conditions
    chosen: set[str] = set()
    partners = {s.partner for s in signals}
    total = sum((s.amount or Decimal(0) for s in signals), Decimal(0))
    if c.get("crisis") is not None:
        crisis = [s.signaalid for s in signals if s.crisis]
        if bool(crisis) != c["crisis"]:
            return None
        chosen.update(crisis)
    if "partners_all" in c:
        if not set(c["partners_all"]) <= partners:
            return None
        chosen.update(s.signaalid for s in signals if s.partner in c["partners_all"])
    if "partners_any" in c:
        hits = [s.signaalid for s in signals if s.partner in c["partners_any"]]
        if not hits:
            return None
        chosen.update(hits)
    if "partners_only" in c:
        if not partners <= set(c["partners_only"]):
            return None
        chosen.update(s.signaalid for s in signals)
    if "partners_min" in c:
        if len(partners) < c["partners_min"]:
            return None
        chosen.update(s.signaalid for s in signals)
    if "repeated_months" in c:
        length, run = longest_run(signals)
        if length < c["repeated_months"]:
            return None
        chosen.update(run)
    if "amount_below" in c and not total < Decimal(str(c["amount_below"])):
        return None
    if "amount_from" in c and not total >= Decimal(str(c["amount_from"])):
        return None
    if "arrears_months_from" in c:
        old = [
            s.signaalid
            for s in signals
            if s.arrears_since is not None
            and _months_between(s.arrears_since, s.signal_date) >= c["arrears_months_from"]
        ]
        if not old:
            return None
        chosen.update(old)
    if "in_debt_help" in c and in_debt_help != c["in_debt_help"]:
        return None
    if "earlier_outreach" in c and earlier_outreach != c["earlier_outreach"]:
        return None
    if not chosen:  # conditions on the whole household (amount, status) or none at all
        chosen.update(s.signaalid for s in signals)
    return tuple(s.signaalid for s in signals if s.signaalid in chosen)


def triage(
    rules: RuleSet,
    signals: Sequence[Signal],
    *,
    in_debt_help: bool = False,
    earlier_outreach: bool = False,
) -> Triage:
    """The first rule of ``rules`` that holds for the household's open ``signals``."""
    if not signals:
        raise ValueError("a household without open signals is not triaged")
    for rule in rules.rules:
        hits = _holds(rule, signals, in_debt_help, earlier_outreach)
        if hits is not None:
            return Triage(rule, hits, signal_kinds(signals))
    raise RuleError(f"{rules.path}: no rule holds (the last rule must have no conditions)")
