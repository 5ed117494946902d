"""The case-work tables of contract v2 and the family truth, on the shared synthetic Gilze en
Rijen (seed 7, with truth)."""

from __future__ import annotations

import re

from meedoen_data.contract import EMAIL, PHONE, ROLLEN_BETROKKENHEID, SPECS
from meedoen_data.synth.casework import FAMILY_ROLES
from tests.synth.conftest import one

PEIL = "DATE '2025-01-01'"
LIVING = "SELECT burgerservicenummer FROM truth_household"
MINOR = f"datumgeboorte + INTERVAL 18 YEAR > {PEIL}"


def test_every_provider_of_the_allocations_has_a_name_phone_and_email(sql) -> None:
    missing = one(
        sql,
        "SELECT count(DISTINCT aanbieder) FROM toewijzing WHERE aanbieder NOT IN "
        "(SELECT agbcode FROM aanbieder)",
    )
    assert missing == 0
    rows = sql("SELECT agbcode::VARCHAR, naam, telefoon::VARCHAR, email FROM aanbieder")
    assert len(rows) == one(sql, "SELECT count(DISTINCT aanbieder) FROM toewijzing")
    for agb, naam, telefoon, email in rows:
        assert re.fullmatch(SPECS["aanbieder"].column("agbcode").pattern, agb)
        assert naam and not any(ch.isdigit() for ch in naam)
        assert re.fullmatch(PHONE, telefoon), telefoon
        assert re.fullmatch(EMAIL, email), email


def test_a_secret_address_is_the_whole_household_s_and_rare(sql) -> None:
    share = one(
        sql,
        "SELECT avg((indicatiegeheim <> 0)::INT) FROM ingeschrevenpersoon "
        f"WHERE burgerservicenummer IN ({LIVING})",
    )
    assert 0.001 < share < 0.006
    assert one(sql, "SELECT count(*) FROM ingeschrevenpersoon WHERE indicatiegeheim IS NULL") == 0
    assert one(sql, "SELECT max(indicatiegeheim) FROM ingeschrevenpersoon") <= 7
    mixed = one(
        sql,
        "SELECT count(*) FROM (SELECT household_id FROM truth_household h "
        "JOIN ingeschrevenpersoon p USING (burgerservicenummer) "
        "WHERE household_type <> 'institutioneel' "
        "GROUP BY household_id HAVING count(DISTINCT indicatiegeheim) > 1)",
    )
    assert mixed == 0


def test_professionals_are_involved_with_persons_who_have_open_services(sql) -> None:
    rows = one(sql, "SELECT count(*) FROM betrokkenheid")
    assert rows > 100
    assert {r[0] for r in sql("SELECT DISTINCT rol FROM betrokkenheid")} <= set(
        ROLLEN_BETROKKENHEID
    )
    without = one(
        sql,
        "SELECT count(DISTINCT b.burgerservicenummer) FROM betrokkenheid b WHERE NOT EXISTS ("
        "SELECT 1 FROM toewijzing t WHERE t.burgerservicenummer = b.burgerservicenummer "
        f"AND datumstarttoewijzing <= {PEIL} AND coalesce(datumeindetoewijzing, {PEIL}) >= {PEIL}"
        ") AND NOT EXISTS (SELECT 1 FROM schuldhulptraject s WHERE "
        f"s.burgerservicenummer = b.burgerservicenummer AND coalesce(einddatum, {PEIL}) >= {PEIL})",
    )
    assert without == 0
    assert (
        one(
            sql,
            f"SELECT count(*) FROM betrokkenheid WHERE laatstecontact < startdatum "
            f"OR laatstecontact >= {PEIL} OR laatstecontact < {PEIL} - INTERVAL 6 MONTH",
        )
        == 0
    )
    for contact in (r[0] for r in sql("SELECT contact::VARCHAR FROM betrokkenheid")):
        assert re.fullmatch(SPECS["betrokkenheid"].column("contact").pattern, contact), contact


