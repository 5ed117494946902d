"""From numpy columns to the contract's tables (pyarrow), one chunk at a time."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from meedoen_data.bsn import bsn_from_index
from meedoen_data.contract import TABLES
from meedoen_data.synth import calibration as cal
from meedoen_data.synth import names
from meedoen_data.synth.geography import bag_id
from meedoen_data.synth.nametable import first_names, surnames
from meedoen_data.synth.population import (
    DECEASED,
    DEPARTED,
    FEMALE,
    NAAMGEBRUIK,
    NONE,
    RESIDENT,
    YEAR,
    ChunkPopulation,
)
from meedoen_data.synth.services import EDUCATION, TENURE, Flags, main_person

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


def bsn(pid: I64) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(bsn_from_index(pid)), pa.string()), 9, "0")


def ids(prefix: str, numbers: npt.NDArray[np.integer], width: int) -> pa.Array:
    """Identifiers like ``T0010000042``: a prefix and a zero-padded number."""
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def date_array(days: npt.NDArray[np.integer] | npt.NDArray[np.floating]) -> pa.Array:
    d = np.asarray(days, dtype=np.int32)
    return pa.array(d, type=pa.date32(), mask=d == NONE)


def table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """Columns in contract order; a column the generator leaves out is written empty."""
    n = len(next(iter(columns.values())))
    return pa.table({c: columns.get(c, pa.nulls(n, type=pa.string())) for c in TABLES[name]})


def given_names(first: npt.NDArray[np.int32], sex: npt.NDArray[np.int8]) -> pa.Array:
    parts = []
    female = sex == FEMALE
    for k in range(3):
        idx = first[:, k]
        m = first_names("M").values.take(pa.array(np.where(female | (idx < 0), 0, idx)))
        f = first_names("V").values.take(pa.array(np.where(~female | (idx < 0), 0, idx)))
        value = pc.if_else(pa.array(female), f, m)
        parts.append(pc.if_else(pa.array(idx == NONE), pa.nulls(len(idx), pa.string()), value))
    return pc.binary_join_element_wise(*parts, " ", null_handling="skip")


def _countries(origin: npt.NDArray[np.int8], pid: I64) -> npt.NDArray[np.object_]:
    flat = [c for o in names.ORIGINS for c in names.COUNTRY_OF_BIRTH[o]]
    count = np.array([len(names.COUNTRY_OF_BIRTH[o]) for o in names.ORIGINS])
    start = np.cumsum(count) - count
    chosen: npt.NDArray[np.object_] = np.array(flat, dtype=object)[
        start[origin] + (pid * 2654435761) % count[origin]
    ]
    return chosen


def person_tables(pop: ChunkPopulation, gemeente_number: int) -> dict[str, pa.Table]:
    p, r, v = pop.people, pop.relations, pop.residences
    sn = surnames()
    sidx = pa.array(p.surname)
    prefix = sn.prefixes.take(sidx) if sn.prefixes is not None else pa.nulls(len(p), pa.string())
    prefix = pc.if_else(pc.equal(prefix, ""), pa.nulls(len(p), pa.string()), prefix)
    land = _countries(p.origin, p.pid)
    land[~p.abroad] = "Nederland"
    persons = table(
        "ingeschrevenpersoon",
        {
            "burgerservicenummer": bsn(p.pid),
            "geslachtsnaam": sn.values.take(sidx),
            "voorvoegsel": prefix,
            "voornamen": given_names(p.first, p.sex),
            "datumgeboorte": date_array(p.birth),
            "geslachtsaanduiding": pa.array(np.array(["M", "V", "O"])[p.sex]),
            "datumoverlijden": date_array(p.death),
            "aanduidingnaamgebruik": pa.array(np.array(NAAMGEBRUIK)[p.naamgebruik]),
            "geboorteland": pa.array(land, type=pa.string()),
        },
    )
    residences = table(
        "verblijfplaats",
        {
            "burgerservicenummer": bsn(v.person),
            "adresseerbaarobjectidentificatie": bag_id(gemeente_number, "01", v.address),
            "nummeraanduidingidentificatie": bag_id(gemeente_number, "20", v.address),
            "datumvan": date_array(v.start),
            "datumtot": date_array(v.end),
        },
    )
    union = pa.array(r.union)
    relations = table(
        "relatie",
        {
            "burgerservicenummer": bsn(r.person),
            "gerelateerde_burgerservicenummer": bsn(r.related),
            "soortrelatie": pa.array(r.kind),
            "soortverbintenis": pc.if_else(
                pc.equal(union, ""), pa.nulls(len(union), pa.string()), union
            ),
            "datumingang": date_array(r.start),
            "datumeinde": date_array(r.end),
        },
    )
    return {"ingeschrevenpersoon": persons, "verblijfplaats": residences, "relatie": relations}


def cbs_tables(pop: ChunkPopulation, flags: Flags) -> dict[str, pa.Table]:
    p = pop.people
    living = (p.role != DECEASED) & (p.role != DEPARTED)
    idx = np.flatnonzero(living)
    hh = p.household[idx]
    lookup = np.array([names.MIGRATION_BACKGROUND[o] for o in names.ORIGINS])
    edu = flags.education[idx]
    persons = table(
        "cbs_persoon",
        {
            "burgerservicenummer": bsn(p.pid[idx]),
            "opleidingsniveau": pa.array(np.array(EDUCATION)[np.maximum(edu, 0)], mask=edu < 0),
            "migratieachtergrond": pa.array(lookup[p.origin[idx]]),
        },
    )
    institution = p.role[idx] == RESIDENT
    tenure = flags.tenure[hh]
    year = int((pop.peil / YEAR) + 1970) - 1
    income = flags.income[hh]
    inkomen = table(
        "cbs_inkomen",
        {
            "burgerservicenummer": bsn(p.pid[idx]),
            "jaar": pa.array(np.full(idx.shape[0], year, dtype=np.int32)),
            "besteedbaar_huishoudinkomen": pa.array(
                np.nan_to_num(income).astype(np.int64), mask=institution | np.isnan(income)
            ),
            "ww": pa.array(flags.ww[idx].astype(np.int8)),
            "ao": pa.array(flags.ao[idx].astype(np.int8)),
            "huurtoeslag": pa.array(flags.huurtoeslag[hh].astype(np.int8), mask=institution),
            "woningbezit": pa.array(np.array(TENURE)[np.maximum(tenure, 0)], mask=tenure < 0),
        },
    )
    return {"cbs_persoon": persons, "cbs_inkomen": inkomen}


def benefit_tables(
    rng: np.random.Generator, pop: ChunkPopulation, flags: Flags, chunk_number: int
) -> dict[str, pa.Table]:
    p, h, peil = pop.people, pop.households, pop.peil
    head = main_person(pop)
    parts: list[tuple[np.ndarray, str, str, np.ndarray]] = []
    for mask, wet, code in (
        (flags.bijstand, "PARTICIPATIEWET", "ABB"),
        (flags.ioaw, "IOAW", "IOAW"),
        (flags.ioaz, "IOAZ", "IOAZ"),
        (flags.bijzondere_bijstand, "BIJZONDERE_BIJSTAND", "BB"),
    ):
        who = head[mask & (head >= 0)]
        parts.append((who, wet, code, mask))
    rows_p, rows_wet, rows_code, start, end, amount = [], [], [], [], [], []
    for who, wet, code, _ in parts:
        n = int(who.shape[0])
        adult = p.birth[who] + int(18 * YEAR)
        if wet == "BIJZONDERE_BIJSTAND":
            s = peil - rng.random(n) * 4.9 * YEAR
            e = s  # one-off payment
            a = np.round(50 + rng.gamma(2.0, 300.0, n), 2)
        else:
            s = peil - rng.exponential(4 * YEAR, n) - 30
            ongoing = rng.random(n) < 0.75
            e = np.where(ongoing, NONE, s + rng.random(n) * (peil - s))
            couple = np.isin(h.type[p.household[who]], [1, 2])
            a = np.where(couple, 1_850.0, 1_300.0) + np.round(rng.normal(0, 40, n), 2)
        s = np.maximum(s, adult)
        rows_p.append(p.pid[who])
        rows_wet += [wet] * n
        rows_code += [code] * n
        start.append(s.astype(np.int32))
        end.append(np.where(np.asarray(e) == NONE, NONE, np.maximum(e, s)).astype(np.int32))
        amount.append(a)
    benefits = table(
        "inkomensvoorziening",
        {
            "burgerservicenummer": bsn(np.concatenate(rows_p)),
            "wet": pa.array(rows_wet, type=pa.string()),
            "code": pa.array(rows_code, type=pa.string()),
            "ingangsdatum": date_array(np.concatenate(start)),
            "einddatum": date_array(np.concatenate(end)),
            "bedrag": pa.array(np.concatenate(amount)).cast(pa.decimal128(12, 2)),
        },
    )
    who = head[flags.schuldhulp & (head >= 0)]
    n = int(who.shape[0])
    debt_start = (peil - rng.random(n) * 5 * YEAR).astype(np.int32)
    debt = debt_table(rng, p.pid[who], debt_start, peil)
    return {"inkomensvoorziening": benefits, "schuldhulptraject": debt}


def debt_table(rng: np.random.Generator, pid: I64, start: I32, peil: int) -> pa.Table:
    """``schuldhulptraject`` rows of persons ``pid`` starting on ``start`` (at most ``peil``):
    60% ended by the peildatum, with a reason; the debt at the start; 8% crisis intervention."""
    n = int(pid.shape[0])
    s = start
    ended = rng.random(n) < 0.6
    e = np.where(ended, s + rng.random(n) * (peil - s), NONE).astype(np.int32)
    reasons = np.array(["schuldenvrij", "schuldregeling", "afgebroken", "doorverwezen"])
    reason = reasons[rng.choice(4, n, p=[0.35, 0.3, 0.25, 0.1])]
    return table(
        "schuldhulptraject",
        {
            "burgerservicenummer": bsn(pid),
            "startdatum": date_array(s),
            "einddatum": date_array(e),
            "totaalschuldbedragbijaanvangschuld": pa.array(
                np.round(rng.lognormal(np.log(30_000), 0.8, n), 2)
            ).cast(pa.decimal128(12, 2)),
            "crisisinterventie": pa.array(np.where(rng.random(n) < 0.08, "J", "N")),
            "uitstroomreden": pa.array(reason, mask=~ended),
        },
    )


def signal_table(
    rng: np.random.Generator,
    pop: ChunkPopulation,
    flags: Flags,
    addresses: pa.Table,
    chunk_number: int,
) -> tuple[pa.Table, I64]:
    """Early-warning signals (Wgs), and the local index of the person each row is about.

    Energy and water companies and housing corporations do not know the BSN."""
    p, peil = pop.people, pop.peil
    head = main_person(pop)
    hh = np.flatnonzero(flags.signal & (head >= 0))
    count = 1 + (rng.random(hh.shape[0]) < 0.4) + (rng.random(hh.shape[0]) < 0.15)
    hh = np.repeat(hh, count)
    who = head[hh]
    n = int(who.shape[0])
    partners = np.array(list(cal.VROEGSIGNAAL_PARTNER_SHARES))
    share = np.array(list(cal.VROEGSIGNAAL_PARTNER_SHARES.values()))
    partner = partners[rng.choice(len(partners), n, p=share / share.sum())]
    knows_bsn = np.isin(partner, ["ZORGVERZEKERAAR", "CAK"])
    signaal = (peil - rng.random(n) * 2 * YEAR).astype(np.int32)
    ontstaan = (signaal - 30 - rng.random(n) * 90).astype(np.int32)
    signals = table(
        "vroegsignaal",
        {
            "signaalid": ids(f"S{chunk_number:03d}", np.arange(n), 7),
            "signaalpartner": pa.array(partner),
            "burgerservicenummer": pc.if_else(
                pa.array(knows_bsn), bsn(p.pid[who]), pa.nulls(n, pa.string())
            ),
            **signal_identity(pop, who, hh, addresses),
            "bedrag": pa.array(np.round(100 + rng.gamma(1.5, 600.0, n), 2)).cast(
                pa.decimal128(12, 2)
            ),
            "ontstaansdatum": date_array(ontstaan),
            "signaaldatum": date_array(signaal),
            "crisissignaal": pa.array(np.where(rng.random(n) < 0.03, "J", "N")),
        },
    )
    return signals, who


def signal_identity(
    pop: ChunkPopulation, who: I64, hh: I64, addresses: pa.Table
) -> dict[str, pa.Array]:
    """Name and address columns of signals about persons ``who`` (local index) living in
    households ``hh`` (local index), as a partner writes them; ``addresses`` is the chunk's
    ``nummeraanduiding``."""
    p, h = pop.people, pop.households
    n = int(who.shape[0])
    local = h.address[hh] - h.address[0]
    addr = addresses.take(pa.array(local))
    sn = surnames()
    sidx = pa.array(p.surname[who])
    prefix = sn.prefixes.take(sidx) if sn.prefixes is not None else pa.nulls(n, pa.string())
    return {
        "geslachtsnaam": sn.values.take(sidx),
        "voorvoegsel": pc.if_else(pc.equal(prefix, ""), pa.nulls(n, pa.string()), prefix),
        "voornamen": given_names(p.first[who], p.sex[who]),
        "postcode": addr["postcode"],
        "huisnummer": addr["huisnummer"],
        "huisnummertoevoeging": _letter_and_addition(addr),
    }


def _letter_and_addition(addr: pa.Table) -> pa.Array:
    """Partners write huisletter and toevoeging together ("12A", "12-2"): one field."""
    joined = pc.binary_join_element_wise(
        pc.fill_null(addr["huisletter"], ""), pc.fill_null(addr["huisnummertoevoeging"], ""), ""
    )
    return pc.if_else(pc.equal(joined, ""), pa.nulls(len(joined), pa.string()), joined)


# Wmo categories by age group (WMO020) with their unit (iWmo: 04 uur, 16 dagdeel, 82 stuks)
# and frequency (2 per week, 6 totaal binnen geldigheidsduur).
_WMO_OLD = (("01", 0.45), ("08", 0.20), ("14", 0.15), ("02", 0.10), ("07", 0.05), ("13", 0.05))
_WMO_YOUNG = (("02", 0.45), ("07", 0.15), ("01", 0.15), ("14", 0.10), ("15", 0.08), ("08", 0.07))
_UNIT = {
    "01": ("04", "2"),
    "02": ("04", "2"),
    "07": ("16", "2"),
    "08": ("82", "6"),
    "13": ("82", "6"),
    "14": ("82", "6"),
    "15": ("14", "2"),
}
# Youth care kinds (JZ020).
_JEUGD_ZONDER = (("45", 0.70), ("41", 0.15), ("40", 0.05), ("50", 0.10))
_JEUGD_MET = (("43", 0.6), ("44", 0.4))


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    values = np.array([v for v, _ in options])
    p = np.array([w for _, w in options])
    return values[rng.choice(len(values), n, p=p / p.sum())]


def allocation_table(
    rng: np.random.Generator, pop: ChunkPopulation, flags: Flags, chunk_number: int
) -> pa.Table:
    """Wmo and Jeugdwet allocations (toewijzing) over the peildatum and the four years before."""
    p, peil = pop.people, pop.peil
    age = (peil - p.birth) / YEAR
    # Wmo: one or two provisions per user.
    wmo = np.flatnonzero(flags.wmo)
    wmo = np.repeat(wmo, 1 + (rng.random(wmo.shape[0]) < 0.35))
    old = age[wmo] >= 65
    cat_w = np.where(old, _pick(rng, _WMO_OLD, wmo.shape[0]), _pick(rng, _WMO_YOUNG, wmo.shape[0]))
    # Youth: one kind per user by the CBS shares, plus help without residence next to youth
    # protection for half of those.
    kids = np.flatnonzero(flags.jeugd)
    shares = cal.YOUTH_CARE_KIND_SHARES
    kinds = np.array(list(shares))
    weight = np.array(list(shares.values()))
    kind = kinds[rng.choice(len(kinds), kids.shape[0], p=weight / weight.sum())]
    forced = flags.forced_jeugd_kind[kids] if flags.forced_jeugd_kind.size else None
    if forced is not None:
        kind = np.where(forced >= 0, "zonder_verblijf", kind)
    kind = np.where((kind == "jeugdbescherming") & (age[kids] >= 18), "zonder_verblijf", kind)
    kind = np.where((kind == "jeugdreclassering") & (age[kids] < 12), "zonder_verblijf", kind)
    extra = kids[(kind == "jeugdbescherming") & (rng.random(kids.shape[0]) < 0.5)]
    kids = np.concatenate([kids, extra])
    kind = np.concatenate([kind, np.full(extra.shape[0], "zonder_verblijf")])
    cat_j = np.select(
        [kind == "zonder_verblijf", kind == "met_verblijf", kind == "jeugdbescherming"],
        [_pick(rng, _JEUGD_ZONDER, kids.shape[0]), _pick(rng, _JEUGD_MET, kids.shape[0]), "48"],
        "47",
    )
    referrers = tuple(cal.YOUTH_REFERRER_SHARES.items())
    verwijzer = np.where(
        np.isin(cat_j, ["47", "48"]),
        np.where(rng.random(kids.shape[0]) < 0.7, "08", "04"),
        _pick(rng, referrers, kids.shape[0]),
    )

    who = np.concatenate([wmo, kids])
    n = int(who.shape[0])
    wet = np.concatenate([np.full(wmo.shape[0], "WMO"), np.full(kids.shape[0], "JEUGDWET")])
    cat = np.concatenate([cat_w, cat_j])
    # Active around the peildatum for most (youth: during the year before), some ended earlier.
    start = (peil - rng.random(n) * np.where(wet == "JEUGDWET", 2.0, 4.5) * YEAR).astype(np.int32)
    start = np.maximum(start, p.birth[who] + 30)
    decided = (start - rng.integers(0, 42, n)).astype(np.int32)
    decided = np.maximum(decided, p.birth[who] + 14)  # never on the day of birth
    length = rng.gamma(2.0, 0.6, n) * YEAR
    end = (start + length).astype(np.int32)
    end = np.where(rng.random(n) < 0.3, NONE, end).astype(np.int32)  # open-ended
    unit = np.array([_UNIT.get(c, ("04", "2"))[0] for c in cat.tolist()], dtype="<U2")
    freq = np.array([_UNIT.get(c, ("04", "2"))[1] for c in cat.tolist()], dtype="<U1")
    amount = np.where(freq == "6", 1, 1 + rng.integers(0, 6, n))
    # Providers: a handful of AGB codes per category (8 digits).
    agb = 98_000_000 + cat.astype(np.int64) * 10 + rng.integers(0, 5, n)
    variant = np.char.zfill(rng.integers(1, 4, n).astype(str), 2)
    product = pc.binary_join_element_wise(
        pa.array(cat), pa.array(np.where(wet == "WMO", "A", "J")), pa.array(variant), ""
    )
    return table(
        "toewijzing",
        {
            "toewijzingnummer": ids(f"T{chunk_number:03d}", np.arange(n), 7),
            "burgerservicenummer": bsn(p.pid[who]),
            "wet": pa.array(wet),
            "productcategorie": pa.array(cat),
            "productcode": product,
            "datumtoewijzing": date_array(decided),
            "datumstarttoewijzing": date_array(start),
            "datumeindetoewijzing": date_array(end),
            "omvang": pa.array(amount.astype(np.int32)),
            "eenheid": pa.array(unit),
            "frequentie": pa.array(freq),
            "leveringsvorm": pa.array(np.where(rng.random(n) < 0.08, "PGB", "ZIN")),
            "aanbieder": pc.cast(pa.array(agb), pa.string()),
            "soortverwijzer": pa.array(np.concatenate([np.full(wmo.shape[0], "01"), verwijzer])),
        },
    )
