"""Synthetic municipality generator: a realistic Dutch population in the source data contract.

Public surface: :func:`synth_municipality` and :class:`SynthReport`. Everything else in this
package is internal. Same arguments and seed give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from meedoen_data.contract import TABLES
from meedoen_data.synth import calibration as cal
from meedoen_data.synth import casework, foodbank, geography, records, services, signals
from meedoen_data.synth.plan import Plan, make_plan
from meedoen_data.synth.population import (
    DECEASED,
    DEPARTED,
    HOUSEHOLD_TYPES,
    INSTITUTION,
    NONE,
    ChunkPopulation,
    generate_population,
)
from meedoen_data.synth.writer import Format, TableWriter

__all__ = ["SynthReport", "default_persons", "synth_municipality"]

EPOCH = date(1970, 1, 1)
PARTNER_FILE = "voedselbank"
#: The random stream of the case-work tables (contract v2) per chunk: their own, so that adding
#: them left every table of contract v1 as it was.
CASEWORK_STREAM = 2
#: The random stream of the early-warning signals beyond contract v1 (birth dates, repeated
#: signals, the planted indicator) per chunk: their own, so every v1 row stays as it was.
SIGNAL_STREAM = 3


@dataclass
class SynthReport:
    out: Path
    plan: Plan
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def default_persons(gemeente: str) -> int:
    return cal.DEFAULT_PERSONS.get(gemeente, cal.FALLBACK_PERSONS)


def synth_municipality(
    *,
    gemeente: str,
    out: Path,
    seed: int = 1,
    persons: int | None = None,
    peildatum: date = date(2025, 1, 1),
    fmt: Format = "csv",
    with_truth: bool = False,
    plant_indicator: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SynthReport:
    """Write every contract table (and ``truth/`` if asked) for one municipality into ``out``.

    ``plant_indicator``: households with a planted small water signal start debt help more
    often (the effect of the indicator); without it they get the same signals and no effect.
    """
    if not (len(gemeente) == 6 and gemeente.startswith("GM") and gemeente[2:].isdigit()):
        raise ValueError(f"gemeente {gemeente!r} is not a CBS code like GM0784")
    plan = make_plan(
        gemeente=gemeente,
        persons=persons or default_persons(gemeente),
        peildatum=peildatum,
        seed=seed,
    )
    report = SynthReport(out=out, plan=plan)
    data = TableWriter(out, fmt)
    truth = TableWriter(out / "truth", fmt) if with_truth else None
    peil = (peildatum - EPOCH).days
    gm = geography.gemeente_number(gemeente)
    workers = casework.case_workers(plan.persons)
    providers: set[int] = set()
    try:
        for number, chunk in enumerate(plan.chunks):
            rng = np.random.default_rng(np.random.SeedSequence([seed, number]))
            pop = generate_population(rng=rng, chunk=chunk, peil=peil)
            flags = services.draw_flags(rng, pop)
            clients = foodbank.select_clients(rng, pop, flags)
            address_numbers = chunk.address_offset + np.arange(chunk.addresses, dtype=np.int64)
            addresses = geography.addresses_table(plan, address_numbers)
            tables = {
                **records.person_tables(pop, gm),
                "nummeraanduiding": addresses,
                "toewijzing": records.allocation_table(rng, pop, flags, number),
                **records.benefit_tables(rng, pop, flags, number),
            }
            v1_signals, signal_person = records.signal_table(rng, pop, flags, addresses, number)
            tables["vroegsignaal"] = v1_signals
            tables.update(records.cbs_tables(pop, flags))
            partner, partner_truth = foodbank.client_tables(
                rng,
                pop,
                clients,
                addresses,
                _previous_address(pop),
                number,
                gemeente_pc4_outside=_outside_pc4(plan),
            )
            tables[PARTNER_FILE] = partner
            work = np.random.default_rng(np.random.SeedSequence([seed, number, CASEWORK_STREAM]))
            persons_table = tables["ingeschrevenpersoon"]
            tables["ingeschrevenpersoon"] = persons_table.set_column(
                persons_table.schema.get_field_index("indicatiegeheim"),
                "indicatiegeheim",
                casework.secret_indication(work, pop),
            )
            tables["betrokkenheid"] = casework.involvement_table(
                work, pop, tables["toewijzing"], tables["schuldhulptraject"]
            )
            tables["casus"] = casework.case_table(
                work, pop, tables["toewijzing"], flags.bijstand | flags.schuldhulp, number, workers
            )
            providers.update(casework.used_providers(tables["toewijzing"]))
            # After the case-work tables, which are drawn from the v1 trajectories only.
            early = signals.chunk_signals(
                np.random.default_rng(np.random.SeedSequence([seed, number, SIGNAL_STREAM])),
                pop,
                flags,
                addresses,
                v1_signals,
                signal_person,
                number,
                plant=plant_indicator,
            )
            tables["vroegsignaal"] = early.signals
            tables["schuldhulptraject"] = pa.concat_tables(
                [tables["schuldhulptraject"], early.debt.cast(tables["schuldhulptraject"].schema)]
            )
            for name, table in tables.items():
                data.write(name, table)
                report.rows[name] = report.rows.get(name, 0) + table.num_rows
            if truth is not None:
                truth.write("household", _truth_households(pop, plan))
                truth.write(f"partner_{PARTNER_FILE}", _truth_partner(partner_truth))
                truth.write("family", casework.family_truth(pop, peildatum))
                truth.write("signal", early.truth)
            if progress is not None:
                progress(number + 1, len(plan.chunks))
        panel = _panel(np.random.default_rng(np.random.SeedSequence([seed, 10**6])), plan)
        data.write("inwonerspanel", panel)
        report.rows["inwonerspanel"] = panel.num_rows
        aanbieder = casework.provider_table(
            np.random.default_rng(np.random.SeedSequence([seed, 10**6 + 1])), sorted(providers)
        )
        data.write("aanbieder", aanbieder)
        report.rows["aanbieder"] = aanbieder.num_rows
        areas = geography.areas_table(plan)
        data.write("gebied", areas)
        report.rows["gebied"] = areas.num_rows
    except BaseException:
        data.abort()
        if truth is not None:
            truth.abort()
        raise
    report.files = data.close() + (truth.close() if truth is not None else [])
    return report


def _previous_address(pop: ChunkPopulation) -> npt.NDArray[np.int64]:
    """Per person (local index): the most recent earlier address, or NONE."""
    v, p = pop.residences, pop.people
    ended = v.end != NONE
    local = v.person[ended] - p.pid[0]
    order = np.argsort(v.end[ended], kind="stable")
    out = np.full(len(p), NONE, dtype=np.int64)
    out[local[order]] = v.address[ended][order]
    return out


def _outside_pc4(plan: Plan) -> int:
    """A postcode area next to, but outside, the municipality's range."""
    first = geography.addresses_table(plan, np.zeros(1, dtype=np.int64))["postcode"][0].as_py()
    return max(1000, int(first[:4]) - 1)


