"""Early-warning signals beyond contract v1: birth dates, repeated signals, the planted small
water signal, the identity noise of partners without the BSN and ``truth/signal``; every v1 row
as before but for the name and address of the rows without a BSN.

Most tests read the shared synthetic Gilze en Rijen (seed 7, with truth); the v1 rows and the
determinism are checked on a run of 3,000 persons, the planted indicator against a twin of Gilze
en Rijen generated without it.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import duckdb
import pytest

from meedoen_data.synth import SynthReport, synth_municipality
from meedoen_data.synth.signals import (
    BIRTH_DATE_PARTNERS,
    IDENTITY_COLUMNS,
    IDENTITY_NOISE,
    NOISE_KINDS,
    PLANTED_DELAY_DAYS,
    PLANTED_EFFECT,
    PLANTED_HOUSEHOLD_SHARE,
)
from tests.helpers import meedoen_json
from tests.synth.conftest import one

PEIL = date(2025, 1, 1)
SMALL = {"gemeente": "GM0784", "seed": 3, "persons": 3_000}
#: The v1 rows of the run ``SMALL`` (one chunk), read with ``csv.reader`` from the files the
#: generator wrote before this module existed (commit fee698c): row count and the SHA-256 of
#: every row's fields joined by U+001F, one row per line, header first. In ``vroegsignaal`` the
#: name and address (:data:`IDENTITY_COLUMNS`) of the rows without a BSN are left empty before
#: hashing: the identity noise may change them (every other field, and the whole of the rows
#: with a BSN, as at fee698c; 64 of the 105 rows have no BSN).
V1_ROWS = {
    "vroegsignaal": (
        105,
        "16e2e572bc2dfbddabd09be2ab35f842718de0490e9997d84a4e99b420ec7648",
    ),
    "schuldhulptraject": (
        56,
        "87665f2bb91220618fcf8ddb34b1ff3c2608f2237aa17c7ca0e8027bdbdba1e9",
    ),
}


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _digest(rows: list[list[str]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(("\x1f".join(row) + "\n").encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``small(name, **options)``: the 3,000-person run, generated once per name."""
    root = tmp_path_factory.mktemp("signals")
    made: dict[str, Path] = {}

    def run(name: str, **options: Any) -> Path:
        if name not in made:
            synth_municipality(out=root / name, with_truth=True, **SMALL, **options)
            made[name] = root / name
        return made[name]

    return run


