"""The food bank's client list: 1.7% of households, five planted profiles, intake-form errors.

Profiles follow the five clusters of the Smart Start study in Gilze en Rijen (shared/context).
A client is registered by the main applicant, with the errors real intake forms have; each
record's true register person, profile and errors go to truth/.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from meedoen_data.contract import PARTNER_FILE_COLUMNS
from meedoen_data.synth import calibration as cal
from meedoen_data.synth.nametable import first_names, surnames
from meedoen_data.synth.population import (
    CHILD,
    COUPLE,
    FAMILY,
    FEMALE,
    NONE,
    ONE,
    SINGLE_PARENT,
    YEAR,
    ChunkPopulation,
)
from meedoen_data.synth.records import date_array, ids
from meedoen_data.synth.services import Flags, main_person

I64 = npt.NDArray[np.int64]
PROFILES = tuple(cal.FOODBANK_PROFILES)
ERROR_KINDS = (
    "typo",
    "tussenvoegsel",
    "initials",
    "partner_surname",
    "day_month_swap",
    "missing_birth_date",
    "outdated_address",
    "duplicate",
)
ERROR_RATES = {
    "typo": 0.10,
    "tussenvoegsel": 0.45,  # of applicants who have a voorvoegsel
    "initials": 0.20,
    "partner_surname": 0.35,  # of married women whose partner is known
    "day_month_swap": 0.04,
    "missing_birth_date": 0.05,
    "outdated_address": 0.08,  # of applicants with an earlier address in the municipality
    "duplicate": 0.03,
}
OUTSIDE_SHARE = 0.05


@dataclass
class Clients:
    household: I64  # local household index
    profile: npt.NDArray[np.int8]


def select_clients(rng: np.random.Generator, pop: ChunkPopulation, flags: Flags) -> Clients:
    """Choose client households per profile (the most vulnerable that fit) and plant the
    profile's characteristics in their flags."""
    h, p, peil = pop.households, pop.people, pop.peil
    head = main_person(pop)
    age = np.where(head >= 0, (peil - p.birth[np.maximum(head, 0)]) / YEAR, 0)
    n_private = int((head >= 0).sum())
    total = round(cal.FOODBANK_HOUSEHOLD_SHARE * n_private)
    sizes = np.array(list(cal.FOODBANK_PROFILES.values()), dtype=np.float64)
    quota = np.floor(sizes / sizes.sum() * total).astype(int)
    quota[np.argsort(-(sizes / sizes.sum() * total - quota))[: total - quota.sum()]] += 1
    youngest = np.full(h.type.shape[0], 99.0)
    kids = np.flatnonzero(p.role == CHILD)
    np.minimum.at(youngest, p.household[kids], (peil - p.birth[kids]) / YEAR)
    candidates = (
        (h.type == COUPLE) & (age >= 35) & (age < 67),
        h.type == FAMILY,
        (h.type == SINGLE_PARENT) & (age < 40) & (youngest < 10),
        np.isin(h.type, [COUPLE, FAMILY]) & (age >= 40),
        (h.type == ONE) & (age >= 25) & (age < 67),
    )
    taken = np.zeros(h.type.shape[0], dtype=bool)
    chosen, profile = [], []
    score = h.z + 0.5 * rng.standard_normal(h.type.shape[0])
    for k, (fits, want) in enumerate(zip(candidates, quota, strict=True)):
        idx = np.flatnonzero(fits & ~taken)
        pick = idx[np.argsort(-score[idx], kind="stable")[:want]]
        taken[pick] = True
        chosen.append(pick)
        profile.append(np.full(pick.shape[0], k, dtype=np.int8))
    clients = Clients(np.concatenate(chosen), np.concatenate(profile))
    _plant(rng, pop, flags, clients, head)
    return clients


