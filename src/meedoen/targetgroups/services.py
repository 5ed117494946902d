"""``meedoen compare`` (issue 19): a group of households beside all households of the
municipality, on the same characteristics, from released tables only.

The group is a register indicator of the catalogue — "households with a client of the food
bank" (a linked partner file), or any group an installation defines (docs/indicators.md). For
each characteristic the table "characteristic x the group's flag" is released through
:func:`~meedoen.publications.services.table_publish` — the privacy officer's floors, primary and
secondary suppression, the audit against every earlier release of the peildatum — or, when it
was released before with the same definition, read again. The comparison
(:func:`meedoen_data.targetgroup.shares_compare`) is computed from the released cells only: a
withheld count gives a withheld row. Re-running is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from meedoen.activities.actors import Actor, require_role
from meedoen.audits.trace import TraceContext
from meedoen.publications.models import Publication
from meedoen.publications.selectors import publication_same
from meedoen.publications.services import PUBLISHERS, table_publish
from meedoen.targetgroups.selectors import characteristics_of, comparison_of
from meedoen_data.indicators import CatalogueError, catalogue_load
from meedoen_data.targetgroup import Comparison


@dataclass(frozen=True)
class Part:
    characteristic: str
    publication_id: int | None
    status: str  # published, unchanged or refused
    reason: str = ""


@dataclass(frozen=True)
class GroupComparison:
    group: str
    peildatum: date
    comparison: Comparison | None  # None when the group's own total was withheld
    parts: tuple[Part, ...]


def group_compare(
    *,
    activity_id: int,
    group: str,
    peildatum: date,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    progress: Callable[[str, int, int], None] | None = None,
) -> GroupComparison:
    """Release the comparison tables of ``group`` (a register indicator) at ``peildatum`` and
    compare the group with all households. Analysts only (PermissionDenied)."""
    require_role(actor, *PUBLISHERS)
    try:
        catalogue = catalogue_load(home=settings.MEEDOEN_HOME)
        indicator = catalogue.get(group)
    except (CatalogueError, KeyError) as exc:
        raise ValidationError(
            f"there is no indicator {group!r} to define the group: choose a register indicator "
            "of meedoen indicator list (e.g. voedselbank), or add one (docs/indicators.md)"
        ) from exc
    if indicator.status != "register":
        raise ValidationError(f"{group} is not a register indicator; a group needs one")
    colvar = f"ind_{group}"
    characteristics = characteristics_of(group)
    parts: list[Part] = []
    tables: dict[str, dict[tuple[str, str], Any]] = {}
    for number, rowvar in enumerate(characteristics):
        if progress is not None:
            progress(rowvar, number, len(characteristics))
        earlier = publication_same(
            activity_id=activity_id, peildatum=peildatum, rowvar=rowvar, colvar=colvar
        )
        publication_id: int | None
        if earlier is not None:
            publication_id, status, content = earlier.pk, "unchanged", earlier.content
        else:
            try:
                published = table_publish(
                    activity_id=activity_id,
                    rowvar=rowvar,
                    colvar=colvar,
                    peildatum=peildatum,
                    actor=actor,
                    trace=trace,
                    channel=channel,
                )
            except ValidationError as exc:
                parts.append(Part(rowvar, None, "refused", "; ".join(exc.messages)))
                continue
            publication_id, status = published.publication_id, "published"
            content = Publication.objects.get(pk=publication_id).content
        parts.append(Part(rowvar, publication_id, status))
        [table] = content["tables"]
        tables[rowvar] = {(str(c[rowvar]), str(c[colvar])): c["value"] for c in table["cells"]}
    if progress is not None:
        progress("", len(characteristics), len(characteristics))
    return GroupComparison(group, peildatum, comparison_of(tables), tuple(parts))
