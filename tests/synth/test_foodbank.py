"""The food bank file: share, durations, profiles and intake errors, all in the truth."""

from __future__ import annotations

from meedoen_data.synth.foodbank import ERROR_KINDS, PROFILES
from tests.synth.conftest import one


def test_about_1_7_percent_of_households(sql) -> None:
    clients = one(sql, "SELECT count(DISTINCT household_id) FROM truth_partner_voedselbank")
    households = one(
        sql,
        "SELECT count(DISTINCT household_id) FROM truth_household "
        "WHERE household_type <> 'institutioneel'",
    )
    assert 0.015 <= clients / households <= 0.019


def test_durations_echo_the_study(sql) -> None:
    rows = sql("""SELECT date_diff('day', datuminschrijving,
                                   coalesce(datumuitschrijving, DATE '2025-01-01')) AS d
                  FROM voedselbank JOIN truth_partner_voedselbank USING (klantnummer)
                  WHERE burgerservicenummer IS NOT NULL""")
    days = [r[0] for r in rows]
    short = sum(d < 183 for d in days) / len(days)
    long = sum(d > 365 for d in days) / len(days)
    assert 0.06 <= short <= 0.22  # study: 13%
    assert 0.45 <= long <= 0.65  # study: 55%


def test_every_profile_and_error_kind_occurs(sql) -> None:
    profiles = {
        r[0]
        for r in sql(
            "SELECT DISTINCT profile FROM truth_partner_voedselbank WHERE profile IS NOT NULL"
        )
    }
    assert profiles == set(PROFILES)
    errors = {
        e
        for r in sql("SELECT errors FROM truth_partner_voedselbank WHERE errors IS NOT NULL")
        for e in r[0].split(";")
    }
    assert set(ERROR_KINDS) | {"outside_municipality"} <= errors


def test_truth_points_at_register_persons_or_none(sql) -> None:
    assert (
        one(
            sql,
            """SELECT count(*) FROM truth_partner_voedselbank WHERE burgerservicenummer
                       IS NOT NULL AND burgerservicenummer NOT IN
                       (SELECT burgerservicenummer FROM ingeschrevenpersoon)""",
        )
        == 0
    )
    outside = one(
        sql, "SELECT count(*) FROM truth_partner_voedselbank WHERE burgerservicenummer IS NULL"
    )
    assert (
        outside
        == one(
            sql,
            "SELECT count(*) FROM truth_partner_voedselbank WHERE errors = 'outside_municipality'",
        )
        > 0
    )


def test_planted_profiles_show_in_the_register(sql) -> None:
    single_bijstand = one(
        sql,
        """
        SELECT avg(CASE WHEN t.burgerservicenummer IN (SELECT burgerservicenummer
                   FROM inkomensvoorziening WHERE wet = 'PARTICIPATIEWET') THEN 1.0 ELSE 0 END)
        FROM truth_partner_voedselbank t WHERE profile = 'eenpersoons_bijstand'""",
    )
    assert single_bijstand == 1.0
