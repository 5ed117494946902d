"""The table builder (``/tabellen/nieuw/``, issue 18): a policy maker composes a table of up to
three variables on a small synthetic municipality; it is protected under the privacy officer's
floors, audited with every earlier release, stored, logged, and downloadable as Dutch CSV and
XLSX. Every number shown equals the count made here independently from the store."""

from __future__ import annotations

import csv
import io
from typing import Any

import duckdb
import pytest
from django.test import Client
from openpyxl import load_workbook

from meedoen.accounts.roles import Role
from meedoen.activities.floors import DEFAULT_FLOOR
from meedoen.audits.models import AccessRecord
from meedoen.publications import services
from meedoen.publications.models import Publication
from meedoen_data.activity_store import store_path
from meedoen_data.workspace import Workspace
from tests.security.publishing import built, publish

pytestmark = pytest.mark.django_db

PEILDATUM = "2025-01-01"


@pytest.fixture
def activity(home, analyst, officer) -> int:  # type: ignore[no-untyped-def]
    return built(analyst, officer)


@pytest.fixture
def policy_maker(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.POLICY_MAKER)


def build(client: Client, activity: int, **choices: str) -> Any:
    data = {"activiteit": activity, "peildatum": PEILDATUM, **choices}
    return client.post("/tabellen/nieuw/", data)


def truth(home, activity: int, *variables: str) -> dict[tuple[str, ...], int]:  # type: ignore[no-untyped-def]
    """Households per combination, counted here straight from the activity's store."""
    keys = ", ".join(f"coalesce(CAST({v} AS VARCHAR), 'onbekend')" for v in variables)
    con = duckdb.connect(str(store_path(Workspace(home), activity)), read_only=True)
    try:
        rows = con.execute(
            f"SELECT {keys}, count(*) FROM household.household WHERE peildatum = ? GROUP BY ALL",
            [PEILDATUM],
        ).fetchall()
    finally:
        con.close()
    return {tuple(str(v) for v in row[:-1]): int(row[-1]) for row in rows}


