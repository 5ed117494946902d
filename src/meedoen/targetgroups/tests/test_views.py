"""The target group beside all households (``/doelgroepen/``, issue 19): read from released
comparison tables only, withheld numbers as x, what stands out marked; analysts only."""

from __future__ import annotations

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.activities.services import activity_approve, activity_request
from meedoen.publications.models import Publication
from meedoen_data.categories import HOUSEHOLD_DETAIL

pytestmark = pytest.mark.django_db


def released(activity_id: int, rowvar: str, cells: dict[tuple[str, str], int | None]) -> None:
    Publication.objects.create(
        activity_id=activity_id,
        definition={
            "activity": activity_id,
            "rowvar": rowvar,
            "colvar": "ind_voedselbank",
            "where": [],
            "peildatum": "2025-01-01",
            "amount": None,
        },
        series=rowvar,
        description="",
        content={
            "mode": "suppression",
            "tables": [
                {
                    "name": "t",
                    "dimensions": [rowvar, "ind_voedselbank"],
                    "measure": "households",
                    "cells": [
                        {rowvar: r, "ind_voedselbank": c, "value": v} for (r, c), v in cells.items()
                    ],
                }
            ],
        },
        published_by="analist",
        channel="cli",
        trace_id="0" * 32,
    )


def test_the_analyst_reads_the_comparison(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user(Role.ANALYST)
    officer = make_user(Role.PRIVACY_OFFICER)
    activity = activity_request(
        actor=Actor(analyst.username, analyst),
        name="Voedselbankklanten",
        purpose="Klanten van de voedselbank naast alle huishoudens",
        legal_basis="Participatiewet art. 7",
        sources=["brp", "partner-voedselbank"],
        retention_days=30,
        data_categories="Huishoudens",
        recipients="Analisten",
        dpia_reference="DPIA-1",
        fine_columns=list(HOUSEHOLD_DETAIL),
        fine_reason="huishoudens",
    ).pk
    activity_approve(
        activity_id=activity, actor=Actor(officer.username, officer), motivation="ok", version=1
    )
    released(
        activity,
        "household_type",
        {
            ("Totaal", "Totaal"): 11346,
            ("Totaal", "1"): 191,
            ("eenouder", "Totaal"): 850,
            ("eenouder", "1"): 40,
            ("paar_met_kinderen", "Totaal"): 2700,
            ("paar_met_kinderen", "1"): None,
        },
    )
    client.force_login(analyst)
    page = client.get(f"/doelgroepen/?activiteit={activity}&groep=voedselbank&peildatum=2025-01-01")
    assert page.status_code == 200
    text = page.content.decode()
    assert "191 huishoudens in de groep, 11.346 huishoudens in de gemeente" in text
    row = text[text.index('<th scope="row" class="utrecht-table__header-cell">Eenoudergezin<') :]
    assert "20,9%" in row and "7,5%" in row and "vaker" in row[: row.index("</tr>")]
    withheld = text[
        text.index('scope="row" class="utrecht-table__header-cell">Paar met kinderen<') :
    ]
    assert 'aria-hidden="true">x</span>' in withheld[: withheld.index("</tr>")]
    # Not released for another group: the page says how to publish it.
    other = client.get(f"/doelgroepen/?activiteit={activity}&groep=bijstand&peildatum=2025-01-01")
    assert "meedoen compare --activity" in other.content.decode()


@pytest.mark.parametrize("role", [Role.POLICY_MAKER, Role.PRIVACY_OFFICER, Role.CASE_WORKER])
def test_other_roles_are_refused(client: Client, make_user, role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(role))
    assert client.get("/doelgroepen/").status_code == 403
