"""``meedoen table``: publish a disclosure-controlled table of households.

The table is made from the activity's household table, protected (primary and secondary
suppression, or controlled rounding) and attacked by the audit in the data package
(:mod:`meedoen_data.disclosure`); only what passes is stored as a :class:`Publication` and
returned as a Release. A later release of the same table (the same definition) is a *series*:
the cells its predecessors published are known to the attacker, so they are fed to the
optimiser and the audit; and it keeps the mode (suppression or rounding) of its first release.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
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
    TOTAL,
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

PUBLISHERS = (Role.ANALYST, Role.ADMINISTRATOR)
MODES = ("suppression", "rounding")


@dataclass(frozen=True)
class Published:
    publication_id: int
    release: Release
    description: str
    series_releases: int  # earlier releases of the same table taken into account


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
    earlier = list(Publication.objects.filter(series=series).order_by("created_at"))
    # A rounded and a suppressed release of the same table together narrow a hidden cell down
    # to the rounding interval: a table keeps the mode of its first release.
    modes = {p.content.get("mode") for p in earlier}
    if modes and mode not in modes:
        raise ValidationError(
            f"this table was published before with {', '.join(sorted(modes))} (publication "
            f"{earlier[0].pk}); publishing it now with {mode} would let anyone combine the two"
        )
    definition["mode"] = mode
    measure = amount or "households"
    try:
        if mode == "rounding":
            release = publication_round([made.table], rules, measure=measure)
        else:
            release = publication_protect(
                [made.table], rules, measure=measure, known=_known(earlier)
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
    return Published(publication.pk, release, made.description, len(earlier))


def _known(earlier: Sequence[Publication]) -> dict[tuple[tuple[str, str], ...], float]:
    """Cells earlier releases of the series published (hidden ones are null there)."""
    known: dict[tuple[tuple[str, str], ...], float] = {}
    for publication in earlier:
        for table in publication.content["tables"]:
            for cell in table["cells"]:
                if cell["value"] is None:
                    continue
                identity = tuple(
                    (name, str(cell[name])) for name in table["dimensions"] if cell[name] != TOTAL
                )
                known[identity] = float(cell["value"])
    return known
