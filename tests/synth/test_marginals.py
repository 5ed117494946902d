"""Marginals and correlations fall inside the ranges documented in docs/synth.md."""

from __future__ import annotations

from tests.synth.conftest import one

HOUSEHOLDS = (
    "SELECT household_id, any_value(household_type) AS t, count(*) AS n "
    "FROM truth_household GROUP BY 1"
)


def share(sql, condition: str, base: str) -> float:
    return float(one(sql, f"SELECT avg(CASE WHEN {condition} THEN 1.0 ELSE 0 END) FROM ({base})"))


def test_about_11300_households_in_gilze_en_rijen(sql) -> None:
    assert (
        10_800
        <= one(sql, f"SELECT count(*) FROM ({HOUSEHOLDS}) WHERE t <> 'institutioneel'")
        <= 11_800
    )


def test_household_types(sql) -> None:
    private = f"SELECT * FROM ({HOUSEHOLDS}) WHERE t <> 'institutioneel'"
    assert 0.37 <= share(sql, "t = 'eenpersoons'", private) <= 0.42  # CBS 2024: 39.9%
    assert 0.22 <= share(sql, "t = 'paar_met_kinderen'", private) <= 0.27
    assert 0.06 <= share(sql, "t = 'eenouder'", private) <= 0.09
    mean_size = one(sql, f"SELECT avg(n) FROM ({private})")
    assert 2.0 <= mean_size <= 2.25  # CBS 2024: 2.11
    institutional = one(
        sql,
        "SELECT avg(CASE WHEN household_type = 'institutioneel' THEN 1.0 "
        "ELSE 0 END) FROM truth_household",
    )
    assert 0.010 <= institutional <= 0.022  # CBS 2024: 1.6% of persons


def test_age_pyramid(sql) -> None:
    ages = """SELECT date_diff('year', datumgeboorte, DATE '2025-01-01') AS a
              FROM ingeschrevenpersoon JOIN truth_household USING (burgerservicenummer)"""
    assert 0.17 <= share(sql, "a < 18", ages) <= 0.24  # CBS: about 20% under 18
    assert 0.16 <= share(sql, "a >= 67", ages) <= 0.26  # CBS: about 20% 67+


def test_youth_care_about_ten_percent_of_under_23(sql) -> None:
    young = """SELECT burgerservicenummer IN (SELECT burgerservicenummer FROM toewijzing
                                             WHERE wet = 'JEUGDWET') AS j
               FROM ingeschrevenpersoon JOIN truth_household USING (burgerservicenummer)
               WHERE date_diff('year', datumgeboorte, DATE '2025-01-01') < 23
                 AND household_type <> 'institutioneel'"""
    assert 0.095 <= share(sql, "j", young) <= 0.12  # CBS 2023: 10.6%
    top = sql("""SELECT soortverwijzer FROM toewijzing WHERE wet = 'JEUGDWET'
                 AND productcategorie NOT IN ('47', '48')
                 GROUP BY 1 ORDER BY count(*) DESC LIMIT 2""")
    assert {r[0] for r in top} == {"01", "02"}  # gemeentelijke toegang and huisarts largest
    kinds = {
        r[0] for r in sql("SELECT DISTINCT productcategorie FROM toewijzing WHERE wet = 'JEUGDWET'")
    }
    assert {"45", "48"} <= kinds and kinds & {"43", "44"}


def test_wmo_rises_steeply_with_age(sql) -> None:
    rows = sql("""SELECT least(date_diff('year', datumgeboorte, DATE '2025-01-01') // 20, 4) g,
                  avg(CASE WHEN burgerservicenummer IN (SELECT burgerservicenummer FROM toewijzing
                      WHERE wet = 'WMO') THEN 1.0 ELSE 0 END)
                  FROM ingeschrevenpersoon JOIN truth_household USING (burgerservicenummer)
                  GROUP BY 1 ORDER BY 1""")
    rates = [r[1] for r in rows]
    assert rates[-1] > 4 * rates[1] > 0
    assert rates == sorted(rates[:1]) + sorted(rates[1:])


def test_benefits_debt_and_signals(sql) -> None:
    households = one(sql, f"SELECT count(*) FROM ({HOUSEHOLDS}) WHERE t <> 'institutioneel'")
    bijstand = one(
        sql,
        "SELECT count(DISTINCT burgerservicenummer) FROM inkomensvoorziening "
        "WHERE wet = 'PARTICIPATIEWET'",
    )
    assert 0.035 <= bijstand / households <= 0.06
    debt = one(sql, "SELECT count(DISTINCT burgerservicenummer) FROM schuldhulptraject")
    assert 0.025 <= debt / households <= 0.055
    partners = {r[0] for r in sql("SELECT DISTINCT signaalpartner FROM vroegsignaal")}
    assert {"HUUR", "ENERGIE", "WATER", "ZORGVERZEKERAAR"} <= partners


