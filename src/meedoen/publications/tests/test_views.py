"""The publication pages (/publicaties/) through the Django test client, in the default language
(Dutch). Publications are made here by hand, in the shape ``release_json`` gives them: what the
pages show does not depend on running disclosure control."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.publications.models import Publication
from meedoen.publications.selectors import publication_detail, publication_list, publication_page
from meedoen.publications.services import publication_withdraw
from meedoen.publications.views import PER_PAGE

pytestmark = pytest.mark.django_db

READERS = [role for role in Role if role != Role.RESIDENT]
RULES = {
    "min_frequency": 10,
    "dominance": [1, 50.0],
    "p_percent": 10.0,
    "zeros": "publish",
    "protection": 10,
}
WIJKEN = ["Totaal", "WK078400", "WK078401"]
TYPES = ["Totaal", "eenouder", "paar"]
#: wijk x type with margins; None is a withheld cell (one primary, three secondary).
VALUES: dict[tuple[str, str], int | None] = {
    ("Totaal", "Totaal"): 12345,
    ("Totaal", "eenouder"): 1045,
    ("Totaal", "paar"): 11300,
    ("WK078400", "Totaal"): 6000,
    ("WK078400", "eenouder"): None,
    ("WK078400", "paar"): None,
    ("WK078401", "Totaal"): 6345,
    ("WK078401", "eenouder"): None,
    ("WK078401", "paar"): None,
}
FLAGS = {
    ("WK078400", "eenouder"): "primary",
    ("WK078400", "paar"): "secondary",
    ("WK078401", "eenouder"): "secondary",
    ("WK078401", "paar"): "secondary",
}


def suppressed_content() -> dict[str, Any]:
    cells = [
        {
            "wijkcode": wijk,
            "household_type": kind,
            "value": VALUES[wijk, kind],
            "suppressed": FLAGS.get((wijk, kind)),
            "percent_of_row": None if VALUES[wijk, kind] is None else 50.0,
        }
        for wijk in WIJKEN
        for kind in TYPES
    ]
    return {
        "mode": "suppression",
        "rules": RULES,
        "summary": {"cells": 9, "primary": 1, "secondary": 3, "audited_cells": 4},
        "tables": [
            {
                "name": "households",
                "dimensions": ["wijkcode", "household_type"],
                "measure": "households",
                "cells": cells,
            }
        ],
    }


def rounded_content() -> dict[str, Any]:
    values = {"Totaal": 2505, "BU07840000": 0, "BU07840001": 1505, "BU07840002": 1000}
    return {
        "mode": "rounding",
        "rules": RULES,
        "summary": {"cells": 4, "base": 5, "rounding_loss": 6.0},
        "tables": [
            {
                "name": "households",
                "dimensions": ["buurtcode"],
                "measure": "households",
                "cells": [
                    {"buurtcode": code, "value": value, "suppressed": None, "percent_of_row": 100}
                    for code, value in values.items()
                ],
            }
        ],
    }


def publish(content: dict[str, Any], description: str, **definition: Any) -> Publication:
    return Publication.objects.create(
        activity_id=1,
        definition={"activity": 1, "peildatum": "2025-01-01", **definition},
        series="0" * 64,
        description=description,
        content=content,
        published_by="analist",
        channel="cli",
        trace_id="0" * 32,
    )


@pytest.fixture
def suppressed() -> Publication:
    return publish(suppressed_content(), "households by wijkcode x household_type at 2025-01-01")


@pytest.fixture
def rounded() -> Publication:
    return publish(rounded_content(), "households by buurtcode at 2025-01-01")


def text(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text without tags or repeated white space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def post(client: Client, url: str, data: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """A form post as a browser sends it (urlencoded; multipart bodies are for uploads)."""
    return client.post(url, urlencode(data or {}), content_type="application/x-www-form-urlencoded")


def cells_of(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, each as its cells' inner HTML."""
    table = html.split(f">{caption}</caption>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1]
    return [
        [cell.strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


# -- Roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_every_role_but_the_resident_reads_the_pages(
    client: Client, make_user, suppressed, role
) -> None:
    client.force_login(make_user(role))
    assert client.get("/publicaties/").status_code == 200
    assert client.get(f"/publicaties/{suppressed.pk}/").status_code == 200


def test_the_resident_is_refused(client: Client, make_user, suppressed) -> None:
    client.force_login(make_user(Role.RESIDENT))
    assert client.get("/publicaties/").status_code == 403
    assert client.get(f"/publicaties/{suppressed.pk}/").status_code == 403
    assert client.get("/publicaties/999/").status_code == 403  # no hint what exists


def test_anonymous_is_sent_to_the_login_page(client: Client, suppressed) -> None:
    for url in ("/publicaties/", f"/publicaties/{suppressed.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/inloggen/" in response["Location"]


def test_an_unknown_publication_is_not_found(client: Client, make_user) -> None:
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    assert client.get("/publicaties/999/").status_code == 404


@pytest.mark.parametrize("role", [r for r in READERS if r != Role.PRIVACY_OFFICER])
def test_only_the_privacy_officer_may_post(client: Client, make_user, suppressed, role) -> None:
    client.force_login(make_user(role))
    assert post(client, "/publicaties/").status_code == 405
    response = post(client, f"/publicaties/{suppressed.pk}/", {"reason": "weg ermee"})
    assert response.status_code == 403
    suppressed.refresh_from_db()
    assert suppressed.withdrawn_at is None and Publication.objects.count() == 1
    assert "Deze tabel intrekken" not in text(client.get(f"/publicaties/{suppressed.pk}/"))


# -- Withdrawal ---------------------------------------------------------------------------------


def test_the_privacy_officer_withdraws_a_table_with_a_reason(
    client: Client, make_user, suppressed, rounded
) -> None:
    officer = Client()
    officer.force_login(make_user(Role.PRIVACY_OFFICER))
    url = f"/publicaties/{suppressed.pk}/"
    page = text(officer.get(url))
    assert "Deze tabel intrekken" in page and "Reden van intrekking" in page
    # No reason: the form says so, nothing is withdrawn.
    response = post(officer, url, {"reason": "  "})
    assert response.status_code == 200
    assert "Geef de reden van de intrekking." in text(response)
    suppressed.refresh_from_db()
    assert suppressed.withdrawn_at is None
    response = post(officer, url, {"reason": "cijfers van buurt 3 te gevoelig"})
    assert response.status_code == 302 and response["Location"] == url
    suppressed.refresh_from_db()
    assert suppressed.withdrawn_by == "privacy_officer"
    assert suppressed.withdrawal_reason == "cijfers van buurt 3 te gevoelig"
    # The officer still sees it, marked, with who and why; no second withdrawal form.
    page = text(officer.get(url))
    assert (
        f"Ingetrokken door {User.objects.get(username='privacy_officer').get_full_name()}" in page
        and "te gevoelig" in page
    )
    assert "Deze tabel intrekken" not in page
    # A second withdrawal (a form left open in another tab) is refused, in Dutch.
    again = post(officer, url, {"reason": "nog eens"})
    assert again.status_code == 200
    assert f"publicatie {suppressed.pk} was al ingetrokken, op " in text(again)
    suppressed.refresh_from_db()
    assert suppressed.withdrawal_reason == "cijfers van buurt 3 te gevoelig"
    listing = text(officer.get("/publicaties/"))
    assert "2 gepubliceerde tabellen" in listing and "Ingetrokken" in listing
    # Everyone else: gone from the list, and its page does not exist.
    for role in [r for r in READERS if r != Role.PRIVACY_OFFICER]:
        reader = Client()
        reader.force_login(make_user(role, username=f"reader-{role}"))
        assert reader.get(url).status_code == 404
        listing = text(reader.get("/publicaties/"))
        assert "1 gepubliceerde tabel," in listing
        assert "households by wijkcode" not in listing
    # The withdrawal is a governance record in the audit log.
    assert AccessRecord.objects.filter(
        operation="publication.withdraw", user_name="privacy_officer"
    ).exists()
    record = ProcessingRecord.objects.get(name="publication.withdraw")
    assert f"publication {suppressed.pk} withdrawn" in record.detail


def test_a_table_is_withdrawn_once(make_user, suppressed) -> None:
    officer = Actor("privacy_officer", make_user(Role.PRIVACY_OFFICER))
    args = {"publication_id": suppressed.pk, "actor": officer, "channel": "cli"}
    publication_withdraw(reason="eerste", trace=TraceContext.start(), **args)
    with pytest.raises(ValidationError) as refused:
        publication_withdraw(reason="tweede", trace=TraceContext.start(), **args)
    assert refused.value.code == "withdrawn"
    with pytest.raises(PermissionDenied):
        publication_withdraw(
            publication_id=suppressed.pk,
            actor=Actor("analyst", make_user(Role.ANALYST)),
            reason="x",
            trace=TraceContext.start(),
            channel="cli",
        )
    assert [p.id for p in publication_list(withdrawn=True)] == [suppressed.pk]
    assert publication_list() == []
    with pytest.raises(Publication.DoesNotExist):
        publication_detail(publication_id=suppressed.pk)
    assert publication_detail(publication_id=suppressed.pk, withdrawn=True).withdrawn_by


# -- The list -----------------------------------------------------------------------------------


def test_the_list_shows_every_publication_newest_first(
    client: Client, make_user, suppressed, rounded
) -> None:
    client.force_login(make_user(Role.POLICY_MAKER))
    response = client.get("/publicaties/")
    page = text(response)
    assert "Gepubliceerde tabellen" in page
    assert "2 gepubliceerde tabellen, nieuwste eerst" in page
    assert page.index("households by buurtcode") < page.index("households by wijkcode")
    assert "Gecontroleerd afronden" in page and "Celonderdrukking" in page
    assert "analist" in page
    html = response.content.decode()
    assert f'href="/publicaties/{suppressed.pk}/"' in html
    assert '<time datetime="' in html
    assert [item.id for item in publication_list()] == [rounded.pk, suppressed.pk]
    assert [item.id for item in publication_list(limit=1)] == [rounded.pk]


def many(count: int) -> list[int]:
    """``count`` publications, every third one withdrawn; their ids, newest first."""
    Publication.objects.bulk_create(
        Publication(
            activity_id=1,
            definition={"activity": 1, "peildatum": "2025-01-01"},
            series="0" * 64,
            description=f"table {number}",
            content=rounded_content(),
            published_by="analist",
            channel="cli",
            trace_id="0" * 32,
            withdrawn_at=timezone.now() if number % 3 == 0 else None,
            withdrawn_by="privacy_officer" if number % 3 == 0 else "",
            withdrawal_reason="te fijnmazig" if number % 3 == 0 else "",
        )
        for number in range(count)
    )
    return [p.pk for p in Publication.objects.order_by("-created_at", "-pk")]


def listed(html: str) -> list[int]:
    return [
        int(n) for n in re.findall(r'<th scope="row"[^>]*><a [^>]*href="/publicaties/(\d+)/"', html)
    ]


def test_the_privacy_officer_reaches_every_release_page_by_page(client: Client, make_user) -> None:
    """More releases than fit on a page: following Next from the first page reaches every one,
    withdrawn ones included, each once and newest first."""
    every = many(PER_PAGE * 2 + 7)
    client.force_login(make_user(Role.PRIVACY_OFFICER))
    client.cookies["django_language"] = "en"
    url, seen, pages = "/publicaties/", [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        pages += 1
        assert f"Page {pages} of 3" in text(response)
        assert f"{len(every)} published tables, newest first" in text(response)
        seen += listed(html)
        following = re.search(r'<a [^>]*rel="next" href="([^"]+)"', html)
        url = f"/publicaties/{following.group(1)}" if following else ""
    assert seen == every
    assert pages == 3
    # The first page has no Previous link, the last no Next; the page numbers link each page.
    first = client.get("/publicaties/").content.decode()
    assert 'rel="prev"' not in first and 'relative-link--disabled">Previous<' in first
    assert 'aria-current="page">1<' in first
    assert 'href="?pagina=2"' in first and 'href="?pagina=3"' in first
    last = client.get("/publicaties/?pagina=3").content.decode()
    assert 'rel="prev" href="?pagina=2"' in last and 'relative-link--disabled">Next<' in last
    assert listed(last) == every[PER_PAGE * 2 :]


def test_other_readers_page_through_what_is_not_withdrawn(client: Client, make_user) -> None:
    every = many(PER_PAGE + 30)
    visible = [p for p in every if Publication.objects.get(pk=p).withdrawn_at is None]
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    first = client.get("/publicaties/")
    second = client.get("/publicaties/?pagina=2")
    assert listed(first.content.decode()) + listed(second.content.decode()) == visible
    assert f"{len(visible)} gepubliceerde tabellen, nieuwste eerst" in text(first)
    # A page number that is none gives the first page, one past the end the last.
    assert listed(client.get("/publicaties/?pagina=x").content.decode()) == visible[:PER_PAGE]
    assert listed(client.get("/publicaties/?pagina=99").content.decode()) == visible[PER_PAGE:]
    selected = publication_page(number=2, per_page=PER_PAGE)
    assert (selected.number, selected.pages, selected.count) == (2, 2, len(visible))
    assert (selected.previous, selected.next) == (1, None)


def test_one_page_shows_no_pagination(client: Client, make_user, suppressed, rounded) -> None:
    client.force_login(make_user(Role.PRIVACY_OFFICER))
    assert "utrecht-pagination" not in client.get("/publicaties/").content.decode()


def test_a_long_list_elides_page_numbers() -> None:
    many(PER_PAGE * 12)
    page = publication_page(number=6, per_page=PER_PAGE, withdrawn=True)
    assert page.numbers == [1, None, 4, 5, 6, 7, 8, None, 12]


def test_an_empty_list_says_so(client: Client, make_user) -> None:
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    assert "Er zijn nog geen tabellen gepubliceerd." in text(client.get("/publicaties/"))


# -- A suppressed table -------------------------------------------------------------------------


def test_a_suppressed_cell_is_x_and_never_zero(client: Client, make_user, suppressed) -> None:
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    html = client.get(f"/publicaties/{suppressed.pk}/").content.decode()
    rows = cells_of(html, "households by wijkcode x household_type at 2025-01-01")
    grid = {row[0]: row[1:] for row in rows}
    # Rows in the stored order, the Totaal margin first; columns Totaal, eenouder, paar.
    assert list(grid) == WIJKEN
    assert grid["Totaal"] == ["12.345", "1.045", "11.300"]
    for wijk in ("WK078400", "WK078401"):
        assert grid[wijk][0] in {"6.000", "6.345"}
        for cell in grid[wijk][1:]:
            assert cell.startswith(
                '<span aria-hidden="true">x</span><span class="meedoen-visually-hidden">'
            )
            assert "niet gepubliceerd" in cell
            assert ">0<" not in cell and cell != "0"
    assert "te weinig huishoudens" in grid["WK078400"][1]
    assert "ander verborgen getal" in grid["WK078400"][2]
    assert html.count('<span aria-hidden="true">x</span>') == 4
    header = html.split("<thead", 1)[1].split("</thead>", 1)[0]
    # Variables and household types by their labels ("paar" is not a type the registry knows:
    # shown as it is).
    assert re.findall(r"<th[^>]*>([^<]*)</th>", header) == [
        "Wijk",
        "Totaal",
        "Eenoudergezin",
        "paar",
    ]


def test_the_detail_explains_x_and_the_rules_in_dutch(
    client: Client, make_user, suppressed
) -> None:
    client.force_login(make_user(Role.POLICY_MAKER))
    response = client.get(f"/publicaties/{suppressed.pk}/")
    page = text(response)
    assert f"Gepubliceerde tabel {suppressed.pk}" in page
    assert "Zo leest u deze tabel" in page
    assert "Een x betekent dat dit getal niet is gepubliceerd" in page
    assert "Een echte nul staat er als 0." in page
    assert "met het label Totaal zijn totalen; ook een totaal kan een x zijn" in page
    assert "Beveiligingsmethode Celonderdrukking" in page
    assert "minder dan 10 huishoudens wordt niet gepubliceerd" in page
    assert "ten minste 10 huishoudens" in page
    assert "4 van de 9 getallen: 1 omdat ze iemand herkenbaar kunnen maken, 3 zodat" in page
    assert "Dominantieregel" not in page  # a count of households: no magnitude rules
    assert "Peildatum 1 januari 2025" in page
    assert "Gepubliceerd door analist" in page


def test_the_selector_prepares_a_grid(suppressed) -> None:
    detail = publication_detail(publication_id=suppressed.pk)
    [table] = detail.tables
    assert table.layout == "grid"
    assert table.header == ("Wijk",)
    assert table.columns == ("Totaal", "Eenoudergezin", "paar")
    assert [row.labels for row in table.rows] == [("Totaal",), ("WK078400",), ("WK078401",)]
    hidden = table.rows[1].cells[1]
    assert (hidden.text, hidden.hidden, hidden.suppressed, hidden.value) == (
        "x",
        True,
        "primary",
        None,
    )
    assert (table.cells, table.hidden) == (9, 4)
    assert detail.frequency and detail.peildatum == "2025-01-01"


def test_a_magnitude_table_shows_its_rules_and_decimals(client: Client, make_user) -> None:
    content = suppressed_content()
    content["tables"][0]["measure"] = "besteedbaar_inkomen"
    content["tables"][0]["cells"][0]["value"] = 1234567.891
    publication = publish(content, "sum of besteedbaar_inkomen by wijkcode, household_type")
    client.force_login(make_user(Role.ANALYST))
    page = text(client.get(f"/publicaties/{publication.pk}/"))
    assert "1.234.567,89" in page
    assert "Dominantieregel" in page
    assert "als de grootste bijdrage meer dan 50% van een getal vormt" in page
    assert "p%-regel" in page and "tot op 10% nauwkeurig" in page
    assert "Beschermingsniveau" not in page
    assert "het getal kan iemand herkenbaar maken" in page


# -- A rounded table ----------------------------------------------------------------------------


def test_a_rounded_table_is_a_two_column_list(client: Client, make_user, rounded) -> None:
    client.force_login(make_user(Role.CASE_WORKER))
    response = client.get(f"/publicaties/{rounded.pk}/")
    html = response.content.decode()
    rows = cells_of(html, "households by buurtcode at 2025-01-01")
    assert rows == [
        ["Totaal", "2.505"],
        ["BU07840000", "0"],
        ["BU07840001", "1.505"],
        ["BU07840002", "1.000"],
    ]
    page = text(response)
    assert "Beveiligingsmethode Gecontroleerd afronden" in page
    assert "elk getal is een veelvoud van 5, de totalen tellen nog steeds op" in page
    assert "hooguit 4 verwijderd van het echte getal" in page
    assert "Rijen en kolommen met het label Totaal zijn totalen." in page
    assert 'aria-hidden="true">x<' not in html
    assert "Minimumfrequentie" not in page


def test_english_pages(client: Client, make_user, suppressed) -> None:
    client.force_login(make_user(Role.COUNCIL_MEMBER))
    client.cookies["django_language"] = "en"
    page = text(client.get(f"/publicaties/{suppressed.pk}/"))
    assert "How to read this table" in page
    assert "12,345" in page
    assert "not published: too few households" in page


# -- Start pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.POLICY_MAKER, Role.COUNCIL_MEMBER, Role.ANALYST, Role.ADMINISTRATOR]
)
def test_start_pages_link_to_the_publications(client: Client, make_user, role) -> None:
    client.force_login(make_user(role))
    html = client.get("/").content.decode()
    assert 'href="/publicaties/"' in html
    assert "Kerncijfers per wijk en buurt lezen" not in html
    assert "De gepubliceerde kerncijfers van de gemeente lezen" not in html
