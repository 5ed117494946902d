"""The only way out of the analytics zone for a number: a :class:`Release`.

:func:`publication_protect` applies the rules (primary suppression), hides what else must be
hidden (secondary suppression, :mod:`secondary`), and lets the independent audit (:mod:`audit`)
attack the result; only a table that survives the attack becomes a Release.
:func:`publication_round` is the other publication mode: controlled rounding to base 5.
A Release cannot be made any other way (its constructor refuses), and the writers
(:func:`release_json`, :func:`release_csv`) take nothing else — CLI, API, dashboards and
exports all print Releases.

Derived figures go with their counts: a percentage of the row or a mean is withheld whenever
the cell or the row total it is computed from is hidden.

What an earlier release on the same units hid stays hidden (:class:`Withheld`): a release whose
rules would publish such a cell — rules weaker than the earlier release's for that cell — is
refused naming the cell and the earlier release (:func:`withheld_rules_check`); every other
such cell is kept hidden, and the earlier release's unsafe cells stay protected in the audit.
A rounded cell keeps the value an earlier rounded release on the same units published
(:class:`Shown`, :func:`shown_check`): two roundings of one cell narrow it down to where they
overlap.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from meedoen_data.csvsafe import csv_writer
from meedoen_data.disclosure.audit import TOLERANCE, Audit, publication_audit
from meedoen_data.disclosure.problem import DisclosureError, publication_problem
from meedoen_data.disclosure.rules import RuleError, Rules, primary_cells
from meedoen_data.disclosure.secondary import Pattern, secondary_suppress
from meedoen_data.disclosure.table import Identity, Key, Table

Progress = Callable[[str, int, int], None]
#: How a hidden cell is written in CSV (CBS convention): never 0 and never blank.
HIDDEN = "x"
#: Drawn once per process: a Release's seal cannot be made outside this module.
_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class PublishedCell:
    labels: dict[str, str]
    value: float | None  # None: hidden
    flag: str | None  # "primary", "secondary" or None
    reason: str | None = None  # the rule an unsafe cell breaks
    percent_of_row: float | None = None
    mean: float | None = None


@dataclass(frozen=True)
class PublishedTable:
    name: str
    dimensions: tuple[str, ...]
    measure: str  # what the values count or sum
    cells: tuple[PublishedCell, ...]


@dataclass(frozen=True)
class Release:
    """Tables that passed disclosure control, as they may be shown to anyone.

    ``seal`` is a MAC of the content with a key this process draws at start: only
    :func:`publication_protect` and :func:`publication_round` make one, a Release built or
    changed (``dataclasses.replace``) anywhere else is refused here and by the writers."""

    tables: tuple[PublishedTable, ...]
    mode: str  # "suppression" or "rounding"
    rules: Rules
    summary: dict[str, Any]
    seal: str = field(repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        _verify(self)


@dataclass(frozen=True)
class Withheld:
    """What an earlier release on the same units (the same table, or a linked one) hid.

    Once published, always known: an attacker keeps the earlier release, also after it was
    withdrawn. So these cells stay hidden in every later release on the same units."""

    #: How to name the earlier release in a message, e.g. "publication 3".
    release: str
    #: The rules it was published with.
    rules: Rules
    #: Every cell it hid (by identity) with its flag: "primary" (unsafe under its rules) or
    #: "secondary".
    cells: Mapping[Identity, str]
    #: The units changed since (built again after a new delivery): its values describe other
    #: data, so it is not optimised and audited together with the new release. Every cell it
    #: hid, secondary ones too, is then protected in the new release as if unsafe: what its
    #: hidden cells added up to stays uncertain by the protection level, as the cells it hid to
    #: protect an unsafe one cannot be worked out from the new release.
    changed: bool = False


@dataclass(frozen=True)
class Shown:
    """What an earlier rounded release on the same units (the same table, or a linked one)
    published: every cell by identity with its rounded value.

    A cell rounded twice, once down and once up (a 37 published as 35 and as 40), lies where the
    two roundings overlap (36 to 39): so a later rounded release must publish every such cell
    with the same value."""

    #: How to name the earlier release in a message, e.g. "publication 3".
    release: str
    #: Every cell it published (by identity) with its value.
    cells: Mapping[Identity, float]


def cell_text(table: Table, key: Key) -> str:
    """A cell named by its labels (and what every unit of the table has in common)."""
    parts = [f"{d.name}={code}" for d, code in zip(table.dimensions, key, strict=True)]
    parts += [f"{name}={value}" for name, value in table.given]
    return ", ".join(parts)


def withheld_rules_check(
    tables: Sequence[Table], rules: Rules, withheld: Sequence[Withheld]
) -> None:
    """Refuse (DisclosureError) rules weaker than an earlier release's for a cell it hid: a cell
    of ``tables`` hidden by an earlier release, unsafe under that release's rules, but safe (or
    protected less widely) under ``rules`` — publishing it would reveal what was hidden."""
    now = {table.name: primary_cells(table, rules) for table in tables} if withheld else {}
    for earlier in withheld:
        for table in tables:
            then = primary_cells(table, earlier.rules)
            for key, reason in then.items():
                if table.identity(key) not in earlier.cells:
                    continue
                advice = (
                    f"what was hidden stays hidden: publish with rules at least as strict as "
                    f"{earlier.release}'s ({rules_text(earlier.rules)})"
                )
                if key not in now[table.name]:
                    raise DisclosureError(
                        f"release refused: cell {cell_text(table, key)} was hidden in "
                        f"{earlier.release}, whose rules find it unsafe ({reason}); these rules "
                        f"would publish it — {advice}"
                    )
                wanted, given = earlier.rules.width(table, key), rules.width(table, key)
                if given < wanted - TOLERANCE:
                    raise DisclosureError(
                        f"release refused: cell {cell_text(table, key)} was hidden in "
                        f"{earlier.release} and protected by at least {wanted:g}; these rules "
                        f"protect it by only {given:g} — {advice}"
                    )


def withheld_pattern_check(
    tables: Sequence[Table], hidden: Mapping[str, set[Key]], withheld: Sequence[Withheld]
) -> None:
    """Refuse (DisclosureError) a pattern that publishes a cell an earlier release hid."""
    for earlier in withheld:
        for table in tables:
            for key in table.cells:
                if table.identity(key) in earlier.cells and key not in hidden[table.name]:
                    raise DisclosureError(
                        f"release refused: it would publish cell {cell_text(table, key)}, which "
                        f"{earlier.release} hid; what was hidden stays hidden"
                    )


def shown_check(
    table: Table, values: Mapping[Key, float], shown: Sequence[Shown], *, base: int
) -> None:
    """Refuse (DisclosureError) a rounding of ``table`` (``values``) that publishes a cell with
    another value than an earlier rounded release on the same units published it, naming the
    cell, both values and that release."""
    for earlier in shown:
        for key, value in values.items():
            before = earlier.cells.get(table.identity(key))
            if before is None or abs(before - value) <= TOLERANCE:
                continue
            low, high = max(before, value) - base, min(before, value) + base
            together = ""
            if low < high:
                if not table.magnitude:
                    low, high = low + 1, high - 1
                together = f"; together the two narrow it down to {low:g} to {high:g}"
            raise DisclosureError(
                f"release refused: cell {cell_text(table, key)} was published as {before:g} in "
                f"{earlier.release} and would be {value:g} now{together} — rounded tables of "
                f"the same units must agree on every cell they share, and this one cannot be "
                f"rounded the way {earlier.release} was"
            )


def publication_check(
    tables: Sequence[Table],
    hidden: Mapping[str, set[Key]],
    unsafe: Mapping[str, set[Key]],
    rules: Rules,
    *,
    known: Mapping[Identity, float] | None = None,
) -> Audit:
    """The gate before release: attack the pattern (:func:`publication_audit`) and refuse
    (DisclosureError naming the worst exposed cell) if any unsafe cell can be narrowed down
    below its protection level; the audit when it is safe."""
    audit = publication_audit(tables, hidden, unsafe, rules, known=known)
    if not audit.safe:
        worst = audit.exposures[0]
        table = next(t for t in tables if t.name == worst.table)
        raise DisclosureError(
            f"release refused: the audit narrows cell {cell_text(table, worst.key)} of "
            f"{worst.table} down to [{worst.lower:g}, {worst.upper:g}], narrower than "
            f"{worst.required:g} ({len(audit.exposures)} cells exposed)"
        )
    return audit


def rules_text(rules: Rules) -> str:
    """The rules in one line, for messages."""
    dominance = (
        "off" if rules.dominance is None else f"({rules.dominance[0]}, {rules.dominance[1]:g})"
    )
    p = "off" if rules.p_percent is None else f"{rules.p_percent:g}"
    protection = rules.min_frequency if rules.protection is None else rules.protection
    group = ", ".join(sorted(rules.group)) or "off"
    return (
        f"minimum frequency {rules.min_frequency}, dominance {dominance}, p% {p}, "
        f"group rule {group}, protection {protection:g}"
    )


def rules_from_json(stored: Mapping[str, Any] | None) -> Rules:
    """The Rules of a release from its JSON form (:func:`release_json`); values missing in
    releases from before they were recorded (the group rule) take their "off" value, and
    unreadable values the defaults."""
    stored = stored or {}
    dominance = stored.get("dominance")
    group = stored.get("group") or {}
    try:
        return Rules(
            min_frequency=int(stored.get("min_frequency", 10)),
            dominance=None if dominance is None else (int(dominance[0]), float(dominance[1])),
            p_percent=None if stored.get("p_percent") is None else float(stored["p_percent"]),
            group={str(name): frozenset(map(str, codes)) for name, codes in group.items()},
            zeros=str(stored.get("zeros", "publish")),
            protection=None if stored.get("protection") is None else float(stored["protection"]),
            protection_percent=float(stored.get("protection_percent", 20.0)),
        )
    except (RuleError, TypeError, ValueError, IndexError, AttributeError):
        return Rules()


def _mac(tables: tuple[PublishedTable, ...], mode: str, rules: Rules) -> str:
    return hmac.new(_KEY, repr((tables, mode, rules)).encode(), hashlib.sha256).hexdigest()


def _sealed(
    tables: tuple[PublishedTable, ...], mode: str, rules: Rules, summary: dict[str, Any]
) -> Release:
    return Release(tables, mode, rules, summary, seal=_mac(tables, mode, rules))


def _verify(release: Release) -> None:
    expected = _mac(release.tables, release.mode, release.rules)
    if not hmac.compare_digest(expected, release.seal):
        raise DisclosureError(
            "not a Release of publication_protect or publication_round: nothing else is published"
        )


def publication_protect(
    tables: Sequence[Table],
    rules: Rules,
    *,
    measure: str = "households",
    known: Mapping[Identity, float] | None = None,
    released: Sequence[tuple[Table, set[Key]]] = (),
    withheld: Sequence[Withheld] = (),
    cost: str = "value",
    time_limit: float = 300.0,
    progress: Progress | None = None,
) -> Release:
    """Protect ``tables`` published together; refuse (DisclosureError) if the audit finds an
    unsafe cell an attacker can narrow down below its protection level.

    ``released``: tables published before that share cells or units with these (e.g. wijk x
    type before wijk x children, on the same households), each with the cells it hid. They take
    part in the optimisation with their pattern fixed and in the audit; they are not in the
    returned Release.

    ``withheld``: what every earlier release on the same units hid (:class:`Withheld`). Rules
    weaker than an earlier release's for such a cell are refused naming the cell; every such
    cell stays hidden, and the cells an earlier release found unsafe stay protected — every cell
    it hid when the units changed since (:attr:`Withheld.changed`)."""
    started = time.monotonic()
    new = list(tables)
    withheld_rules_check(new, rules, withheld)
    tables = [*new, *(table for table, _ in released)]
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise DisclosureError(f"tables published together need distinct names: {names}")
    primary = {t.name: primary_cells(t, rules) for t in tables}
    unsafe_before = {
        i for w in withheld for i, flag in w.cells.items() if flag == "primary" or w.changed
    }
    for table in tables:
        for key in table.cells:
            if key not in primary[table.name] and table.identity(key) in unsafe_before:
                primary[table.name][key] = "earlier release"
    fixed = {table.name: hidden for table, hidden in released}
    kept = {i for w in withheld for i in w.cells}
    problem = publication_problem(
        tables, primary, rules, known=known, released=fixed, kept=kept, cost=cost
    )
    pattern = secondary_suppress(problem, time_limit=time_limit, progress=progress)
    # (With no unsafe cell at all the optimiser hides nothing: the kept cells are hidden here.)
    hidden_ids = {problem.identities[i] for i in pattern.hidden | problem.hidden_before}
    hidden = {t.name: {key for key in t.cells if t.identity(key) in hidden_ids} for t in tables}
    for name, before in fixed.items():
        if hidden[name] != before:
            raise DisclosureError(f"the pattern of the earlier release {name} would change")
    withheld_pattern_check(new, hidden, withheld)
    unsafe = {t.name: set(primary[t.name]) for t in tables}
    if progress is not None:
        progress("audit", 0, 1)
    audit = publication_check(tables, hidden, unsafe, rules, known=known)
    mine = {t.name for t in new}
    summary = _summary(
        new,
        {name: cells for name, cells in primary.items() if name in mine},
        {name: cells for name, cells in hidden.items() if name in mine},
        pattern,
        audit,
        time.monotonic() - started,
    )
    summary["linked_releases"] = len(released)
    published = tuple(_published(t, measure, hidden[t.name], primary[t.name]) for t in new)
    return _sealed(published, "suppression", rules, summary)


def publication_round(
    tables: Sequence[Table],
    rules: Rules,
    *,
    measure: str = "households",
    base: int = 5,
    time_limit: float = 60.0,
    shown: Sequence[Shown] = (),
) -> Release:
    """Publish one table with every cell rounded to a multiple of ``base`` by controlled
    rounding (:mod:`rounding`): margins still add up, nothing is hidden. A cell that is a
    multiple of ``base`` already (0 too) is published as it is. Refused when the rules ask for
    more than rounding gives (:func:`rounding_check`).

    ``shown``: what every earlier rounded release on the same units published (:class:`Shown`).
    A count rounded differently than there is refused naming the cell (:func:`shown_check`). A
    table of sums is not checked: it is rounded only when every cell is safe unrounded, so its
    rounding protects nothing."""
    from meedoen_data.disclosure.rounding import RoundingError, table_round

    if len(tables) != 1:
        raise DisclosureError("controlled rounding publishes one table at a time")
    started = time.monotonic()
    table = tables[0]
    rounding_check(table, rules, base=base)
    try:
        rounded = table_round(table, base=base, time_limit=time_limit)
    except RoundingError as exc:
        raise DisclosureError(str(exc)) from None
    if not table.magnitude:
        shown_check(table, rounded.values, shown, base=base)
    cells = tuple(
        PublishedCell(labels=table.label(key), value=float(rounded.values[key]), flag=None)
        for key in table.cells
    )
    published = (
        PublishedTable(table.name, tuple(d.name for d in table.dimensions), measure, cells),
    )
    summary = {
        "cells": len(table.cells),
        "base": base,
        "rounding_loss": rounded.loss,
        "optimal": rounded.optimal,
        "seconds": round(time.monotonic() - started, 3),
    }
    return _sealed(published, "rounding", rules, summary)


def rounding_check(table: Table, rules: Rules, *, base: int = 5) -> None:
    """How the rules apply to controlled rounding (DisclosureError when they cannot be met).

    Rounding to ``base`` hides nothing, it makes every count uncertain: a published 0, 5 or 10
    may be any count from 0 to 14, so no count below ``2 * base`` can be told from its
    neighbours. It protects like a minimum frequency and a protection level of ``2 * base``
    (10 for base 5, CBS's threshold): rules asking for more are refused. A sum (magnitude
    table) is rounded by a few units of its amount only, which protects no dominant
    contributor: every cell must be safe under the rules (frequency, dominance, p%) already."""
    protects = 2 * base
    protection = rules.min_frequency if rules.protection is None else rules.protection
    if not table.magnitude and (rules.min_frequency > protects or protection > protects):
        raise DisclosureError(
            f"controlled rounding to multiples of {base} protects like a minimum frequency and "
            f"a protection of {protects}; these rules ask for minimum frequency "
            f"{rules.min_frequency} and protection {protection:g}: publish with suppression"
        )
    if table.magnitude:
        unsafe = primary_cells(table, rules)
        if unsafe:
            key, reason = next(iter(unsafe.items()))
            raise DisclosureError(
                f"controlled rounding cannot protect a sum: cell {cell_text(table, key)} is "
                f"unsafe ({reason}; {len(unsafe)} cells in all): publish with suppression"
            )


def _summary(
    tables: Sequence[Table],
    primary: Mapping[str, Mapping[Key, str]],
    hidden: Mapping[str, set[Key]],
    pattern: Pattern,
    audit: Audit,
    seconds: float,
) -> dict[str, Any]:
    cells = sum(len(t.cells) for t in tables)
    n_primary = sum(len(p) for p in primary.values())
    n_hidden = sum(len(h) for h in hidden.values())
    lost = sum(t.cells[k].value for t in tables for k in hidden[t.name] if k not in primary[t.name])
    return {
        "cells": cells,
        "primary": n_primary,
        "secondary": n_hidden - n_primary,
        "secondary_value": lost,
        "rounds": pattern.rounds,
        "cuts": pattern.cuts,
        "optimal": pattern.optimal,
        "audited_cells": len(audit.intervals),
        "audit_linear_programmes": audit.linear_programmes,
        "seconds": round(seconds, 3),
    }


def _published(
    table: Table, measure: str, hidden: set[Key], primary: Mapping[Key, str]
) -> PublishedTable:
    out = []
    last = len(table.dimensions) - 1
    for key, cell in table.cells.items():
        shown = key not in hidden
        flag = None if shown else ("primary" if key in primary else "secondary")
        percent = None
        if last > 0 and shown:
            dim = table.dimensions[last]
            row = (*key[:last], dim.total)
            if row not in hidden and table.cells[row].value:
                percent = round(100 * cell.value / table.cells[row].value, 1)
        mean = None
        if table.magnitude and shown and cell.units:
            mean = round(cell.value / cell.units, 2)
        out.append(
            PublishedCell(
                labels=table.label(key),
                value=cell.value if shown else None,
                flag=flag,
                reason=primary.get(key),
                percent_of_row=percent,
                mean=mean,
            )
        )
    return PublishedTable(table.name, tuple(d.name for d in table.dimensions), measure, tuple(out))


def release_json(release: Release) -> dict[str, Any]:
    """Every cell, margins included (label "Totaal"): value, or null with the flag."""
    if not isinstance(release, Release):
        raise DisclosureError("only a Release is published")
    _verify(release)
    return {
        "mode": release.mode,
        "rules": {
            "min_frequency": release.rules.min_frequency,
            "dominance": release.rules.dominance,
            "p_percent": release.rules.p_percent,
            "zeros": release.rules.zeros,
            "protection": release.rules.protection or release.rules.min_frequency,
            "protection_percent": release.rules.protection_percent,
            # Per dimension its sensitive categories ([]: every category).
            "group": {name: sorted(codes) for name, codes in sorted(release.rules.group.items())},
        },
        "summary": release.summary,
        "tables": [
            {
                "name": t.name,
                "dimensions": list(t.dimensions),
                "measure": t.measure,
                "cells": [
                    {
                        **c.labels,
                        "value": _number(c.value),
                        "suppressed": c.flag,
                        "percent_of_row": c.percent_of_row,
                        **({"mean": c.mean} if c.mean is not None else {}),
                    }
                    for c in t.cells
                ],
            }
            for t in release.tables
        ],
    }


def release_csv(release: Release, table: int = 0) -> str:
    """One table as CSV: a row per cell; a hidden value is ``x`` (CBS), never 0 or blank.
    Text that a spreadsheet would run as a formula is neutralised (:mod:`meedoen_data.csvsafe`);
    numbers stay numbers."""
    if not isinstance(release, Release):
        raise DisclosureError("only a Release is published")
    _verify(release)
    published = release.tables[table]
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow([*published.dimensions, published.measure])
    for cell in published.cells:
        value = HIDDEN if cell.value is None else _number(cell.value)
        writer.writerow([*(cell.labels[d] for d in published.dimensions), value])
    return buffer.getvalue()


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
