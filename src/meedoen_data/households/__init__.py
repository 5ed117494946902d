"""Households derived from the BRP and the integrated household table (issue 6).

Public surface: :func:`household_build` writes schema ``household`` of an activity's store;
the rules are in :mod:`meedoen_data.households.derivation`, the engines (DuckDB, Spark) in
:mod:`meedoen_data.households.engines`, the comparison with the generator's truth in
:mod:`meedoen_data.households.quality`.
"""

from meedoen_data.households.build import (
    BuildReport,
    household_build,
    household_subjects,
)
from meedoen_data.households.derivation import Rules
from meedoen_data.households.engines import ENGINES, EngineError

__all__ = [
    "ENGINES",
    "BuildReport",
    "EngineError",
    "Rules",
    "household_build",
    "household_subjects",
]
