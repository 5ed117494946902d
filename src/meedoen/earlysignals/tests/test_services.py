"""The work list's services: signals grouped per household and triaged by the municipality's
rules, every outreach result and its status, a newer signal reopening a concluded household,
assigning to debt workers only, and who may link."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from meedoen.activities.enforcement import ActivityNotApproved
from meedoen.activities.services import activity_request
from meedoen.audits.models import AccessRecord, ProcessingRecord
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.models import AFGEROND, IN_BEHANDELING, NIEUW, Contact, SignalHousehold
from meedoen.earlysignals.services import (
    contact_register,
    household_assign,
    signals_link,
    signals_refresh,
)
from meedoen.earlysignals.tests.conftest import DEBT_ACTIVITY, actor
from meedoen.earlysignals.tests.town import WIJK
from meedoen_data.casework import person_pseudonym

pytestmark = pytest.mark.django_db


def pseudonym(home, town, name: str) -> str:  # type: ignore[no-untyped-def]
    return person_pseudonym(home=home, bsn=town.bsn(name))


def row_of(home, town, name: str) -> SignalHousehold:  # type: ignore[no-untyped-def]
    wanted = pseudonym(home, town, name)
    [row] = [r for r in SignalHousehold.objects.all() if wanted in r.persons]
    return row


def register(people, row, result: str, follow_up: str = "geen", on=date(2024, 12, 31), **kw):  # type: ignore[no-untyped-def]
    return contact_register(
        actor=actor(people[kw.pop("who", "debt")]),
        household_id=row.pk,
        channel=kw.pop("channel", "telefoon"),
        result=result,
        follow_up=follow_up,
        on=on,
        trace=TraceContext.start(),
        via="web",
    )


def test_signals_are_grouped_per_household_and_triaged_by_the_rules(
    people, linked, town, home
) -> None:
    rows = {r.rule_id: r for r in SignalHousehold.objects.filter(activity_id=linked)}
    assert set(rows) == {
        "huur-en-zorg",
        "herhaald",
        "crisis",
        "al-in-schuldhulp",
        "energie-water-klein",
        "enkelvoudig",
    }
    couple = rows["huur-en-zorg"]  # Hanna's rent and Jan's health insurance: one household
    assert couple == row_of(home, town, "Hanna Wit") == row_of(home, town, "Jan Visser")
    assert set(couple.persons) == {pseudonym(home, town, n) for n in ("Hanna Wit", "Jan Visser")}
    assert (couple.priority, couple.kinds, couple.partners) == (
        "hoog",
        ["meervoudig"],
        ["HUUR", "ZORGVERZEKERAAR"],
    )
    assert couple.triggered == couple.signal_ids == ["S00001", "S00002"]
    assert couple.amount_total == Decimal("1100.00") and couple.open_signals == 2
    assert (couple.first_signal, couple.last_signal) == (date(2024, 11, 15), date(2024, 12, 1))
    assert couple.months_in_arrears == 3  # 1 August -> 15 November (1 Sept -> 1 Dec: 3 too)
    assert (couple.wijk, couple.status, couple.in_debt_help) == (WIJK, NIEUW, False)
    assert couple.rule_why.startswith("Achterstand bij zowel")
    # Piet: the March signal is older than the window, the January one after the day.
    water = rows["herhaald"]
    assert (water.priority, water.kinds, water.signal_ids) == (
        "hoog",
        ["herhaald"],
        ["S00004", "S00005", "S00006"],
    )
    assert (rows["crisis"].priority, rows["crisis"].triggered) == ("hoog", ["S00008"])
    assert (rows["al-in-schuldhulp"].priority, rows["al-in-schuldhulp"].in_debt_help) == (
        "laag",
        True,
    )
    assert rows["energie-water-klein"].priority == "wachten"
    assert rows["enkelvoudig"].priority == "normaal"
    # The signal with a BSN the register does not hold is on no household.
    assert not any("S00012" in r.signal_ids for r in rows.values())
    # The linkage is logged with every person linked, by the administrator.
    linked_persons = {
        r.data_subject_id for r in ProcessingRecord.objects.filter(name="signals.link")
    }
    assert linked_persons == {p for r in rows.values() for p in r.persons}
    access = AccessRecord.objects.get(operation="signals.link")
    assert (access.user_name, access.channel) == ("admin", "cli")


def test_a_refresh_is_stable_and_a_municipality_changes_the_rules(
    people, linked, town, home
) -> None:
    before = {r.pk: (r.priority, r.rule_id) for r in SignalHousehold.objects.all()}
    report = signals_refresh(
        activity_id=linked, actor=actor(people["debt"]), trace=TraceContext.start(), via="web"
    )
    assert (report.open, report.new, report.reopened) == (6, 0, 0)
    assert {r.pk: (r.priority, r.rule_id) for r in SignalHousehold.objects.all()} == before
    own = home / "signals" / "rules.toml"
    own.parent.mkdir()
    own.write_text(
        '[[rule]]\nid = "huur"\nname = "Huurachterstand"\npriority = "hoog"\n'
        'why = "Huur eerst."\npartners_any = ["HUUR"]\n\n'
        '[[rule]]\nid = "rest"\nname = "De rest"\npriority = "laag"\n',
        encoding="utf-8",
    )
    signals_refresh(
        activity_id=linked, actor=actor(people["debt"]), trace=TraceContext.start(), via="web"
    )
    after = {r.rule_id: r.priority for r in SignalHousehold.objects.all()}
    assert after == {"huur": "hoog", "rest": "laag"}
    assert SignalHousehold.objects.filter(rule_id="huur").count() == 3  # couple, Tom, Gerda
    assert len({r.rules_version for r in SignalHousehold.objects.all()}) == 1
    own.write_text('[[rule]]\nid = "x"\nname = "X"\npriority = "dringend"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="dringend"):
        signals_refresh(
            activity_id=linked, actor=actor(people["debt"]), trace=TraceContext.start(), via="web"
        )
    # Outreach is still registered: the household keeps the priority it had.
    couple = row_of(home, town, "Hanna Wit")
    register(people, couple, "niet_bereikt")
    couple.refresh_from_db()
    assert (couple.rule_id, couple.status, couple.open_signals) == ("huur", IN_BEHANDELING, 2)


@pytest.mark.parametrize(
    ("result", "follow_up", "status"),
    [
        ("niet_bereikt", "nieuwe_poging", IN_BEHANDELING),
        ("niet_bereikt", "geen", IN_BEHANDELING),
        ("bereikt", "nieuwe_poging", IN_BEHANDELING),
        ("bereikt", "budgetcoaching", AFGEROND),
        ("hulp_geweigerd", "geen", AFGEROND),
        ("hulp_geaccepteerd", "intake_schuldhulp", AFGEROND),
        ("doorverwezen", "doorverwezen_wijkteam", AFGEROND),
        ("al_in_hulp", "regeling_met_partner", AFGEROND),
    ],
)
def test_every_outreach_result_sets_the_status(
    people, linked, town, home, result, follow_up, status
) -> None:
    row = row_of(home, town, "Hanna Wit")
    contact = register(people, row, result, follow_up)
    row.refresh_from_db()
    assert row.status == status
    assert contact.signal_ids == ["S00001", "S00002"] and contact.registered_by == "debt"
    if status == AFGEROND:
        assert row.closed_at == date(2024, 12, 31) and row.open_signals == 0
        assert row.priority == "" and row.signal_ids == []
    else:
        assert row.closed_at is None and row.open_signals == 2
    record = ProcessingRecord.objects.filter(name="signals.contact.register")
    assert {r.data_subject_id for r in record} == set(row.persons)


def test_outreach_counts_as_earlier_outreach_in_the_rules(people, linked, town, home) -> None:
    own = home / "signals" / "rules.toml"
    own.parent.mkdir()
    own.write_text(
        '[[rule]]\nid = "opnieuw"\nname = "Al eerder benaderd"\npriority = "hoog"\n'
        "earlier_outreach = true\n\n"
        '[[rule]]\nid = "rest"\nname = "De rest"\npriority = "laag"\n',
        encoding="utf-8",
    )
    signals_refresh(
        activity_id=linked, actor=actor(people["debt"]), trace=TraceContext.start(), via="web"
    )
    row = row_of(home, town, "Ivo Mulder")
    assert row.rule_id == "rest"
    register(people, row, "niet_bereikt")
    row.refresh_from_db()
    assert (row.rule_id, row.priority, row.status) == ("opnieuw", "hoog", IN_BEHANDELING)


def test_a_newer_signal_after_a_concluded_outreach_reopens_the_household(
    people, linked, town, home, settings
) -> None:
    piet = row_of(home, town, "Piet Anders")
    register(people, piet, "hulp_geaccepteerd", "budgetcoaching", on=date(2024, 12, 31))
    piet.refresh_from_db()
    assert (piet.status, piet.open_signals) == (AFGEROND, 0)
    # A month later the water company's signal of 15 January is on the list: Piet is new again,
    # with only that signal open (the concluded ones stay closed).
    settings.CASEWORK_DATE = "2025-02-01"
    report = signals_refresh(
        activity_id=linked, actor=actor(people["debt"]), trace=TraceContext.start(), via="web"
    )
    piet.refresh_from_db()
    assert report.reopened == 1
    assert (piet.status, piet.signal_ids, piet.closed_at) == (
        NIEUW,
        ["S00007"],
        date(2024, 12, 31),
    )
    assert (piet.rule_id, piet.kinds) == ("energie-water-klein", ["enkelvoudig"])
    # An outreach dated before one of the open signals closes only the older ones.
    couple = row_of(home, town, "Hanna Wit")
    register(people, couple, "bereikt", "geen", on=date(2024, 11, 20))
    couple.refresh_from_db()
    assert (couple.status, couple.signal_ids) == (NIEUW, ["S00002"])


def test_outreach_codes_and_date_are_checked(people, linked, town, home) -> None:
    row = row_of(home, town, "Hanna Wit")
    with pytest.raises(ValidationError) as refused:
        register(people, row, "opgelost", "geen", channel="duif", on=date(2099, 1, 1))
    assert set(refused.value.message_dict) == {"channel", "result", "date"}
    with pytest.raises(PermissionDenied):
        register(people, row, "bereikt", who="wijk")
    assert not Contact.objects.exists()


def test_a_household_is_assigned_to_a_debt_worker_only(people, linked, town, home) -> None:
    row = row_of(home, town, "Sara Smit")

    def assign(worker: str, who: str = "debt") -> SignalHousehold:
        return household_assign(
            actor=actor(people[who]),
            household_id=row.pk,
            worker=worker,
            trace=TraceContext.start(),
            via="web",
        )

    assert assign("debt2").assigned_to == people["debt2"]
    with pytest.raises(ValidationError, match="debt worker"):
        assign("wijk")  # a case worker
    with pytest.raises(ValidationError, match="debt worker"):
        assign("nobody-by-this-name")
    with pytest.raises(PermissionDenied):
        assign("debt", who="admin")
    row.refresh_from_db()
    assert row.assigned_to == people["debt2"]
    assert assign("").assigned_to is None
    assert ProcessingRecord.objects.filter(name="signals.household.assign").count() == 2


def test_linking_needs_an_administrator_and_an_approved_activity_for_debt_help(
    people, activity_id
) -> None:
    for who in ("debt", "analyst", "officer"):
        with pytest.raises(PermissionDenied):
            signals_link(
                activity_id=activity_id,
                actor=actor(people[who]),
                trace=TraceContext.start(),
                via="cli",
            )
    family = activity_request(
        actor=actor(people["analyst"]),
        **{**DEBT_ACTIVITY, "sources": ["brp", "schulden"], "task": ""},
    )
    with pytest.raises(ActivityNotApproved):  # requested, not approved
        signals_link(
            activity_id=family.pk,
            actor=actor(people["admin"]),
            trace=TraceContext.start(),
            via="cli",
        )
    with pytest.raises(ActivityNotApproved):
        signals_link(
            activity_id=activity_id + 99, actor=actor(None), trace=TraceContext.start(), via="cli"
        )
    assert not SignalHousehold.objects.exists()
    assert not ProcessingRecord.objects.filter(name__startswith="signals.").exists()