def test_cases_are_children_s_and_shared_by_the_case_workers(sql) -> None:
    open_cases = one(sql, "SELECT count(*) FROM casus WHERE einddatum IS NULL")
    assert 25 <= open_cases <= 60
    assert 1 <= one(sql, "SELECT count(*) FROM casus WHERE einddatum IS NOT NULL") < open_cases
    workers = {r[0] for r in sql("SELECT DISTINCT medewerker FROM casus")}
    assert workers == {"case_worker", "case_worker2"}
    assert {r[0] for r in sql("SELECT DISTINCT team FROM casus")} <= {
        "wijkteam-noord",
        "wijkteam-zuid",
    }
    adults = one(
        sql,
        "SELECT count(*) FROM casus c JOIN ingeschrevenpersoon p USING (burgerservicenummer) "
        f"WHERE c.einddatum IS NULL AND NOT ({MINOR})",
    )
    assert adults == 0
    assert all(re.fullmatch(r"C20\d\d-\d{6}", r[0]) for r in sql("SELECT casusnummer FROM casus"))


def test_the_family_truth_has_every_living_child(sql) -> None:
    children = one(
        sql,
        "SELECT count(*) FROM truth_household h JOIN ingeschrevenpersoon p "
        f"USING (burgerservicenummer) WHERE {MINOR}",
    )
    assert children > 1000
    assert one(sql, "SELECT count(DISTINCT burgerservicenummer) FROM truth_family") == children
    assert {r[0] for r in sql("SELECT DISTINCT rol FROM truth_family")} <= set(FAMILY_ROLES)
    duplicates = one(
        sql,
        "SELECT count(*) FROM (SELECT 1 FROM truth_family "
        "GROUP BY burgerservicenummer, gerelateerde_burgerservicenummer HAVING count(*) > 1)",
    )
    assert duplicates == 0
    unknown = one(
        sql,
        "SELECT count(*) FROM truth_family WHERE gerelateerde_burgerservicenummer NOT IN "
        "(SELECT burgerservicenummer FROM ingeschrevenpersoon)",
    )
    assert unknown == 0


def test_every_parent_is_a_parent_in_relatie_and_every_relatie_parent_is_there(sql) -> None:
    not_in_relatie = one(
        sql,
        "SELECT count(*) FROM truth_family f WHERE rol = 'ouder' AND NOT EXISTS ("
        "SELECT 1 FROM relatie r WHERE r.burgerservicenummer = f.burgerservicenummer AND "
        "r.gerelateerde_burgerservicenummer = f.gerelateerde_burgerservicenummer "
        "AND r.soortrelatie = 'ouder')",
    )
    assert not_in_relatie == 0
    left_out = one(
        sql,
        "SELECT count(*) FROM relatie r WHERE soortrelatie = 'ouder' "
        "AND burgerservicenummer IN (SELECT burgerservicenummer FROM truth_family) "
        "AND NOT EXISTS (SELECT 1 FROM truth_family f WHERE rol = 'ouder' "
        "AND f.burgerservicenummer = r.burgerservicenummer "
        "AND f.gerelateerde_burgerservicenummer = r.gerelateerde_burgerservicenummer)",
    )
    assert left_out == 0
    dead = one(
        sql,
        "SELECT count(*) FROM truth_family f JOIN ingeschrevenpersoon p "
        "ON p.burgerservicenummer = f.gerelateerde_burgerservicenummer "
        "WHERE (p.datumoverlijden IS NOT NULL) <> (f.overleden = 1)",
    )
    assert dead == 0


def _parent_sets(sql) -> None:
    sql(
        "CREATE OR REPLACE TEMP TABLE parent_set AS SELECT burgerservicenummer AS child, "
        "list_sort(list(gerelateerde_burgerservicenummer)) AS parents FROM relatie "
        "WHERE soortrelatie = 'ouder' GROUP BY ALL"
    )


