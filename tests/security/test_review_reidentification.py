"""Finding 1: re-identification through the clerical review pages.

The attack: an analyst ran `meedoen sql … "SELECT record_id, person_id FROM link.partner_link"`
and got pairs of a food-bank record's pseudonym and a person's pseudonym. The review page
`/koppelingen/beoordelen/ACTIVITY/voedselbank/RECORD_ID/` accepted that same record pseudonym
and showed the record's name, birth date and address — for any record, also the ones linked
automatically that need no review — to every analyst (and the administrator). The read was
logged with an empty data subject (`none:`), so nobody could find out whose data was shown.

Now: the review pages open only records awaiting review, by a random review token that exists
only in the identity vault (nothing in the activity's tables opens a record); only analysts to
whom the privacy officer granted the review of that activity open them; and every identity
shown is logged per data subject — each candidate, the person the record is linked to, and the
partner's record itself.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import duckdb
import pytest
from django.test import Client
from django.urls import resolve

from meedoen.activities.enforcement import activity_store_open
from meedoen.activities.services import Actor, reviewer_grant
from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen_data.activity_store import store_path
from meedoen_data.linkage import link_partner
from meedoen_data.workspace import Workspace
from tests.security.conftest import approved

pytestmark = pytest.mark.django_db
SOURCES = ["brp", "partner-voedselbank"]


def _linked(home: Path, analyst, officer, *, review_band: tuple[float, float]) -> int:  # type: ignore[no-untyped-def]
    activity_id = approved(analyst, officer, sources=SOURCES)
    activity_store_open(
        activity_id=activity_id,
        actor=Actor(analyst.username, analyst),
        trace=TraceContext.start(),
        channel="cli",
    )
    link_partner(home=home, activity_id=activity_id, source="voedselbank", review_band=review_band)
    return activity_id


def _partner_link(home: Path, activity_id: int) -> list[tuple[str, str, str]]:
    """What the attacker read with SQL: (record_id, person_id, review_status)."""
    con = duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True)
    try:
        rows = con.execute(
            "SELECT record_id, person_id, review_status FROM link.partner_link"
        ).fetchall()
    finally:
        con.close()
    return [(str(r), str(p), str(s)) for r, p, s in rows]


def test_record_pseudonyms_from_sql_open_no_review_page(
    client: Client, home, analyst, officer
) -> None:
    activity_id = _linked(home, analyst, officer, review_band=(0.1, 0.999999))
    reviewer_grant(
        activity_id=activity_id, username=analyst.username, actor=Actor(officer.username, officer)
    )
    pairs = _partner_link(home, activity_id)
    assert any(status == "auto" for _, _, status in pairs), "no record was linked automatically"
    assert any(status == "pending" for _, _, status in pairs), "no record awaits review"
    client.force_login(analyst)
    for record_id, _person, _status in pairs[:20]:
        url = f"/koppelingen/beoordelen/{activity_id}/voedselbank/{record_id}/"
        assert client.get(url).status_code == 404, record_id
        assert client.post(url, {"rank": 1, "decision": "accepted"}).status_code == 404
        # Cut to the shape of a review token, the pseudonym reaches the view (the URL pattern
        # accepts it), which finds no record by it.
        shaped = base64.urlsafe_b64encode(bytes.fromhex(record_id[:32])).decode()[:22]
        url = f"/koppelingen/beoordelen/{activity_id}/voedselbank/{shaped}/"
        assert resolve(url).url_name == "case"
        assert client.get(url).status_code == 404, shaped
        assert client.post(url, {"rank": 1, "decision": "accepted"}).status_code == 404
    # Nothing from the vault was read, so nothing was shown to anyone.
    assert not ProcessingRecord.objects.filter(name="partner.review.read").exists()
    # The same client opens a record awaiting review by its token: the 404s above are refusals.
    queue = client.get(f"/koppelingen/beoordelen/{activity_id}/")
    [item, *_] = [item for item, _, _ in queue.context["items"]]
    opened = client.get(f"/koppelingen/beoordelen/{activity_id}/voedselbank/{item.token}/")
    assert opened.status_code == 200


def test_only_records_awaiting_review_have_a_review_token(
    client: Client, home, analyst, officer
) -> None:
    activity_id = _linked(home, analyst, officer, review_band=(0.1, 0.9999999999))
    reviewer_grant(
        activity_id=activity_id, username=analyst.username, actor=Actor(officer.username, officer)
    )
    statuses = [status for _, _, status in _partner_link(home, activity_id)]
    client.force_login(analyst)
    response = client.get(f"/koppelingen/beoordelen/{activity_id}/")
    items = [item for item, _, _ in response.context["items"]]
    pending = statuses.count("pending")
    assert len(items) > 0 and len(items) >= pending  # pending records not linked are there too
    html = response.content.decode()
    tokens = set(re.findall(r"/voedselbank/([A-Za-z0-9_-]{22})/", html))
    assert tokens == {item.token for item in items}
    # None of the tokens is a pseudonym the activity's tables hold.
    record_ids = {record_id for record_id, _, _ in _partner_link(home, activity_id)}
    assert not tokens & record_ids


def test_an_analyst_without_the_grant_sees_no_queue_and_no_record(
    client: Client, home, analyst, officer, make_user
) -> None:
    activity_id = _linked(home, analyst, officer, review_band=(0.1, 0.9999999999))
    reviewer_grant(
        activity_id=activity_id, username=analyst.username, actor=Actor(officer.username, officer)
    )
    client.force_login(analyst)
    token = client.get(f"/koppelingen/beoordelen/{activity_id}/").context["items"][0][0].token
    other = make_user("analyst", username="other-analyst")
    administrator = make_user("administrator", username="beheerder")
    for user in (other, administrator):
        client.force_login(user)
        assert client.get(f"/koppelingen/beoordelen/{activity_id}/").status_code == 403
        url = f"/koppelingen/beoordelen/{activity_id}/voedselbank/{token}/"
        assert client.get(url).status_code == 403
        assert client.post(url, {"rank": 1, "decision": "accepted"}).status_code == 403
    assert not ProcessingRecord.objects.filter(name__startswith="partner.review").exists()


def test_every_identity_shown_is_logged_per_data_subject(
    client: Client, home, analyst, officer
) -> None:
    activity_id = _linked(home, analyst, officer, review_band=(0.1, 0.9999999999))
    reviewer_grant(
        activity_id=activity_id, username=analyst.username, actor=Actor(officer.username, officer)
    )
    client.force_login(analyst)
    items = client.get(f"/koppelingen/beoordelen/{activity_id}/").context["items"]
    linked = next(item for item, _, _ in items if item.linked)
    response = client.get(f"/koppelingen/beoordelen/{activity_id}/voedselbank/{linked.token}/")
    assert response.status_code == 200
    case = response.context["case"]
    assert case.person_id is not None and case.candidates
    logged = ProcessingRecord.objects.filter(name="partner.review.read")
    persons = set(
        logged.filter(data_subject_id_type=f"pseudonym-activity-{activity_id}").values_list(
            "data_subject_id", flat=True
        )
    )
    assert persons == {c.person_id for c in case.candidates} | {case.person_id}
    records = set(
        logged.filter(data_subject_id_type=f"record-pseudonym-activity-{activity_id}").values_list(
            "data_subject_id", flat=True
        )
    )
    assert records == {case.record_id}
    # The record's pseudonym in the log is the one of link.partner_link: whoever asks about
    # that record finds this read.
    assert case.record_id in {r for r, _, _ in _partner_link(home, activity_id)}
    assert not logged.filter(data_subject_id_type="none").exists()