def _truth_households(pop: ChunkPopulation, plan: Plan) -> pa.Table:
    p, h = pop.people, pop.households
    living = (p.role != DECEASED) & (p.role != DEPARTED)
    idx = np.flatnonzero(living)
    hh = p.household[idx]
    institution = h.type[hh] == INSTITUTION
    ids = pc.if_else(
        pa.array(institution), records.ids("I", h.id[hh], 9), records.ids("H", h.id[hh], 9)
    )
    gm = geography.gemeente_number(plan.gemeente)
    return pa.table(
        {
            "burgerservicenummer": records.bsn(p.pid[idx]),
            "household_id": pa.array(ids),
            "household_type": pa.array(np.array(HOUSEHOLD_TYPES)[h.type[hh]]),
            "role": pa.array(
                np.array(["head", "partner", "child", "member", "resident"])[p.role[idx]]
            ),
            "adresseerbaarobjectidentificatie": geography.bag_id(gm, "01", h.address[hh]),
            "peildatum": pa.array(np.full(idx.shape[0], plan.peildatum)),
        }
    )


def _truth_partner(table: pa.Table) -> pa.Table:
    person = table["person_index"].to_numpy(zero_copy_only=False)
    known = ~np.isnan(person.astype(np.float64))
    bsn = records.bsn(np.where(known, person, 0).astype(np.int64))
    household = table["household_index"].to_numpy(zero_copy_only=False).astype(np.float64)
    hh_ids = records.ids("H", np.nan_to_num(household).astype(np.int64), 9)
    none = pa.nulls(len(hh_ids), pa.string())
    return pa.table(
        {
            "klantnummer": table["klantnummer"],
            "burgerservicenummer": pc.if_else(pa.array(known), bsn, none),
            "household_id": pc.if_else(pa.array(~np.isnan(household)), hh_ids, none),
            "profile": table["profile"],
            "errors": table["errors"],
        }
    )


#: The survey items: every panel column after the four fixed ones.
_PANEL_ITEMS = TABLES["inwonerspanel"][4:]


def _panel(rng: np.random.Generator, plan: Plan) -> pa.Table:
    """An anonymous resident panel: about 1% of adults, at most 20,000 respondents."""
    n = int(min(20_000, max(50, round(plan.persons * 0.8 * 0.01))))
    wijk = rng.integers(0, plan.wijken, n)
    gm = geography.gemeente_number(plan.gemeente)
    classes = np.array(["18-34", "35-54", "55-74", "75+"])
    age_class = classes[rng.choice(4, n, p=[0.22, 0.30, 0.33, 0.15])]
    level = rng.normal(7.0, 1.2, n) - 0.4 * (wijk % 3 == 0)
    columns: dict[str, pa.Array] = {
        "respondent_id": records.ids("R", np.arange(1, n + 1), 6),
        "wijkcode": records.ids(f"WK{gm:04d}", wijk, 2),
        "weging": pa.array(np.round(rng.lognormal(0, 0.3, n), 4)),
        "leeftijdsklasse": pa.array(age_class),
    }
    for item in _PANEL_ITEMS:
        columns[item] = pa.array(
            np.clip(np.round(level + rng.normal(0, 1.3, n)), 0, 10).astype(np.int8)
        )
    return records.table("inwonerspanel", columns)