def _plant(
    rng: np.random.Generator, pop: ChunkPopulation, flags: Flags, clients: Clients, head: I64
) -> None:
    p = pop.people
    for k, name in enumerate(PROFILES):
        hh = clients.household[clients.profile == k]
        applicant = head[hh]
        members = np.isin(p.household, hh)
        children = np.flatnonzero(members & (p.role == CHILD))
        no_benefit = name == "paar_zonder_uitkering"
        flags.bijstand[hh] = name in {"jong_eenouder_bijstand", "eenpersoons_bijstand"}
        if no_benefit:
            flags.ww[members] = False
            flags.ao[members] = False
            flags.ioaw[hh] = flags.ioaz[hh] = False
        if name == "paar_met_ww_en_jeugdzorg":
            flags.ww[applicant] = True
        if name == "huishouden_met_wmo":
            flags.wmo[applicant] = True
            flags.ao[applicant] = True
        if name in {"paar_met_ww_en_jeugdzorg", "jong_eenouder_bijstand"} and children.size:
            first_child = children[np.unique(p.household[children], return_index=True)[1]]
            flags.jeugd[first_child] = True
            flags.forced_jeugd_kind[first_child] = 0
        income = {
            "paar_zonder_uitkering": 22_000,
            "paar_met_ww_en_jeugdzorg": 18_000,
            "jong_eenouder_bijstand": 14_000,
            "huishouden_met_wmo": 17_000,
            "eenpersoons_bijstand": 14_000,
        }[name]
        flags.income[hh] = np.round(income * np.exp(0.12 * rng.standard_normal(hh.shape[0])), -2)
        education = {"paar_zonder_uitkering": 1, "paar_met_ww_en_jeugdzorg": 2}.get(name, 0)
        adults = members & (p.role != CHILD)
        flags.education[adults] = education
        if name == "paar_zonder_uitkering":
            flags.tenure[hh] = 0
            flags.huurtoeslag[hh] = False
        else:
            flags.tenure[hh] = 1
            flags.huurtoeslag[hh] = name != "paar_met_ww_en_jeugdzorg"


