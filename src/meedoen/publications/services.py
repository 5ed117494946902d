"""``meedoen table``: publish a disclosure-controlled table of households.

The table is made from the activity's household table, protected (primary and secondary
suppression, or controlled rounding) and attacked by the audit in the data package
(:mod:`meedoen_data.disclosure`); only what passes is stored as a :class:`Publication` and
returned as a Release. A later release of the same table (the same definition) is a *series*:
the cells its predecessors published are known to the attacker. Other tables of the same
households published before (the same activity, peildatum and amount) are *linked*: this table
is protected and audited together with them, their patterns fixed. All tables of the same
households keep one mode (suppression or rounding).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.stores import activity_authorize, activity_log
from meedoen.audits.trace import TraceContext
from meedoen.publications.models import Publication
from meedoen_data.activity_store import ActivityStoreError
from meedoen_data.disclosure import (
    DisclosureError,
    Release,
    RuleError,
    Rules,
    TableError,
    household_table,
    publication_protect,
    publication_round,
    release_json,
)
from meedoen_data.disclosure.table import Identity, Key, Table

PUBLISHERS = (Role.ANALYST, Role.ADMINISTRATOR)
MODES = ("suppression", "rounding")


@dataclass(frozen=True)
class Published:
    publication_id: int
    release: Release
    description: str
    earlier_releases: int  # earlier releases on the same households taken into account


def rules_make(
    *,
    min_frequency: int = 10,
    dominance: tuple[int, float] | None = (1, 50.0),
    p_percent: float | None = 10.0,
    protection: float | None = None,
    group: Sequence[str] = (),
    zeros: str = "publish",
) -> Rules:
    """Rules from options; a value that makes no sense is refused with the reason."""
    try:
        return Rules(
            min_frequency=min_frequency,
            dominance=dominance,
            p_percent=p_percent,
            protection=protection,
            group={name: frozenset() for name in group},
            zeros=zeros,
        )
    except RuleError as exc:
        raise ValidationError(str(exc)) from None


def table_publish(
    *,
    activity_id: int,
    rowvar: str,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    colvar: str | None = None,
    where: Sequence[tuple[str, str]] = (),
    peildatum: date | None = None,
    amount: str | None = None,
    rules: Rules | None = None,
    mode: str = "suppression",
    client: str = "",
) -> Published:
    """Make, protect, audit and record one table; logged under the activity."""
    require_role(actor, *PUBLISHERS)
    if mode not in MODES:
        raise ValidationError(f"mode must be {' or '.join(MODES)}, not {mode!r}")
    activity_authorize(activity_id=activity_id, sources=("brp",), trace=trace)
    if rules is None:
        rules = rules_make(group=[colvar] if colvar else [])
    started = datetime.now(UTC)
    try:
        made = household_table(
            home=settings.MEEDOEN_HOME,
            activity_id=activity_id,
            rowvar=rowvar,
            colvar=colvar,
            where=where,
            peildatum=peildatum,
            amount=amount,
        )
    except (TableError, ActivityStoreError) as exc:
        raise ValidationError(str(exc)) from None
    except duckdb.Error as exc:
        raise ValidationError(
            f"the tables of activity {activity_id} are in use (a build is running?): "
            f"{str(exc).splitlines()[0]}"
        ) from None
    definition = {
        "activity": activity_id,
        "rowvar": rowvar,
        "colvar": colvar,
        "where": [list(pair) for pair in where],
        "peildatum": made.peildatum.isoformat(),
        "amount": amount,
    }
    series = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
    # Every earlier release on the same households (activity, peildatum, count or amount): the
    # same table (a series) or another one that shares cells or units with it (linked tables).
    group = [
        p
        for p in Publication.objects.filter(activity_id=activity_id).order_by("created_at")
        if p.definition.get("peildatum") == definition["peildatum"]
        and p.definition.get("amount") == amount
    ]
    # A rounded and a suppressed release on the same households together narrow a hidden cell
    # down to its rounding interval: the tables of one peildatum keep one mode.
    modes = {p.content.get("mode") for p in group}
    if modes and mode not in modes:
        raise ValidationError(
            f"tables of these households were published before with {', '.join(sorted(modes))} "
            f"(publication {group[0].pk}); publishing with {mode} now would let anyone combine "
            "the two"
        )
    definition["mode"] = mode
    measure = amount or "households"
    try:
        if mode == "rounding":
            release = publication_round([made.table], rules, measure=measure)
        else:
            known, released = _earlier(group, series, made.table)
            release = publication_protect(
                [made.table], rules, measure=measure, known=known, released=released
            )
    except DisclosureError as exc:
        raise ValidationError(str(exc)) from None
    content = release_json(release)
    publication = Publication.objects.create(
        activity_id=activity_id,
        definition=definition,
        series=series,
        description=made.description[:500],
        content=content,
        published_by=actor.name,
        channel=channel,
        trace_id=trace.trace_id,
    )
    summary = release.summary
    activity_log(
        trace=trace,
        actor=actor,
        channel=channel,
        client=client,
        operation="table.publish",
        activity_id=activity_id,
        subjects=[],  # only aggregates leave: no person's data is shown
        started=started,
        detail=(
            f"publication {publication.pk}: {made.description}; {made.households} households, "
            f"{summary.get('cells')} cells, {summary.get('primary', 0)} primary and "
            f"{summary.get('secondary', 0)} secondary suppressions ({release.mode})"
        ),
    )
    return Published(publication.pk, release, made.description, len(group))


def _earlier(
    group: Sequence[Publication], series: str, table: Table
) -> tuple[dict[Identity, float], list[tuple[Table, set[Key]]]]:
    """What earlier releases on the same households tell an attacker: the cells of earlier
    releases of this table (known values), and the latest release of every other table with
    the cells it hid (a linked table, protected together with this one). An earlier table is
    made again from the store; one whose published values no longer match (the households were
    built again since) describes other data and is left out."""
    known: dict[Identity, float] = {}
    latest: dict[str, Publication] = {}
    for publication in group:
        latest[publication.series] = publication
    released: list[tuple[Table, set[Key]]] = []
    for publication in latest.values():
        d = publication.definition
        try:
            again = household_table(
                home=settings.MEEDOEN_HOME,
                activity_id=d["activity"],
                rowvar=d["rowvar"],
                colvar=d["colvar"],
                where=[tuple(pair) for pair in d["where"]],
                peildatum=date.fromisoformat(d["peildatum"]),
                amount=d["amount"],
            ).table
        except TableError:
            continue
        cells = publication.content["tables"][0]["cells"]
        names = [dim.name for dim in again.dimensions]
        shown = {tuple(str(c[n]) for n in names): c["value"] for c in cells}
        if any(
            key not in again.cells or (v is not None and abs(again.cells[key].value - v) > 1e-6)
            for key, v in shown.items()
        ):
            continue
        if publication.series == series:
            for key, value in shown.items():
                if value is not None:
                    known[again.identity(key)] = float(value)
        else:
            hidden = {key for key, value in shown.items() if value is None}
            released.append((replace(again, name=f"publication {publication.pk}"), hidden))
    return known, released
