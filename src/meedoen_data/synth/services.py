"""Services, benefits, signals and CBS-style background variables of one chunk.

Problems stack: every indicator is drawn from the household's latent vulnerability ``z`` (high
for one-parent families, people living alone of working age, and lower incomes), so Jeugd, Wmo,
bijstand and debt help cluster in the same households, as CBS reports for "stapeling".
Marginal rates are exact per chunk: indicators select the top-k of a noisy score.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from meedoen_data.synth import calibration as cal
from meedoen_data.synth.population import (
    COUPLE,
    DECEASED,
    DEPARTED,
    FAMILY,
    HEAD,
    INSTITUTION,
    NONE,
    ONE,
    RESIDENT,
    SINGLE_PARENT,
    YEAR,
    ChunkPopulation,
)

B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

EDUCATION = ("laag", "middelbaar", "hoog")
TENURE = ("koop", "huur_corporatie", "huur_overig")


def top_k(score: F64, eligible: B, share: float) -> B:
    """Mark the ``share`` of eligible elements with the highest score (exact count)."""
    idx = np.flatnonzero(eligible)
    k = round(share * idx.shape[0])
    out = np.zeros(score.shape[0], dtype=bool)
    if k > 0:
        chosen = idx[np.argpartition(-score[idx], k - 1)[:k]]
        out[chosen] = True
    return out


@dataclass
class Flags:
    """Who gets what, before records are written; the food bank may override it."""

    # households
    bijstand: B
    ioaw: B
    ioaz: B
    bijzondere_bijstand: B
    schuldhulp: B
    signal: B
    income: F64
    tenure: I8
    huurtoeslag: B
    # persons
    wmo: B
    jeugd: B
    ww: B
    ao: B
    education: I8  # -1 unknown (under 15), else index in EDUCATION
    forced_jeugd_kind: I8 = field(default_factory=lambda: np.zeros(0, dtype=np.int8))


def draw_flags(rng: np.random.Generator, pop: ChunkPopulation) -> Flags:
    h, p, peil = pop.households, pop.people, pop.peil
    n_h, n_p = h.type.shape[0], len(p)
    living = (p.role != DECEASED) & (p.role != DEPARTED)
    ph = np.where(p.household >= 0, p.household, 0)
    age = (peil - p.birth) / YEAR
    zp = np.where(living, h.z[ph], 0.0)
    private = h.type != INSTITUTION
    head = np.full(n_h, NONE, dtype=np.int64)
    head_idx = np.flatnonzero((p.role == HEAD) & living)
    head[p.household[head_idx]] = head_idx
    head_age = np.where(head >= 0, age[np.maximum(head, 0)], 0)
    noise_h = rng.standard_normal(n_h)

    score_h = h.z + 0.6 * noise_h
    working_age = private & (head_age >= 18) & (head_age < 67)
    bijstand = top_k(
        score_h, working_age, cal.BIJSTAND_HOUSEHOLD_SHARE * n_h / max(working_age.sum(), 1)
    )
    older = working_age & (head_age >= 60) & ~bijstand
    ioaw = top_k(score_h, older, cal.IOAW_HOUSEHOLD_SHARE * n_h / max(older.sum(), 1))
    ioaz = top_k(
        score_h + rng.standard_normal(n_h),
        older & ~ioaw,
        cal.IOAZ_HOUSEHOLD_SHARE * n_h / max((older & ~ioaw).sum(), 1),
    )
    bb = top_k(score_h + rng.standard_normal(n_h), private, cal.BIJZONDERE_BIJSTAND_HOUSEHOLD_SHARE)
    schuld = top_k(h.z + 0.8 * rng.standard_normal(n_h), private, cal.SCHULDHULP_HOUSEHOLD_SHARE_5Y)
    signal = top_k(h.z + 0.8 * rng.standard_normal(n_h), private, cal.VROEGSIGNAAL_HOUSEHOLD_SHARE)

    median = {ONE: 28_000, COUPLE: 52_000, FAMILY: 62_000, SINGLE_PARENT: 33_000}
    base = np.array([median.get(t, 40_000) for t in range(6)], dtype=np.float64)[h.type]
    income = base * np.exp(-0.25 * h.z + 0.3 * rng.standard_normal(n_h))
    income = np.where(bijstand | ioaw | ioaz, 14_000 + 6_000 * rng.random(n_h), income)
    income = np.where(private, np.round(income, -2), np.nan)
    wealth = np.log(np.where(private, income, 1.0)) + 0.35 * rng.standard_normal(n_h)
    koop = top_k(wealth, private, cal.TENURE_SHARES[0][1])
    corporatie = top_k(
        -wealth, private & ~koop, cal.TENURE_SHARES[1][1] / (1 - cal.TENURE_SHARES[0][1])
    )
    tenure = np.where(koop, 0, np.where(corporatie, 1, 2)).astype(np.int8)
    tenure[~private] = -1
    huurtoeslag = top_k(
        -wealth,
        private & ~koop,
        cal.HUURTOESLAG_HOUSEHOLD_SHARE * private.sum() / max((private & ~koop).sum(), 1),
    )

    # Persons.
    bands = np.array([a for a, _ in cal.WMO_SHARE_BY_AGE])
    rate = np.array([r for _, r in cal.WMO_SHARE_BY_AGE])[
        np.searchsorted(bands, age, side="right") - 1
    ]
    wmo = living & (rng.random(n_p) < np.clip(rate * np.exp(0.45 * zp - 0.1), 0, 0.95))
    young = living & (age < 23) & (p.role != RESIDENT)
    jeugd = top_k(zp + 0.9 * rng.standard_normal(n_p), young, cal.YOUTH_CARE_SHARE_UNDER_23)
    adult = living & (age >= 18) & (age < 67)
    ww = top_k(0.3 * zp + rng.standard_normal(n_p), adult & ~bijstand[ph], cal.WW_SHARE)
    ao = top_k(0.5 * zp + 0.03 * age + rng.standard_normal(n_p), adult, cal.AO_SHARE)

    education = np.full(n_p, -1, dtype=np.int8)
    edu_score = 0.7 * zp + rng.standard_normal(n_p)  # high score: lower education
    starts = [a for a, _ in cal.EDUCATION_SHARES_BY_AGE] + [200]
    for (low, shares), high in zip(cal.EDUCATION_SHARES_BY_AGE, starts[1:], strict=True):
        band = living & (age >= low) & (age < high)
        laag = top_k(edu_score, band, shares[0])
        middel = top_k(edu_score, band & ~laag, shares[1] / (1 - shares[0]))
        education[band] = 2
        education[middel] = 1
        education[laag] = 0
    return Flags(
        bijstand=bijstand,
        ioaw=ioaw,
        ioaz=ioaz,
        bijzondere_bijstand=bb,
        schuldhulp=schuld,
        signal=signal,
        income=income,
        tenure=tenure,
        huurtoeslag=huurtoeslag,
        wmo=wmo,
        jeugd=jeugd,
        ww=ww,
        ao=ao,
        education=education,
        forced_jeugd_kind=np.full(n_p, -1, dtype=np.int8),
    )


def main_person(pop: ChunkPopulation) -> I64:
    """Index of each household's head (the applicant of benefits); NONE for institutions."""
    p = pop.people
    head = np.full(pop.households.type.shape[0], NONE, dtype=np.int64)
    idx = np.flatnonzero(p.role == HEAD)
    head[p.household[idx]] = idx
    return head


__all__ = ["EDUCATION", "TENURE", "Flags", "draw_flags", "main_person", "top_k"]
