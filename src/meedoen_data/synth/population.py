"""Households, persons, relations and address histories of one chunk, as numpy columns.

The BRP has no household object: households exist here only as the truth the generator plants.
What the register files show is what the real BRP shows: persons, their addresses over time,
and formal relations (parents, marriages and registered partnerships). Unmarried couples are
visible only by sharing an address.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from meedoen_data.synth import calibration as cal
from meedoen_data.synth import names
from meedoen_data.synth.nametable import first_names, surnames
from meedoen_data.synth.plan import Chunk

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

YEAR = 365.25
NONE = -(2**31 - 1)  # missing date or index (not -1: that is 1969-12-31 as a day number)

HOUSEHOLD_TYPES = (
    "eenpersoons",
    "paar_zonder_kinderen",
    "paar_met_kinderen",
    "eenouder",
    "overig",
    "institutioneel",
)
ONE, COUPLE, FAMILY, SINGLE_PARENT, OTHER, INSTITUTION = range(6)

# Roles of a person in the chunk.
HEAD, PARTNER, CHILD, MEMBER, RESIDENT, DECEASED, DEPARTED = range(7)
MALE, FEMALE, UNKNOWN_SEX = 0, 1, 2
NAAMGEBRUIK = ("E", "N", "P", "V")


@dataclass
class Households:
    id: I64  # global household number
    type: I8
    address: I64  # global address number
    origin: I8
    z: F64  # latent vulnerability: problems stack where it is high
    since: I32  # day the household moved in


@dataclass
class People:
    pid: I64  # global person number (becomes the BSN)
    household: I32  # local household index, NONE for the deceased and departed
    role: I8
    sex: I8
    birth: I32
    death: I32
    origin: I8
    abroad: B
    surname: I32
    first: npt.NDArray[np.int32]  # (n, 3) given-name indices, NONE where fewer names
    naamgebruik: I8
    partner: I64  # pid of the (current or last) formal partner, NONE if none

    def __len__(self) -> int:
        return int(self.pid.shape[0])


@dataclass
class Relations:
    person: I64
    related: I64
    kind: npt.NDArray[np.str_]  # ouder / kind / partner
    union: npt.NDArray[np.str_]  # H / P for partners, "" otherwise
    start: I32
    end: I32


@dataclass
class Residences:
    person: I64
    address: I64
    start: I32
    end: I32


@dataclass
class ChunkPopulation:
    households: Households
    people: People
    relations: Relations
    residences: Residences
    peil: int


def _choice(rng: np.random.Generator, options: tuple[tuple[int, float], ...], n: int) -> I64:
    values = np.array([v for v, _ in options])
    p = np.array([w for _, w in options])
    return values[rng.choice(len(values), size=n, p=p / p.sum())]


def _days(rng: np.random.Generator, peil: int, age_years: F64) -> I32:
    """A birth (or start) date ``age_years`` before the peildatum, to the day."""
    return np.minimum(peil - np.round(age_years * YEAR), peil - 1).astype(np.int32)


def _adult_age(rng: np.random.Generator, kind: int, n: int) -> F64:
    if kind == ONE:
        bands = ((18, 30, 0.17), (30, 45, 0.15), (45, 65, 0.28), (65, 80, 0.24), (80, 100, 0.16))
    else:
        bands = ((20, 35, 0.20), (35, 55, 0.20), (55, 65, 0.20), (65, 80, 0.30), (80, 95, 0.10))
    p = np.array([b[2] for b in bands])
    band = rng.choice(len(bands), size=n, p=p / p.sum())
    low = np.array([b[0] for b in bands])[band]
    high = np.array([b[1] for b in bands])[band]
    ages: F64 = low + rng.random(n) * (high - low)
    return ages


def generate_population(*, rng: np.random.Generator, chunk: Chunk, peil: int) -> ChunkPopulation:
    n_h = chunk.households
    shares = np.array(list(cal.HOUSEHOLD_TYPE_SHARES.values()))
    htype = rng.choice(5, size=n_h, p=shares / shares.sum()).astype(np.int8)
    origin_p = np.array([cal.MIGRATION_ORIGIN_SHARES[o] for o in names.ORIGINS])
    origin = rng.choice(len(names.ORIGINS), size=n_h, p=origin_p / origin_p.sum()).astype(np.int8)
    non_western = np.isin(
        origin,
        [i for i, o in enumerate(names.ORIGINS) if names.MIGRATION_BACKGROUND[o] == "niet-westers"],
    )
    z = (
        rng.standard_normal(n_h)
        + 1.0 * (htype == SINGLE_PARENT)
        + 0.35 * (htype == ONE)
        + 0.5 * non_western
        - 0.3 * (htype == COUPLE)
    )

    # --- household composition ---------------------------------------------------------------
    kids = np.zeros(n_h, dtype=np.int64)
    fam = htype == FAMILY
    sp = htype == SINGLE_PARENT
    kids[fam] = _choice(rng, cal.CHILDREN_COUPLE, int(fam.sum()))
    kids[sp] = _choice(rng, cal.CHILDREN_ONE_PARENT, int(sp.sum()))
    adults = np.select(
        [htype == ONE, htype == COUPLE, fam, sp, htype == OTHER],
        [1, 2, 2, 1, 2 + (rng.random(n_h) < 0.3)],
    ).astype(np.int64)
    size = adults + kids

    # Ages: families from the oldest child and the mother's age at first birth.
    oldest = np.where(rng.random(n_h) < 0.8, rng.random(n_h) * 18, 18 + rng.random(n_h) * 8)
    first_birth = np.where(
        sp,
        rng.normal(27.5, 5.0, n_h),
        rng.normal(*cal.MOTHER_AGE_FIRST_BIRTH, n_h),
    ).clip(17, 45)
    mother_age = oldest + first_birth
    head_age = np.where(htype == ONE, _adult_age(rng, ONE, n_h), _adult_age(rng, COUPLE, n_h))
    head_age = np.where(fam, mother_age + rng.normal(2.0, 3.5, n_h).clip(-8, 15), head_age)
    head_age = np.where(sp, mother_age, head_age)
    head_age = np.where(htype == OTHER, 18 + rng.random(n_h) * 17, head_age).clip(18, 100)

    # --- persons ------------------------------------------------------------------------------
    n_p = int(size.sum())
    hh = np.repeat(np.arange(n_h, dtype=np.int32), size)
    first_of = np.cumsum(size) - size
    rank = np.arange(n_p) - np.repeat(first_of, size)
    t = htype[hh]
    is_couple_type = np.isin(t, [COUPLE, FAMILY])
    role = np.full(n_p, CHILD, dtype=np.int8)
    role[rank == 0] = HEAD
    role[(rank == 1) & is_couple_type] = PARTNER
    role[(rank >= 1) & (t == OTHER)] = MEMBER

    same_sex = rng.random(n_h) < cal.SAME_SEX_COUPLE_SHARE
    sex = (rng.random(n_p) < 0.5).astype(np.int8)
    older_single = (t == ONE) & (head_age[hh] >= 65)
    sex[(role == HEAD) & older_single] = (rng.random(n_p) < 0.65)[(role == HEAD) & older_single]
    couple_head = (role == HEAD) & is_couple_type & ~same_sex[hh]
    sex[couple_head] = MALE
    sex[(role == PARTNER) & ~same_sex[hh]] = FEMALE
    sex[(role == PARTNER) & same_sex[hh]] = sex[np.repeat(first_of, size)][
        (role == PARTNER) & same_sex[hh]
    ]
    sp_head = (role == HEAD) & (t == SINGLE_PARENT)
    sex[sp_head] = (rng.random(n_p) < cal.ONE_PARENT_MOTHER_SHARE)[sp_head]
    sex[(role != CHILD) & (rng.random(n_p) < 0.0002)] = UNKNOWN_SEX

    age = np.zeros(n_p)
    age[role == HEAD] = head_age[hh[role == HEAD]]
    # In opposite-sex families the mother is the partner: her age is mother_age.
    partner = role == PARTNER
    age[partner] = np.where(
        fam[hh[partner]] & ~same_sex[hh[partner]],
        mother_age[hh[partner]],
        head_age[hh[partner]] + rng.normal(-1.5, 3.5, int(partner.sum())),
    )
    age[role == MEMBER] = (18 + rng.random(n_p) * 17)[role == MEMBER]
    child = role == CHILD
    child_rank = (rank - np.where(fam[hh], 2, 1))[child]
    gaps = 1.2 + rng.gamma(2.0, 0.9, n_p)[child]
    age[child] = oldest[hh[child]] - child_rank * gaps
    age[child] = np.where(age[child] < 0, rng.random(int(child.sum())) * 0.9, age[child])
    age[~child] = age[~child].clip(18, 104)
    birth = _days(rng, peil, age)

    # --- origin, names ------------------------------------------------------------------------
    p_origin = origin[hh].copy()
    mixed = (role == PARTNER) & (rng.random(n_p) < 0.15)
    p_origin[mixed] = 0  # partner of Dutch origin
    abroad = (p_origin != 0) & (role != CHILD) & (rng.random(n_p) < 0.55)
    abroad |= (p_origin != 0) & (role == CHILD) & (rng.random(n_p) < 0.08)

    surname = surnames().sample(rng, p_origin)
    # Children carry the surname of the head (the father in opposite-sex families); step
    # children in 8% of families and half of the one-parent children another surname.
    step = fam & (rng.random(n_h) < cal.STEPFAMILY_SHARE)
    head_surname = surname[np.repeat(first_of, size)]
    other_surname = child & (step[hh] | (sp[hh] & (rng.random(n_p) < 0.5)))
    surname[child & ~other_surname] = head_surname[child & ~other_surname]
    first = np.full((n_p, 3), NONE, dtype=np.int32)
    n_given = np.where(
        p_origin == 0,
        1 + (rng.random(n_p) < 0.6).astype(int) + (rng.random(n_p) < 0.25 + 0.15 * (age > 60)),
        1 + (rng.random(n_p) < 0.3).astype(int),
    )
    male = sex != FEMALE
    for k in range(3):
        has = n_given > k
        first[has & male, k] = first_names("M").sample(rng, p_origin[has & male])
        first[has & ~male, k] = first_names("V").sample(rng, p_origin[has & ~male])

    pid = chunk.person_offset + np.arange(n_p, dtype=np.int64)
    households = Households(
        id=chunk.household_offset + np.arange(n_h, dtype=np.int64),
        type=htype,
        address=chunk.address_offset + np.arange(n_h, dtype=np.int64),
        origin=origin,
        z=z,
        since=np.zeros(n_h, dtype=np.int32),
    )
    people = People(
        pid=pid,
        household=hh,
        role=role,
        sex=sex,
        birth=birth,
        death=np.full(n_p, NONE, dtype=np.int32),
        origin=p_origin,
        abroad=abroad,
        surname=surname,
        first=first,
        naamgebruik=np.zeros(n_p, dtype=np.int8),
        partner=np.full(n_p, NONE, dtype=np.int64),
    )
    builder = _Links(rng, peil, households, people, first_of, size)
    builder.partnerships(fam, step, same_sex)
    builder.residences(chunk)
    builder.widowed()
    builder.institutions(chunk)
    builder.departed(chunk)
    return builder.result(chunk)


class _Links:
    """Adds relations, address histories and the persons outside private households."""

    def __init__(
        self,
        rng: np.random.Generator,
        peil: int,
        households: Households,
        people: People,
        first_of: I64,
        size: I64,
    ) -> None:
        self.rng = rng
        self.peil = peil
        self.h = households
        self.p = people
        self.first_of = first_of
        self.size = size
        self.rel: list[tuple[I64, I64, str, npt.NDArray[np.str_], I32, I32]] = []
        self.res: list[tuple[I64, I64, I32, I32]] = []
        self.extra: list[People] = []
        self.extra_households: list[Households] = []

    # -- helpers --------------------------------------------------------------------------------
    def _relate(
        self, a: I64, b: I64, kind: str, union: npt.NDArray[np.str_] | str, start: I32, end: I32
    ) -> None:
        union_arr = np.broadcast_to(np.asarray(union, dtype="<U1"), a.shape).copy()
        self.rel.append((a, b, kind, union_arr, start, end))

    def _years_before(self, day: I32 | I64, mean_years: float) -> I32:
        return (day - np.round(self.rng.exponential(mean_years * YEAR, day.shape))).astype(np.int32)

    # -- formal unions and parenthood ----------------------------------------------------------
    def partnerships(self, fam: B, step: B, same_sex: B) -> None:
        rng, p, h = self.rng, self.p, self.h
        n_h = h.type.shape[0]
        couple = np.isin(h.type, [COUPLE, FAMILY])
        head = self.first_of
        partner = self.first_of + 1
        age_head = (self.peil - p.birth[head]) / YEAR
        base = np.where(fam, cal.MARRIED_SHARE_WITH_CHILDREN, cal.MARRIED_SHARE_NO_CHILDREN)
        p_formal = (base + 0.12 * (age_head > 50) - 0.25 * (age_head < 35)).clip(0.05, 0.97)
        formal = couple & (rng.random(n_h) < p_formal)
        union = np.where(rng.random(n_h) < cal.REGISTERED_PARTNERSHIP_SHARE, "P", "H")
        younger_adult = np.maximum(p.birth[head], p.birth[np.minimum(partner, len(p) - 1)])
        adult_day = younger_adult + int(18 * YEAR)
        span = np.maximum(self.peil - adult_day, 1)
        start = (adult_day + rng.random(n_h) * span * 0.8).astype(np.int32)
        idx = np.flatnonzero(formal)
        a, b = p.pid[head[idx]], p.pid[partner[idx]]
        no_end = np.full(idx.shape, NONE, dtype=np.int32)
        self._relate(a, b, "partner", union[idx], start[idx], no_end)
        self._relate(b, a, "partner", union[idx], start[idx], no_end)
        p.partner[head[idx]] = b
        p.partner[partner[idx]] = a
        # Married women sometimes use their partner's name (naamgebruik P, V or N).
        wives = partner[idx][p.sex[partner[idx]] == FEMALE]
        roll = rng.random(wives.shape[0])
        p.naamgebruik[wives] = np.select([roll < 0.12, roll < 0.22, roll < 0.30], [2, 3, 1], 0)

        # Parents: in families the mother (partner) always, the head unless a step-parent;
        # in same-sex families the partner is a legal parent half of the time.
        child = p.role == CHILD
        kid = np.flatnonzero(child)
        kh = p.household[kid]
        mother = self.first_of[kh] + np.where(fam[kh], 1, 0)
        self._parenthood(kid, mother)
        with_head = fam[kh] & ~step[kh] & ~(same_sex[kh] & (rng.random(kid.shape[0]) < 0.5))
        self._parenthood(kid[with_head], self.first_of[kh[with_head]])
        # One-parent families: the other parent sometimes lives alone in the municipality.
        self._absent_parents(kid[~fam[kh]], kh[~fam[kh]].astype(np.int64))

    def _parenthood(self, kid: I64, parent: I64) -> None:
        p = self.p
        no_end = np.full(kid.shape, NONE, dtype=np.int32)
        self._relate(p.pid[kid], p.pid[parent], "ouder", "", p.birth[kid], no_end)
        self._relate(p.pid[parent], p.pid[kid], "kind", "", p.birth[kid], no_end)

    def _absent_parents(self, kid: I64, kh: I64) -> None:
        rng, p = self.rng, self.p
        singles = np.flatnonzero(
            (p.role == HEAD) & (self.h.type[p.household] == ONE) & (p.sex == MALE)
        )
        families = np.unique(kh)
        if singles.size == 0 or families.size == 0:
            return
        linked = families[rng.random(families.shape[0]) < 0.5]
        # A father of plausible age: near the mother's age plus two years, by birth date.
        order = singles[np.argsort(p.birth[singles], kind="stable")]
        wanted = p.birth[self.first_of[linked]] - int(2 * YEAR)
        near = np.searchsorted(p.birth[order], wanted) + rng.integers(-15, 16, linked.shape[0])
        fathers = order[near.clip(0, order.shape[0] - 1)]
        # A father can be linked once per chunk at most: drop repeats.
        fathers, keep = np.unique(fathers, return_index=True)
        linked = linked[keep]
        father_of = np.full(self.h.type.shape[0], NONE, dtype=np.int64)
        father_of[linked] = fathers
        sel = father_of[kh] != NONE
        self._parenthood(kid[sel], father_of[kh[sel]])
        p.surname[kid[sel]] = p.surname[father_of[kh[sel]]]
        # Forty per cent of these parents were married; the marriage ended (divorce).
        mother = self.first_of[linked]
        was_married = rng.random(linked.shape[0]) < 0.4
        m, f = mother[was_married], fathers[was_married]
        if m.size:
            first_child = np.full(self.h.type.shape[0], np.iinfo(np.int32).max, dtype=np.int64)
            np.minimum.at(first_child, kh, p.birth[kid])
            married = first_child[linked[was_married]] - YEAR * (1 + 3 * rng.random(m.shape[0]))
            divorced = self.peil - rng.random(m.shape[0]) * (
                self.peil - first_child[linked[was_married]]
            )
            start, end = married.astype(np.int32), divorced.astype(np.int32)
            self._relate(p.pid[m], p.pid[f], "partner", "H", start, end)
            self._relate(p.pid[f], p.pid[m], "partner", "H", start, end)

    # -- addresses over time --------------------------------------------------------------------
    def residences(self, chunk: Chunk) -> None:
        rng, p, h = self.rng, self.p, self.h
        head = self.first_of
        adult_since = p.birth[head] + int(18 * YEAR)
        since = np.maximum(self._years_before(np.full(head.shape, self.peil), 9.0), adult_since)
        h.since = np.minimum(since, self.peil - 1).astype(np.int32)
        start = np.maximum(h.since[p.household], p.birth)
        self.res.append(
            (
                p.pid,
                h.address[p.household],
                start.astype(np.int32),
                np.full(len(p), NONE, dtype=np.int32),
            )
        )
        # An earlier address in the municipality for about half of the adults who moved in as
        # adults: often the current address of another household now.
        adult = (p.role != CHILD) & (start > p.birth + int(19 * YEAR))
        mover = np.flatnonzero(adult & (rng.random(len(p)) < 0.55))
        earlier = self._years_before(start[mover], 6.0)
        earlier = np.maximum(earlier, p.birth[mover] + int(18 * YEAR))
        ok = earlier < start[mover]
        mover, earlier = mover[ok], earlier[ok]
        # Any private or vacant address of the chunk (institutions come between the two).
        pick = rng.integers(0, chunk.households + chunk.vacant, mover.shape[0])
        pick = np.where(pick < chunk.households, pick, pick + chunk.institutions)
        other = chunk.address_offset + pick
        self.res.append((p.pid[mover], other, earlier, start[mover].astype(np.int32)))

    # -- the deceased: widowed persons living alone lost their partner ---------------------------
    def widowed(self) -> None:
        rng, p, h = self.rng, self.p, self.h
        head = self.first_of
        old_single = (h.type == ONE) & ((self.peil - p.birth[head]) / YEAR >= 70)
        widow = head[old_single & (rng.random(h.type.shape[0]) < 0.45)]
        n = widow.shape[0]
        if n == 0:
            return
        since = h.since[p.household[widow]]
        death = (self.peil - rng.random(n) * np.minimum(5 * YEAR, self.peil - since)).astype(
            np.int32
        )
        death = np.maximum(death, since + 1)
        sex = np.where(p.sex[widow] == FEMALE, MALE, FEMALE).astype(np.int8)
        birth = (p.birth[widow] + rng.normal(-2, 3, n) * YEAR).astype(np.int32)
        birth = np.maximum(birth, self.peil - int(106 * YEAR))  # nobody older than 105
        pid = self._new_pids(n)
        dec = self._person_block(pid, DECEASED, sex, birth, p.origin[widow])
        dec.death = death
        dec.partner = p.pid[widow]
        p.partner[widow] = pid
        # The surviving wife kept the surname of her late husband in use in a third of cases.
        keeps = (p.sex[widow] == FEMALE) & (rng.random(n) < 0.33)
        p.naamgebruik[widow[keeps]] = 2
        married = np.maximum(birth, p.birth[widow]) + int(22 * YEAR)
        self._relate(pid, p.pid[widow], "partner", "H", married, death)
        self._relate(p.pid[widow], pid, "partner", "H", married, death)
        self.res.append((pid, h.address[p.household[widow]], since, death))
        self.extra.append(dec)

    # -- care homes and other institutions --------------------------------------------------------
    def institutions(self, chunk: Chunk) -> None:
        rng = self.rng
        n = chunk.institution_residents
        if n == 0:
            return
        home = np.arange(n) % chunk.institutions
        care_home = rng.random(n) < 0.8
        age = np.where(care_home, 75 + rng.random(n) * 27, 18 + rng.random(n) * 47)
        birth = _days(rng, self.peil, age)
        sex = (rng.random(n) < np.where(care_home, 0.68, 0.45)).astype(np.int8)
        origin = rng.choice(len(names.ORIGINS), size=n, p=self._origin_p()).astype(np.int8)
        pid = self._new_pids(n)
        residents = self._person_block(pid, RESIDENT, sex, birth, origin)
        # Local household index: institutions follow the chunk's private households.
        residents.household = (self.h.type.shape[0] + home).astype(np.int32)
        address = chunk.address_offset + chunk.households + home
        start = np.maximum(self._years_before(np.full(n, self.peil), 2.5), birth + int(18 * YEAR))
        self.res.append(
            (
                pid,
                address.astype(np.int64),
                start.astype(np.int32),
                np.full(n, NONE, dtype=np.int32),
            )
        )
        self.extra.append(residents)
        self.extra_households.append(
            Households(
                # Institutions are numbered on their own (truth writes them as I…).
                id=chunk.institution_offset + np.arange(chunk.institutions, dtype=np.int64),
                type=np.full(chunk.institutions, INSTITUTION, dtype=np.int8),
                address=(
                    chunk.address_offset + chunk.households + np.arange(chunk.institutions)
                ).astype(np.int64),
                origin=np.zeros(chunk.institutions, dtype=np.int8),
                z=np.zeros(chunk.institutions),
                since=np.zeros(chunk.institutions, dtype=np.int32),
            )
        )

    # -- people who lived here but left before the peildatum -----------------------------------
    def departed(self, chunk: Chunk) -> None:
        rng = self.rng
        n = max(1, round(0.03 * len(self.p)))
        age = np.minimum(20 + rng.gamma(2.0, 8.0, n), 90)
        birth = _days(rng, self.peil, age)
        sex = (rng.random(n) < 0.5).astype(np.int8)
        origin = rng.choice(len(names.ORIGINS), size=n, p=self._origin_p()).astype(np.int8)
        pid = self._new_pids(n)
        gone = self._person_block(pid, DEPARTED, sex, birth, origin)
        end = (self.peil - rng.random(n) * 6 * YEAR).astype(np.int32)
        start = np.maximum(self._years_before(end, 5.0), birth + int(18 * YEAR)).astype(np.int32)
        start = np.minimum(start, end - 30)
        address = chunk.address_offset + rng.integers(0, chunk.addresses, n)
        self.res.append((pid, address.astype(np.int64), start, end))
        self.extra.append(gone)

    # -- construction ----------------------------------------------------------------------------
    def _origin_p(self) -> F64:
        w = np.array([cal.MIGRATION_ORIGIN_SHARES[o] for o in names.ORIGINS])
        shares: F64 = w / w.sum()
        return shares

    def _new_pids(self, n: int) -> I64:
        used = len(self.p) + sum(len(e) for e in self.extra)
        pids: I64 = self.p.pid[0] + used + np.arange(n, dtype=np.int64)
        return pids

    def _person_block(self, pid: I64, role: int, sex: I8, birth: I32, origin: I8) -> People:
        rng, n = self.rng, pid.shape[0]
        first = np.full((n, 3), NONE, dtype=np.int32)
        male = sex != FEMALE
        first[male, 0] = first_names("M").sample(rng, origin[male])
        first[~male, 0] = first_names("V").sample(rng, origin[~male])
        second = rng.random(n) < 0.5
        first[second & male, 1] = first_names("M").sample(rng, origin[second & male])
        first[second & ~male, 1] = first_names("V").sample(rng, origin[second & ~male])
        return People(
            pid=pid,
            household=np.full(n, NONE, dtype=np.int32),
            role=np.full(n, role, dtype=np.int8),
            sex=sex,
            birth=birth.astype(np.int32),
            death=np.full(n, NONE, dtype=np.int32),
            origin=origin,
            abroad=(origin != 0) & (rng.random(n) < 0.6),
            surname=surnames().sample(rng, origin),
            first=first,
            naamgebruik=np.zeros(n, dtype=np.int8),
            partner=np.full(n, NONE, dtype=np.int64),
        )

    def result(self, chunk: Chunk) -> ChunkPopulation:
        people = _concat_people([self.p, *self.extra])
        households = _concat_households([self.h, *self.extra_households])
        kinds = [np.full(r[0].shape, r[2], dtype="<U7") for r in self.rel]
        relations = Relations(
            person=np.concatenate([r[0] for r in self.rel]),
            related=np.concatenate([r[1] for r in self.rel]),
            kind=np.concatenate(kinds),
            union=np.concatenate([r[3] for r in self.rel]),
            start=np.concatenate([r[4] for r in self.rel]).astype(np.int32),
            end=np.concatenate([r[5] for r in self.rel]).astype(np.int32),
        )
        residences = Residences(
            person=np.concatenate([r[0] for r in self.res]),
            address=np.concatenate([r[1] for r in self.res]).astype(np.int64),
            start=np.concatenate([r[2] for r in self.res]).astype(np.int32),
            end=np.concatenate([r[3] for r in self.res]).astype(np.int32),
        )
        return ChunkPopulation(households, people, relations, residences, self.peil)


def _concat_people(parts: list[People]) -> People:
    fields = People.__dataclass_fields__
    return People(**{f: np.concatenate([getattr(x, f) for x in parts]) for f in fields})


def _concat_households(parts: list[Households]) -> Households:
    fields = Households.__dataclass_fields__
    return Households(**{f: np.concatenate([getattr(x, f) for x in parts]) for f in fields})
