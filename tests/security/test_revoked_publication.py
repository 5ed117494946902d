"""Finding of issue 15 (low): a publication of a revoked activity stays visible.

The attack: the privacy officer revoked the activity a table was published under (or its
approval expired and `meedoen retention run` deleted its data), yet the table stayed on
/publicaties/ for the council members: the figures outlived the processing that produced them
and the legal basis they were published under.

Now deleting an activity's data (`activity_purge`: revocation, expiry, the retention job)
withdraws every publication of the activity, with the reason "the processing activity ended":
gone from the list and the pages for every reader; the privacy officer still sees them, marked."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.activities.enforcement import retention_run
from meedoen.activities.models import ActivityVersion
from meedoen.activities.services import activity_revoke
from meedoen.audits.trace import TraceContext
from meedoen.publications.models import Publication
from tests.security.publishing import built, publish

pytestmark = pytest.mark.django_db


def visible(client: Client, number: int) -> bool:
    page = client.get(f"/publicaties/{number}/")
    listed = f'href="/publicaties/{number}/"' in client.get("/publicaties/").content.decode()
    assert (page.status_code == 200) == listed
    assert page.status_code in {200, 404}
    return listed


@pytest.fixture
def council(make_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    return client


def test_revoking_the_activity_withdraws_its_publications(home, analyst, officer, council) -> None:  # type: ignore[no-untyped-def]
    activity_id = built(analyst, officer)
    numbers = [
        publish(activity_id, analyst, "wijkcode", "household_type").publication_id,
        publish(activity_id, analyst, "buurtcode").publication_id,
    ]
    assert all(visible(council, n) for n in numbers)
    activity_revoke(
        activity_id=activity_id,
        actor=Actor(officer.username, officer),
        motivation="grondslag vervallen",
        trace=TraceContext.start(),
    )
    assert not any(visible(council, n) for n in numbers)
    for publication in Publication.objects.filter(pk__in=numbers):
        assert publication.withdrawn_by == officer.username
        assert "the processing activity ended (revoked)" in publication.withdrawal_reason
    officer_client = Client()
    officer_client.force_login(officer)
    assert all(visible(officer_client, n) for n in numbers)


def test_the_retention_run_after_expiry_withdraws_them(home, analyst, officer, council) -> None:  # type: ignore[no-untyped-def]
    activity_id = built(analyst, officer)
    number = publish(activity_id, analyst, "wijkcode").publication_id
    assert visible(council, number)
    # The approval's end date passes (the clock is not turned: its end date is).
    ActivityVersion.objects.filter(activity_id=activity_id).update(valid_until=date(2020, 1, 1))
    purged = retention_run(trace=TraceContext.start())
    assert [p.activity_id for p in purged] == [activity_id]
    assert not visible(council, number)
    publication = Publication.objects.get(pk=number)
    assert "the processing activity ended (expired)" in publication.withdrawal_reason
    # Another activity's publications are untouched.
    other = built(analyst, officer)
    kept = publish(other, analyst, "wijkcode").publication_id
    retention_run(trace=TraceContext.start())
    assert visible(council, kept)


def test_the_retention_run_withdraws_them_when_the_store_is_already_gone(  # type: ignore[no-untyped-def]
    home, analyst, officer, council
) -> None:
    # An installation upgraded from before publications were withdrawn with their activity: the
    # data of an expired activity was deleted then, and its table is still on /publicaties/.
    activity_id = built(analyst, officer)
    number = publish(activity_id, analyst, "wijkcode").publication_id
    ActivityVersion.objects.filter(activity_id=activity_id).update(valid_until=date(2020, 1, 1))
    assert [p.activity_id for p in retention_run(trace=TraceContext.start())] == [activity_id]
    Publication.objects.filter(pk=number).update(
        withdrawn_at=None, withdrawn_by="", withdrawal_reason=""
    )
    assert visible(council, number)
    assert retention_run(trace=TraceContext.start()) == []  # no data left to delete
    assert not visible(council, number)
    publication = Publication.objects.get(pk=number)
    assert publication.withdrawn_by == "retention job"
    assert "the processing activity ended (expired)" in publication.withdrawal_reason