def test_siblings_share_all_parents_and_half_siblings_some(sql) -> None:
    _parent_sets(sql)
    rows = sql(
        "SELECT f.rol, a.parents, b.parents FROM truth_family f "
        "JOIN parent_set a ON a.child = f.burgerservicenummer "
        "JOIN parent_set b ON b.child = f.gerelateerde_burgerservicenummer "
        "WHERE f.rol IN ('broer_zus', 'halfbroer_halfzus')"
    )
    assert sum(r[0] == "broer_zus" for r in rows) > 1000
    for rol, mine, theirs in rows:
        if rol == "broer_zus":
            assert mine == theirs
        else:
            assert set(mine) & set(theirs) and mine != theirs
    # Every living person with a parent in common is there as a (half) sibling.
    missing = one(
        sql,
        "SELECT count(*) FROM truth_family f JOIN relatie a ON a.burgerservicenummer = "
        "f.burgerservicenummer AND a.soortrelatie = 'ouder' AND f.rol = 'ouder' "
        "AND a.gerelateerde_burgerservicenummer = f.gerelateerde_burgerservicenummer "
        "JOIN relatie b ON b.gerelateerde_burgerservicenummer = a.gerelateerde_burgerservicenummer "
        "AND b.soortrelatie = 'ouder' AND b.burgerservicenummer <> a.burgerservicenummer "
        f"WHERE b.burgerservicenummer IN ({LIVING}) AND NOT EXISTS (SELECT 1 FROM truth_family g "
        "WHERE g.burgerservicenummer = f.burgerservicenummer "
        "AND g.gerelateerde_burgerservicenummer = b.burgerservicenummer "
        "AND g.rol IN ('broer_zus', 'halfbroer_halfzus'))",
    )
    assert missing == 0


def test_a_step_parent_is_the_current_formal_partner_of_a_parent(sql) -> None:
    assert one(sql, "SELECT count(*) FROM truth_family WHERE rol = 'stiefouder'") > 50
    wrong = one(
        sql,
        "SELECT count(*) FROM truth_family s WHERE rol = 'stiefouder' AND NOT EXISTS ("
        "SELECT 1 FROM truth_family o JOIN relatie r ON r.burgerservicenummer = "
        "o.gerelateerde_burgerservicenummer AND r.soortrelatie = 'partner' "
        f"AND r.datumingang <= {PEIL} AND coalesce(r.datumeinde, {PEIL} + 1) > {PEIL} "
        "WHERE o.burgerservicenummer = s.burgerservicenummer AND o.rol = 'ouder' "
        "AND r.gerelateerde_burgerservicenummer = s.gerelateerde_burgerservicenummer)",
    )
    assert wrong == 0


def test_lives_at_the_address_agrees_with_the_truth_household(sql) -> None:
    disagree = one(
        sql,
        "SELECT count(*) FROM truth_family f "
        "JOIN truth_household c ON c.burgerservicenummer = f.burgerservicenummer "
        "LEFT JOIN truth_household m ON m.burgerservicenummer = f.gerelateerde_burgerservicenummer "
        "WHERE f.woont_op_adres <> coalesce((m.adresseerbaarobjectidentificatie = "
        "c.adresseerbaarobjectidentificatie)::INT, 0)",
    )
    assert disagree == 0
    # Everyone living at the child's address is in the child's family, and only parents may
    # have died or left.
    housemates = one(
        sql,
        "SELECT count(*) FROM truth_household c JOIN ingeschrevenpersoon p "
        f"ON p.burgerservicenummer = c.burgerservicenummer AND {MINOR} "
        "JOIN truth_household m ON m.adresseerbaarobjectidentificatie = "
        "c.adresseerbaarobjectidentificatie AND m.burgerservicenummer <> c.burgerservicenummer",
    )
    assert housemates == one(sql, "SELECT count(*) FROM truth_family WHERE woont_op_adres = 1")
    gone = one(
        sql,
        "SELECT count(*) FROM truth_family WHERE rol <> 'ouder' AND "
        f"gerelateerde_burgerservicenummer NOT IN ({LIVING})",
    )
    assert gone == 0
