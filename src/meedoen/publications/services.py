"""``meedoen table``: publish a disclosure-controlled table of households.

The table is made from the activity's household table, protected (primary and secondary
suppression, or controlled rounding) and attacked by the audit in the data package
(:mod:`meedoen_data.disclosure`); only what passes is stored as a :class:`Publication` and
returned as a Release. A later release of the same table (the same definition) is a *series*:
the cells its predecessors published are known to the attacker. Other tables of the same
households published before (the same activity, peildatum and amount) are *linked*: this table
is protected and audited together with them, their patterns fixed. All tables of the same
households keep one mode (suppression or rounding).

The rules of a release can only be stricter than the floors the privacy officer set for the
activity (:class:`~meedoen.activities.floors.Floor`), and what an earlier release hid stays
hidden: a release that would publish it is refused naming the cell and that release — also when
the households were built again since (a new delivery at the same peildatum): the cells it hid
are kept by identity, whatever their values are now. A rounded release publishes every cell it
shares with an earlier rounded release with the value that release gave it, or is refused naming
the cell. Releases of
one activity are made one at a time (:func:`~meedoen_data.store_lock.release_lock`), so none is
checked without the one published a moment before. The privacy officer withdraws a release
(:func:`publication_withdraw`); the end of its activity withdraws all of them
(:func:`activity_publications_withdraw`). A withdrawn release is still an earlier release for
all of this: what was once published stays known.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.activities.enforcement import activity_authorize, activity_log, activity_store_use
from meedoen.activities.floors import DEFAULT_FLOOR, Floor
from meedoen.audits.services import audit_governance
from meedoen.audits.trace import TraceContext
from meedoen.publications.models import Publication
from meedoen.publications.selectors import release_area_names
from meedoen.utils.dates import ShownDate
from meedoen_data.activity_store import ActivityStoreError, store_path
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
    rules_from_json,
)
from meedoen_data.disclosure.panel import MIN_RESPONDENTS, PanelError, panel_estimates
from meedoen_data.disclosure.series import (
    EarlierRelease,
    release_cells,
    release_mode_conflict,
    release_series,
    release_shape,
    rounding_history,
    suppression_history,
)
from meedoen_data.disclosure.table import Table
from meedoen_data.indicators import CatalogueError, Indicator, catalogue_load
from meedoen_data.store_lock import StoreLockTimeout, release_lock
from meedoen_data.workspace import Workspace

#: Who may publish: analysts (administration and analysis are separate roles).
PUBLISHERS = (Role.ANALYST,)
#: Who may make a table in the table builder (always under the privacy officer's floors).
BUILDERS = (Role.ANALYST, Role.POLICY_MAKER, Role.COUNCIL_MEMBER)
#: The most cells (totals included) a table of the table builder may have.
BUILDER_MAX_CELLS = 1000
#: Who may withdraw a release.
WITHDRAWERS = (Role.PRIVACY_OFFICER,)
#: How long a release waits for another release of the same activity (seconds).
RELEASE_WAIT = 300.0
MODES = ("suppression", "rounding")
#: The reason recorded when the end of an activity withdraws its releases.
ACTIVITY_ENDED = "the processing activity ended ({reason}): its data was deleted"


@dataclass(frozen=True)
class Published:
    publication_id: int
    release: Release
    description: str
    earlier_releases: int  # earlier releases on the same households taken into account


def rules_make(
    *,
    floor: Floor = DEFAULT_FLOOR,
    colvar: str | None = None,
    min_frequency: int | None = None,
    dominance: tuple[int, float] | None = None,
    p_percent: float | None = None,
    protection: float | None = None,
    group: bool | None = None,
    zeros: str = "publish",
) -> Rules:
    """Rules from options; an option not given (None) takes the activity's floor, so that no
    options at all always meets it. The group rule applies to the column variable. A value that
    makes no sense is refused with the reason (the floor is checked by :func:`rules_check`)."""
    group_on = floor.group if group is None else group
    try:
        return Rules(
            min_frequency=floor.min_frequency if min_frequency is None else min_frequency,
            dominance=floor.dominance if dominance is None else dominance,
            p_percent=floor.p_percent if p_percent is None else p_percent,
            protection=floor.protection if protection is None else protection,
            group={colvar: frozenset()} if group_on and colvar else {},
            zeros=zeros,
        )
    except RuleError as exc:
        raise ValidationError(str(exc)) from None


def rules_check(*, rules: Rules, floor: Floor, colvar: str | None, activity_id: int) -> None:
    """Refuse (ValidationError) rules below the privacy officer's floor for the activity, each
    rule named with the value asked and the floor: an analyst may only make them stricter."""
    problems = []
    if rules.min_frequency < floor.min_frequency:
        problems.append(
            f"minimum frequency {rules.min_frequency} is below the floor {floor.min_frequency}"
        )
    floor_n, floor_k = floor.dominance
    if rules.dominance is None:
        problems.append(f"dominance rule switched off; the floor is ({floor_n}, {floor_k:g})")
    else:
        n, k = rules.dominance
        if n < floor_n or k > floor_k:
            problems.append(
                f"dominance rule ({n}, {k:g}) is weaker than the floor ({floor_n}, {floor_k:g}) "
                "(n at least, k at most the floor's)"
            )
    if rules.p_percent is None:
        problems.append(f"p% rule switched off; the floor is {floor.p_percent:g}")
    elif rules.p_percent < floor.p_percent:
        problems.append(f"p% rule {rules.p_percent:g} is below the floor {floor.p_percent:g}")
    if floor.group and colvar and rules.group.get(colvar, None) != frozenset():
        state = "off" if colvar not in rules.group else "limited to some categories"
        problems.append(f"group rule on {colvar} is {state}; the floor has it on")
    asked = rules.min_frequency if rules.protection is None else rules.protection
    wanted = floor.min_frequency if floor.protection is None else floor.protection
    if asked < wanted:
        problems.append(f"protection {asked:g} is below the floor {wanted:g}")
    if problems:
        raise ValidationError(
            f"rules below the floors the privacy officer set for activity {activity_id} (an "
            f"analyst may only make them stricter): {'; '.join(problems)}"
        )


def table_publish(
    *,
    activity_id: int,
    rowvar: str,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    colvar: str | None = None,
    layervar: str | None = None,
    where: Sequence[tuple[str, str]] = (),
    peildatum: date | None = None,
    amount: str | None = None,
    rules: Rules | None = None,
    mode: str = "suppression",
    client: str = "",
    at_start: str | None = None,
) -> Published:
    """Make, protect, audit and record one table; logged under the activity. ``rules``
    default to the activity's floor; rules below it are refused (ValidationError).
    ``at_start``: a linked partner file — count its clients' households at the start of their
    client record (:func:`~meedoen_data.disclosure.household.household_table`); those tables
    are audited together, apart from the tables of the households at the peildatum."""
    require_role(actor, *PUBLISHERS)
    if mode not in MODES:
        raise ValidationError(f"mode must be {' or '.join(MODES)}, not {mode!r}")
    return _table_release(
        activity_id=activity_id,
        variables=(rowvar, colvar, layervar),
        actor=actor,
        trace=trace,
        channel=channel,
        where=where,
        peildatum=peildatum,
        amount=amount,
        rules=rules,
        mode=mode,
        client=client,
        at_start=at_start,
    )


def table_build(
    *,
    activity_id: int,
    variables: Sequence[str],
    actor: Actor,
    trace: TraceContext,
    where: Sequence[tuple[str, str]] = (),
    peildatum: date | None = None,
    client: str = "",
) -> Published:
    """The table builder (``/tabellen/nieuw/``): a table of households by one to three
    variables, made by a policy maker, council member or analyst. Always the privacy officer's
    floors and the mode the peildatum's earlier releases have (suppression when there are
    none); at most :data:`BUILDER_MAX_CELLS` cells. Otherwise exactly :func:`table_publish`:
    protected, audited against every earlier release, recorded and logged (channel web)."""
    require_role(actor, *BUILDERS)
    if not 1 <= len(variables) <= 3:
        raise ValidationError("choose one, two or three variables")
    chosen = [*variables, None, None][:3]
    return _table_release(
        activity_id=activity_id,
        variables=(chosen[0] or "", chosen[1], chosen[2]),
        actor=actor,
        trace=trace,
        channel="web",
        where=where,
        peildatum=peildatum,
        amount=None,
        rules=None,
        mode=None,
        client=client,
        max_cells=BUILDER_MAX_CELLS,
    )


class TooManyCells(ValidationError):
    """The table builder's table would have more cells than it makes."""


