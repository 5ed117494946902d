"""How a synthetic municipality is cut into chunks, fixed before anything random happens.

Every chunk's sizes and id ranges follow from the arguments alone, so each chunk is generated
from its own random stream (seed, chunk number) and the output is byte-identical for the same
arguments, whatever the machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from meedoen_data.bsn import BSN_SPACE
from meedoen_data.synth import calibration as cal

CHUNK_HOUSEHOLDS = 100_000
MEAN_HOUSEHOLD_SIZE = 2.108  # CBS 2024: 17,653,766 persons in 8,374,404 private households
PERSONS_PER_INSTITUTION = 80
VACANT_SHARE = 0.04  # addresses without residents at the peildatum (earlier addresses, vacancy)
#: Person numbers reserved per chunk: residents, the deceased and those who left.
PERSON_STRIDE = 4 * CHUNK_HOUSEHOLDS
ADDRESSES_PER_BUURT = 600
MAX_BUURTEN = 8_900  # postcode-4 per buurt must stay within 1000..9999
MAX_BUURTEN_PER_WIJK = 99


@dataclass(frozen=True)
class Chunk:
    number: int
    households: int
    institution_residents: int
    institutions: int
    vacant: int
    household_offset: int
    address_offset: int
    institution_offset: int

    @property
    def addresses(self) -> int:
        return self.households + self.institutions + self.vacant

    @property
    def person_offset(self) -> int:
        return self.number * PERSON_STRIDE


@dataclass(frozen=True)
class Plan:
    gemeente: str
    persons: int
    peildatum: date
    seed: int
    chunks: tuple[Chunk, ...]
    buurten: int
    wijken: int

    @property
    def households(self) -> int:
        return sum(c.households for c in self.chunks)

    @property
    def addresses(self) -> int:
        return sum(c.addresses for c in self.chunks)


def make_plan(*, gemeente: str, persons: int, peildatum: date, seed: int) -> Plan:
    if persons < 50:
        raise ValueError("--persons must be at least 50")
    private_persons = persons * (1 - cal.INSTITUTIONAL_PERSON_SHARE)
    households = max(1, round(private_persons / MEAN_HOUSEHOLD_SIZE))
    institution_residents = persons - round(households * MEAN_HOUSEHOLD_SIZE)
    chunks: list[Chunk] = []
    n_chunks = math.ceil(households / CHUNK_HOUSEHOLDS)
    household_offset = address_offset = institution_offset = 0
    for number in range(n_chunks):
        size = min(CHUNK_HOUSEHOLDS, households - household_offset)
        residents = round(institution_residents * size / households)
        chunk = Chunk(
            number=number,
            households=size,
            institution_residents=residents,
            institutions=math.ceil(residents / PERSONS_PER_INSTITUTION) if residents else 0,
            vacant=math.ceil(size * VACANT_SHARE),
            household_offset=household_offset,
            address_offset=address_offset,
            institution_offset=institution_offset,
        )
        chunks.append(chunk)
        household_offset += size
        address_offset += chunk.addresses
        institution_offset += chunk.institutions
    if n_chunks * PERSON_STRIDE > BSN_SPACE:
        raise ValueError(f"--persons {persons} is more than the generator can number")
    buurten = min(MAX_BUURTEN, max(1, round(address_offset / ADDRESSES_PER_BUURT)))
    wijken = min(99, max(1, math.ceil(buurten / 6)))
    wijken = max(wijken, math.ceil(buurten / MAX_BUURTEN_PER_WIJK))
    return Plan(
        gemeente=gemeente,
        persons=persons,
        peildatum=peildatum,
        seed=seed,
        chunks=tuple(chunks),
        buurten=buurten,
        wijken=wijken,
    )