@pytest.fixture(scope="module")
def without_plant(gilze: SynthReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Gilze en Rijen as the shared fixture, but without the planted indicator's effect."""
    out = tmp_path_factory.mktemp("no_plant") / "GM0784"
    synth_municipality(gemeente="GM0784", out=out, seed=7, with_truth=True, plant_indicator=False)
    return out


def _without_noisy_identity(rows: list[list[str]]) -> list[list[str]]:
    """The rows with the name and address of those without a BSN left empty."""
    header = rows[0]
    bsn = header.index("burgerservicenummer")
    identity = {header.index(c) for c in IDENTITY_COLUMNS}
    return [header] + [
        [("" if j in identity and not row[bsn] else v) for j, v in enumerate(row)]
        for row in rows[1:]
    ]


def test_every_v1_row_is_as_before_and_the_new_rows_come_after_it(small) -> None:
    out = small("a")
    for name, (count, expected) in V1_ROWS.items():
        rows = _rows(out / f"{name}.csv")
        if name == "vroegsignaal":
            new = rows[0].index("geboortedatum")
            assert rows[0][new - 1] == "huisnummertoevoeging"
            rows = [row[:new] + row[new + 1 :] for row in rows]
            assert all(row[0].startswith("S") for row in rows[1 : count + 1])
            assert not any(row[0].startswith("S") for row in rows[count + 1 :])
            rows = _without_noisy_identity(rows)
        assert len(rows) - 1 > count, name  # rows were added ...
        assert _digest(rows[: count + 1]) == expected, name  # ... after the v1 rows, unchanged
    # The noise did change some names: the test above would not see it if it changed none.
    truth = _rows(out / "truth" / "signal.csv")
    assert any(row[-1] for row in truth[1 : V1_ROWS["vroegsignaal"][0] + 1])


def test_same_seed_same_bytes_and_the_flag_changes_only_the_debt_help(small) -> None:
    a, b, c = small("a"), small("b"), small("c", plant_indicator=False)
    for name in ("vroegsignaal.csv", "schuldhulptraject.csv", "truth/signal.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "vroegsignaal.csv").read_bytes() == (c / "vroegsignaal.csv").read_bytes()
    assert (a / "truth/signal.csv").read_bytes() == (c / "truth/signal.csv").read_bytes()
    with_plant, without = _rows(a / "schuldhulptraject.csv"), _rows(c / "schuldhulptraject.csv")
    assert with_plant[: len(without)] == without
    assert len(without) - 1 == V1_ROWS["schuldhulptraject"][0]
    assert len(with_plant) > len(without)


def test_the_cli_flag_writes_the_signals_without_the_effect(small, tmp_path) -> None:
    out = tmp_path / "cli"
    report = meedoen_json(
        "synth", "--out", str(out), "--persons", "3000", "--seed", "3", "--no-planted-indicator"
    )
    assert report["rows"]["schuldhulptraject"] == V1_ROWS["schuldhulptraject"][0]
    expected = small("c", plant_indicator=False)
    for name in ("vroegsignaal.csv", "schuldhulptraject.csv"):
        assert (out / name).read_bytes() == (expected / name).read_bytes(), name


def test_birth_dates_come_only_from_partners_that_know_them(sql) -> None:
    rows = sql("SELECT signaalpartner, count(*), count(geboortedatum) FROM vroegsignaal GROUP BY 1")
    assert {r[0] for r in rows} == {"HUUR", "ZORGVERZEKERAAR", "CAK", "ENERGIE", "WATER"}
    for partner, n, known in rows:
        assert known == (n if partner in BIRTH_DATE_PARTNERS else 0), partner
    # Health insurers and the CAK send the register's birth date; a housing corporation the
    # register's or, for a few, the same date with day and month swapped.
    compared = sql(
        "SELECT v.signaalpartner, v.geboortedatum = p.datumgeboorte, "
        "coalesce(v.geboortedatum = CASE WHEN day(p.datumgeboorte) <= 12 THEN make_date("
        "year(p.datumgeboorte), day(p.datumgeboorte), month(p.datumgeboorte)) END, false) "
        "FROM vroegsignaal v JOIN truth_signal t USING (signaalid) "
        "JOIN ingeschrevenpersoon p ON p.burgerservicenummer = t.burgerservicenummer "
        "WHERE v.geboortedatum IS NOT NULL"
    )
    assert all(same for partner, same, _ in compared if partner != "HUUR")
    huur = [(same, swapped) for partner, same, swapped in compared if partner == "HUUR"]
    assert all(same or swapped for same, swapped in huur)
    assert 0 < sum(not same for same, _ in huur) < 0.02 * len(huur)


def test_follow_ups_repeat_the_same_partner_and_person_in_the_next_months(sql) -> None:
    chains = sql(
        "SELECT list(signaalid ORDER BY signaaldatum), list(signaaldatum ORDER BY signaaldatum), "
        "list(bedrag::DOUBLE ORDER BY signaaldatum), "
        "count(DISTINCT (geslachtsnaam, voornamen, voorvoegsel, postcode, huisnummer, "
        "huisnummertoevoeging, geboortedatum, v.burgerservicenummer, crisissignaal)) "
        "FROM vroegsignaal v JOIN truth_signal t USING (signaalid) WHERE NOT t.planted "
        "GROUP BY signaalpartner, t.burgerservicenummer, ontstaansdatum"
    )
    firsts = sum(1 for ids, *_ in chains if ids[0].startswith("S"))
    assert firsts == len(chains) == one(sql, "SELECT count(*) FROM vroegsignaal WHERE signaalid "
                                        "LIKE 'S%'")  # fmt: skip
    repeated = [chain for chain in chains if len(chain[0]) > 1]
    assert 0.28 < len(repeated) / len(chains) < 0.40
    assert max(len(ids) for ids, *_ in chains) == 4
    for ids, days, amounts, identities in repeated:
        assert ids[0].startswith("S") and all(i.startswith("R") for i in ids[1:])
        assert identities == 1  # the same name, address, birth date and BSN (or none)
        assert days[-1] <= PEIL
        for before, after in pairwise(days):
            assert 28 <= (after - before).days <= 35
            assert (after.year * 12 + after.month) - (before.year * 12 + before.month) == 1
        for before, after in pairwise(amounts):
            assert 1.05 * before - 0.01 <= after <= 1.30 * before + 0.01
    # Every v1 signal whose next month was still before the peildatum could have been
    # repeated; none after it was.
    late = one(
        sql,
        "SELECT count(*) FROM vroegsignaal WHERE signaalid LIKE 'R%' "
        f"AND signaaldatum > DATE '{PEIL}'",
    )
    assert late == 0


def test_the_truth_has_every_signal_s_person_and_household(sql) -> None:
    total = one(sql, "SELECT count(*) FROM vroegsignaal")
    assert one(sql, "SELECT count(*) FROM truth_signal") == total
    assert one(sql, "SELECT count(DISTINCT signaalid) FROM vroegsignaal") == total
    assert one(sql, "SELECT count(*) FROM vroegsignaal JOIN truth_signal USING (signaalid)") == (
        total
    )
    wrong_bsn = one(
        sql,
        "SELECT count(*) FROM vroegsignaal v JOIN truth_signal t USING (signaalid) "
        "WHERE v.burgerservicenummer IS NOT NULL "
        "AND v.burgerservicenummer <> t.burgerservicenummer",
    )
    assert wrong_bsn == 0
    # The household is the person's in truth/household; the postcode and house number are
    # the household's; name and toevoeging the register's unless the truth names noise.
    wrong = one(
        sql,
        f"SELECT count(*) FROM {_REGISTER} "
        "WHERE h.household_id <> t.household_id OR v.postcode <> a.postcode "
        "OR v.huisnummer <> a.huisnummer OR (coalesce(t.noise, '') IN ('', 'day_month_swap') "
        "AND (v.geslachtsnaam <> p.geslachtsnaam "
        "OR v.voorvoegsel IS DISTINCT FROM p.voorvoegsel OR v.voornamen <> p.voornamen "
        "OR coalesce(v.huisnummertoevoeging, '') <> "
        "coalesce(a.huisletter, '') || coalesce(a.huisnummertoevoeging::VARCHAR, '')))",
    )
    assert wrong == 0
    assert all(
        r[0].startswith("H") and len(r[0]) == 10
        for r in sql("SELECT DISTINCT household_id FROM truth_signal")
    )
    planted = sql("SELECT left(signaalid, 1), planted, count(*) FROM truth_signal GROUP BY ALL")
    assert {(prefix, flag) for prefix, flag, _ in planted} == {
        ("S", False),
        ("R", False),
        ("W", True),
    }


def test_the_planted_signals_are_small_water_arrears_of_households_without_signals(sql) -> None:
    rows = sql(
        "SELECT v.signaalpartner, v.bedrag::DOUBLE, v.signaaldatum, v.ontstaansdatum, "
        "v.crisissignaal, v.burgerservicenummer, v.geboortedatum, t.planted, h.role "
        "FROM vroegsignaal v JOIN truth_signal t USING (signaalid) "
        "JOIN truth_household h ON h.burgerservicenummer = t.burgerservicenummer "
        "WHERE t.planted OR v.bedrag < 100"
    )
    assert all(r[7] for r in rows)  # water under EUR 100 only comes from the plant
    households = one(
        sql,
        "SELECT count(DISTINCT household_id) FROM truth_household "
        "WHERE household_type <> 'institutioneel'",
    )
    assert abs(len(rows) - PLANTED_HOUSEHOLD_SHARE * households) <= 3
    for partner, amount, signal, arrears, crisis, bsn, born, _, role in rows:
        assert (partner, crisis, bsn, born, role) == ("WATER", "N", None, None, "head")
        assert 20 <= amount <= 95
        assert date(2023, 1, 1) <= signal <= date(2024, 12, 1)
        assert 30 <= (signal - arrears).days <= 120
    shared = one(
        sql,
        "SELECT count(*) FROM truth_signal a JOIN truth_signal b USING (household_id) "
        "WHERE a.planted AND NOT b.planted",
    )
    assert shared == 0  # nor other signals in the household
    before = one(
        sql,
        "SELECT count(*) FROM truth_signal t JOIN vroegsignaal v USING (signaalid) "
        "JOIN schuldhulptraject s ON s.burgerservicenummer = t.burgerservicenummer WHERE t.planted "
        "AND s.startdatum <= v.signaaldatum + INTERVAL 59 DAY",
    )
    assert before == 0  # no debt help of their own (v1)


def _debt_help_after_planted_signal(con: duckdb.DuckDBPyConnection) -> tuple[int, float, float]:
    """Planted households, the share with debt help starting within 12 months after their
    signal, and what the plant makes expected: its effect times the share whose start (60-330
    days after the signal) falls on or before the peildatum."""
    low, high = PLANTED_DELAY_DAYS
    row = con.execute(
        "SELECT count(*), avg((EXISTS (SELECT 1 FROM schuldhulptraject s "
        "WHERE s.burgerservicenummer = t.burgerservicenummer AND s.startdatum > v.signaaldatum "
        "AND s.startdatum <= v.signaaldatum + INTERVAL 12 MONTH))::INT), "
        f"avg(least(greatest(DATE '{PEIL}' - v.signaaldatum - {low} + 1, 0), {high - low + 1})"
        f" / {high - low + 1}) "
        "FROM vroegsignaal v JOIN truth_signal t USING (signaalid) WHERE t.planted"
    ).fetchone()
    assert row is not None
    return int(row[0]), float(row[1]), PLANTED_EFFECT * float(row[2])


def _connect(folder: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("vroegsignaal", "schuldhulptraject"):
        con.read_csv(str(folder / f"{name}.csv"), sample_size=-1).create_view(name)
    con.read_csv(str(folder / "truth" / "signal.csv"), sample_size=-1).create_view("truth_signal")
    return con


def test_the_planted_indicator_has_its_effect_only_with_the_flag(gilze, without_plant) -> None:
    with _connect(gilze.out) as con:
        n, share, expected = _debt_help_after_planted_signal(con)
    assert n > 50
    assert 0.25 < expected < 0.40
    assert abs(share - expected) < 0.08
    with _connect(without_plant) as con:
        n_without, share_without, _ = _debt_help_after_planted_signal(con)
    assert (n_without, share_without) == (n, 0.0)
    # The signals are the same with and without the plant; only the debt help differs.
    for name in ("vroegsignaal.csv", "truth/signal.csv"):
        assert (gilze.out / name).read_bytes() == (without_plant / name).read_bytes()


def test_the_planted_window_is_in_whole_months_before_the_peildatum() -> None:
    from meedoen_data.synth.signals import _months_before

    peil = (PEIL - date(1970, 1, 1)).days
    day = date(1970, 1, 1) + timedelta(days=_months_before(peil, 24))
    assert day == date(2023, 1, 1)
    march = (date(2024, 3, 31) - date(1970, 1, 1)).days
    assert date(1970, 1, 1) + timedelta(days=_months_before(march, 1)) == date(2024, 2, 29)


#: Every signal with its truth, the register's person and the address of the household.
_REGISTER = (
    "vroegsignaal v JOIN truth_signal t USING (signaalid) "
    "JOIN truth_household h ON h.burgerservicenummer = t.burgerservicenummer "
    "JOIN ingeschrevenpersoon p ON p.burgerservicenummer = t.burgerservicenummer "
    "JOIN nummeraanduiding a ON a.adresseerbaarobjectidentificatie = "
    "h.adresseerbaarobjectidentificatie"
)


def test_partners_without_the_bsn_write_names_as_their_own_records_have_them(sql) -> None:
    rows = sql(
        "SELECT v.signaalid, v.signaalpartner, v.burgerservicenummer, coalesce(t.noise, ''), "
        "v.geslachtsnaam, v.voorvoegsel, v.voornamen, v.huisnummertoevoeging, "
        "p.geslachtsnaam, p.voorvoegsel, p.voornamen, p.geslachtsaanduiding, "
        "a.huisletter, a.huisnummertoevoeging::VARCHAR, "
        "(SELECT list(lower(coalesce(q.voorvoegsel || ' ', '') || q.geslachtsnaam)) "
        " FROM relatie r JOIN ingeschrevenpersoon q "
        " ON q.burgerservicenummer = r.gerelateerde_burgerservicenummer "
        " WHERE r.burgerservicenummer = t.burgerservicenummer AND r.soortrelatie = 'partner') "
        f"FROM {_REGISTER}"
    )
    seen: dict[str, list[int]] = {}
    for sid, partner, bsn, noise, sur, pre, given, plus, r_sur, r_pre, r_given, sex, *rest in rows:
        letter, addition, spouses = rest
        kinds = [k for k in noise.split(";") if k and k != "day_month_swap"]
        if bsn is not None or partner not in IDENTITY_NOISE:
            assert not kinds, sid  # who sends the BSN has the register's name
            continue
        assert set(kinds) <= set(NOISE_KINDS), sid
        if sid.startswith(("S", "W")):  # first signals: the follow-ups repeat them
            for kind in NOISE_KINDS:
                seen.setdefault(f"{partner}/{kind}", [0, 0])[0] += kind in kinds
                seen[f"{partner}/{kind}"][1] += 1
        if "initials" in kinds:
            letters = "".join(part[0] for part in r_given.split()).lower()
            assert re.fullmatch(r"([A-Za-z]\.)+", given) and letters.startswith(
                given.replace(".", "").lower()
            ), sid
        elif "case" not in kinds:
            assert given == r_given, sid
        if "partner_surname" in kinds:
            assert sex == "V" and spouses, sid
            if not {"typo", "tussenvoegsel"} & set(kinds):
                assert f"{(pre or '') + ' ' if pre else ''}{sur}".lower() in spouses, sid
        if "no_addition" in kinds:
            assert plus is None and (letter or addition), sid
        else:
            assert (plus or "") == (letter or "") + (addition or ""), sid
        if "case" in kinds:
            assert sur in {sur.upper(), sur.lower()} and sur != sur.capitalize(), sid
        if not {"partner_surname", "tussenvoegsel", "typo", "case"} & set(kinds):
            assert (sur, pre) == (r_sur, r_pre), sid
        if kinds == ["typo"]:
            assert sur != r_sur and abs(len(sur) - len(r_sur)) <= 1 and pre == r_pre, sid
        if kinds == ["tussenvoegsel"]:
            glued = (r_pre or "").replace("'", "").replace(" ", "") + r_sur
            assert r_pre and (
                (pre is None and sur == glued.capitalize())
                or (sur == r_sur and pre and pre.replace(".", "").replace("'", "") != r_pre)
            ), sid
    # Every kind at about its rate, per partner (binomial bounds, a few hundred signals each).
    for key, (hits, n) in seen.items():
        partner, kind = key.split("/")
        rate = IDENTITY_NOISE[partner][kind]
        if kind in {"partner_surname", "tussenvoegsel", "no_addition"}:
            assert hits <= rate * n + 4 * (rate * n) ** 0.5 + 3, key  # of those it can hit
            continue
        assert abs(hits - rate * n) <= 4 * (rate * (1 - rate) * n) ** 0.5 + 3, (key, hits, n)
    every = {k for r in rows for k in (r[3] or "").split(";") if k}
    assert every == {*NOISE_KINDS, "day_month_swap"}


def test_a_follow_up_has_the_noise_of_its_first_signal(sql) -> None:
    chains = sql(
        "SELECT count(DISTINCT coalesce(t.noise, '')), count(*) "
        "FROM vroegsignaal v JOIN truth_signal t USING (signaalid) WHERE NOT t.planted "
        "GROUP BY signaalpartner, t.burgerservicenummer, ontstaansdatum HAVING count(*) > 1"
    )
    assert chains and all(kinds == 1 for kinds, _ in chains)
