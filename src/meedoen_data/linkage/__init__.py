"""Linking partner files without a BSN to the register (docs/linkage.md).

Public surface: :func:`link_partner` and its :class:`LinkReport`, :class:`LinkError`;
:func:`linkage_quality` (against a synthetic truth); the normalisation in :mod:`normalise` and
the partner's encodings in :mod:`clk`.
"""

from __future__ import annotations

from meedoen_data.activity_store import linkage_path
from meedoen_data.linkage.link import LinkError, LinkReport, link_partner

__all__ = ["LinkError", "LinkReport", "link_partner", "linkage_path"]
