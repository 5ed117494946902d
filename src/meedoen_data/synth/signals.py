"""Early-warning signals (Wgs) as a debt-help worker sees them, and their truth.

On top of the signals of contract v1 (``records.signal_table``), per chunk:

- ``geboortedatum`` (contract v2): housing corporations, health insurers and the CAK know the
  person's birth date and send it; a housing corporation mistyped day and month in about 2% of
  its signals (where the day is 12 or less, as in the food bank's file); energy and water
  companies send none;
- repeated signals: for about 35% of the v1 signals the same partner signals the same person
  again in the following months, one to three times, 28-35 days apart and each in the next
  calendar month, the arrears growing by 5-30% each time, up to the peildatum (ids ``R…``);
- one planted indicator: about 0.6% of the private households that have neither debt help nor
  signals get one small water signal (EUR 20-95; every other signal is at least EUR 100) about
  the head (ids ``W…``); 45% of them start debt help 60-330 days later (if not after the
  peildatum). Without the plant the same signals are there, the debt help is not: a pattern that
  looks like a lead and has no effect;
- identity noise (:func:`identity_noise`): a partner without the BSN (housing corporation,
  energy or water company) writes the name and address as its own client record has them:
  initials instead of given names, a married woman under her partner's surname, a typo in the
  surname, the tussenvoegsel abbreviated or glued, the huisnummertoevoeging left out, a name in
  capitals; rates per partner in :data:`IDENTITY_NOISE`. A follow-up carries the noise of its
  first signal (the same client record);
- ``truth/signal``: the true person and household of every signal, whether it was planted and
  its noise (``noise``: the kinds, ``;``-separated, empty when none).

Everything is drawn from a random stream of its own per chunk, so every row of contract v1 is
the same as before these were added, except the name and address of the rows without a BSN
(the noise, drawn last on that stream, so every other draw is as before); the planted debt help
is left out of the case-work tables (they are drawn from the v1 trajectories), so those are the
same too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from meedoen_data.synth.foodbank import ERROR_RATES
from meedoen_data.synth.nametable import surnames
from meedoen_data.synth.population import FEMALE, INSTITUTION, NONE, ChunkPopulation
from meedoen_data.synth.records import (
    bsn,
    date_array,
    debt_table,
    ids,
    signal_identity,
    table,
)
from meedoen_data.synth.services import Flags, main_person

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

#: Partners that know the person's birth date (housing corporations from the tenancy, health
#: insurers and the CAK from the BRP); energy and water companies do not.
BIRTH_DATE_PARTNERS = ("HUUR", "ZORGVERZEKERAAR", "CAK")
#: Share of housing corporations' signals with day and month swapped (a typing error; only
#: where the day is 12 or less and differs from the month).
DAY_MONTH_SWAP_SHARE = 0.02
#: Share of v1 signals the same partner repeats in the following months, at most how often,
#: the days between two signals (always in the next calendar month, so the analytics store's
#: ``signaaldatum_maand`` shows consecutive months) and the growth of the arrears each time.
REPEAT_SHARE = 0.35
REPEAT_MAX = 3
REPEAT_DAYS = (28, 35)
REPEAT_GROWTH = (0.05, 0.30)
#: The planted indicator: share of private households with a head (drawn from those without
#: debt help or signals), the small water arrears, the window of the signal date in months
#: before the peildatum, the days from arrears to signal, the share that starts debt help and
#: the days from the signal to that start.
PLANTED_HOUSEHOLD_SHARE = 0.006
PLANTED_AMOUNT = (20.0, 95.0)
PLANTED_MONTHS = (24, 1)
PLANTED_ARREARS_DAYS = (30, 120)
PLANTED_EFFECT = 0.45
PLANTED_DELAY_DAYS = (60, 330)
#: The name and address columns of a signal (the identity noise may change them).
IDENTITY_COLUMNS = (
    "geslachtsnaam",
    "voorvoegsel",
    "voornamen",
    "postcode",
    "huisnummer",
    "huisnummertoevoeging",
)
#: Kinds of identity noise, in the order they are applied:
#:
#: - ``partner_surname``: a married (or widowed) woman under her partner's surname and
#:   tussenvoegsel (aanduiding naamgebruik; only where the register knows the partner);
#: - ``tussenvoegsel``: abbreviated (``v.d.``, ``v.``; prefixes starting with *van*, half of the
#:   time) or glued to the surname (``Vanderberg``, ``Devries``; only where there is one);
#: - ``typo``: in the surname, a letter swapped with the next, dropped or doubled;
#: - ``initials``: the given names as initials, all (``J.F.``, 60%) or the first (``J.``);
#: - ``no_addition``: the huisnummertoevoeging left out (only where there is one);
#: - ``case``: surname, tussenvoegsel and given names in capitals (80%) or lower case.
NOISE_KINDS = ("partner_surname", "tussenvoegsel", "typo", "initials", "no_addition", "case")
#: Per partner without the BSN, the share of its signals with each kind of noise (of those where
#: it can happen). Energy and water companies bill an account holder, often by initials and in
#: the capitals of a billing system; a housing corporation has the tenancy agreement with the
#: full names. A married woman is under her partner's surname as often as in the food bank's file.
IDENTITY_NOISE: dict[str, dict[str, float]] = {
    "HUUR": {
        "partner_surname": ERROR_RATES["partner_surname"],
        "tussenvoegsel": 0.03,
        "typo": 0.03,
        "initials": 0.10,
        "no_addition": 0.05,
        "case": 0.05,
    },
    **{
        partner: {
            "partner_surname": ERROR_RATES["partner_surname"],
            "tussenvoegsel": 0.03,
            "typo": 0.03,
            "initials": 0.40,
            "no_addition": 0.05,
            "case": 0.15,
        }
        for partner in ("ENERGIE", "WATER")
    },
}
#: The noise kind of a housing corporation's birth date with day and month swapped.
DAY_MONTH_SWAP = "day_month_swap"


@dataclass
class ChunkSignals:
    """One chunk's ``vroegsignaal`` (v1 rows with ``geboortedatum``, then follow-ups, then the
    planted signals), the planted debt help to append to ``schuldhulptraject`` (empty without
    the plant) and ``truth/signal`` (one row per signal, in the same order)."""

    signals: pa.Table
    debt: pa.Table
    truth: pa.Table


def chunk_signals(
    rng: np.random.Generator,
    pop: ChunkPopulation,
    flags: Flags,
    addresses: pa.Table,
    v1: pa.Table,
    v1_person: I64,
    chunk_number: int,
    *,
    plant: bool,
) -> ChunkSignals:
    """Complete a chunk's signals from its v1 rows ``v1`` about persons ``v1_person`` (local
    index). The draws do not depend on ``plant``: with and without it the signals are the
    same."""
    with_birth, swapped = _with_birth_dates(rng, pop, v1, v1_person)
    follow, source = _follow_ups(rng, pop, with_birth, chunk_number)
    planted, planted_person, debt = _planted(rng, pop, flags, addresses, chunk_number)
    # The noise last on the stream: every draw above is as it was without it.
    firsts = pa.concat_tables([with_birth, planted.cast(with_birth.schema)])
    first_person = np.concatenate([v1_person, planted_person]).astype(np.int64)
    noisy, noise = _chunk_noise(rng, pop, firsts, first_person)
    for i in np.flatnonzero(swapped):
        noise[i] = ";".join(filter(None, (DAY_MONTH_SWAP, noise[i])))
    n_v1 = v1.num_rows
    with_birth = noisy.slice(0, n_v1)
    follow = _with_identity(follow, with_birth.take(pa.array(source)))
    signals = pa.concat_tables([with_birth, follow, noisy.slice(n_v1)])
    person = np.concatenate([v1_person, v1_person[source], planted_person]).astype(np.int64)
    noise = np.concatenate([noise[:n_v1], noise[:n_v1][source], noise[n_v1:]])
    is_planted = np.zeros(person.shape[0], dtype=bool)
    is_planted[person.shape[0] - planted_person.shape[0] :] = True
    if not plant:
        debt = debt.slice(0, 0)
    return ChunkSignals(
        signals=signals,
        debt=debt,
        truth=_truth(pop, signals["signaalid"], person, is_planted, noise),
    )


def _with_birth_dates(
    rng: np.random.Generator, pop: ChunkPopulation, v1: pa.Table, person: I64
) -> tuple[pa.Table, B]:
    """The v1 rows with ``geboortedatum`` for the partners that know it, and which of them have
    day and month swapped."""
    n = v1.num_rows
    partner = np.asarray(v1["signaalpartner"].to_numpy(zero_copy_only=False), dtype=str)
    true_birth = pop.people.birth[person].astype(np.int64)
    swap = (rng.random(n) < DAY_MONTH_SWAP_SHARE) & (partner == "HUUR")
    birth = np.where(swap, _day_month_swapped(true_birth), true_birth)
    swapped: B = birth != true_birth
    birth = np.where(np.isin(partner, BIRTH_DATE_PARTNERS), birth, NONE)
    table = v1.set_column(
        v1.schema.get_field_index("geboortedatum"), "geboortedatum", date_array(birth)
    )
    return table, swapped


def _day_month_swapped(days: I64) -> I64:
    """The date with day and month swapped where that is another valid date, else the date."""
    dates = days.astype("datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    day = (dates - month_start.astype("datetime64[D]")).astype(np.int64) + 1
    month = month_start.astype(np.int64) % 12 + 1
    year = dates.astype("datetime64[Y]")
    valid = (day <= 12) & (day != month)
    swapped = (
        year.astype("datetime64[M]") + np.where(valid, day - 1, month - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + np.where(valid, month - 1, day - 1).astype("timedelta64[D]")
    out: I64 = swapped.astype(np.int64)
    return out


def _follow_ups(
    rng: np.random.Generator, pop: ChunkPopulation, signals: pa.Table, chunk_number: int
) -> tuple[pa.Table, I64]:
    """Repeated signals of the same partner about the same person, and the row each repeats."""
    n = signals.num_rows
    repeats = rng.random(n) < REPEAT_SHARE
    times = rng.integers(1, REPEAT_MAX + 1, n)
    gap_draw = rng.random((n, REPEAT_MAX))
    growth = 1 + rng.uniform(REPEAT_GROWTH[0], REPEAT_GROWTH[1], (n, REPEAT_MAX))
    day = np.asarray(
        pc.cast(signals["signaaldatum"], pa.int32()).to_numpy(zero_copy_only=False), np.int64
    )
    amount = np.asarray(
        pc.cast(signals["bedrag"], pa.float64()).to_numpy(zero_copy_only=False), np.float64
    )
    rows, steps, days, amounts = [], [], [], []
    for step in range(REPEAT_MAX):
        day = _next_month(day, gap_draw[:, step])
        amount = np.round(amount * growth[:, step], 2)
        keep = np.flatnonzero(repeats & (step < times) & (day <= pop.peil))
        rows.append(keep)
        steps.append(np.full(keep.shape[0], step))
        days.append(day[keep])
        amounts.append(amount[keep])
    row, step_of = np.concatenate(rows), np.concatenate(steps)
    order = np.lexsort((step_of, row))
    source: I64 = row[order].astype(np.int64)
    m = int(source.shape[0])
    follow = signals.take(pa.array(source))
    for name, values in (
        ("signaalid", ids(f"R{chunk_number:03d}", np.arange(m), 7)),
        ("bedrag", pa.array(np.concatenate(amounts)[order]).cast(signals["bedrag"].type)),
        ("signaaldatum", date_array(np.concatenate(days)[order])),
    ):
        follow = follow.set_column(follow.schema.get_field_index(name), name, values)
    return follow, source


def _next_month(day: I64, draw: npt.NDArray[np.float64]) -> I64:
    """A day 28-35 days after ``day`` that lies in the next calendar month (there always is
    one), picked by ``draw`` (uniform in [0, 1))."""
    dates = day.astype("datetime64[D]")
    next_month = dates.astype("datetime64[M]") + 1
    first = (next_month.astype("datetime64[D]") - dates).astype(np.int64)
    last = ((next_month + 1).astype("datetime64[D]") - dates).astype(np.int64) - 1
    low = np.maximum(REPEAT_DAYS[0], first)
    high = np.minimum(REPEAT_DAYS[1], last)
    out: I64 = day + low + np.floor(draw * (high - low + 1)).astype(np.int64)
    return out


def _months_before(peil: int, months: int) -> int:
    """The day ``months`` calendar months before day ``peil`` (the last day of a shorter
    month where that day does not exist)."""
    day = date(1970, 1, 1) + timedelta(days=peil)
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in range(day.day, 0, -1):
        try:
            return (date(year, month + 1, d) - date(1970, 1, 1)).days
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _planted(
    rng: np.random.Generator,
    pop: ChunkPopulation,
    flags: Flags,
    addresses: pa.Table,
    chunk_number: int,
) -> tuple[pa.Table, I64, pa.Table]:
    """The planted small water signals, the persons they are about, and the debt help that
    45% of those households start after them."""
    p, h, peil = pop.people, pop.households, pop.peil
    head = main_person(pop)
    with_head = (h.type != INSTITUTION) & (head >= 0)
    k = round(PLANTED_HOUSEHOLD_SHARE * int(with_head.sum()))
    eligible = np.flatnonzero(with_head & ~flags.schuldhulp & ~flags.signal)
    hh = np.sort(rng.choice(eligible, size=min(k, eligible.shape[0]), replace=False))
    who: I64 = head[hh]
    m = int(hh.shape[0])
    first, last = (_months_before(peil, months) for months in PLANTED_MONTHS)
    signaal = rng.integers(first, last + 1, m)
    ontstaan = signaal - rng.integers(PLANTED_ARREARS_DAYS[0], PLANTED_ARREARS_DAYS[1] + 1, m)
    amount = np.round(rng.uniform(PLANTED_AMOUNT[0], PLANTED_AMOUNT[1], m), 2)
    signals = table(
        "vroegsignaal",
        {
            "signaalid": ids(f"W{chunk_number:03d}", np.arange(m), 7),
            "signaalpartner": pa.array(np.full(m, "WATER")),
            "burgerservicenummer": pa.nulls(m, pa.string()),
            **signal_identity(pop, who, hh, addresses),
            "geboortedatum": date_array(np.full(m, NONE)),
            "bedrag": pa.array(amount).cast(pa.decimal128(12, 2)),
            "ontstaansdatum": date_array(ontstaan),
            "signaaldatum": date_array(signaal),
            "crisissignaal": pa.array(np.full(m, "N")),
        },
    )
    treated = np.zeros(m, dtype=bool)
    treated[rng.choice(m, size=round(PLANTED_EFFECT * m), replace=False)] = True
    start = signaal + rng.integers(PLANTED_DELAY_DAYS[0], PLANTED_DELAY_DAYS[1] + 1, m)
    starts = treated & (start <= peil)
    debt = debt_table(rng, p.pid[who[starts]], start[starts].astype(np.int32), peil)
    return signals, who, debt


def identity_noise(
    rng: np.random.Generator,
    partner: npt.NDArray[np.str_],
    identity: dict[str, list[Any]],
    spouse: list[tuple[str, str | None] | None],
) -> tuple[dict[str, list[Any]], npt.NDArray[np.object_]]:
    """The name and address of signals as partners without the BSN hold them.

    ``identity`` has the register's values per :data:`IDENTITY_COLUMNS` (``None`` where empty),
    one per signal of ``partner``; ``spouse`` the surname and tussenvoegsel of a woman's
    (last) formal partner, ``None`` for men and women without one. Returns the noisy values and
    per signal the kinds of noise (:data:`NOISE_KINDS`, ``;``-separated, ``""`` when none); a
    partner not in :data:`IDENTITY_NOISE` (those that send the BSN) gets none. A fixed number of
    draws per signal, whatever its values: same draws, same noise."""
    n = int(partner.shape[0])
    chance = rng.random((n, len(NOISE_KINDS)))
    how = rng.random((n, 5))
    out = {column: list(identity[column]) for column in IDENTITY_COLUMNS}
    noise = np.full(n, "", dtype=object)
    for i in range(n):
        rates = IDENTITY_NOISE.get(str(partner[i]))
        if rates is None:
            continue
        hit = {kind: bool(chance[i, k] < rates[kind]) for k, kind in enumerate(NOISE_KINDS)}
        surname, prefix = str(out["geslachtsnaam"][i]), out["voorvoegsel"][i] or None
        given, addition = out["voornamen"][i] or None, out["huisnummertoevoeging"][i] or None
        kinds = []
        mate = spouse[i]
        if hit["partner_surname"] and mate is not None and mate != (surname, prefix):
            surname, prefix = mate[0], mate[1] or None
            kinds.append("partner_surname")
        if hit["tussenvoegsel"] and prefix:
            if prefix.lower().startswith("van") and how[i, 0] < 0.5:
                prefix = _abbreviated(prefix)
            else:
                surname, prefix = _glued(prefix, surname), None
            kinds.append("tussenvoegsel")
        if hit["typo"]:
            surname = _typo(surname, how[i, 1], how[i, 2])
            kinds.append("typo")
        if hit["initials"] and given:
            letters = [part[0].upper() + "." for part in given.split()]
            given = "".join(letters if how[i, 3] < 0.6 else letters[:1])
            kinds.append("initials")
        if hit["no_addition"] and addition:
            addition = None
            kinds.append("no_addition")
        if hit["case"]:
            change = str.upper if how[i, 4] < 0.8 else str.lower
            surname = change(surname)
            prefix = change(prefix) if prefix else prefix
            given = change(given) if given else given
            kinds.append("case")
        out["geslachtsnaam"][i], out["voorvoegsel"][i] = surname, prefix
        out["voornamen"][i], out["huisnummertoevoeging"][i] = given, addition
        noise[i] = ";".join(kinds)
    return out, noise


def _abbreviated(prefix: str) -> str:
    """``van der`` → ``v.d.``, ``van`` → ``v.``, ``van 't`` → ``v.'t``."""
    parts = prefix.split()
    short = [p[0] + "." if p.lower() in {"van", "de", "der", "den"} else p for p in parts]
    return "".join(short)


def _glued(prefix: str, surname: str) -> str:
    """``van der`` + ``Berg`` → ``Vanderberg``; ``'t`` + ``Hart`` → ``Thart``."""
    return (prefix.replace("'", "").replace(" ", "") + surname).capitalize()


