"""Contract v2 tables for case work, and the family truth a case worker's view is checked on.

- ``indicatiegeheim`` on every person: 0, or for about 0.3% of persons a BRP secrecy indication
  1-7, per household (a secret address is the household's);
- ``aanbieder``: a neutral organisation name, a phone number and an e-mail address for every
  AGB code the allocations use (organisations, not persons);
- ``betrokkenheid``: professionals involved with part of the persons who have an open Wmo or
  youth-care allocation or an open debt-help trajectory;
- ``casus``: a case-management system's open (and a few closed) cases of children;
- ``truth/family``: per child under 18 every member of the family around them, from the planted
  relations and households (never from the written files).

Everything is drawn from a random stream of its own per chunk, so the tables of contract v1
are the same as before these were added.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import date

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from meedoen_data.bsn import bsn_from_index
from meedoen_data.synth.nametable import first_names, surnames
from meedoen_data.synth.population import (
    DECEASED,
    DEPARTED,
    INSTITUTION,
    NONE,
    YEAR,
    ChunkPopulation,
)
from meedoen_data.synth.records import bsn, date_array, ids, table

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

#: Share of households with a secret address (BRP indicatie geheim), and how the non-zero
#: values are spread (7, no supply to third parties at all, is the common one).
SECRET_HOUSEHOLD_SHARE = 0.003
SECRET_VALUES = (("1", 0.05), ("2", 0.03), ("3", 0.02), ("4", 0.05), ("5", 0.05), ("6", 0.05),
                 ("7", 0.75))  # fmt: skip
#: Share of persons with an open service who have professionals on record.
INVOLVED_SHARE = 0.4
#: Open cases per living person: the demo municipality (Gilze en Rijen, 24,300 persons) has
#: about 40, shared by two case workers; closed ones besides.
OPEN_CASES_PER_PERSON = 40 / 24_300
CLOSED_CASE_SHARE = 0.15
CASES_PER_WORKER = 20
TEAMS = ("wijkteam-noord", "wijkteam-zuid")

#: Word lists for providers' names: a kind of organisation and a neutral name (no person's).
_KIND_WMO = ("Zorggroep", "Thuiszorg", "Welzijn", "Zorgcentrum", "Dagbesteding")
_KIND_JEUGD = ("Jeugdhulp", "Jeugdzorg", "Gezinspraktijk", "Kindcentrum", "Jeugdteam")
_PLACE = ("De Linde", "Het Baken", "De Wending", "Oost", "West", "Midden-Brabant",
          "De Horst", "Het Anker", "De Brug", "Regio Breda", "Het Kompas", "De Schakel",
          "Noorderlicht", "De Meander", "Het Palet")  # fmt: skip
_AREA_CODES = ("013", "076", "0161", "040", "073")

#: Organisations of the professionals, per part they play.
_ORGANISATIONS = {
    "regievoerder": ("Wijkteam Noord", "Wijkteam Zuid"),
    "casusregisseur": ("Wijkteam Noord", "Wijkteam Zuid"),
    "hulpverlener": tuple(f"{k} {p}" for k in ("Jeugdhulp", "Zorggroep") for p in _PLACE[:4]),
    "jeugdbeschermer": ("Jeugdbescherming Brabant", "William Schrikker Stichting"),
    "jeugdreclasseerder": ("Jeugdbescherming Brabant", "Leger des Heils Jeugdreclassering"),
    "bewindvoerder": ("Bewindvoering Midden-Brabant", "Budgetbeheer De Brug"),
    "schuldhulpverlener": ("Schuldhulp Gemeente", "Kredietbank West-Brabant"),
}


def secret_indication(rng: np.random.Generator, pop: ChunkPopulation) -> pa.Array:
    """``indicatiegeheim`` per person of the chunk: "0", or one value for a whole household."""
    p, h = pop.people, pop.households
    private = np.flatnonzero(h.type != INSTITUTION)
    k = round(SECRET_HOUSEHOLD_SHARE * private.shape[0])
    value = np.zeros(h.type.shape[0], dtype=np.int64)
    if k:
        chosen = rng.choice(private, size=k, replace=False)
        codes = np.array([int(c) for c, _ in SECRET_VALUES])
        weights = np.array([w for _, w in SECRET_VALUES])
        value[chosen] = codes[rng.choice(len(codes), size=k, p=weights / weights.sum())]
    living = (p.role != DECEASED) & (p.role != DEPARTED) & (p.household >= 0)
    person = np.where(living, value[np.where(p.household >= 0, p.household, 0)], 0)
    return pa.array(person.astype(str), type=pa.string())


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def _phone(rng: np.random.Generator, n: int, mobile: bool) -> list[str]:
    if mobile:
        return [f"06-{d:08d}" for d in rng.integers(10_000_000, 100_000_000, n)]
    out = []
    for area, number in zip(
        rng.integers(0, len(_AREA_CODES), n), rng.integers(0, 10**7, n), strict=True
    ):
        code = _AREA_CODES[int(area)]
        rest = 10 - len(code)
        digits = f"{int(number) % 10**rest:0{rest}d}"
        digits = str(2 + int(digits[0]) % 8) + digits[1:]  # no local number starts with 0 or 1
        out.append(f"{code} {digits[:3]} {digits[3:]}")
    return out


def provider_table(rng: np.random.Generator, agb_codes: list[int]) -> pa.Table:
    """``aanbieder``: one organisation per AGB code used by the allocations."""
    codes = sorted(set(agb_codes))
    n = len(codes)
    wmo = np.array([(c // 10) % 100 < 40 for c in codes], dtype=bool)
    combos_w = [f"{k} {p}" for k in _KIND_WMO for p in _PLACE]
    combos_j = [f"{k} {p}" for k in _KIND_JEUGD for p in _PLACE]
    order_w = rng.permutation(len(combos_w))
    order_j = rng.permutation(len(combos_j))
    names: list[str] = []
    i_w = i_j = 0
    for is_wmo in wmo:
        if is_wmo:
            names.append(combos_w[order_w[i_w % len(combos_w)]])
            i_w += 1
        else:
            names.append(combos_j[order_j[i_j % len(combos_j)]])
            i_j += 1
    email = [f"info@{_slug(name)}.nl" for name in names]
    return table(
        "aanbieder",
        {
            "agbcode": pa.array([f"{c:08d}" for c in codes], type=pa.string()),
            "naam": pa.array(names, type=pa.string()),
            "telefoon": pa.array(_phone(rng, n, mobile=False), type=pa.string()),
            "email": pa.array(email, type=pa.string()),
        },
    )


def used_providers(allocations: pa.Table) -> list[int]:
    return [int(v) for v in pc.unique(allocations["aanbieder"]).to_pylist() if v is not None]


def _index_of_bsn(pop: ChunkPopulation, values: pa.Array | pa.ChunkedArray) -> I64:
    """Local person index of each BSN (all BSNs of the chunk's own tables)."""
    numbers = bsn_from_index(pop.people.pid)
    order = np.argsort(numbers, kind="stable")
    wanted = np.asarray(pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    found: I64 = order[np.searchsorted(numbers[order], wanted)]
    return found


def _open_at(start: pa.ChunkedArray, end: pa.ChunkedArray, peil: int) -> B:
    s = np.asarray(pc.cast(start, pa.int32()).to_numpy(zero_copy_only=False), np.float64)
    e = pc.cast(end, pa.int32()).to_numpy(zero_copy_only=False).astype(np.float64)
    e = np.where(np.isnan(e), np.inf, e)
    return (s <= peil) & (e >= peil)


def _professional_names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """Names of professionals (a given name and a surname of the Dutch tables) and the part of
    an e-mail address made from them."""
    origin = np.zeros(n, dtype=np.int8)
    female = rng.random(n) < 0.75  # most social workers are women
    first_m = first_names("M").values.take(pa.array(first_names("M").sample(rng, origin)))
    first_v = first_names("V").values.take(pa.array(first_names("V").sample(rng, origin)))
    first = pc.if_else(pa.array(female), first_v, first_m).to_pylist()
    sn = surnames()
    sidx = pa.array(sn.sample(rng, origin))
    last = sn.values.take(sidx).to_pylist()
    prefix = sn.prefixes.take(sidx).to_pylist() if sn.prefixes is not None else [""] * n
    full = [
        " ".join(x for x in (f, v, s) if x) for f, v, s in zip(first, prefix, last, strict=True)
    ]
    local = [
        f"{_slug(f)[:1]}.{_slug((v or '') + s)}"
        for f, v, s in zip(first, prefix, last, strict=True)
    ]
    return full, local


def involvement_table(
    rng: np.random.Generator,
    pop: ChunkPopulation,
    allocations: pa.Table,
    debt: pa.Table,
) -> pa.Table:
    """``betrokkenheid``: for part of the persons with an open youth-care or Wmo allocation or
    debt-help trajectory, one or two professionals."""
    p, peil = pop.people, pop.peil
    n_p = len(p)
    part = np.full(n_p, "", dtype="<U20")
    open_alloc = _open_at(
        allocations["datumstarttoewijzing"], allocations["datumeindetoewijzing"], peil
    )
    who = _index_of_bsn(pop, allocations["burgerservicenummer"])
    category = np.asarray(allocations["productcategorie"].to_numpy(zero_copy_only=False), str)
    wet = np.asarray(allocations["wet"].to_numpy(zero_copy_only=False), str)
    # The most specific part wins: youth protection, probation, other youth care, Wmo, debts.
    for mask, role in (
        (open_alloc & (wet == "WMO"), "hulpverlener"),
        (open_alloc & (wet == "JEUGDWET"), "hulpverlener"),
        (open_alloc & (category == "47"), "jeugdreclasseerder"),
        (open_alloc & (category == "48"), "jeugdbeschermer"),
    ):
        part[who[mask]] = role
    open_debt = _open_at(debt["startdatum"], debt["einddatum"], peil)
    debtor = _index_of_bsn(pop, debt["burgerservicenummer"])[open_debt]
    debt_role = np.where(rng.random(debtor.shape[0]) < 0.3, "bewindvoerder", "schuldhulpverlener")
    part[debtor] = np.where(part[debtor] == "", debt_role, part[debtor])
    living = (p.role != DECEASED) & (p.role != DEPARTED)
    eligible = np.flatnonzero((part != "") & living)
    chosen = eligible[rng.random(eligible.shape[0]) < INVOLVED_SHARE]
    second = chosen[rng.random(chosen.shape[0]) < 0.4]
    person = np.concatenate([chosen, second])
    roles = np.concatenate(
        [
            part[chosen],
            np.where(rng.random(second.shape[0]) < 0.6, "regievoerder", "casusregisseur"),
        ]
    )
    n = int(person.shape[0])
    organisation = [
        _ORGANISATIONS[r][int(k) % len(_ORGANISATIONS[r])]
        for r, k in zip(roles, rng.integers(0, 1000, n), strict=True)
    ]
    full, local = _professional_names(rng, n)
    phone = _phone(rng, n, mobile=True)
    by_mail = rng.random(n) < 0.4
    contact = [
        f"{loc}@{_slug(org)}.nl" if mail and len(loc) > 2 else tel
        for loc, org, mail, tel in zip(local, organisation, by_mail, phone, strict=True)
    ]
    start = (peil - 30 - rng.random(n) * 2 * YEAR).astype(np.int64)
    start = np.maximum(start, p.birth[person].astype(np.int64) + 1)
    last = peil - 1 - (rng.random(n) * 120).astype(np.int64)
    last = np.maximum(last, start)
    order = np.lexsort((roles, p.pid[person]))
    return table(
        "betrokkenheid",
        {
            "burgerservicenummer": bsn(p.pid[person][order]),
            "organisatie": pa.array(np.array(organisation, dtype=object)[order], pa.string()),
            "professional": pa.array(np.array(full, dtype=object)[order], pa.string()),
            "rol": pa.array(roles[order], pa.string()),
            "contact": pa.array(np.array(contact, dtype=object)[order], pa.string()),
            "startdatum": date_array(start[order]),
            "laatstecontact": date_array(last[order]),
        },
    )


def case_workers(persons: int) -> int:
    """How many case workers (user names) the municipality's open cases are spread over."""
    return max(2, math.ceil(OPEN_CASES_PER_PERSON * persons / CASES_PER_WORKER))


def worker_name(k: int) -> str:
    return "case_worker" if k == 0 else f"case_worker{k + 1}"


def case_table(
    rng: np.random.Generator,
    pop: ChunkPopulation,
    allocations: pa.Table,
    household_help: B,
    chunk_number: int,
    workers: int,
) -> pa.Table:
    """``casus``: open cases of children under 18 with open youth care or in a household with
    social assistance or debt help, and a few closed ones."""
    p, peil = pop.people, pop.peil
    living = (p.role != DECEASED) & (p.role != DEPARTED) & (p.household >= 0)
    minor = living & (p.birth > peil - 18 * YEAR)
    youth = np.zeros(len(p), dtype=bool)
    jeugd = np.asarray(allocations["wet"].to_numpy(zero_copy_only=False), str) == "JEUGDWET"
    open_alloc = _open_at(
        allocations["datumstarttoewijzing"], allocations["datumeindetoewijzing"], peil
    )
    youth[_index_of_bsn(pop, allocations["burgerservicenummer"])[jeugd & open_alloc]] = True
    helped = household_help[np.where(p.household >= 0, p.household, 0)]
    eligible = np.flatnonzero(minor & (youth | helped))
    n_open = min(eligible.shape[0], max(1, round(OPEN_CASES_PER_PERSON * int(living.sum()))))
    n_closed = min(eligible.shape[0] - n_open, round(CLOSED_CASE_SHARE * n_open))
    picked = rng.permutation(eligible)[: n_open + n_closed]
    picked.sort()
    n = int(picked.shape[0])
    closed = np.zeros(n, dtype=bool)
    closed[rng.permutation(n)[:n_closed]] = True
    start = np.where(
        closed, peil - (1 + rng.random(n) * 2) * YEAR, peil - 7 - rng.random(n) * 1.5 * YEAR
    ).astype(np.int64)
    start = np.maximum(start, p.birth[picked].astype(np.int64) + 1)
    end = np.where(closed, start + 30 + rng.random(n) * (peil - 31 - start), NONE).astype(np.int64)
    worker = rng.integers(0, workers, n)
    years = (np.datetime64("1970-01-01", "D") + start).astype("datetime64[Y]").astype(np.int64)
    years += 1970
    numbers = ids("", chunk_number * 10_000 + np.arange(n), 6).to_pylist()
    return table(
        "casus",
        {
            "casusnummer": pa.array(
                [f"C{y}-{num}" for y, num in zip(years, numbers, strict=True)], pa.string()
            ),
            "burgerservicenummer": bsn(p.pid[picked]),
            "medewerker": pa.array([worker_name(int(k)) for k in worker], pa.string()),
            "team": pa.array([TEAMS[int(k) % len(TEAMS)] for k in worker], pa.string()),
            "startdatum": date_array(start),
            "einddatum": date_array(end),
        },
    )


FAMILY_ROLES = (
    "ouder",
    "stiefouder",
    "broer_zus",
    "halfbroer_halfzus",
    "kind",
    "partner",
    "huisgenoot",
)

_FAMILY_SQL = """
WITH
kids AS (
    SELECT * FROM persons
    WHERE living AND date_add(birth, INTERVAL 18 YEAR) > $peildatum
),
parents AS (SELECT person AS child, related AS parent FROM rel WHERE kind = 'ouder'),
active_partners AS (
    SELECT person, related FROM rel
    WHERE kind = 'partner' AND start <= $peil AND (stop IS NULL OR stop > $peil)
),
parent_sets AS (
    SELECT child, list_sort(list(DISTINCT parent)) AS ps FROM parents GROUP BY child
),
candidates AS (
    SELECT k.pid AS child, q.parent AS member, 1 AS priority, 'ouder' AS rol
    FROM kids k JOIN parents q ON q.child = k.pid
    UNION ALL
    SELECT k.pid, ap.related, 2, 'stiefouder'
    FROM kids k JOIN parents q ON q.child = k.pid
    JOIN active_partners ap ON ap.person = q.parent
    WHERE ap.related NOT IN (SELECT parent FROM parents WHERE child = k.pid)
    UNION ALL
    SELECT k.pid, s.child, 3,
        CASE WHEN a.ps = b.ps THEN 'broer_zus' ELSE 'halfbroer_halfzus' END
    FROM kids k JOIN parents q ON q.child = k.pid
    JOIN parents s ON s.parent = q.parent AND s.child <> k.pid
    JOIN parent_sets a ON a.child = k.pid
    JOIN parent_sets b ON b.child = s.child
    UNION ALL
    SELECT k.pid, r.related, 4, 'kind' FROM kids k JOIN rel r ON r.person = k.pid
    WHERE r.kind = 'kind'
    UNION ALL
    SELECT k.pid, ap.related, 5, 'partner' FROM kids k JOIN active_partners ap
    ON ap.person = k.pid
    UNION ALL
    SELECT k.pid, o.pid, 6, 'huisgenoot' FROM kids k JOIN persons o
    ON o.living AND o.address = k.address AND o.pid <> k.pid
),
chosen AS (
    SELECT child, member, arg_min(rol, priority) AS rol
    FROM candidates GROUP BY child, member
)
SELECT c.child, c.member, c.rol, m.dead AS overleden,
    (m.living AND m.address = k.address) AS woont_op_adres
FROM chosen c JOIN kids k ON k.pid = c.child JOIN persons m ON m.pid = c.member
-- Deceased or departed members only as parents (a parent who died or lives elsewhere).
WHERE c.rol = 'ouder' OR m.living
ORDER BY c.child, c.member
"""


def family_truth(pop: ChunkPopulation, peildatum: date) -> pa.Table:
    """``truth/family``: one row per (child under 18 living here at the peildatum, member).

    Roles: ``ouder`` (a parent in ``relatie``, also a deceased one, ``overleden`` 1, or one who
    left the municipality), ``stiefouder`` (a formal partner, married or registered and the
    relation running at the peildatum, of a parent who is not a parent of the child),
    ``broer_zus`` (the same known parents, all of them), ``halfbroer_halfzus`` (at least one
    parent in common, not all), ``kind`` (the child's own child), ``partner`` (a formal partner
    at the peildatum), ``huisgenoot`` (anyone else living at the child's address); the first
    that applies, in this order. ``woont_op_adres``: the member lives at the child's address at
    the peildatum (the planted household's address). Members other than parents are alive and
    living here; every member is a person of ``ingeschrevenpersoon`` (the generator relates
    persons of the same chunk only, and writes all of them), so none is left out for that.
    """
    p, h, r, peil = pop.people, pop.households, pop.relations, pop.peil
    living = (p.role != DECEASED) & (p.role != DEPARTED) & (p.household >= 0)
    address = np.where(living, h.address[np.where(p.household >= 0, p.household, 0)], -1)
    persons = pa.table(
        {
            "pid": pa.array(p.pid),
            "living": pa.array(living),
            "dead": pa.array((p.role == DECEASED) | (p.death != NONE)),
            "address": pa.array(address),
            "birth": date_array(p.birth),
        }
    )
    stop = pa.array(r.end, mask=r.end == NONE)
    rel = pa.table(
        {
            "person": pa.array(r.person),
            "related": pa.array(r.related),
            "kind": pa.array(r.kind.astype(str)),
            "start": pa.array(r.start),
            "stop": stop,
        }
    )
    con = duckdb.connect()
    try:
        con.register("persons", persons)
        con.register("rel", rel)
        query = con.sql(_FAMILY_SQL, params={"peil": peil, "peildatum": peildatum})
        result = query.to_arrow_table()
    finally:
        con.close()
    child = result["child"].to_numpy().astype(np.int64)
    member = result["member"].to_numpy().astype(np.int64)
    return pa.table(
        {
            "burgerservicenummer": bsn(child),
            "gerelateerde_burgerservicenummer": bsn(member),
            "rol": result["rol"].cast(pa.string()),
            "woont_op_adres": pc.cast(result["woont_op_adres"], pa.int8()),
            "overleden": pc.cast(result["overleden"], pa.int8()),
        }
    )


__all__ = [
    "FAMILY_ROLES",
    "case_table",
    "case_workers",
    "family_truth",
    "involvement_table",
    "provider_table",
    "secret_indication",
    "used_providers",
]
