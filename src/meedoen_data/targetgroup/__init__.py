"""Target-group analysis (issue 19): a group of households (a partner file's clients, or any
group a register indicator defines) beside all households of the municipality, and its
segments. Public surface: :func:`shares_compare`, :func:`segment_profile` and their types;
:mod:`meedoen_data.targetgroup.segment` fits the segments (StepMix, imported only there)."""

from meedoen_data.targetgroup.compare import Comparison, ShareRow, holm, shares_compare
from meedoen_data.targetgroup.profile import Profile, Standout, segment_profile

__all__ = [
    "Comparison",
    "Profile",
    "ShareRow",
    "Standout",
    "holm",
    "segment_profile",
    "shares_compare",
]