def _typo(word: str, at: float, kind: float) -> str:
    """A letter after the first swapped with the next, dropped or doubled (by ``kind``, in
    [0, 1)), at a place picked by ``at``; always another word."""
    if len(word) < 3:
        return word + word[-1:]
    i = 1 + int(at * (len(word) - 2))
    swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 1 / 3 and swapped != word:
        return swapped
    if kind < 2 / 3:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _chunk_noise(
    rng: np.random.Generator, pop: ChunkPopulation, signals: pa.Table, person: I64
) -> tuple[pa.Table, npt.NDArray[np.object_]]:
    """:func:`identity_noise` on a chunk's signals about persons ``person`` (local index)."""
    p = pop.people
    partner = np.asarray(signals["signaalpartner"].to_numpy(zero_copy_only=False), dtype=str)
    identity = {column: signals[column].to_pylist() for column in IDENTITY_COLUMNS}
    spouse_local = p.partner[person] - p.pid[0]
    married = (
        (p.sex[person] == FEMALE)
        & (p.partner[person] != NONE)
        & (spouse_local >= 0)
        & (spouse_local < len(p))
    )
    sn = surnames()
    index = pa.array(p.surname[np.where(married, spouse_local, 0)])
    names = sn.values.take(index).to_pylist()
    prefixes = sn.prefixes.take(index).to_pylist() if sn.prefixes is not None else [None] * len(p)
    spouse: list[tuple[str, str | None] | None] = [
        (str(names[i]), prefixes[i] or None) if married[i] else None for i in range(person.shape[0])
    ]
    noisy, noise = identity_noise(rng, partner, identity, spouse)
    return _with_identity(signals, pa.table(noisy, schema=_identity_schema(signals))), noise