def test_background_variables(sql) -> None:
    assert 0.65 <= share(sql, "migratieachtergrond = 'geen'", "SELECT * FROM cbs_persoon") <= 0.8
    adults = """SELECT opleidingsniveau FROM cbs_persoon JOIN ingeschrevenpersoon
                USING (burgerservicenummer) WHERE date_diff('year', datumgeboorte,
                DATE '2025-01-01') BETWEEN 25 AND 64"""
    assert 0.15 <= share(sql, "opleidingsniveau = 'laag'", adults) <= 0.25
    assert 0.35 <= share(sql, "opleidingsniveau = 'hoog'", adults) <= 0.50
    tenure = (
        "SELECT DISTINCT household_id, woningbezit FROM cbs_inkomen "
        "JOIN truth_household USING (burgerservicenummer) WHERE woningbezit IS NOT NULL"
    )
    assert 0.52 <= share(sql, "woningbezit = 'koop'", tenure) <= 0.62


def test_problems_stack_in_the_same_households(sql) -> None:
    per_household = """
        SELECT household_id,
               bool_or(burgerservicenummer IN (SELECT burgerservicenummer FROM toewijzing
                                               WHERE wet = 'JEUGDWET')) AS jeugd,
               bool_or(burgerservicenummer IN (SELECT burgerservicenummer
                                               FROM inkomensvoorziening
                                               WHERE wet = 'PARTICIPATIEWET')) AS bijstand
        FROM truth_household WHERE household_type <> 'institutioneel' GROUP BY 1"""
    overall = share(sql, "bijstand", per_household)
    with_youth_care = share(sql, "bijstand", f"SELECT * FROM ({per_household}) WHERE jeugd")
    assert with_youth_care > 2.5 * overall


def test_low_incomes_among_single_parents_and_people_alone(sql) -> None:
    incomes = """SELECT household_id, any_value(household_type) AS t,
                        any_value(besteedbaar_huishoudinkomen) AS inc
                 FROM cbs_inkomen JOIN truth_household USING (burgerservicenummer)
                 WHERE besteedbaar_huishoudinkomen IS NOT NULL GROUP BY 1"""
    low = f"SELECT * FROM ({incomes}) WHERE inc < (SELECT quantile_cont(inc, 0.2) FROM ({incomes}))"
    assert share(sql, "t IN ('eenouder', 'eenpersoons')", low) > 1.3 * share(
        sql, "t IN ('eenouder', 'eenpersoons')", incomes
    )


def test_unmarried_couples_are_only_visible_by_address(sql) -> None:
    couples = one(
        sql,
        "SELECT count(DISTINCT household_id) FROM truth_household "
        "WHERE household_type LIKE 'paar%'",
    )
    formal = one(
        sql,
        """SELECT count(DISTINCT t.household_id) FROM truth_household t
                         JOIN relatie r USING (burgerservicenummer)
                         WHERE r.soortrelatie = 'partner' AND r.datumeinde IS NULL""",
    )
    assert 0.6 <= formal / couples <= 0.85  # CBS: about 3 in 4 couples are married


def test_the_deceased_and_departed_are_in_the_register_but_in_no_household(sql) -> None:
    assert (
        one(
            sql,
            "SELECT count(*) FROM ingeschrevenpersoon WHERE datumoverlijden IS NOT "
            "NULL AND burgerservicenummer IN (SELECT burgerservicenummer "
            "FROM truth_household)",
        )
        == 0
    )
    gone = one(
        sql,
        "SELECT count(*) FROM ingeschrevenpersoon ANTI JOIN truth_household "
        "USING (burgerservicenummer) WHERE datumoverlijden IS NULL",
    )
    assert gone > 0


def test_household_sizes_follow_cbs(sql) -> None:
    """CBS 37975, 2024: 1 person 39.9%, 2: 32.3%, 3: 11.6%, 4: 11.4%, 5+: 4.8%."""
    sizes = dict(
        sql(f"""SELECT least(n, 5), count(*) * 1.0 / sum(count(*)) OVER ()
                         FROM ({HOUSEHOLDS}) WHERE t <> 'institutioneel' GROUP BY 1""")
    )
    for size, target in {1: 0.399, 2: 0.323, 3: 0.116, 4: 0.114, 5: 0.048}.items():
        assert abs(sizes[size] - target) <= 0.025, (size, sizes[size])