def _table_release(
    *,
    activity_id: int,
    variables: tuple[str, str | None, str | None],
    actor: Actor,
    trace: TraceContext,
    channel: str,
    where: Sequence[tuple[str, str]],
    peildatum: date | None,
    amount: str | None,
    rules: Rules | None,
    mode: str | None,
    client: str,
    max_cells: int | None = None,
    at_start: str | None = None,
) -> Published:
    """Make, protect, audit and record one table (the caller checked the role). ``mode``
    None: the mode of the peildatum's earlier releases, suppression when there are none."""
    rowvar, colvar, layervar = variables
    # The store is held from the approval check to the record: a revocation waits for this
    # release, then deletes the store and withdraws the release with the rest.
    with activity_store_use(activity_id=activity_id), _release_turn(activity_id):
        floor = activity_authorize(activity_id=activity_id, sources=("brp",), trace=trace).floor
        if rules is None:
            rules = rules_make(floor=floor, colvar=colvar)
        rules_check(rules=rules, floor=floor, colvar=colvar, activity_id=activity_id)
        started = datetime.now(UTC)
        try:
            made = household_table(
                home=settings.MEEDOEN_HOME,
                activity_id=activity_id,
                rowvar=rowvar,
                colvar=colvar,
                layervar=layervar,
                where=where,
                peildatum=peildatum,
                amount=amount,
                indicators=_indicators(rowvar, colvar, layervar, *(c for c, _ in where)),
                at_start=at_start,
            )
        except (TableError, ActivityStoreError, CatalogueError) as exc:
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
        if layervar is not None:  # only then: the series key of older definitions stays
            definition["layervar"] = layervar
        if at_start is not None:  # other units: the clients' households at their start
            definition["at_start"] = at_start
        if max_cells is not None and len(made.table.cells) > max_cells:
            raise TooManyCells(
                f"the table would have {len(made.table.cells)} cells (with its totals); the "
                f"table builder makes at most {max_cells}: choose fewer or coarser variables "
                "(wijk instead of buurt) or a filter",
                code="too_many_cells",
                params={"cells": len(made.table.cells), "max": max_cells},
            )
        series = release_series(definition)
        # Every earlier release on the same households (activity, peildatum, count or amount,
        # at the peildatum or at a partner's clients' start): the same table (a series) or
        # another one that shares cells or units with it (linked tables). Withdrawn releases
        # too: what was published once stays known to an attacker.
        group = [
            p
            for p in Publication.objects.filter(activity_id=activity_id).order_by("created_at")
            if p.definition.get("peildatum") == definition["peildatum"]
            and p.definition.get("amount") == amount
            and p.definition.get("at_start") == at_start
        ]
        # A rounded and a suppressed release on the same households together narrow a hidden cell
        # down to its rounding interval: the tables of one peildatum keep one mode.
        if mode is None:
            modes = [p.content.get("mode") for p in group if p.content.get("mode") in MODES]
            mode = modes[0] if modes else "suppression"
        conflict = release_mode_conflict(earlier=(p.content.get("mode") for p in group), mode=mode)
        if conflict:
            raise ValidationError(f"{conflict} (publication {group[0].pk})")
        definition["mode"] = mode
        measure = amount or "households"
        try:
            earlier = _earlier_releases(group)
            if mode == "rounding":
                release = publication_round(
                    [made.table], rules, measure=measure, shown=rounding_history(earlier)
                )
            else:
                known, released, withheld = suppression_history(earlier, series=series)
                release = publication_protect(
                    [made.table],
                    rules,
                    measure=measure,
                    known=known,
                    released=released,
                    withheld=withheld,
                )
        except DisclosureError as exc:
            raise ValidationError(str(exc)) from None
        content = release_json(release)
        content["areas"] = release_area_names(content=content, where=definition["where"])
        # The release and its audit record are written together or not at all.
        with transaction.atomic():
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
                    f"publication {publication.pk}: {made.description}; "
                    f"{made.households} households, {summary.get('cells')} cells, "
                    f"{summary.get('primary', 0)} primary and "
                    f"{summary.get('secondary', 0)} secondary suppressions ({release.mode})"
                ),
            )
        # The next release audits this one against the table made again: it is this one.
        _made_remember(_made_key(definition, filtered=True), made.table)
        return Published(publication.pk, release, made.description, len(group))


