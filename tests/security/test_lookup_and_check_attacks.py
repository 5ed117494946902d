"""Attacks on what issue 17 and the person index (issue 16) added. None of them worked; each
stays as a test.

1. Someone who can write the vault (an administrator on the server) puts a row in the index of
   persons by pseudonym that points a person's pseudonym at another BSN, so that the privacy
   officer's lookup — an access request — answers with the wrong person's records. The reader
   derives the pseudonym from the candidate's BSN again, so the forged row is ignored.
2. A privacy officer presses "De keten controleren" again with the same W3C traceparent as the
   check still running (a script that replays its request), hoping to run the same check twice
   at once. The second press opens the running check; nothing starts again.
3. An administrator configures an SVG logo that carries a script; a user opening the logo's
   address would run it in meedoen's origin. The logo is served with a policy that runs and
   loads nothing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.audits import views as audit_views
from meedoen.audits.models import ChainCheck
from meedoen_data.audit_person import logged_person
from meedoen_data.intake import ingest_directory
from meedoen_data.intake.person_index import pseudonym_prefix
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_a_forged_index_row_does_not_redirect_a_lookup(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace_init(home=home)
    synth_municipality(gemeente="GM0784", out=tmp_path / "sources", persons=100)
    ingest_directory(home=home, directory=tmp_path / "sources", user="test")
    vault = home / "vault" / "vault.duckdb"
    with duckdb.connect(str(vault), read_only=True) as con:
        (bsn, name), (other_bsn, other) = con.execute(
            "SELECT CAST(burgerservicenummer AS VARCHAR), burgerservicenummer_pseudonym "
            "FROM identity.ingeschrevenpersoon ORDER BY 2 LIMIT 2"
        ).fetchall()
    with duckdb.connect(str(vault)) as con:
        # The other person under the first one's pseudonym: first in the sort, and the only row.
        con.execute("DELETE FROM lookup.person WHERE prefix = $p", {"p": pseudonym_prefix(name)})
        con.execute(
            "INSERT INTO lookup.person VALUES ($p, $b)",
            {"p": pseudonym_prefix(name), "b": int(other_bsn)},
        )
    person = logged_person(home=home, name=name)
    assert person.pseudonyms["pseudonym-brp"] == name
    assert other not in person.pseudonyms.values()
    assert person == logged_person(home=home, bsn=bsn)


@pytest.mark.django_db
def test_a_replayed_press_does_not_run_a_running_check_twice(make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    started: list[int] = []
    monkeypatch.setattr(
        audit_views,
        "chain_check_start_background",
        lambda *, run_id, kept=(): started.append(run_id),
    )
    client = Client()
    client.force_login(make_user(Role.PRIVACY_OFFICER))
    first = client.post("/logboek/", headers={"traceparent": TRACEPARENT})
    again = client.post("/logboek/", headers={"traceparent": TRACEPARENT})
    (check,) = ChainCheck.objects.all()
    assert first["Location"] == again["Location"] == f"/logboek/controle/{check.pk}/"
    assert started == [check.pk]  # started once


@pytest.mark.django_db
def test_a_logo_with_a_script_cannot_run_it(client: Client, settings, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    )
    settings.MEEDOEN_LOGO = str(logo)
    response = client.get("/huisstijl/logo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy
