"""Finding 3 of issue 15 (continued): no one could see every release or take one back.

The attack: a table published with rules that later turned out too weak stayed on
/publicaties/ for every council member — the privacy officer had no list of all releases and no
way to withdraw one, and a table that was deleted from the database by hand would simply have
been forgotten by the next release, which could then publish what it had hidden.

Now the privacy officer sees every release (withdrawn ones marked, with who and why) and
withdraws one with a reason, on its page or with `meedoen publication withdraw ID --reason …
--by USER`; no other role may. A withdrawn release disappears for everyone else — the list leaves
it out, its page answers 404 — and the withdrawal is in the audit log. It still counts when later
tables of the same households are protected: what was published once stays known to whoever
kept a copy."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.publications.models import Publication
from tests.helpers import demo_copy, meedoen, meedoen_as, meedoen_json, passwords
from tests.security.publishing import built, publish

OTHERS = [r for r in Role if r not in {Role.PRIVACY_OFFICER, Role.RESIDENT}]


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def post(client: Client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def signed_in(make_user, role: Role) -> Client:  # type: ignore[no-untyped-def]
    """A client signed in as the (one) user of ``role`` made for this test."""
    from meedoen.accounts.models import User

    username = f"user-{role.value}"
    user = User.objects.filter(username=username).first() or make_user(role, username=username)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_withdrawn_release_is_gone_for_everyone_but_still_counts(
    home, analyst, officer, make_user
) -> None:  # type: ignore[no-untyped-def]
    activity_id = built(analyst, officer)
    strict = publish(activity_id, analyst, "wijkcode", "household_type", min_frequency=60)
    number = strict.publication_id
    url = f"/publicaties/{number}/"
    council = signed_in(make_user, Role.COUNCIL_MEMBER)
    assert council.get(url).status_code == 200
    assert f'href="{url}"' in council.get("/publicaties/").content.decode()

    # Nobody but the privacy officer may withdraw it.
    for role in OTHERS:
        reader = signed_in(make_user, role)
        assert post(reader, url, {"reason": "weg ermee"}).status_code == 403, role
    assert Publication.objects.get(pk=number).withdrawn_at is None

    officer_client = Client()
    officer_client.force_login(officer)
    response = post(officer_client, url, {"reason": "te fijnmazig voor de adviesraad"})
    assert response.status_code == 302

    # Gone for the council member, and for every other reader: list and page.
    for role in [Role.COUNCIL_MEMBER, *OTHERS]:
        reader = signed_in(make_user, role)
        assert reader.get(url).status_code == 404, role
        assert f'href="{url}"' not in reader.get("/publicaties/").content.decode(), role
    # The privacy officer still sees it, marked, with who and why.
    listing = text(officer_client.get("/publicaties/"))
    assert (
        f"Ingetrokken door {User.objects.get(username='privacy_officer').get_full_name()}"
        in listing
    )
    assert "te fijnmazig voor de adviesraad" in listing
    assert (
        f"Ingetrokken door {User.objects.get(username='privacy_officer').get_full_name()}"
        in text(officer_client.get(url))
    )
    # The withdrawal is in the audit log: who, and which publication.
    assert AccessRecord.objects.filter(
        operation="publication.withdraw", user_name="privacy_officer"
    ).exists()
    record = ProcessingRecord.objects.get(name="publication.withdraw")
    assert f"publication {number} withdrawn" in record.detail
    assert record.processing_activity_id.endswith(f":{activity_id}")

    # Still counted: the same table with the floor's weaker rules would publish what the
    # withdrawn release hid, and is refused naming that release.
    hidden = [c for c in strict.release.tables[0].cells if c.value is None]
    assert hidden
    with pytest.raises(ValidationError) as refused:
        publish(activity_id, analyst, "wijkcode", "household_type")
    assert f"was hidden in publication {number}" in " ".join(refused.value.messages)
    assert Publication.objects.count() == 1


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = str(tmp_path_factory.mktemp("withdrawal") / "demo")
    result = demo_copy(Path(home))
    return {"home": home, "activity": str(result["activity"]["id"]), **passwords(result)}


def test_only_the_privacy_officer_withdraws_on_the_command_line(demo: dict[str, Any]) -> None:
    home = demo["home"]
    made = meedoen_as(
        "analyst", demo["analyst"], "table", "wijkcode", "household_type", "--activity",
        demo["activity"], "--home", home, "--format", "json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    number = str(json.loads(made.stdout)["publication"])
    withdraw = ("publication", "withdraw", number, "--reason", "fout in de bron", "--home", home)
    # The analyst who published it, the administrator, and the operator without --by: refused.
    analyst = meedoen_as("analyst", demo["analyst"], *withdraw)
    assert analyst.returncode == 2 and "privacy_officer role" in analyst.stderr, analyst.stderr
    admin = meedoen_as("administrator", demo["administrator"], *withdraw)
    assert admin.returncode == 2, admin.stderr
    operator = meedoen(*withdraw)
    assert operator.returncode == 2, operator.stderr
    # Impersonating the privacy officer without her password: refused as well.
    impostor = meedoen(*withdraw, "--by", "privacy_officer", MEEDOEN_PASSWORD=demo["analyst"])
    assert impostor.returncode == 2, impostor.stderr
    listed = meedoen_json("publication", "list", "--home", home)
    assert [(p["id"], p["withdrawn_at"]) for p in listed] == [(int(number), None)]

    done = meedoen_as("privacy_officer", demo["privacy_officer"], *withdraw, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["withdrawn_by"] == "privacy_officer"
    [entry] = meedoen_json("publication", "list", "--home", home)
    assert entry["withdrawn_by"] == "privacy_officer"
    assert entry["withdrawal_reason"] == "fout in de bron"
    again = meedoen_as("privacy_officer", demo["privacy_officer"], *withdraw)
    assert again.returncode == 2 and "withdrawn already" in again.stderr
