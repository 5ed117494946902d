"""Data categories: which columns an activity's store holds, and at which detail.

The analyst names the columns an activity needs when requesting it (``table.column``, as the
analytics store names them); the privacy officer approves exactly that list. An activity's store
holds those columns and nothing else of its source tables, plus what every table brings along:
the activity's pseudonyms of its persons, addresses and records (record numbers such as a
``toewijzingnummer`` become a pseudonym per activity, never the number itself).

Quasi-identifiers are coarsened unless finer detail is approved with a reason
(:data:`COARSENED`), under a new name so that a query assuming the finer value fails loudly
instead of silently reading a coarser one (``<name>_maand``: a month ``YYYYMM``; ``<name>_jaar``:
a year ``YYYY``; both INTEGER):

- the birth month is left out (the birth year stays);
- the month of a move or a relation (``YYYYMM``) becomes its year (``datumvan_maand`` →
  ``datumvan_jaar``);
- every date of an event that the analytics store keeps to the day (:data:`EVENT_DATES`: the
  dates of an allocation, a benefit, a debt-help trajectory, an early-warning signal, a partner
  file's enrolment) becomes its month (``datumstarttoewijzing`` →
  ``datumstarttoewijzing_maand``), made as the intake makes the months of moves;
- the date of death becomes its year (``datumoverlijden`` → ``datumoverlijden_jaar``): deaths
  are rare, so even their month singles out most of the dead. Two stores of a municipality of
  25,000 (seed 1) re-link 647 of its 655 dead on sex, birth year and the day of death, 518 on
  the month, 117 on the year (``tests/security/test_activity_linkability.py``). A household
  build needs no more than the year for a peildatum on 1 January; any other peildatum needs the
  day, approved finer (:data:`HOUSEHOLD_DEATH`).

Finer detail is the analytics column itself: the birth month, the month of a move, the day of an
event. A person's sex, birth year and month, country of birth and months of moving together
single out most residents of a municipality; their years do not. Months of events do not stop
two stores that hold the same records from being joined on them either: a person's allocations
with their months of decision, start and end are nearly always unique. They remove the day,
which no analysis of the social domain needs; what keeps two stores apart is the privacy
officer's choice of columns (docs/governance.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from meedoen_data.contract import SPECS, Table, partner_spec

#: Columns every table of a store keeps when the table is there at all: the activity's
#: pseudonyms, by which tables are joined.
KEY_COLUMNS = (
    "person_pseudonym",
    "related_person_pseudonym",
    "address_pseudonym",
    "record_pseudonym",
)


def _event_dates() -> tuple[str, ...]:
    """The contract's dates that the analytics store keeps to the day: every column of type
    ``date`` with role ``analysis`` (dates of birth, moves and relations are identifiers and
    reach the analytics store as months)."""
    names = {
        column.name
        for spec in (*SPECS.values(), partner_spec("partner"))
        for column in spec.columns
        if column.type == "date" and column.role == "analysis"
    }
    return tuple(sorted(names))


#: Dates of events kept to the day in the analytics store; a store holds their month, or for
#: those of :data:`EVENT_YEARS` their year, unless approved finer.
EVENT_DATES = _event_dates()

#: Event dates whose month is still too fine: a store holds their year.
EVENT_YEARS = ("datumoverlijden",)

#: Columns at finer detail than an analysis needs by default: the analytics name and what the
#: store holds instead, unless the column is approved at finer detail. ``None``: left out.
COARSENED: dict[str, str | None] = {
    "geboortemaand": None,
    "datumvan_maand": "datumvan_jaar",
    "datumtot_maand": "datumtot_jaar",
    "datumingang_maand": "datumingang_jaar",
    "datumeinde_maand": "datumeinde_jaar",
    **{name: f"{name}_jaar" if name in EVENT_YEARS else f"{name}_maand" for name in EVENT_DATES},
}

#: How a store makes a coarsened column: ``year_of_month`` cuts a month ``YYYYMM`` to its year,
#: ``month`` takes a date's month ``YYYYMM``, ``year`` a date's year; empty: copied as it is.
Coarsening = Literal["", "year_of_month", "month", "year"]

#: The SQL of each coarsening, over ``{value}`` (a quoted column); a month is made as the intake
#: makes the months of moves (``intake.store.analytics_columns``).
COARSE_SQL: dict[Coarsening, str] = {
    "year_of_month": "({value} // 100)::INTEGER",
    "month": "(year({value}) * 100 + month({value}))::INTEGER",
    "year": "year({value})::INTEGER",
}


def coarsening(column: str) -> Coarsening:
    """How a store coarsens the analytics column ``column`` by default (empty: it is not
    coarsened, or left out)."""
    if COARSENED.get(column) is None:
        return ""
    if column in EVENT_YEARS:
        return "year"
    if column in EVENT_DATES:
        return "month"
    return "year_of_month"


#: What a household build needs at finer detail: who lives where and with whom on one day.
#: Services are counted in months, so the default months of their dates suffice; the year of
#: death suffices for a peildatum on 1 January (:data:`HOUSEHOLD_DEATH`).
HOUSEHOLD_DETAIL = (
    "ingeschrevenpersoon.geboortemaand",
    "relatie.datumeinde_maand",
    "relatie.datumingang_maand",
    "verblijfplaats.datumtot_maand",
    "verblijfplaats.datumvan_maand",
)

#: What a household build at a peildatum other than 1 January needs at finer detail besides
#: :data:`HOUSEHOLD_DETAIL`: the day of death, to tell who was alive on that day (a store holds
#: the year by default, which tells it only for 1 January).
HOUSEHOLD_DEATH = "ingeschrevenpersoon.datumoverlijden"


def household_detail(peildatum: date) -> tuple[str, ...]:
    """The columns a household build at ``peildatum`` needs at finer detail."""
    if (peildatum.month, peildatum.day) == (1, 1):
        return HOUSEHOLD_DETAIL
    return (*HOUSEHOLD_DETAIL, HOUSEHOLD_DEATH)


class CategoryError(ValueError):
    """A requested column does not exist for the sources, or finer detail lacks a reason."""


def _analytics_names(spec: Table) -> list[str]:
    # Imported here: the intake package imports this module's neighbours at start-up.
    from meedoen_data.intake.store import analytics_columns

    return [name for name, _ in analytics_columns(spec)]


def _domains(spec: Table) -> set[str]:
    if spec.domain == "by_wet":
        return {"wmo", "jeugd"}
    return {spec.domain} if spec.domain else set()


def category_tables(sources: Iterable[str]) -> dict[str, Table]:
    """The person tables the sources bring into a store (non-personal tables such as the BAG's
    addresses and the anonymous resident panel are in every store)."""
    wanted = set(sources)
    tables = {name: spec for name, spec in SPECS.items() if _domains(spec) & wanted}
    for source in sorted(wanted):
        if source.startswith("partner-"):
            name = source.removeprefix("partner-")
            tables[name] = partner_spec(name)
    return dict(sorted(tables.items()))


def category_columns(sources: Iterable[str]) -> dict[str, list[str]]:
    """Per table of the sources, the columns an analyst may ask for (not the pseudonyms and
    record numbers, which come with every table)."""
    return {
        name: [
            column
            for column in _analytics_names(spec)
            if column not in KEY_COLUMNS and column not in spec.record_numbers
        ]
        for name, spec in category_tables(sources).items()
    }


def categories_default(sources: Iterable[str]) -> list[str]:
    """Every column of the sources: what a request that names none asks for."""
    return [
        f"{table}.{column}"
        for table, columns in category_columns(sources).items()
        for column in columns
    ]


def categories_check(
    *, sources: Sequence[str], columns: Sequence[str], fine: Sequence[str], reason: str
) -> tuple[list[str], list[str]]:
    """The columns and the finer-detail columns of a request, checked and sorted; an empty
    ``columns`` means every column of the sources. CategoryError names what is wrong."""
    available = category_columns(sources)
    chosen = sorted({c.strip() for c in columns if c.strip()}) or categories_default(sources)
    unknown = []
    for item in chosen:
        table, _, column = item.partition(".")
        if column not in available.get(table, []):
            unknown.append(item)
    if unknown:
        tables = ", ".join(available) or "none"
        raise CategoryError(
            f"unknown column {', '.join(unknown)} for these sources: give table.column of the "
            f"tables {tables} (see docs/governance.md for their columns)"
        )
    detail = sorted({c.strip() for c in fine if c.strip()})
    wrong = [c for c in detail if c not in chosen or c.partition(".")[2] not in COARSENED]
    if wrong:
        coarse = ", ".join(c for c in chosen if c.partition(".")[2] in COARSENED) or "none"
        raise CategoryError(
            f"finer detail can only be asked for a requested column that is coarsened by "
            f"default ({coarse}), not {', '.join(wrong)}"
        )
    if detail and not reason.strip():
        raise CategoryError("say why the finer detail is needed (the reason goes to the decision)")
    return chosen, detail


@dataclass(frozen=True)
class StoreColumn:
    """One column of a store table: its name there and where it comes from."""

    name: str
    source: str  # the analytics column
    coarse: Coarsening = ""  # how the value is coarsened (:func:`coarsening`); empty: copied


def store_columns(
    *,
    table: str,
    spec: Table,
    present: Sequence[str],
    columns: Sequence[str],
    fine: Sequence[str],
) -> list[StoreColumn]:
    """The columns of ``table`` in an activity's store, in the analytics store's order: the
    keys and record numbers, the approved columns, coarsened unless approved finer."""
    approved = {c.partition(".")[2] for c in columns if c.partition(".")[0] == table}
    finer = {c.partition(".")[2] for c in fine if c.partition(".")[0] == table}
    out = []
    for column in present:
        if column in KEY_COLUMNS or column in spec.record_numbers:
            out.append(StoreColumn(column, column))
        elif column not in approved:
            continue
        elif column in COARSENED and column not in finer:
            coarse = COARSENED[column]
            if coarse is not None:
                out.append(StoreColumn(coarse, column, coarse=coarsening(column)))
        else:
            out.append(StoreColumn(column, column))
    return out


def categories_with_table(columns: Sequence[str], table: str) -> bool:
    """True when the approved columns name any column of ``table``."""
    return any(c.partition(".")[0] == table for c in columns)