@dataclass(frozen=True)
class PanelPublished:
    publication_id: int
    new: bool  # False: the same estimates were released before (that publication)
    shown: int  # areas with an estimate
    withheld: int


def panel_publish(
    *,
    activity_id: int,
    indicator: Indicator,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> PanelPublished:
    """Release a panel indicator: the weighted mean of its item per wijk and for the gemeente
    with a 95% interval, areas with too few respondents withheld
    (:mod:`meedoen_data.disclosure.panel`). Logged under the activity; the same estimates
    released again are not stored twice. Analysts only."""
    require_role(actor, *PUBLISHERS)
    if indicator.status != "panel":
        raise ValidationError(f"{indicator.id} is not a panel indicator")
    with activity_store_use(activity_id=activity_id), _release_turn(activity_id):
        activity_authorize(activity_id=activity_id, trace=trace)
        started = datetime.now(UTC)
        try:
            estimates = panel_estimates(
                home=settings.MEEDOEN_HOME, activity_id=activity_id, item=indicator.item
            )
        except (PanelError, ActivityStoreError) as exc:
            raise ValidationError(str(exc)) from None
        cells = [
            {
                "wijkcode": e.area,
                "value": None if e.mean is None else round(e.mean, 2),
                "lower": None if e.lower is None else round(e.lower, 2),
                "upper": None if e.upper is None else round(e.upper, 2),
                "respondents": e.respondents,
                "suppressed": e.withheld,
            }
            for e in estimates
        ]
        earlier = (
            Publication.objects.filter(
                activity_id=activity_id, series=f"panel-{indicator.item}", withdrawn_at__isnull=True
            )
            .order_by("-created_at")
            .first()
        )
        shown = sum(1 for c in cells if c["value"] is not None)
        if earlier is not None and earlier.content["tables"][0]["cells"] == cells:
            return PanelPublished(earlier.pk, False, shown, len(cells) - shown)
        content = {
            "mode": "estimate",
            "rules": {"min_respondents": MIN_RESPONDENTS},
            "summary": {"cells": len(cells), "withheld": len(cells) - shown},
            "tables": [
                {
                    "name": indicator.item,
                    "dimensions": ["wijkcode"],
                    "measure": "mean",
                    "cells": cells,
                }
            ],
            "areas": release_area_names(content={"tables": [{"cells": cells}]}),
        }
        description = f"panel mean of {indicator.item} by wijkcode"
        with transaction.atomic():
            publication = Publication.objects.create(
                activity_id=activity_id,
                definition={
                    "activity": activity_id,
                    "indicator": indicator.id,
                    "panel_item": indicator.item,
                },
                series=f"panel-{indicator.item}",
                description=description,
                content=content,
                published_by=actor.name,
                channel=channel,
                trace_id=trace.trace_id,
            )
            activity_log(
                trace=trace,
                actor=actor,
                channel=channel,
                client=client,
                operation="table.publish",
                activity_id=activity_id,
                subjects=[],  # an anonymous panel; only means leave
                started=started,
                detail=f"publication {publication.pk}: {description}; {shown} areas shown, "
                f"{len(cells) - shown} withheld (fewer than {MIN_RESPONDENTS} respondents)",
            )
    return PanelPublished(publication.pk, True, shown, len(cells) - shown)


@contextmanager
def _release_turn(activity_id: int) -> Iterator[None]:
    """This activity's turn to publish: the release lock, waited for at most RELEASE_WAIT."""
    lock = release_lock(home=settings.MEEDOEN_HOME, activity_id=activity_id, wait=RELEASE_WAIT)
    try:
        lock.__enter__()
    except StoreLockTimeout as exc:
        raise ValidationError(f"{exc}; try again in a moment") from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _earlier_releases(group: Sequence[Publication]) -> list[EarlierRelease]:
    """The earlier releases on the same households as the data package's rules take them
    (:mod:`meedoen_data.disclosure.series`), each table made again from the store once per
    series."""
    made: dict[str, Table | None] = {}
    out = []
    for publication in group:
        if publication.series not in made:
            made[publication.series] = _made_again(publication.definition)
        again = made[publication.series]
        stored = publication.content["tables"][0]
        shape = again
        if shape is None:
            shape = release_shape(
                name=str(publication.pk),
                dimensions=stored["dimensions"],
                unfiltered=_made_again(publication.definition, filtered=False),
                where=publication.definition.get("where") or [],
            )
        out.append(
            EarlierRelease(
                name=f"publication {publication.pk}",
                series=publication.series,
                rules=rules_from_json(publication.content.get("rules")),
                again=again,
                shape=shape,
                cells=release_cells(stored["cells"], [dim.name for dim in shape.dimensions]),
            )
        )
    return out


def _made_again(definition: dict[str, Any], *, filtered: bool = True) -> Table | None:
    """An earlier release's table made again from the store (its current values); None when it
    cannot be made any more (e.g. its filter matches no household now).

    Every release makes every earlier release of its peildatum again, so a study of ~35 tables
    would make ~600; within one process the same table of the same store (its files' size and
    time unchanged: no build, link or segmentation since) is made once — and a table just
    released is remembered as made (:func:`_made_remember`)."""
    try:
        key = _made_key(definition, filtered=filtered)
    except CatalogueError:
        return None
    with _MADE_LOCK:
        if key in _MADE:
            _MADE.move_to_end(key)
            return _MADE[key]
    d = definition
    try:
        table: Table | None = household_table(
            home=settings.MEEDOEN_HOME,
            activity_id=d["activity"],
            rowvar=d["rowvar"],
            colvar=d["colvar"],
            layervar=d.get("layervar"),
            where=[tuple(pair) for pair in d["where"]] if filtered else [],
            peildatum=date.fromisoformat(d["peildatum"]),
            amount=d["amount"],
            indicators=key[-1],
            at_start=d.get("at_start"),
        ).table
    except (TableError, CatalogueError):
        table = None
    _made_remember(key, table)
    return table


#: Tables made from the store in this process, by :func:`_made_key`; the oldest beyond
#: ``_MADE_MAX`` are forgotten.
_MADE: OrderedDict[tuple[Any, ...], Table | None] = OrderedDict()
_MADE_MAX = 256
_MADE_LOCK = threading.Lock()


def _made_key(definition: dict[str, Any], *, filtered: bool) -> tuple[Any, ...]:
    """What a table made from the store depends on: the workspace, the definition, the filter
    applied or not, the store's state and the catalogue's indicators it uses (last)."""
    d = definition
    indicators = _indicators(
        d["rowvar"], d["colvar"], d.get("layervar"), *(c for c, _ in d["where"])
    )
    return (
        str(settings.MEEDOEN_HOME),
        json.dumps(d, sort_keys=True),
        filtered,
        _store_stamp(d["activity"]),
        indicators,
    )


def _made_remember(key: tuple[Any, ...], table: Table | None) -> None:
    with _MADE_LOCK:
        _MADE[key] = table
        _MADE.move_to_end(key)
        while len(_MADE) > _MADE_MAX:
            _MADE.popitem(last=False)


def _store_stamp(activity_id: int) -> tuple[int, ...]:
    """What changes when the activity's store is written: its file's and its write-ahead
    log's size and modification time."""
    path = store_path(Workspace(settings.MEEDOEN_HOME), activity_id)
    stamp: list[int] = []
    for file in (path, path.with_name(path.name + ".wal")):
        try:
            info = file.stat()
        except OSError:
            stamp += [-1, -1]
        else:
            stamp += [info.st_size, info.st_mtime_ns]
    return tuple(stamp)


def _indicators(*variables: str | None) -> tuple[Indicator, ...]:
    """The catalogue's indicators when a table uses one's flag (``ind_x``, ``pop_x``,
    docs/indicators.md) — only then: a broken addition to the catalogue stops indicator tables,
    not every table."""
    if not any(v and v.startswith(("ind_", "pop_")) for v in variables):
        return ()
    return catalogue_load(home=settings.MEEDOEN_HOME).indicators


def publication_withdraw(
    *,
    publication_id: int,
    actor: Actor,
    reason: str,
    trace: TraceContext,
    channel: str,
    client: str = "",
) -> Publication:
    """Withdraw a release (privacy officer, with a reason): it disappears from every page and
    API for everyone else, and still counts for later releases. Logged under its activity."""
    require_role(actor, *WITHDRAWERS)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("give the reason for the withdrawal"), code="no_reason")
    with transaction.atomic():
        publication = Publication.objects.select_for_update().filter(pk=publication_id).first()
        if publication is None:
            raise ObjectDoesNotExist(f"there is no publication {publication_id}")
        if publication.withdrawn:
            raise ValidationError(
                _("publication %(id)s was withdrawn already, on %(date)s by %(by)s"),
                code="withdrawn",
                params={
                    "id": publication_id,
                    "date": ShownDate(publication.withdrawn_at),
                    "by": publication.withdrawn_by,
                },
            )
        _withdraw(publication, by=actor.name, reason=reason)
        _withdrawal_log(
            [publication], actor=actor, reason=reason, trace=trace, channel=channel, client=client
        )
    return publication


