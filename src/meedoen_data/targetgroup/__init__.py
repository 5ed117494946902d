"""Target-group analysis (issue 19): a group of households (a partner file's clients, or any
group a register indicator defines) beside all households of the municipality. Public surface:
:func:`shares_compare` and its types."""

from meedoen_data.targetgroup.compare import Comparison, ShareRow, holm, shares_compare

__all__ = ["Comparison", "ShareRow", "holm", "shares_compare"]