def test_a_policy_maker_builds_a_table_of_three_variables(  # type: ignore[no-untyped-def]
    client: Client, home, activity, policy_maker
) -> None:
    client.force_login(policy_maker)
    page = client.get("/tabellen/nieuw/")
    assert page.status_code == 200
    text = page.content.decode()
    # The choices are labelled in Dutch, the filters name the categories.
    assert "Type huishouden" in text and 'value="household_type"' in text
    assert '<option value="household_type=eenouder">Eenoudergezin</option>' in text
    response = build(
        client, activity, variable_1="wijkcode", variable_2="household_type", variable_3="ww"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    publication = Publication.objects.get(published_by=policy_maker.username)
    assert response["Location"] == f"/publicaties/{publication.pk}/"
    assert publication.definition["layervar"] == "ww"
    assert publication.content["rules"]["min_frequency"] == DEFAULT_FLOOR.min_frequency
    [table] = publication.content["tables"]
    assert table["dimensions"] == ["wijkcode", "household_type", "ww"]
    counts = truth(home, activity, "wijkcode", "household_type", "ww")
    leaves = [
        c for c in table["cells"] if "Totaal" not in (c["wijkcode"], c["household_type"], c["ww"])
    ]
    assert leaves and any(c["value"] is None for c in table["cells"])  # something is withheld
    shown = [c for c in leaves if c["value"] is not None]
    assert shown
    for cell in shown:
        key = (cell["wijkcode"], cell["household_type"], cell["ww"])
        assert cell["value"] == counts.get(key, 0), key
    # No shown cell is below the floor's minimum frequency, except a real 0.
    assert all(c["value"] == 0 or c["value"] >= 10 for c in shown)
    # Logged as the policy maker's release, made on the web.
    record = AccessRecord.objects.get(operation="table.publish", user_name=policy_maker.username)
    assert record.user_role == Role.POLICY_MAKER and record.channel == "web"
    # The page shows it with a Dutch title.
    detail = client.get(f"/publicaties/{publication.pk}/").content.decode()
    assert "Huishoudens naar wijk, type huishouden en ww-uitkering op 1 januari 2025" in detail


def test_the_downloads_hold_what_the_page_shows_in_dutch_formats(  # type: ignore[no-untyped-def]
    client: Client, home, activity, policy_maker
) -> None:
    client.force_login(policy_maker)
    assert (
        build(client, activity, variable_1="wijkcode", variable_2="household_type").status_code
        == 302
    )
    publication = Publication.objects.get(published_by=policy_maker.username)
    cells = publication.content["tables"][0]["cells"]
    hidden = sum(1 for c in cells if c["value"] is None)
    assert hidden
    raw = client.get(f"/publicaties/{publication.pk}/csv")
    assert raw.status_code == 200 and raw["Content-Type"].startswith("text/csv")
    assert 'filename="meedoen-tabel-' in raw["Content-Disposition"]
    body = raw.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][0] == "Wijk" and "Eenpersoonshuishouden" in rows[0]
    values = [v for row in rows[1:] for v in row[1:]]
    assert values.count("x") == hidden
    total = next(row for row in rows if row[0] == "Totaal")
    households = sum(truth(home, activity, "wijkcode").values())
    assert total[1] == str(households)  # no thousands separator: Excel would read 1.234 as 1,234
    xlsx = client.get(f"/publicaties/{publication.pk}/xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    grid = list(sheet.iter_rows(values_only=True))
    assert str(grid[0][0]).startswith("Huishoudens naar wijk en type huishouden op 1 januari 2025")
    assert str(grid[1][0]).startswith("x: niet gepubliceerd")
    header = grid.index(next(r for r in grid if r and r[0] == "Wijk"))
    body_rows = grid[header + 1 :]
    numbers = [v for row in body_rows for v in row[1:] if v is not None]
    assert sum(1 for v in numbers if v == "x") == hidden
    assert next(r for r in body_rows if r[0] == "Totaal")[1] == households  # a number, not text


def test_a_table_too_large_is_refused_in_dutch_and_nothing_is_stored(  # type: ignore[no-untyped-def]
    client: Client, activity, policy_maker, monkeypatch
) -> None:
    # The small municipality has few buurten: the limit is lowered to what its table exceeds.
    monkeypatch.setattr(services, "BUILDER_MAX_CELLS", 40)
    client.force_login(policy_maker)
    before = Publication.objects.count()
    response = build(
        client, activity, variable_1="buurtcode", variable_2="household_type", variable_3="size"
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Uw tabel is niet gemaakt" in text
    assert "de tabelbouwer maakt er hoogstens 40. Kies minder kenmerken" in text
    assert Publication.objects.count() == before


def test_the_choices_are_checked(client: Client, activity, policy_maker) -> None:  # type: ignore[no-untyped-def]
    client.force_login(policy_maker)
    same = build(client, activity, variable_1="wijkcode", variable_2="wijkcode")
    assert "Kies elk kenmerk maar één keer." in same.content.decode()
    third = build(client, activity, variable_1="wijkcode", variable_3="household_type")
    assert "Kies eerst de kolommen." in third.content.decode()
    filtered = build(
        client, activity, variable_1="household_type", filter_1="household_type=eenouder"
    )
    assert "Dit is al een kenmerk van de tabel" in filtered.content.decode()
    assert not Publication.objects.exists()


def test_a_filtered_table_is_protected_with_the_earlier_releases(  # type: ignore[no-untyped-def]
    client: Client, home, activity, analyst, policy_maker
) -> None:
    # The analyst published households per wijk and type; the builder's table of eenouder
    # households per wijk shares its cells and must agree with what that release hid.
    first = publish(activity, analyst, "wijkcode", "household_type")
    cells = Publication.objects.get(pk=first.publication_id).content["tables"][0]["cells"]
    hidden = {
        c["wijkcode"]
        for c in cells
        if c["household_type"] == "eenouder" and c["value"] is None and c["wijkcode"] != "Totaal"
    }
    assert hidden  # the test means something: the analyst's release hid eenouder in a wijk
    client.force_login(policy_maker)
    response = build(client, activity, variable_1="wijkcode", filter_1="household_type=eenouder")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        publication = Publication.objects.get(published_by=policy_maker.username)
        shown = {
            c["wijkcode"]
            for c in publication.content["tables"][0]["cells"]
            if c["value"] is not None
        }
        assert not hidden & shown
    else:
        assert "Uw tabel is niet gemaakt" in response.content.decode()


@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.DEBT_WORKER, Role.PRIVACY_OFFICER])
def test_other_roles_may_not_build(client: Client, activity, make_user, role) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_user(role, username=f"u-{role.value}"))
    assert client.get("/tabellen/nieuw/").status_code == 403
    response = build(client, activity, variable_1="wijkcode")
    assert response.status_code == 403
    assert not Publication.objects.exists()
