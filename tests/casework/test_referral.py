"""A processing that rests on consent (issue 22): the case worker's referral to the food bank
runs only while the case's person has consent in force in the residents' consent register; a
withdrawal stops the next referral at once, and both the refusal and the referral are logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from meedoen.audits.models import ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.cases.models import FoodBankReferral
from meedoen.cases.referrals import FOODBANK_REFERRAL, foodbank_referral_create
from meedoen.residents.models import Consent, ConsentPurpose, ResidentIdentity
from meedoen.residents.services import Acting, consent_give, consent_withdraw, resident_account_bind
from meedoen_data.casework import person_pseudonym
from tests.casework.conftest import actor
from tests.casework.test_cases import open_case

pytestmark = pytest.mark.django_db
PURPOSE = ConsentPurpose.FOODBANK_REFERRAL


def refer(people, case):  # type: ignore[no-untyped-def]
    return foodbank_referral_create(
        actor=actor(people["wijk1"]), case_id=case.pk, trace=TraceContext.start(), channel="web"
    )


def test_a_referral_needs_consent_and_a_withdrawal_stops_the_next_one_at_once(
    people, activity_id, town, home
) -> None:
    case = open_case(people, activity_id, town)
    resident = Acting(user=resident_account_bind(bsn=town.bsn("Noor Mulder"), via="demo"))
    assert ResidentIdentity.objects.get(user=resident.user).person == case.person_pseudonym

    with pytest.raises(PermissionDenied, match="not given consent"):
        refer(people, case)
    assert not FoodBankReferral.objects.exists()

    consent = consent_give(acting=resident, purpose=PURPOSE)
    referral = refer(people, case)
    assert referral.consent == consent and referral.person_pseudonym == case.person_pseudonym
    # Noor lives with her mother, step-father and his son (tests/casework/conftest.py).
    assert referral.household_size == 4

    consent_withdraw(acting=resident, purpose=PURPOSE)
    with pytest.raises(PermissionDenied, match="not given consent"):
        refer(people, case)
    assert FoodBankReferral.objects.count() == 1

    records = ProcessingRecord.objects.filter(name=FOODBANK_REFERRAL).order_by("position")
    mine = [r.status for r in records if r.data_subject_id == case.person_pseudonym]
    assert mine == ["Error", "Ok", "Error"]
    # The household was counted for the food bank: its other three members are logged as read
    # with the referral (and with nothing else); the refusals read nobody else.
    others = {r.data_subject_id for r in records if r.data_subject_id != case.person_pseudonym}
    assert others == {
        person_pseudonym(home=home, bsn=town.bsn(name))
        for name in ("Hanna de Wit", "Jan Visser", "Kees Visser")
    }
    assert {r.status for r in records if r.data_subject_id in others} == {"Ok"}
    assert [r.name for r in ProcessingRecord.objects.filter(name__startswith="resident.")] == [
        "resident.consent_give",
        "resident.consent_withdraw",
    ]


def test_consent_of_another_person_does_not_count(people, activity_id, town) -> None:
    case = open_case(people, activity_id, town)
    mother = Acting(user=resident_account_bind(bsn=town.bsn("Hanna de Wit"), via="demo"))
    consent_give(acting=mother, purpose=PURPOSE)
    with pytest.raises(PermissionDenied, match="not given consent"):
        refer(people, case)


def test_giving_twice_keeps_one_consent_and_giving_again_after_withdrawal_keeps_history(
    people, town
) -> None:
    resident = Acting(user=resident_account_bind(bsn=town.bsn("Noor Mulder"), via="demo"))
    first = consent_give(acting=resident, purpose=PURPOSE)
    assert consent_give(acting=resident, purpose=PURPOSE) == first
    consent_withdraw(acting=resident, purpose=PURPOSE)
    assert consent_withdraw(acting=resident, purpose=PURPOSE) is None
    second = consent_give(acting=resident, purpose=PURPOSE)
    rows = list(Consent.objects.order_by("pk").values_list("pk", "withdrawn_at"))
    assert [pk for pk, _ in rows] == [first.pk, second.pk]
    assert rows[0][1] is not None and rows[1][1] is None


def test_the_page_gives_and_withdraws_with_one_button_and_the_case_worker_sees_it(
    people, activity_id, town
) -> None:
    case = open_case(people, activity_id, town)
    resident = resident_account_bind(bsn=town.bsn("Noor Mulder"), via="demo")
    browser = Client()
    browser.force_login(resident)
    page = browser.get("/mijn/toestemmingen/")
    assert page.status_code == 200 and b'data-purpose="voedselbank_verwijzing"' in page.content
    browser.post("/mijn/toestemmingen/", {"purpose": PURPOSE, "action": "give"})
    assert Consent.objects.filter(withdrawn_at=None, purpose=PURPOSE).count() == 1

    worker = Client()
    worker.force_login(people["wijk1"])
    family = worker.get(f"/casussen/{case.pk}/").content.decode()
    assert "toestemming voor een verwijzing naar de voedselbank" in family  # (Dutch page)
    assert "Geen toestemming" not in family
    answer = worker.post(f"/casussen/{case.pk}/voedselbank/", {"note": "Met spoed"})
    assert answer.status_code == 302 and FoodBankReferral.objects.get().note == "Met spoed"

    browser.post("/mijn/toestemmingen/", {"purpose": PURPOSE, "action": "withdraw"})
    assert not Consent.objects.filter(withdrawn_at=None).exists()
    assert "Geen toestemming voor een verwijzing" in worker.get(f"/casussen/{case.pk}/").text
    worker.post(f"/casussen/{case.pk}/voedselbank/", {})
    assert FoodBankReferral.objects.count() == 1
    # Another role may not give consent for the resident, nor refer.
    assert (
        worker.post("/mijn/toestemmingen/", {"purpose": PURPOSE, "action": "give"}).status_code
        == 403
    )
    assert browser.post(f"/casussen/{case.pk}/voedselbank/", {}).status_code == 403
