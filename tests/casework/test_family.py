"""Family composition, case by case: each test builds a small municipality as source files,
loads it through the intake gate and reads one person's family (issue 20)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from meedoen_data.casework import (
    PersonAmbiguous,
    PersonNotFound,
    family_read,
    person_find,
)
from tests.casework.town import ON, Town, step_family

ALL = ("wmo", "jeugd", "participatie", "schulden", "signalen", "betrokkenheid")
#: The deliveries are made when the test runs: sources count as connected for 45 days after.
NOW = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5)


def read(home: Path, town: Town, name: str, allowed=ALL, now: datetime = NOW, max_age: int = 45):
    return family_read(
        home=home, bsn=town.bsn(name), on=ON, allowed=allowed, max_age_days=max_age, now=now
    )


def roles(town: Town, family) -> dict[str, tuple[str, bool]]:
    """name -> (role, lives at the address)"""
    return {town.name(m.bsn): (m.role, m.lives_at_address) for m in family.members}


def test_married_parents_and_a_sibling(tmp_path: Path) -> None:
    t = Town()
    t.person("Anna Jansen", date(1985, 3, 1))
    t.person("Bas Jansen", date(1983, 5, 2), sex="M")
    t.person("Cas Jansen", date(2015, 1, 9), sex="M")
    t.person("Dina Jansen", date(2018, 7, 4))
    t.marry("Anna Jansen", "Bas Jansen")
    for child in ("Cas Jansen", "Dina Jansen"):
        t.parent("Anna Jansen", child)
        t.parent("Bas Jansen", child)
    for name in t.persons:
        t.live(name, "Dorpsstraat")
    family = read(t.load(tmp_path), t, "Cas Jansen")
    assert roles(t, family) == {
        "Cas Jansen": ("zelf", True),
        "Anna Jansen": ("ouder", True),
        "Bas Jansen": ("ouder", True),
        "Dina Jansen": ("broer_zus", True),
    }
    assert family.address == "Dorpsstraat 1, 5121 AB Rijen"
    assert not family.address_hidden


def test_unmarried_parents_are_both_parents_and_nobody_a_step_parent(tmp_path: Path) -> None:
    t = Town()
    t.person("Eva Bakker", date(1990, 1, 1))
    t.person("Finn Smit", date(1989, 1, 1), sex="M")
    t.person("Gijs Smit", date(2019, 1, 1), sex="M")
    t.parent("Eva Bakker", "Gijs Smit")
    t.parent("Finn Smit", "Gijs Smit")
    for name in t.persons:
        t.live(name, "Kerkweg")
    assert roles(t, read(t.load(tmp_path), t, "Gijs Smit")) == {
        "Gijs Smit": ("zelf", True),
        "Eva Bakker": ("ouder", True),
        "Finn Smit": ("ouder", True),
    }


def test_step_family_a_parent_elsewhere_and_a_half_sister(tmp_path: Path) -> None:
    t = Town()
    step_family(t)
    assert roles(t, read(t.load(tmp_path), t, "Noor Mulder")) == {
        "Noor Mulder": ("zelf", True),
        "Hanna de Wit": ("ouder", True),
        "Ivo Mulder": ("ouder", False),  # a parent living elsewhere
        "Jan Visser": ("stiefouder", True),
        "Lotte Mulder": ("halfbroer_halfzus", False),
        "Kees Visser": ("huisgenoot", True),  # a step-brother: no relation in the BRP
    }


def test_co_parenting_at_two_addresses_the_child_registered_at_one(tmp_path: Path) -> None:
    t = Town()
    t.person("Olga Peters", date(1988, 1, 1))
    t.person("Piet Peters", date(1987, 1, 1), sex="M")
    t.person("Quinn Peters", date(2016, 1, 1), sex="M")
    t.person("Rosa Peters", date(2017, 1, 1))
    for child in ("Quinn Peters", "Rosa Peters"):
        t.parent("Olga Peters", child)
        t.parent("Piet Peters", child)
    t.live("Olga Peters", "Molenweg")
    t.live("Quinn Peters", "Molenweg")
    t.live("Piet Peters", "Schoolstraat")
    t.live("Rosa Peters", "Schoolstraat")  # the sister is registered with the father
    assert roles(t, read(t.load(tmp_path), t, "Quinn Peters")) == {
        "Quinn Peters": ("zelf", True),
        "Olga Peters": ("ouder", True),
        "Piet Peters": ("ouder", False),
        "Rosa Peters": ("broer_zus", False),
    }


def test_a_child_in_an_institution_has_no_housemates_shown(tmp_path: Path) -> None:
    t = Town()
    t.person("Sara Bos", date(1980, 1, 1))
    t.person("Tim Bos", date(2010, 1, 1), sex="M")
    t.parent("Sara Bos", "Tim Bos")
    t.live("Sara Bos", "Parklaan")
    t.live("Tim Bos", "Zorghuis", since=date(2023, 1, 1))
    for k in range(12):
        t.person(f"Bewoner{k} Zorg", date(2008, 1, 1 + k))
        t.live(f"Bewoner{k} Zorg", "Zorghuis")
    family = read(t.load(tmp_path), t, "Tim Bos")
    assert roles(t, family) == {"Tim Bos": ("zelf", True), "Sara Bos": ("ouder", False)}
    assert family.institution


def test_a_deceased_parent_is_shown_as_deceased_and_without_services(tmp_path: Path) -> None:
    t = Town()
    t.person("Ursula Vos", date(1975, 1, 1), died=date(2021, 3, 3))
    t.person("Victor Vos", date(1974, 1, 1), sex="M")
    t.person("Willem Vos", date(2011, 1, 1), sex="M")
    t.marry("Ursula Vos", "Victor Vos", until=date(2021, 3, 3))
    t.parent("Ursula Vos", "Willem Vos")
    t.parent("Victor Vos", "Willem Vos")
    t.live("Ursula Vos", "Eikenlaan", until=date(2021, 3, 3))
    for name in ("Victor Vos", "Willem Vos"):
        t.live(name, "Eikenlaan")
    t.benefit("Ursula Vos", date(2020, 1, 1))  # never ended in the source
    family = read(t.load(tmp_path), t, "Willem Vos")
    assert roles(t, family) == {
        "Willem Vos": ("zelf", True),
        "Ursula Vos": ("ouder", False),
        "Victor Vos": ("ouder", True),
    }
    ursula = next(m for m in family.members if m.bsn == t.bsn("Ursula Vos"))
    assert ursula.deceased == date(2021, 3, 3)
    assert t.bsn("Ursula Vos") not in family.services


def test_an_unmarried_partner_of_a_parent_is_a_housemate(tmp_path: Path) -> None:
    t = Town()
    t.person("Xandra Kuipers", date(1986, 1, 1))
    t.person("Yusuf Demir", date(1984, 1, 1), sex="M")
    t.person("Zoë Kuipers", date(2013, 1, 1))
    t.parent("Xandra Kuipers", "Zoë Kuipers")
    for name in t.persons:
        t.live(name, "Wilgenhof")
    assert roles(t, read(t.load(tmp_path), t, "Zoë Kuipers")) == {
        "Zoë Kuipers": ("zelf", True),
        "Xandra Kuipers": ("ouder", True),
        "Yusuf Demir": ("huisgenoot", True),
    }


def test_a_secret_address_is_never_shown_nor_its_other_residents(tmp_path: Path) -> None:
    """A mother and child in a shelter (blijf-van-mijn-lijf) with another family: the address
    and the other residents stay out of the view; the father elsewhere is still family."""
    t = Town()
    t.person("Amira Saleh", date(1991, 1, 1), secret="7")
    t.person("Bilal Saleh", date(2019, 1, 1), sex="M", secret="7")
    t.person("Carim Saleh", date(1989, 1, 1), sex="M")
    t.person("Door Opvang", date(1970, 1, 1))
    t.parent("Amira Saleh", "Bilal Saleh")
    t.parent("Carim Saleh", "Bilal Saleh")
    for name in ("Amira Saleh", "Bilal Saleh", "Door Opvang"):
        t.live(name, "Geheimeweg", since=date(2024, 11, 1))
    t.live("Carim Saleh", "Stationsplein")
    family = read(t.load(tmp_path), t, "Bilal Saleh")
    assert roles(t, family) == {
        "Bilal Saleh": ("zelf", True),
        "Amira Saleh": ("ouder", True),
        "Carim Saleh": ("ouder", False),
    }
    assert family.address_hidden and family.address == ""
    assert family.person.secret


def services_town() -> Town:
    t = Town()
    t.person("Dewi Hendriks", date(1987, 1, 1))
    t.person("Elif Hendriks", date(2012, 1, 1))
    t.parent("Dewi Hendriks", "Elif Hendriks")
    for name in t.persons:
        t.live(name, "Populierenweg")
    t.care("Elif Hendriks", "JEUGDWET", "45", date(2024, 5, 1))  # current
    t.care("Elif Hendriks", "JEUGDWET", "41", date(2021, 1, 1), date(2022, 1, 1))  # too old
    t.benefit("Dewi Hendriks", date(2023, 2, 1), date(2023, 9, 30))  # ended, in the window
    t.involve("Elif Hendriks", "Fleur Regie", "regievoerder", date(2024, 5, 1), date(2024, 12, 1))
    return t


def test_services_of_the_last_two_years_with_provider_and_lead_professional(
    tmp_path: Path,
) -> None:
    t = services_town()
    family = read(t.load(tmp_path), t, "Elif Hendriks")
    elif_, dewi = t.bsn("Elif Hendriks"), t.bsn("Dewi Hendriks")
    [care] = family.services[elif_]
    assert (care.domain, care.category, care.label) == ("jeugd", "45", "Jeugdhulp ambulant")
    assert care.current and care.provider is not None
    assert (care.provider.name, care.provider.phone) == ("Jeugdhulp Oost", "013 123 4567")
    [benefit] = family.services[dewi]
    assert benefit.domain == "participatie" and not benefit.current
    [lead] = family.involvements[elif_]
    assert (lead.professional, lead.role, lead.last_contact) == (
        "Fleur Regie",
        "regievoerder",
        date(2024, 12, 1),
    )
    assert family.states[elif_]["jeugd"] == "geregistreerd"
    assert family.states[dewi]["jeugd"] == "geen_registratie"
    assert family.states[dewi]["participatie"] == "geregistreerd"


def test_three_states_never_confused(tmp_path: Path) -> None:
    """No Wmo row in the allocations, no debt-help file, signals not allowed: each says so."""
    t = services_town()
    home = t.load(tmp_path)
    family = read(home, t, "Elif Hendriks", allowed=("wmo", "jeugd", "participatie", "schulden"))
    states = family.states[t.bsn("Elif Hendriks")]
    assert states == {
        "wmo": "bron_niet_aangesloten",  # the allocations hold no Wmo law: not delivered
        "jeugd": "geregistreerd",
        "participatie": "geen_registratie",
        "schulden": "bron_niet_aangesloten",  # never delivered
        "signalen": "geen_toegang",
        "betrokkenheid": "geen_toegang",
    }
    # Three months later without a new delivery, no source proves "no record" any more.
    stale = read(home, t, "Elif Hendriks", now=NOW + timedelta(days=90))
    assert set(stale.states[t.bsn("Dewi Hendriks")].values()) == {"bron_niet_aangesloten"}
    # And the family itself comes from an old BRP delivery: said, not hidden.
    assert stale.register_stale and not family.register_stale


def test_person_found_by_bsn_or_by_exact_name_and_birth_date(tmp_path: Path) -> None:
    t = Town()
    t.person("Gert Lam", date(1970, 1, 1), sex="M")
    t.person("Hein Lam", date(1970, 1, 1), sex="M")
    t.person("Ida Lam", date(1971, 2, 2))
    t.person("Jet Lam", date(1971, 2, 2))
    home = t.load(tmp_path)
    assert person_find(home=home, bsn=t.bsn("Gert Lam")) == t.bsn("Gert Lam")
    with pytest.raises(ValueError):
        person_find(home=home, bsn="123456789")
    with pytest.raises(PersonNotFound):
        person_find(home=home, surname="Lam", birth_date=date(1999, 1, 1))
    with pytest.raises(PersonAmbiguous):
        person_find(home=home, surname="lam", birth_date=date(1970, 1, 1))
    # Given names are part of nothing: two persons share surname and birth date here too.
    with pytest.raises(PersonAmbiguous):
        person_find(home=home, surname="Lam", birth_date=date(1971, 2, 2))
