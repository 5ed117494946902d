"""The target group beside all households (``/doelgroepen/``, issue 19): read from released
comparison tables only, withheld numbers as x, what stands out marked; the profile table of the
segments from released tables "characteristic x segment"; a POST starts a segmentation whose
page follows it; analysts only."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.activities.services import activity_approve, activity_request
from meedoen.publications.models import Publication
from meedoen.targetgroups import views
from meedoen.targetgroups.models import SegmentRun
from meedoen.utils.runs import RunStatus
from meedoen_data.categories import HOUSEHOLD_DETAIL

pytestmark = pytest.mark.django_db


def released(
    activity_id: int,
    rowvar: str,
    cells: dict[tuple[str, str], int | None],
    colvar: str | None = "ind_voedselbank",
    where: list[list[str]] | None = None,
    amount: str | None = None,
) -> None:
    Publication.objects.create(
        activity_id=activity_id,
        definition={
            "activity": activity_id,
            "rowvar": rowvar,
            "colvar": colvar,
            "where": where or [],
            "peildatum": "2025-01-01",
            "amount": amount,
        },
        series=rowvar,
        description="",
        content={
            "mode": "suppression",
            "tables": [
                {
                    "name": "t",
                    "dimensions": [d for d in (rowvar, colvar) if d],
                    "measure": "households",
                    "cells": [
                        {rowvar: r, **({colvar: c} if colvar else {}), "value": v}
                        for (r, c), v in cells.items()
                    ],
                }
            ],
        },
        published_by="analist",
        channel="cli",
        trace_id="0" * 32,
    )


def approved(analyst, officer) -> int:  # type: ignore[no-untyped-def]
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
    return activity


def test_the_analyst_reads_the_comparison(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user(Role.ANALYST)
    activity = approved(analyst, make_user(Role.PRIVACY_OFFICER))
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
    # The mean income: the released sum over the households with a known income.
    assert 'id="income"' not in text
    released(
        activity,
        "inkomensdeciel",
        {
            ("Totaal", "Totaal"): 11346,
            ("Totaal", "1"): 191,
            ("onbekend", "Totaal"): None,
            ("onbekend", "1"): 0,
        },
    )
    released(
        activity,
        "ind_voedselbank",
        {("Totaal", "Totaal"): 514_000_000, ("1", "Totaal"): 3_438_200},
        colvar=None,
        amount="besteedbaar_inkomen",
    )
    text = client.get(
        f"/doelgroepen/?activiteit={activity}&groep=voedselbank&peildatum=2025-01-01"
    ).content.decode()
    income = text[text.index('id="income"') : text.index("</table>", text.index('id="income"'))]
    # 3,438,200 / 191 = 18,001; the population's unknown count withheld: 514,000,000 / 11,346.
    assert "€ 18.001" in income and "€ 45.302" in income
    # Not released for another group: the page says how to publish it.
    other = client.get(f"/doelgroepen/?activiteit={activity}&groep=bijstand&peildatum=2025-01-01")
    assert "meedoen compare --activity" in other.content.decode()


def test_the_group_at_the_start_of_its_clients_beside_all_households(  # type: ignore[no-untyped-def]
    client: Client, make_user
) -> None:
    analyst = make_user(Role.ANALYST)
    activity = approved(analyst, make_user(Role.PRIVACY_OFFICER))
    released(
        activity,
        "household_type",
        {
            ("Totaal", "Totaal"): 11346,
            ("Totaal", "1"): 191,
            ("eenouder", "Totaal"): 850,
            ("eenouder", "1"): 40,
        },
    )
    url = f"/doelgroepen/?activiteit={activity}&groep=voedselbank&peildatum=2025-01-01&moment=start"
    client.force_login(analyst)
    before = client.get(url).content.decode()
    assert "--at-start" in before and "comparison-summary" not in before
    # The one-way table of the clients' households at their start (meedoen compare --at-start).
    Publication.objects.create(
        activity_id=activity,
        definition={
            "activity": activity,
            "rowvar": "household_type",
            "colvar": None,
            "where": [],
            "peildatum": "2025-01-01",
            "amount": None,
            "at_start": "voedselbank",
        },
        series="start",
        description="",
        content={
            "mode": "suppression",
            "tables": [
                {
                    "name": "t",
                    "dimensions": ["household_type"],
                    "measure": "households",
                    "cells": [
                        {"household_type": "Totaal", "value": 144},
                        {"household_type": "eenouder", "value": 12},
                    ],
                }
            ],
        },
        published_by="analist",
        channel="cli",
        trace_id="0" * 32,
    )
    text = client.get(url).content.decode()
    assert "144 huishoudens van klanten zoals ze waren toen ze klant werden" in text
    assert "11.346 huishoudens in de gemeente" in text
    row = text[text.index('<th scope="row" class="utrecht-table__header-cell">Eenoudergezin<') :]
    row = row[: row.index("</tr>")]
    # 12 of 144 at their start (8,3%) beside 850 of 11,346 (7,5%): not the 40 of 191 of the
    # peildatum.
    assert "8,3%" in row and "7,5%" in row and "20,9%" not in row
    # The publication list names the table by what it counts.
    listed = client.get("/publicaties/").content.decode()
    assert "Huishoudens van klanten van voedselbank naar type huishouden toen ze klant werden" in (
        listed
    )


@pytest.mark.parametrize("role", [Role.POLICY_MAKER, Role.PRIVACY_OFFICER, Role.CASE_WORKER])
def test_other_roles_are_refused(client: Client, make_user, role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(role))
    assert client.get("/doelgroepen/").status_code == 403


def test_the_profile_table_shows_what_stands_out_per_segment(client: Client, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user(Role.ANALYST)
    activity = approved(analyst, make_user(Role.PRIVACY_OFFICER))
    released(
        activity,
        "household_type",
        {
            ("Totaal", "Totaal"): 11346,
            ("Totaal", "1"): 191,
            ("eenouder", "Totaal"): 850,
            ("eenouder", "1"): 40,
            ("eenpersoons", "Totaal"): 4000,
            ("eenpersoons", "1"): 151,
        },
    )
    SegmentRun.objects.create(
        activity_id=activity,
        group="voedselbank",
        peildatum=date(2025, 1, 1),
        store_run="abc123",
        status=RunStatus.DONE,
        summary={"k": 2, "chosen_by": "bic", "min_size": 10, "fits": [{"k": 2, "bic": 1.0}]},
        requested_by=analyst.username,
        channel="cli",
        trace_id="0" * 32,
    )
    released(
        activity,
        "household_type",
        {
            ("Totaal", "Totaal"): 191,
            ("Totaal", "1"): 150,
            ("Totaal", "2"): 41,
            ("eenouder", "Totaal"): 40,
            ("eenouder", "1"): 2,
            ("eenouder", "2"): 38,
            ("eenpersoons", "Totaal"): 151,
            ("eenpersoons", "1"): 148,
            ("eenpersoons", "2"): 3,
        },
        colvar="seg_abc123",
        where=[["ind_voedselbank", "1"]],
    )
    client.force_login(analyst)
    page = client.get(f"/doelgroepen/?activiteit={activity}&groep=voedselbank&peildatum=2025-01-01")
    text = page.content.decode()
    profile = text[text.index("Profieltabel: wat valt op per segment") :]
    assert "N = 150" in profile and "N = 41" in profile
    # 38 of 41 single parents against 40 of 191 in the group and 850 of 11,346 in all.
    household = profile[profile.index(">Huishouden<") :]
    assert "Eenoudergezin (93%)" in household[: household.index("</tr>")]
    # 99% one-person households is not one and a half times the group's 79%: nothing.
    assert "Eenpersoonshuishouden (" not in profile
    # No form to start another segmentation of the same peildatum.
    assert 'id="start-form"' not in text


def test_a_post_starts_a_segmentation_that_its_page_follows(  # type: ignore[no-untyped-def]
    client: Client, make_user, monkeypatch
) -> None:
    started: list[int] = []
    monkeypatch.setattr(
        views, "segment_start_background", lambda *, run_id, **kwargs: started.append(run_id)
    )
    analyst = make_user(Role.ANALYST)
    activity = approved(analyst, make_user(Role.PRIVACY_OFFICER))
    client.force_login(analyst)
    body = {"activiteit": activity, "groep": "voedselbank", "peildatum": "2025-01-01"}
    refused = client.post("/doelgroepen/", {**body, "k": "99"})
    assert refused.status_code == 400 and "Kies het aantal segmenten" in refused.content.decode()
    assert not SegmentRun.objects.exists()
    response = client.post("/doelgroepen/", {**body, "k": "auto"})
    [run] = SegmentRun.objects.all()
    assert started == [run.pk] and run.k is None and run.requested_by == analyst.username
    assert response["Location"] == f"/doelgroepen/runs/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert f"Segmentatie {run.pk}" in page and "Klanten van de voedselbank" in page
    assert client.get(f"/doelgroepen/runs/{run.pk}/status/").json()["status"] == "queued"
    # While it runs, the page says so instead of offering a second one.
    again = client.get(
        f"/doelgroepen/?activiteit={activity}&groep=voedselbank&peildatum=2025-01-01"
    )
    assert 'id="running"' in again.content.decode()
    assert 'id="start-form"' not in again.content.decode()
    assert client.get("/doelgroepen/runs/999999/").status_code == 404
