"""The indicators of the dashboard (issue 18): the catalogue of what is measured per gemeente,
wijk and buurt, for which Positieve Gezondheid dimension, from which sources — or which data is
still missing. Public surface: :func:`catalogue_load` and its types."""

from meedoen_data.indicators.catalogue import (
    DIMENSIONS,
    MEEDOEN_ASPECTS,
    Catalogue,
    CatalogueError,
    Condition,
    Indicator,
    catalogue_load,
)

__all__ = [
    "DIMENSIONS",
    "MEEDOEN_ASPECTS",
    "Catalogue",
    "CatalogueError",
    "Condition",
    "Indicator",
    "catalogue_load",
]
