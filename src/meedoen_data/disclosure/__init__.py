"""Disclosure control: every number that leaves the analytics zone goes through here.

Public surface (docs/disclosure.md, ADR 0008):

- :class:`Table`, :class:`Dimension`, :class:`Cell` — tables with their margins and hierarchies;
- :class:`Rules` — primary suppression rules and protection levels of a publication;
- :func:`publication_protect` — primary and secondary suppression, then the independent audit;
  :func:`publication_round` — controlled rounding instead;
- :class:`Release`, :func:`release_json`, :func:`release_csv` — the only things published;
- :func:`publication_audit` — the attack, usable on its own; :func:`publication_check` — the
  attack as the gate before release (refuses an exposed pattern);
- :class:`Withheld` — what an earlier release hid: it stays hidden;
- :func:`household_table` — tables of households from an activity's household table.
"""

from meedoen_data.disclosure.audit import Audit, publication_audit
from meedoen_data.disclosure.household import (
    AMOUNTS,
    DURATION_PREFIX,
    SEGMENT_PREFIX,
    VARIABLES,
    HouseholdCategories,
    TableError,
    household_categories,
    household_table,
)
from meedoen_data.disclosure.problem import DisclosureError
from meedoen_data.disclosure.publish import (
    HIDDEN,
    Release,
    Withheld,
    publication_check,
    publication_protect,
    publication_round,
    release_csv,
    release_json,
    rules_from_json,
    rules_text,
)
from meedoen_data.disclosure.rules import RuleError, Rules, primary_cells
from meedoen_data.disclosure.table import TOTAL, Cell, Dimension, Table

__all__ = [
    "AMOUNTS",
    "DURATION_PREFIX",
    "HIDDEN",
    "SEGMENT_PREFIX",
    "TOTAL",
    "VARIABLES",
    "Audit",
    "Cell",
    "Dimension",
    "DisclosureError",
    "HouseholdCategories",
    "Release",
    "RuleError",
    "Rules",
    "Table",
    "TableError",
    "Withheld",
    "household_categories",
    "household_table",
    "primary_cells",
    "publication_audit",
    "publication_check",
    "publication_protect",
    "publication_round",
    "release_csv",
    "release_json",
    "rules_from_json",
    "rules_text",
]
