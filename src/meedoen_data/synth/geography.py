"""Wijken, buurten and BAG-style addresses, computed from an address's global number.

Addresses are numbered 0..A-1 over the whole municipality and laid out in order: buurt b holds
the addresses from ``b*A//B`` up to ``(b+1)*A//B``; within a buurt, streets of up to 40
addresses; every fifth street is a block of flats (one huisnummer, toevoeging 1..8). Buurt codes
are BU + gemeente (4) + wijk (2) + buurt (2), wijk codes WK + gemeente (4) + wijk (2), as CBS.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from meedoen_data.synth import names
from meedoen_data.synth.plan import Plan

I64 = npt.NDArray[np.int64]
STREET_LENGTH = 40
FLAT_UNITS = 8
_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"
#: Where a municipality's real postcodes start (Gilze en Rijen: 5120-5126).
KNOWN_PC4 = {"GM0784": 5120}  # postcode letters avoid some combinations, as PostNL


def gemeente_number(gemeente: str) -> int:
    return int(gemeente[2:])


def woonplaatsen(gemeente: str) -> tuple[str, ...]:
    known = names.WOONPLAATSEN.get(gemeente)
    if known:
        return known
    start = zlib.crc32(gemeente.encode()) % len(names.GENERIC_WOONPLAATSEN)
    pool = names.GENERIC_WOONPLAATSEN
    return tuple(pool[(start + k) % len(pool)] for k in range(4))


def buurt_of(plan: Plan, address: I64) -> I64:
    return (address * plan.buurten) // plan.addresses


def wijk_of(plan: Plan, buurt: I64) -> I64:
    return (buurt * plan.wijken) // plan.buurten


def buurt_start(plan: Plan, buurt: I64) -> I64:
    # Smallest address a with a*B//A >= b.
    return (buurt * plan.addresses + plan.buurten - 1) // plan.buurten


def addresses_table(plan: Plan, address: I64) -> pa.Table:
    """The ``nummeraanduiding`` rows of the given global address numbers."""
    gm = gemeente_number(plan.gemeente)
    buurt = buurt_of(plan, address)
    wijk = wijk_of(plan, buurt)
    first_buurt_of_wijk = (wijk * plan.buurten + plan.wijken - 1) // plan.wijken
    buurt_in_wijk = buurt - first_buurt_of_wijk
    position = address - buurt_start(plan, buurt)
    street_in_buurt = position // STREET_LENGTH
    house = position % STREET_LENGTH
    street_key = buurt * 1000 + street_in_buurt
    flats = (street_key % 5) == 4
    huisnummer = np.where(flats, 1 + 2 * (house // FLAT_UNITS), 1 + house)
    toevoeging = np.where(flats, (house % FLAT_UNITS) + 1, 0)
    letter_rng = (street_key * 7919 + house * 104729) % 100
    huisletter_idx = np.where(~flats & (letter_rng < 4), (letter_rng % 2), -1)

    stems, suffixes = names.STREET_STEMS, names.STREET_SUFFIXES
    stem = (street_key * 2654435761) % len(stems)
    suffix = (street_key * 40503 + 17) % len(suffixes)
    street = pc.binary_join_element_wise(
        pa.array(stems).take(pa.array(stem)), pa.array(suffixes).take(pa.array(suffix)), ""
    )
    places = woonplaatsen(plan.gemeente)
    place = pa.array(places).take(pa.array(wijk % len(places)))
    base_pc4 = min(KNOWN_PC4.get(plan.gemeente, (gm * 7) % 9000 + 1000), 9999 - plan.buurten)
    pc4 = base_pc4 + buurt
    pc_letters = street_in_buurt % (len(_LETTERS) ** 2)
    l1 = pa.array(list(_LETTERS)).take(pa.array(pc_letters // len(_LETTERS)))
    l2 = pa.array(list(_LETTERS)).take(pa.array(pc_letters % len(_LETTERS)))
    postcode = pc.binary_join_element_wise(pc.cast(pa.array(pc4), pa.string()), l1, l2, "")

    object_id = bag_id(gm, "01", address)
    return pa.table(
        {
            "identificatie": bag_id(gm, "20", address),
            "adresseerbaarobjectidentificatie": object_id,
            "postcode": postcode,
            "huisnummer": pa.array(huisnummer, type=pa.int32()),
            "huisletter": pa.array(
                np.array(["A", "B"])[np.maximum(huisletter_idx, 0)], mask=huisletter_idx < 0
            ),
            "huisnummertoevoeging": pa.array(toevoeging.astype(str), mask=toevoeging == 0),
            "openbareruimtenaam": street,
            "woonplaatsnaam": place,
            "buurtcode": _code("BU", gm, wijk, buurt_in_wijk),
            "wijkcode": _code("WK", gm, wijk, None),
            "gemeentecode": pa.array(np.full(address.shape[0], plan.gemeente)),
        }
    )


#: How the wijken of one woonplaats are told apart, in order.
_WIJK_PARTS = ("Centrum", "Noord", "Zuid", "Oost", "West", "Noordoost", "Zuidwest", "Noordwest")
_BUURT_KINDS = ("buurt", "kwartier", "hof", "veld", "akker", "park", "hoek", "rode")


#: The side of a synthetic wijk's square, in metres (RD New).
WIJK_SIDE = 2000


def _ring(x0: int, y0: int, x1: int, y1: int) -> str:
    return f"[[{x0}, {y0}], [{x1}, {y0}], [{x1}, {y1}], [{x0}, {y1}], [{x0}, {y0}]]"


def _wijk_corner(plan: Plan, wijk: int) -> tuple[int, int]:
    """The south-west corner of a wijk's square: wijken on a grid, placed in the Netherlands
    (RD New, EPSG:28992) by the gemeente's number."""
    gm = gemeente_number(plan.gemeente)
    columns = math.ceil(math.sqrt(plan.wijken))
    x = 20_000 + (gm * 37 % 220) * 1000 + (wijk % columns) * WIJK_SIDE
    y = 320_000 + (gm * 53 % 280) * 1000 + (wijk // columns) * WIJK_SIDE
    return x, y


def _buurt_outline(plan: Plan, wijk: int, nth: int, count: int) -> str:
    """Buurt ``nth`` of ``count`` in its wijk's square: a grid of about square cells, the last
    row's cells widened to fill it."""
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    row, column = divmod(nth, columns)
    in_row = columns if row < rows - 1 else count - columns * (rows - 1)
    x, y = _wijk_corner(plan, wijk)
    left, right = x + column * WIJK_SIDE // in_row, x + (column + 1) * WIJK_SIDE // in_row
    bottom, top = y + row * WIJK_SIDE // rows, y + (row + 1) * WIJK_SIDE // rows
    return '{"type": "Polygon", "coordinates": [' + _ring(left, bottom, right, top) + "]}"


def areas_table(plan: Plan) -> pa.Table:
    """The ``gebied`` rows: the gemeente, its wijken and buurten with made-up names and
    outlines.

    A wijk is named after its woonplaats (``Rijen``), or ``Rijen-Noord`` where a woonplaats has
    more than one wijk; a buurt after a street stem (``Lindenhof``), unique in the gemeente. A
    wijk is a square of 2 km on a grid, its buurten a grid of cells in it, the gemeente all its
    wijken
    (GeoJSON in RD New): plausible shapes for a map, not real ones."""
    gm = gemeente_number(plan.gemeente)
    places = woonplaatsen(plan.gemeente)
    codes = [plan.gemeente]
    areas = [names.GEMEENTENAMEN.get(plan.gemeente, plan.gemeente)]
    levels: list[str] = ["gemeente"]
    parents: list[str | None] = [None]
    squares = []
    for wijk in range(plan.wijken):
        x, y = _wijk_corner(plan, wijk)
        squares.append(f"[{_ring(x, y, x + WIJK_SIDE, y + WIJK_SIDE)}]")
    outlines = ['{"type": "MultiPolygon", "coordinates": [' + ", ".join(squares) + "]}"]
    per_place = [len(range(p, plan.wijken, len(places))) for p in range(len(places))]
    for wijk in range(plan.wijken):
        place, nth = places[wijk % len(places)], wijk // len(places)
        if per_place[wijk % len(places)] > 1:
            part = _WIJK_PARTS[nth] if nth < len(_WIJK_PARTS) else str(nth + 1)
            place = f"{place}-{part}"
        codes.append(f"WK{gm:04d}{wijk:02d}")
        areas.append(place)
        levels.append("wijk")
        parents.append(plan.gemeente)
        outlines.append('{"type": "Polygon", "coordinates": ' + squares[wijk] + "}")
    buurt = np.arange(plan.buurten, dtype=np.int64)
    wijk_of_buurt = wijk_of(plan, buurt)
    first = (wijk_of_buurt * plan.buurten + plan.wijken - 1) // plan.wijken
    seen: set[str] = set()
    for b in range(plan.buurten):
        key = (b * 2654435761 + gm) % (len(names.STREET_STEMS) * len(_BUURT_KINDS))
        stem = names.STREET_STEMS[key % len(names.STREET_STEMS)]
        kind = _BUURT_KINDS[key // len(names.STREET_STEMS)]
        name, number = stem + kind, 2
        while name in seen:
            name, number = f"{stem}{kind} {number}", number + 1
        seen.add(name)
        w = int(wijk_of_buurt[b])
        codes.append(f"BU{gm:04d}{w:02d}{int(b - first[b]):02d}")
        areas.append(name)
        levels.append("buurt")
        parents.append(f"WK{gm:04d}{w:02d}")
        outlines.append(_buurt_outline(plan, w, int(b - first[b]), int(np.sum(wijk_of_buurt == w))))
    return pa.table(
        {
            "code": pa.array(codes),
            "naam": pa.array(areas),
            "niveau": pa.array(levels),
            "bovenliggend": pa.array(parents, type=pa.string()),
            "geometrie": pa.array(outlines),
        }
    )


def bag_id(gm: int, kind: str, address: I64) -> pa.Array:
    """16-digit BAG identification: gemeentecode (4), object type (2), serial (10)."""
    serial = pc.utf8_lpad(pc.cast(pa.array(address + 1), pa.string()), 10, "0")
    return pc.binary_join_element_wise(f"{gm:04d}{kind}", serial, "")


def _code(prefix: str, gm: int, wijk: I64, buurt: I64 | None) -> pa.Array:
    w = pc.utf8_lpad(pc.cast(pa.array(wijk), pa.string()), 2, "0")
    head = f"{prefix}{gm:04d}"
    if buurt is None:
        return pc.binary_join_element_wise(head, w, "")
    b = pc.utf8_lpad(pc.cast(pa.array(buurt), pa.string()), 2, "0")
    return pc.binary_join_element_wise(head, w, b, "")
