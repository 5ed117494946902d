"""Purpose binding of the early-warning signals (Wgs art. 3 and 4a: debt help only).

The attack: an analyst with an approved analysis activity for youth policy that lists signalen
— approved before meedoen checked the task, or by a privacy officer who missed it — reads the
payment-arrears signals of housing corporations, energy and water companies and health
insurers for a purpose the law does not allow.

Now an analyst with an approved analysis activity for youth policy that lists signalen cannot
read the signals: not in the store, not through SQL, not through an indicator. The activity's
store is built without the table `vroegsignaal`, the SQL page answers that there is no such
table, asking for the source is refused naming the law, and the households built under it
have no signal counts, so the indicator "households with a payment arrear" is refused. The
same steps under a debt-help analysis (task schuldhulpverlening) do give the signals, so the
refusals are the binding at work, not missing data.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from meedoen.activities.enforcement import (
    ActivityNotApproved,
    activity_authorize,
    activity_store_open,
)
from meedoen.activities.models import ActivityVersion, ProcessingActivity, Status
from meedoen.activities.services import Actor, activity_approve, activity_request
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import activity_key_create, store_path
from meedoen_data.categories import HOUSEHOLD_DETAIL
from meedoen_data.workspace import Workspace
from tests.security.publishing import households_build, publish

pytestmark = pytest.mark.django_db
SOURCES = ["brp", "jeugd", "signalen"]
INDICATOR = "ind_vroegsignalen"


def youth_policy(home) -> int:  # type: ignore[no-untyped-def]
    """An approved analysis for youth policy that lists signalen, without the debt-help task:
    written into the register as an approval from before purpose binding left it."""
    activity = ProcessingActivity.objects.create()
    content = {
        "activity": activity,
        "name": "Jeugdbeleid en betalingsachterstanden",
        "purpose": "Welke gezinnen met jeugdhulp hebben betalingsachterstanden, voor het "
        "jeugdbeleid",
        "legal_basis": "Jeugdwet art. 7.4.4",
        "sources": SOURCES,
        "fine_columns": list(HOUSEHOLD_DETAIL),
        "fine_reason": "huishoudens op een peildatum",
        "retention_days": 30,
        "data_categories": "Huishoudens, jeugdhulp, vroegsignalen",
        "recipients": "Analisten jeugdbeleid",
        "dpia_reference": "DPIA-3",
        "acted_by": "privacy_officer",
    }
    ActivityVersion.objects.create(number=1, status=Status.REQUESTED, **content)
    ActivityVersion.objects.create(
        number=2,
        status=Status.APPROVED,
        valid_until=timezone.localdate() + timedelta(days=30),
        motivation="akkoord",
        **content,
    )
    activity_key_create(home=home, activity_id=activity.pk)
    return activity.pk


def debt_help(analyst, officer) -> int:  # type: ignore[no-untyped-def]
    """The same sources under a debt-help analysis, requested and approved as today."""
    activity_id = activity_request(
        actor=Actor(analyst.username, analyst),
        name="Vroegsignalen en schuldhulp",
        purpose="Welke signalen gaan vooraf aan schuldhulp",
        legal_basis="Wgs art. 3 en 4a",
        task="schuldhulpverlening",
        sources=SOURCES,
        fine_columns=list(HOUSEHOLD_DETAIL),
        fine_reason="huishoudens op een peildatum",
        retention_days=30,
        data_categories="Huishoudens, vroegsignalen",
        recipients="Analisten schuldhulp",
        dpia_reference="DPIA-4",
    ).pk
    activity_approve(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="Wgs",
        version=1,
    )
    return activity_id


def _source_tables(home, activity_id: int) -> set[str]:  # type: ignore[no-untyped-def]
    import duckdb

    con = duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'source'"
        ).fetchall()
    finally:
        con.close()
    return {str(r[0]) for r in rows}


def _sql_page(client: Client, activity_id: int, sql: str):  # type: ignore[no-untyped-def]
    response = client.post("/sql/", {"activity": activity_id, "sql": sql})
    assert response.status_code == 200
    return response.context["form"], response.context["result"]


def test_youth_policy_cannot_read_the_signals(home, analyst, officer, client: Client) -> None:
    wrong, right = youth_policy(home), debt_help(analyst, officer)
    actor = Actor(analyst.username, analyst)
    client.force_login(analyst)

    # Not in the store.
    for activity_id in (wrong, right):
        activity_store_open(
            activity_id=activity_id, actor=actor, trace=TraceContext.start(), channel="cli"
        )
    assert "vroegsignaal" not in _source_tables(home, wrong)
    assert {"vroegsignaal", "ingeschrevenpersoon"} <= _source_tables(home, right)

    # Not through SQL: no such table on the SQL page, and asking for the source is refused.
    query = "SELECT count(*) FROM source.vroegsignaal"
    form, result = _sql_page(client, wrong, query)
    assert result is None and "vroegsignaal" in form.errors["sql"][0]
    form, result = _sql_page(client, right, query)
    assert not form.errors and result.rows[0][0] > 0
    with pytest.raises(ActivityNotApproved, match="debt help"):
        activity_authorize(activity_id=wrong, sources=["brp", "signalen"])

    # Not through an indicator: its households have no signal counts, and the indicator of
    # households with a payment arrear is refused.
    for activity_id in (wrong, right):
        households_build(analyst, activity_id)
    counted = "SELECT count(vroegsignalen) FROM household.household_year"
    form, result = _sql_page(client, wrong, counted)
    assert not form.errors and result.rows == [(0,)]
    with pytest.raises(ValidationError, match="does not cover signalen"):
        publish(wrong, analyst, "wijkcode", INDICATOR)
    form, result = _sql_page(client, right, counted)
    assert result.rows[0][0] > 0
    assert publish(right, analyst, "wijkcode", INDICATOR).publication_id