def activity_publications_withdraw(
    *, activity_id: int, actor: Actor, reason: str, trace: TraceContext, channel: str = "job"
) -> int:
    """Withdraw every visible release of an activity whose data is deleted (revocation,
    expiry, the retention job): its figures must not outlive it. Called by ``activity_purge``;
    no role check (the purge was authorised). Returns how many were withdrawn."""
    text = ACTIVITY_ENDED.format(reason=reason)
    with transaction.atomic():
        publications = list(
            Publication.objects.select_for_update().filter(
                activity_id=activity_id, withdrawn_at__isnull=True
            )
        )
        for publication in publications:
            _withdraw(publication, by=actor.name, reason=text)
        if publications:
            _withdrawal_log(
                publications, actor=actor, reason=text, trace=trace, channel=channel, client=""
            )
    return len(publications)


def _withdraw(publication: Publication, *, by: str, reason: str) -> None:
    publication.withdrawn_at = timezone.now()
    publication.withdrawn_by = by
    publication.withdrawal_reason = reason[:2000]
    publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])


def _withdrawal_log(
    publications: Sequence[Publication],
    *,
    actor: Actor,
    reason: str,
    trace: TraceContext,
    channel: str,
    client: str,
) -> None:
    """A governance record per activity (no person's data is involved), written in the
    withdrawal's transaction."""
    by_activity: dict[int, list[int]] = {}
    for publication in publications:
        by_activity.setdefault(publication.activity_id, []).append(publication.pk)
    for activity_id, ids in by_activity.items():
        audit_governance(
            trace=trace,
            actor=actor,
            channel=channel,
            client=client,
            operation="publication.withdraw",
            activity_id=activity_id,
            detail=f"publication {', '.join(map(str, ids))} withdrawn: {reason}",
        )
