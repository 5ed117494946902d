"""Data categories: which columns an activity's store holds, and at which detail.

The analyst names the columns an activity needs when requesting it (``table.column``, as the
analytics store names them); the privacy officer approves exactly that list. An activity's store
holds those columns and nothing else of its source tables, plus what every table brings along:
the activity's pseudonyms of its persons, addresses and records (record numbers such as a
``toewijzingnummer`` become a pseudonym per activity, never the number itself).

Quasi-identifiers are coarsened unless finer detail is approved with a reason
(:data:`COARSENED`): the birth month is left out (the birth year stays) and the month of a move
or a relation (``YYYYMM``) becomes its year (``<name>_jaar``). A person's sex, birth year and
month, country of birth and months of moving together single out most residents of a
municipality; their years do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from meedoen_data.contract import SPECS, Table, partner_spec

#: Columns every table of a store keeps when the table is there at all: the activity's
#: pseudonyms, by which tables are joined.
KEY_COLUMNS = (
    "person_pseudonym",
    "related_person_pseudonym",
    "address_pseudonym",
    "record_pseudonym",
)

#: Columns at finer detail than an analysis needs by default: the analytics name and what the
#: store holds instead, unless the column is approved at finer detail. ``None``: left out.
COARSENED: dict[str, str | None] = {
    "geboortemaand": None,
    "datumvan_maand": "datumvan_jaar",
    "datumtot_maand": "datumtot_jaar",
    "datumingang_maand": "datumingang_jaar",
    "datumeinde_maand": "datumeinde_jaar",
}

#: What a household build needs at finer detail: who lives where and with whom on one day.
HOUSEHOLD_DETAIL = (
    "ingeschrevenpersoon.geboortemaand",
    "relatie.datumeinde_maand",
    "relatie.datumingang_maand",
    "verblijfplaats.datumtot_maand",
    "verblijfplaats.datumvan_maand",
)


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
    coarse: bool = False  # a YYYYMM month cut to its year


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
                out.append(StoreColumn(coarse, column, coarse=True))
        else:
            out.append(StoreColumn(column, column))
    return out


def categories_with_table(columns: Sequence[str], table: str) -> bool:
    """True when the approved columns name any column of ``table``."""
    return any(c.partition(".")[0] == table for c in columns)