def client_tables(
    rng: np.random.Generator,
    pop: ChunkPopulation,
    clients: Clients,
    addresses: pa.Table,
    previous_address: I64,
    chunk_number: int,
    gemeente_pc4_outside: int,
) -> tuple[pa.Table, pa.Table]:
    """The food bank's file (``voedselbank``) and its truth rows for this chunk."""
    p, h, peil = pop.people, pop.households, pop.peil
    head = main_person(pop)
    applicant = head[clients.household]
    n = int(applicant.shape[0])
    # In couples either partner may register (the partner directly follows the head).
    couple = np.isin(h.type[clients.household], [COUPLE, FAMILY])
    applicant = np.where(couple & (rng.random(n) < 0.5), applicant + 1, applicant)
    size = np.bincount(p.household[p.household >= 0], minlength=h.type.shape[0])[clients.household]

    sn = surnames()
    surname = sn.values.take(pa.array(p.surname[applicant])).to_numpy(zero_copy_only=False)
    prefix = (
        sn.prefixes.take(pa.array(p.surname[applicant])).to_numpy(zero_copy_only=False)
        if sn.prefixes is not None
        else np.full(n, "", dtype=object)
    )
    male = p.sex[applicant] != FEMALE
    given = _given(p.first[applicant], male)
    birth = p.birth[applicant].astype(np.int64)
    errors: list[list[str]] = [[] for _ in range(n)]

    def mark(mask: npt.NDArray[np.bool_], kind: str) -> None:
        for i in np.flatnonzero(mask):
            errors[i].append(kind)

    # Partner's surname in use (naamgebruik): married women whose partner is known.
    partner = p.partner[applicant]
    wife = (~male) & (partner != NONE)
    use_partner = wife & (rng.random(n) < ERROR_RATES["partner_surname"])
    if use_partner.any():
        partner_idx = partner[use_partner] - p.pid[0]
        surname[use_partner] = sn.values.take(pa.array(p.surname[partner_idx])).to_numpy(
            zero_copy_only=False
        )
        prefix[use_partner] = (
            sn.prefixes.take(pa.array(p.surname[partner_idx])).to_numpy(zero_copy_only=False)
            if sn.prefixes is not None
            else ""
        )
    mark(use_partner, "partner_surname")
    # Tussenvoegsel variants: abbreviated, glued to the surname, or inside the surname field.
    has_prefix = prefix != ""
    variant = has_prefix & (rng.random(n) < ERROR_RATES["tussenvoegsel"])
    how = rng.integers(0, 3, n)
    for i in np.flatnonzero(variant):
        pre, sur = str(prefix[i]), str(surname[i])
        if how[i] == 0:
            prefix[i] = "".join(part[0] + "." for part in pre.replace("'", "").split())
        elif how[i] == 1:
            surname[i], prefix[i] = pre.replace(" ", "").capitalize() + sur.lower(), ""
        else:
            surname[i], prefix[i] = f"{pre} {sur}", ""
    mark(variant, "tussenvoegsel")
    # Typos in the surname: a swapped, dropped or doubled letter.
    typo = rng.random(n) < ERROR_RATES["typo"]
    for i in np.flatnonzero(typo):
        surname[i] = _typo(str(surname[i]), rng)
    mark(typo, "typo")
    initials = rng.random(n) < ERROR_RATES["initials"]
    for i in np.flatnonzero(initials):
        given[i] = "".join(part[0] + "." for part in str(given[i]).split())
    mark(initials, "initials")
    # Birth dates: day and month swapped (only possible when the day is 12 or less), missing.
    swap = rng.random(n) < ERROR_RATES["day_month_swap"]
    dates = birth.astype("datetime64[D]")
    day = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    swap &= (day <= 12) & (day != month)
    swapped = np.array(
        [
            np.datetime64(f"{y:04d}-{d:02d}-{m:02d}")
            for y, m, d in zip(year[swap], month[swap], day[swap], strict=True)
        ],
        dtype="datetime64[D]",
    )
    birth_out = birth.copy()
    birth_out[swap] = swapped.astype(np.int64)
    mark(swap, "day_month_swap")
    missing = rng.random(n) < ERROR_RATES["missing_birth_date"]
    birth_out[missing] = NONE
    mark(missing, "missing_birth_date")
    # Address: current, or an earlier one in the municipality.
    local = h.address[clients.household] - h.address[0]
    earlier = previous_address[applicant]
    outdated = (earlier != NONE) & (rng.random(n) < ERROR_RATES["outdated_address"])
    local = np.where(outdated, earlier - h.address[0], local)
    mark(outdated, "outdated_address")
    addr = addresses.take(pa.array(local))

    # Enrolment: 13% under six months, 32% six to twelve months, 55% longer (study).
    shares = [s for _, s in cal.FOODBANK_DURATION_SHARES]
    band = rng.choice(3, n, p=shares)
    months = np.select(
        [band == 0, band == 1],
        [rng.random(n) * 6, 6 + rng.random(n) * 6],
        12 + rng.gamma(2.0, 9.0, n),
    )
    start = (peil - rng.random(n) * 6 * YEAR).astype(np.int64)
    end = start + (months * 30.44).astype(np.int64)
    start = np.where(end > peil, np.minimum(start, peil - (months * 30.44).astype(np.int64)), start)
    end = np.where(end > peil, NONE, end)
    persons_reported = size + np.where(rng.random(n) < 0.05, rng.choice([-1, 1], n), 0)

    numbers = np.arange(n) + chunk_number * 100_000
    record = {
        "klantnummer": _ids("VB", numbers),
        "geslachtsnaam": surname,
        "voorvoegsel": prefix,
        "voornamen": given,
        "datumgeboorte": birth_out,
        "postcode": addr["postcode"].to_numpy(zero_copy_only=False),
        "huisnummer": addr["huisnummer"].to_numpy(zero_copy_only=False),
        "huisnummertoevoeging": _addition(addr),
        "datuminschrijving": start,
        "datumuitschrijving": end,
        "aantal_personen": np.maximum(persons_reported, 1),
    }
    bsn_index = p.pid[applicant]
    error_text = np.array([";".join(e) for e in errors], dtype=object)
    profile = np.array(PROFILES)[clients.profile]
    household = h.id[clients.household]

    # Duplicates: a second registration of the same person, with a fresh typo.
    dup = rng.random(n) < ERROR_RATES["duplicate"]
    d_idx = np.flatnonzero(dup)
    for key, values in record.items():
        extra = values[d_idx].copy()
        if key == "klantnummer":
            extra = _ids("VB", numbers[d_idx] + 50_000)
        if key == "geslachtsnaam":
            extra = np.array([_typo(str(v), rng) for v in extra], dtype=object)
        record[key] = np.concatenate([values, extra])
    bsn_index = np.concatenate([bsn_index, bsn_index[d_idx]])
    error_text = np.concatenate(
        [
            error_text,
            np.array(
                [(e + ";" if e else "") + "duplicate;typo" for e in error_text[d_idx]], dtype=object
            ),
        ]
    )
    profile = np.concatenate([profile, profile[d_idx]])
    household = np.concatenate([household, household[d_idx]])

    # Clients from outside the municipality: plausible people with no register record.
    m = max(1, round(OUTSIDE_SHARE * n)) if n else 0
    origin = np.zeros(m, dtype=np.int8)
    out_male = rng.random(m) < 0.5
    out_first = np.full((m, 3), NONE, dtype=np.int32)
    out_first[out_male, 0] = first_names("M").sample(rng, origin[out_male])
    out_first[~out_male, 0] = first_names("V").sample(rng, origin[~out_male])
    out_surname = sn.sample(rng, origin)
    outside = {
        "klantnummer": _ids("VB", chunk_number * 100_000 + 90_000 + np.arange(m)),
        "geslachtsnaam": sn.values.take(pa.array(out_surname)).to_numpy(zero_copy_only=False),
        "voorvoegsel": (
            sn.prefixes.take(pa.array(out_surname)).to_numpy(zero_copy_only=False)
            if sn.prefixes is not None
            else np.full(m, "", dtype=object)
        ),
        "voornamen": _given(out_first, out_male),
        "datumgeboorte": (peil - (25 + rng.random(m) * 40) * YEAR).astype(np.int64),
        "postcode": np.array(
            [f"{gemeente_pc4_outside}{'AB'[i % 2]}{'CD'[i % 2]}" for i in range(m)], dtype=object
        ),
        "huisnummer": (1 + rng.integers(0, 120, m)).astype(np.int32),
        "huisnummertoevoeging": np.full(m, None, dtype=object),
        "datuminschrijving": (peil - rng.random(m) * 3 * YEAR).astype(np.int64),
        "datumuitschrijving": np.full(m, NONE, dtype=np.int64),
        "aantal_personen": 1 + rng.integers(0, 4, m),
    }
    for key in record:
        record[key] = np.concatenate([record[key], outside[key]])
    bsn_index = np.concatenate([bsn_index, np.full(m, NONE)])
    error_text = np.concatenate([error_text, np.full(m, "outside_municipality", dtype=object)])
    profile = np.concatenate([profile, np.full(m, "", dtype=object)])
    household = np.concatenate([household, np.full(m, NONE)])

    file = pa.table({c: _column(c, record[c]) for c in PARTNER_FILE_COLUMNS})
    truth = pa.table(
        {
            "klantnummer": pa.array(record["klantnummer"]),
            "person_index": pa.array(bsn_index, mask=bsn_index == NONE),
            "household_index": pa.array(household, mask=household == NONE),
            "profile": pa.array(profile, type=pa.string()),
            "errors": pa.array(error_text, type=pa.string()),
        }
    )
    return file, truth


