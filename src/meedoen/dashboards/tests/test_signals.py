"""The advisory council's signals (issue 18): recorded by council members only, refused with
the kind when the text holds personal data — a BSN, a name a person in the vault bears, an
e-mail address, a phone number — and shown beside the figure of their indicator."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor
from meedoen.dashboards.models import Signal
from meedoen.dashboards.services import signal_record
from meedoen.dashboards.tests.test_selectors import release
from meedoen_data.contract import TABLES
from meedoen_data.intake import ingest_directory
from meedoen_data.workspace import workspace_init

pytestmark = pytest.mark.django_db

#: Three persons the vault will know (valid BSNs: the 11-proef holds).
BSNS = ("111222333", "123456782", "999999990")
PERSONS = "\n".join(
    [
        ",".join(TABLES["ingeschrevenpersoon"]),
        *(
            f"{bsn},Jansen{i},van der,Anna Maria,1980-05-0{i + 1},V,,E,Nederland,0"
            for i, bsn in enumerate(BSNS)
        ),
    ]
)


@pytest.fixture
def home(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    """A workspace whose vault knows Anna Maria Jansen0 … Jansen2."""
    home = tmp_path / "home"
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace_init(home=home).workspace
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "ingeschrevenpersoon.csv").write_text(PERSONS, encoding="utf-8")
    ingest_directory(home=home, directory=tmp_path / "d", user="t")
    return home


def record(user, text: str, **extra):  # type: ignore[no-untyped-def]
    arguments = {
        "indicator": "bijstand",
        "wijkcode": "",
        "heard_on": date(2026, 11, 1),
        "source": "spreekuur",
        **extra,
    }
    return signal_record(actor=Actor(user.username, user), text=text, **arguments)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (f"Mevrouw met BSN {BSNS[1]} kan de huur niet betalen", "een BSN"),
        ("Anna Jansen1 vertelde dat ze de huur niet kan betalen", "een naam"),
        ("Bel de buurvrouw op 06-12345678 over de huur", "een telefoonnummer"),
        ("Mail jan@example.nl over de voedselbank", "een e-mailadres"),
    ],
)
def test_a_signal_with_personal_data_is_refused_naming_the_kind(
    home: Path, make_user, text: str, kinds: str
) -> None:  # type: ignore[no-untyped-def]
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        record(make_user(Role.COUNCIL_MEMBER), text)
    assert refused.value.code == "personal_data" and kinds in refused.value.messages[0]
    assert not Signal.objects.exists()


def test_a_plain_signal_is_recorded_and_others_are_refused(home: Path, make_user) -> None:  # type: ignore[no-untyped-def]
    member = make_user(Role.COUNCIL_MEMBER)
    signal = record(member, "Op het spreekuur  hoorden we vaak over huurachterstand.")
    assert signal.text == "Op het spreekuur hoorden we vaak over huurachterstand."
    with pytest.raises(PermissionDenied):
        record(make_user(Role.POLICY_MAKER), "Ook beleid hoort dit")
    with pytest.raises(ValidationError) as future:
        record(member, "Later", heard_on=date.today() + timedelta(days=2))
    assert future.value.code == "future"
    with pytest.raises(ValidationError) as unknown:
        record(member, "Iets", indicator="geluk")
    assert unknown.value.code == "indicator"


def test_the_signals_page_shows_each_signal_beside_its_figure(
    home: Path, client: Client, make_user
) -> None:  # type: ignore[no-untyped-def]
    release("bijstand", {("Totaal", "Totaal"): 1000, ("Totaal", "1"): 125})
    member = make_user(Role.COUNCIL_MEMBER)
    client.force_login(member)
    response = client.post(
        "/dashboard/signalen/",
        {
            "text": "Meer mensen vragen naar bijstand",
            "indicator": "bijstand",
            "wijkcode": "",
            "heard_on": "2026-11-02",
            "source": "bijeenkomst",
        },
    )
    assert response.status_code == 302
    page = client.get("/dashboard/signalen/").content.decode()
    assert "Meer mensen vragen naar bijstand" in page and "12,5" in page
    assert "bijeenkomst" in page and "2 november 2026" in page
    refused = client.post(
        "/dashboard/signalen/",
        {
            "text": "Anna Jansen0 zegt dat het slecht gaat",
            "indicator": "bijstand",
            "wijkcode": "",
            "heard_on": "2026-11-02",
            "source": "bijeenkomst",
        },
    )
    assert refused.status_code == 200 and "bevat een naam" in refused.content.decode()
    dashboard = client.get("/dashboard/").content.decode()
    assert "1 signaal van de adviesraad" in dashboard
