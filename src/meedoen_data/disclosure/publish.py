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
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from meedoen_data.disclosure.audit import Audit, publication_audit
from meedoen_data.disclosure.problem import DisclosureError, publication_problem
from meedoen_data.disclosure.rules import Rules, primary_cells
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
    cost: str = "value",
    time_limit: float = 300.0,
    progress: Progress | None = None,
) -> Release:
    """Protect ``tables`` published together; refuse (DisclosureError) if the audit finds an
    unsafe cell an attacker can narrow down below its protection level.

    ``released``: tables published before that share cells or units with these (e.g. wijk x
    type before wijk x children, on the same households), each with the cells it hid. They take
    part in the optimisation with their pattern fixed and in the audit; they are not in the
    returned Release."""
    started = time.monotonic()
    new = list(tables)
    tables = [*new, *(table for table, _ in released)]
    names = [t.name for t in tables]
    if len(set(names)) != len(names):
        raise DisclosureError(f"tables published together need distinct names: {names}")
    primary = {t.name: primary_cells(t, rules) for t in tables}
    fixed = {table.name: hidden for table, hidden in released}
    problem = publication_problem(tables, primary, rules, known=known, released=fixed, cost=cost)
    pattern = secondary_suppress(problem, time_limit=time_limit, progress=progress)
    hidden_ids = {problem.identities[i] for i in pattern.hidden}
    hidden = {t.name: {key for key in t.cells if t.identity(key) in hidden_ids} for t in tables}
    for name, before in fixed.items():
        if hidden[name] != before:
            raise DisclosureError(f"the pattern of the earlier release {name} would change")
    unsafe = {t.name: set(primary[t.name]) for t in tables}
    if progress is not None:
        progress("audit", 0, 1)
    audit = publication_audit(tables, hidden, unsafe, rules, known=known)
    if not audit.safe:
        worst = audit.exposures[0]
        raise DisclosureError(
            f"release refused: the audit narrows cell {worst.key} of {worst.table} down to "
            f"[{worst.lower:g}, {worst.upper:g}], narrower than {worst.required:g} "
            f"({len(audit.exposures)} cells exposed)"
        )
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
) -> Release:
    """Publish one table with every cell rounded to a multiple of ``base`` by controlled
    rounding (:mod:`rounding`): margins still add up, nothing is hidden. A cell that is a
    multiple of ``base`` already (0 too) is published as it is."""
    from meedoen_data.disclosure.rounding import RoundingError, table_round

    if len(tables) != 1:
        raise DisclosureError("controlled rounding publishes one table at a time")
    started = time.monotonic()
    table = tables[0]
    try:
        rounded = table_round(table, base=base, time_limit=time_limit)
    except RoundingError as exc:
        raise DisclosureError(str(exc)) from None
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
    """One table as CSV: a row per cell; a hidden value is ``x`` (CBS), never 0 or blank."""
    if not isinstance(release, Release):
        raise DisclosureError("only a Release is published")
    _verify(release)
    published = release.tables[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*published.dimensions, published.measure])
    for cell in published.cells:
        value = HIDDEN if cell.value is None else _text(cell.value)
        writer.writerow([*(cell.labels[d] for d in published.dimensions), value])
    return buffer.getvalue()


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _text(value: float) -> str:
    return str(_number(value))
