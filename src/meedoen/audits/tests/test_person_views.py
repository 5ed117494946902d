"""Searching the audit log for a person by BSN on /logboek/persoon/ and exporting their records
(/logboek/export/), through the Django test client in Dutch: the BSN travels only in a POST
body, never in an address; the search is logged about the person; only the privacy officer and
the administrator may search. (The whole flow on the demo, with the vault, is in
tests/browser/test_audits.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen_data.intake.pseudonyms import pseudonym
from meedoen_data.workspace import Workspace, workspace_init

pytestmark = pytest.mark.django_db
BSN = "111222333"
READERS = [Role.ADMINISTRATOR, Role.PRIVACY_OFFICER]


@pytest.fixture
def workspace(settings, tmp_path: Path) -> Workspace:  # type: ignore[no-untyped-def]
    """A workspace of its own with a BRP pseudonym key (as after a first intake)."""
    home = tmp_path / "home"
    workspace_init(home=home)
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = Workspace(home)
    settings.WORKSPACE.keys.create("pseudonym-brp")
    return settings.WORKSPACE


def test_the_search_page_asks_for_a_bsn_in_dutch(client: Client, make_user, workspace) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.PRIVACY_OFFICER))
    html = client.get("/logboek/persoon/").content.decode()
    assert "<title>Een persoon zoeken in het logboek · meedoen</title>" in html
    assert 'method="post"' in html and "Burgerservicenummer (BSN)" in html
    assert 'href="/logboek/persoon/"' in client.get("/logboek/").content.decode()


def test_a_bsn_leads_to_the_persons_records_under_their_pseudonym(
    client: Client, make_user, workspace
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.PRIVACY_OFFICER))
    response = client.post("/logboek/persoon/", {"bsn": BSN})
    brp = pseudonym(workspace.keys.read("pseudonym-brp"), BSN)
    assert response.status_code == 302
    assert response["Location"] == f"/logboek/?betrokkene={brp}"
    assert BSN not in response["Location"]
    (lookup,) = ProcessingRecord.objects.filter(name="audit.person_lookup")
    assert (lookup.data_subject_id, lookup.data_subject_id_type) == (brp, "pseudonym-brp")
    assert lookup.processing_activity_id == "urn:meedoen:verwerkingsactiviteit:toezicht"
    access = AccessRecord.objects.get(trace_id=lookup.trace_id)
    assert (access.user_name, access.channel) == ("privacy_officer", "web")
    assert BSN not in lookup.detail


@pytest.mark.parametrize("value", ["123456789", "12345678a", "", "1234"])
def test_a_bsn_that_is_not_one_is_an_error_and_nothing_is_logged(
    client: Client, make_user, workspace, value: str
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.PRIVACY_OFFICER))
    response = client.post("/logboek/persoon/", {"bsn": value})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Fout: Een persoon zoeken in het logboek · meedoen</title>" in html
    assert 'role="alert"' in html and 'href="#id_bsn"' in html
    assert not ProcessingRecord.objects.filter(name="audit.person_lookup").exists()


def test_the_export_of_a_pseudonym_of_nobody_is_not_found(
    client: Client, make_user, workspace
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(Role.ADMINISTRATOR))
    assert client.get("/logboek/export/?betrokkene=" + "0" * 32).status_code == 404
    assert client.get("/logboek/export/").status_code == 404
    assert not ProcessingRecord.objects.filter(name="audit.person_export").exists()


@pytest.mark.parametrize("role", [r for r in Role if r not in READERS])
def test_other_roles_may_not_search_or_export(
    client: Client, make_user, workspace, role: Role
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(role))
    assert client.get("/logboek/persoon/").status_code == 403
    assert client.post("/logboek/persoon/", {"bsn": BSN}).status_code == 403
    brp = pseudonym(workspace.keys.read("pseudonym-brp"), BSN)
    assert client.get(f"/logboek/export/?betrokkene={brp}").status_code == 403
    assert not ProcessingRecord.objects.filter(name__startswith="audit.person").exists()
