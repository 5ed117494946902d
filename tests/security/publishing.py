"""Helpers of the publication attack tests (findings 3 and the withdrawn publications): an
activity with households built, in the test process (the `home` fixture of conftest.py), and
tables published on it with the real services."""

from __future__ import annotations

from datetime import date
from typing import Any

from meedoen.activities.actors import Actor
from meedoen.activities.floors import Floor
from meedoen.activities.services import activity_approve, activity_request
from meedoen.audits.trace import TraceContext
from meedoen.households.services import build_execute, build_request
from meedoen.publications.services import Published, rules_make, table_publish
from meedoen_data.categories import HOUSEHOLD_DETAIL

PEILDATUM = date(2025, 1, 1)


def built(analyst: Any, officer: Any, *, floor: Floor | None = None) -> int:
    """An activity approved by the privacy officer (with ``floor``) whose households are built."""
    activity_id = activity_request(
        actor=Actor(analyst.username, analyst),
        name="Kerncijfers",
        purpose="Huishoudens per wijk en buurt voor de adviesraad",
        legal_basis="Participatiewet art. 7",
        sources=["brp"],
        retention_days=30,
        data_categories="Huishoudens (BRP)",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        fine_columns=list(HOUSEHOLD_DETAIL),
        fine_reason="huishoudens op een peildatum",
    ).pk
    activity_approve(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="akkoord",
        version=1,
        floor=floor,
    )
    households_build(analyst, activity_id)
    return activity_id


def households_build(analyst: Any, activity_id: int) -> None:
    """The analyst builds the activity's households at PEILDATUM (again)."""
    actor = Actor(analyst.username, analyst)
    run = build_request(
        activity_id=activity_id,
        peildatum=PEILDATUM,
        engine="duckdb",
        actor=actor,
        trace=TraceContext.start(),
        channel="cli",
    )
    build_execute(run_id=run.pk, actor=actor, trace=TraceContext.start())


def publish(
    activity_id: int, analyst: Any, rowvar: str, colvar: str | None = None, **options: Any
) -> Published:
    """``meedoen table ROWVAR [COLVAR]`` by the analyst; ``options`` as rules_make's (stricter
    than the floor), ``where`` a list of (column, value)."""
    where = options.pop("where", ())
    return table_publish(
        activity_id=activity_id,
        rowvar=rowvar,
        colvar=colvar,
        where=where,
        rules=rules_make(colvar=colvar, **options) if options else None,
        actor=Actor(analyst.username, analyst),
        trace=TraceContext.start(),
        channel="cli",
    )