def _ids(prefix: str, numbers: npt.NDArray[np.integer]) -> npt.NDArray[np.object_]:
    values: npt.NDArray[np.object_] = ids(prefix, numbers, 7).to_numpy(zero_copy_only=False)
    return values.astype(object)


def _column(name: str, values: np.ndarray) -> pa.Array:
    if name.startswith("datum"):
        return date_array(values)
    if name in {"huisnummer", "aantal_personen"}:
        return pa.array(values.astype(np.int32))
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    return pc.if_else(pc.equal(arr, ""), pa.nulls(len(arr), pa.string()), arr)


def _given(first: npt.NDArray[np.int32], male: npt.NDArray[np.bool_]) -> np.ndarray:
    out = np.empty(first.shape[0], dtype=object)
    m_names = first_names("M").values.to_pylist()
    f_names = first_names("V").values.to_pylist()
    for i in range(first.shape[0]):
        pool = m_names if male[i] else f_names
        out[i] = " ".join(pool[j] for j in first[i] if j != NONE)
    return out


def _addition(addr: pa.Table) -> np.ndarray:
    letter = pc.fill_null(addr["huisletter"], "").to_numpy(zero_copy_only=False)
    plus = pc.fill_null(addr["huisnummertoevoeging"], "").to_numpy(zero_copy_only=False)
    out = np.array([a + b for a, b in zip(letter, plus, strict=True)], dtype=object)
    return out


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 3:
        return word + word[-1]
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]