def _identity_schema(signals: pa.Table) -> pa.Schema:
    return pa.schema([signals.schema.field(column) for column in IDENTITY_COLUMNS])


def _with_identity(signals: pa.Table, identity: pa.Table) -> pa.Table:
    """``signals`` with the name and address columns of ``identity`` (same rows)."""
    for column in IDENTITY_COLUMNS:
        index = signals.schema.get_field_index(column)
        signals = signals.set_column(index, column, identity[column])
    return signals


def _truth(
    pop: ChunkPopulation,
    signal_id: pa.ChunkedArray,
    person: I64,
    planted: B,
    noise: npt.NDArray[np.object_],
) -> pa.Table:
    """``truth/signal``: per signal the true person, household (as ``truth/household``),
    whether it is a planted one and its noise (empty when none)."""
    p, h = pop.people, pop.households
    hh = p.household[person]
    institution = pa.array(h.type[hh] == INSTITUTION)
    household = pc.if_else(institution, ids("I", h.id[hh], 9), ids("H", h.id[hh], 9))
    return pa.table(
        {
            "signaalid": signal_id,
            "burgerservicenummer": bsn(p.pid[person]),
            "household_id": household,
            "planted": pa.array(planted),
            "noise": pa.array(noise, type=pa.string()),
        }
    )


__all__ = [
    "BIRTH_DATE_PARTNERS",
    "IDENTITY_COLUMNS",
    "IDENTITY_NOISE",
    "NOISE_KINDS",
    "ChunkSignals",
    "chunk_signals",
    "identity_noise",
]
