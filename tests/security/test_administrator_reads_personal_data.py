"""Finding (issue 15, medium): the administrator reads personal data.

The attack: signed in as `administrator` — the role that manages accounts, keys and back-ups
and that docs/users/administrator.md said "cannot read personal data" — the attacker opened
`/sql/`, picked the approved activity and ran `SELECT person_pseudonym, … FROM
source.ingeschrevenpersoon`; the page showed the rows (the administrator held the analyst's
permissions on households, linkage, SQL and publishing). The linkage pages and their review
queue were open to the same role, and so were the services behind them (`activity_sql`,
`build_request`, `link_request`, `table_publish`, `quarantine_read`).

Now administration and analysis are separate roles: with a real, approved activity id every
one of those pages answers 403 to the administrator, nothing is read or logged as read, and
every service refuses the administrator (the analyst still gets the same page with rows, so the
refusal is not a broken page)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from meedoen.activities.enforcement import activity_sql, activity_store_open
from meedoen.activities.services import Actor
from meedoen.audits.models import AccessRecord
from meedoen.audits.trace import TraceContext
from meedoen.households.services import build_request
from meedoen.intakes.services import quarantine_read
from meedoen.linkages.services import link_request
from meedoen.publications.services import table_publish
from tests.security.conftest import approved

pytestmark = pytest.mark.django_db

QUERY = "SELECT person_pseudonym, geboortejaar FROM source.ingeschrevenpersoon"


def test_the_analysts_pages_refuse_the_administrator(
    client: Client, home, analyst, officer, administrator
) -> None:
    activity_id = approved(analyst, officer, sources=["brp", "partner-voedselbank"])
    # Control: the analyst gets the rows, so the activity id and the query are real.
    client.force_login(analyst)
    shown = client.post("/sql/", {"activity": activity_id, "sql": QUERY})
    assert shown.status_code == 200 and shown.context["result"].rows
    reads_before = AccessRecord.objects.filter(operation="activity.sql").count()

    client.force_login(administrator)
    for method, url in [
        ("get", f"/sql/?activity={activity_id}&sql=SELECT+1"),
        ("post", "/sql/"),
        ("get", "/huishoudens/"),
        ("post", "/huishoudens/"),
        ("get", "/koppelingen/"),
        ("post", "/koppelingen/"),
        ("get", f"/koppelingen/beoordelen/{activity_id}/"),
    ]:
        data = {"activity": activity_id, "sql": QUERY, "peildatum": "2025-01-01"}
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 403, (method, url, response.status_code)
        assert "person_pseudonym" not in response.content.decode()
    assert AccessRecord.objects.filter(operation="activity.sql").count() == reads_before
    assert not AccessRecord.objects.filter(user_name=administrator.username).exists()
    # The start page no longer offers the analysis pages to the administrator.
    start = client.get("/").content.decode()
    assert 'href="/sql/"' not in start and 'href="/koppelingen/"' not in start


def test_the_services_refuse_the_administrator(home, analyst, officer, administrator) -> None:
    activity_id = approved(analyst, officer, sources=["brp", "partner-voedselbank"])
    admin = Actor(administrator.username, administrator)
    context = {"actor": admin, "trace": TraceContext.start(), "channel": "web"}
    attempts = {
        "activity_sql": lambda: activity_sql(activity_id=activity_id, sql=QUERY, **context),
        "activity_store_open": lambda: activity_store_open(activity_id=activity_id, **context),
        "build_request": lambda: build_request(
            activity_id=activity_id,
            peildatum=date(2025, 1, 1),
            engine="duckdb",
            **context,
        ),
        "link_request": lambda: link_request(
            activity_id=activity_id, source="voedselbank", file_name="voedselbank.csv", **context
        ),
        "table_publish": lambda: table_publish(
            activity_id=activity_id, rowvar="household_type", **context
        ),
        "quarantine_read": lambda: quarantine_read(batch_id="any", **context),
    }
    records = AccessRecord.objects.count()  # the request and the approval
    for name, attempt in attempts.items():
        with pytest.raises(PermissionDenied, match="does not hold the analyst role"):
            attempt()
        assert AccessRecord.objects.count() == records, name  # nothing was read or logged
    # Control: the analyst's query under the same activity works and is logged.
    mine = Actor(analyst.username, analyst)
    result = activity_sql(
        activity_id=activity_id,
        sql=QUERY,
        actor=mine,
        trace=TraceContext.start(),
        channel="web",
    )
    assert result.rows
    assert AccessRecord.objects.filter(user_name=analyst.username).exists()
