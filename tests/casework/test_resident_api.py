"""The resident portal's API and download on the case-work town (issue 22): a mother and her
daughter, one household. Each gets their own data (their own help only, the other's name and
birth year as a housemate), the family view of the daughter's case among who used their data
(the case's reason only for the daughter), and the download holds the same; each read logged
with the resident as subject."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.cases.services import family_view
from meedoen.residents.services import resident_account_bind
from meedoen_data.casework import person_pseudonym
from tests.casework.conftest import actor
from tests.casework.test_cases import REASON, open_case

pytestmark = pytest.mark.django_db


def signed_in(town, name: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(resident_account_bind(bsn=town.bsn(name), via="demo"))
    return client


def test_each_resident_gets_their_own_data_and_who_used_it(people, activity_id, town, home) -> None:
    case = open_case(people, activity_id, town)  # Noor's case
    family_view(
        actor=actor(people["wijk1"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
    )
    hanna, noor = signed_in(town, "Hanna de Wit"), signed_in(town, "Noor Mulder")

    mine = hanna.get("/api/v1/mij/").json()
    data = mine["gegevens"]
    assert data["registration"]["name"] == "Hanna de Wit"
    assert {m["name"] for m in data["household"]["members"]} >= {"Noor Mulder"}
    services = {g["domain"]: g["services"] for g in data["services"]}
    assert len(services["participatie"]) == 1  # her bijstand of 2023
    assert services["jeugd"] == []  # Noor's youth care is not Hanna's to see
    assert town.bsn("Hanna de Wit") not in json.dumps(mine)  # no BSN in the answer
    noor_services = {
        g["domain"]: g["services"] for g in noor.get("/api/v1/mij/").json()["gegevens"]["services"]
    }
    assert len(noor_services["jeugd"]) == 1 and noor_services["participatie"] == []

    used = hanna.get("/api/v1/mij/verwerkingen/").json()["verwerkingen"]
    viewed = [row for row in used if "gezinssituatie" in row["sentence"]]
    assert len(viewed) == 1 and viewed[0]["reason"] == ""  # the case is Noor's
    assert viewed[0]["purpose"] and viewed[0]["legal_basis"]
    noor_used = noor.get("/api/v1/mij/verwerkingen/").json()["verwerkingen"]
    assert [row["reason"] for row in noor_used if "gezinssituatie" in row["sentence"]] == [REASON]
    assert "wijk1" not in json.dumps(used)  # never the employee's name

    download = hanna.get("/mijn/export/?formaat=json")
    assert download["Content-Disposition"] == 'attachment; filename="mijn-gegevens.json"'
    document = json.loads(download.content)
    assert document["gegevens"]["registration"]["name"] == "Hanna de Wit"
    assert any("gezinssituatie" in row["sentence"] for row in document["verwerkingen"])
    assert document["logboek"]["format"] == "logboek-dataverwerkingen/meedoen-1"
    assert all("meedoen.user_name" not in r["attributes"] for r in document["logboek"]["records"])
    readable = hanna.get("/mijn/export/?formaat=html").content.decode()
    assert "Hanna de Wit" in readable and "Noor Mulder" in readable

    own = person_pseudonym(home=home, bsn=town.bsn("Hanna de Wit"))
    logged = ProcessingRecord.objects.filter(name__startswith="resident.", data_subject_id=own)
    assert {r.name for r in logged} == {
        "resident.data_view",
        "resident.processing_view",
        "resident.export",
    }


def test_the_api_answers_residents_only(people, town) -> None:
    worker = Client()
    worker.force_login(people["wijk1"])
    assert worker.get("/api/v1/mij/").status_code == 403
    assert worker.get("/api/v1/mij/verwerkingen/").status_code == 403
    assert Client().get("/api/v1/mij/").status_code == 403
