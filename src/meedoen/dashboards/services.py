"""Writes of the dashboard (issue 18): every register indicator of the catalogue released as a
disclosure-controlled table for one peildatum; the council's signals; the federation bundles of
released indicators and their regional combination (:mod:`meedoen_data.federation`).

An indicator is an ordinary table of households (docs/indicators.md): by buurt (with the wijk
subtotals and the gemeente total) when the catalogue shows it per buurt, else by wijk, x its
flag ``ind_x``, filtered on ``pop_x = 1`` when it has a denominator. Each goes through
:func:`meedoen.publications.services.table_publish`: the privacy officer's floors, primary and
secondary suppression, and the audit against every earlier release of the peildatum —
dashboard tables and tables of ``meedoen table`` alike, as they share their cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.areas.models import Area
from meedoen.audits.services import audit_governance
from meedoen.audits.trace import TraceContext
from meedoen.dashboards.models import Signal
from meedoen.dashboards.selectors import dashboard_read
from meedoen.publications.selectors import publication_same
from meedoen.publications.services import PUBLISHERS, panel_publish, table_publish
from meedoen.web.intake_messages import kinds_label
from meedoen_data.audit_checkpoint import checkpoint_key_create, checkpoint_key_load
from meedoen_data.federation import KEY_PATH as FEDERATION_KEY
from meedoen_data.federation import (
    Combined,
    FederationError,
    SignedBundle,
    bundle_make,
    bundle_read,
    bundle_sign,
    bundles_combine,
)
from meedoen_data.indicators import CatalogueError, Indicator, catalogue_load
from meedoen_data.indicators.flags import indicator_variable, population_variable
from meedoen_data.intake.text_check import VaultBusy, text_identifiers


@dataclass(frozen=True)
class IndicatorRelease:
    indicator: str
    #: The publication that holds it (new, or the one of an earlier run); None when refused.
    publication_id: int | None
    status: str  # "published", "unchanged" (published before with this definition), "refused"
    level: str = ""  # the lowest level it is released at: buurt or wijk
    reason: str = ""  # why it was refused
    cells: int = 0
    hidden: int = 0


def indicator_definitions(indicator: Indicator) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(row variable, column variable, filter) of an indicator's table, finest level first: by
    buurt (with the wijken and the gemeente) where the catalogue shows it per buurt, by wijk."""
    where = [(population_variable(indicator.id), "1")] if indicator.denominator else []
    rows = ["buurtcode", "wijkcode"] if "buurt" in indicator.levels else ["wijkcode"]
    return [(rowvar, indicator_variable(indicator.id), where) for rowvar in rows]


LEVEL_OF = {"buurtcode": "buurt", "wijkcode": "wijk"}


def dashboard_publish(
    *,
    activity_id: int,
    peildatum: date,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[IndicatorRelease]:
    """Release every register indicator of the catalogue for ``peildatum`` under the activity,
    and every panel indicator (the panel's latest delivery, :func:`panel_publish`).

    Safe to run again: an indicator whose table was published before with the same definition
    (and not withdrawn) is reported ``unchanged``. An indicator that cannot be made (its
    sources are not covered by the activity, its partner file is not linked) or that the
    disclosure audit refuses is reported ``refused`` with the reason; the others are released.
    Analysts only (PermissionDenied)."""
    require_role(actor, *PUBLISHERS)
    try:
        catalogue = catalogue_load(home=settings.MEEDOEN_HOME)
    except CatalogueError as exc:
        raise ValidationError(
            _("the indicator catalogue is not valid: %(error)s"),
            code="catalogue",
            params={"error": str(exc)},
        ) from None
    chosen = [i for i in catalogue.indicators if i.status in ("register", "panel")]
    out = []
    for number, indicator in enumerate(chosen):
        if progress is not None:
            progress(indicator.id, number, len(chosen))
        if indicator.status == "panel":
            out.append(_panel(indicator, activity_id, actor=actor, trace=trace, channel=channel))
            continue
        out.append(
            _release(indicator, activity_id, peildatum, actor=actor, trace=trace, channel=channel)
        )
    if progress is not None:
        progress("", len(chosen), len(chosen))
    return out


def _panel(
    indicator: Indicator, activity_id: int, *, actor: Actor, trace: TraceContext, channel: str
) -> IndicatorRelease:
    """A panel indicator: its estimates per wijk (the panel has no peildatum: the latest
    delivery), released again only when they changed."""
    try:
        published = panel_publish(
            activity_id=activity_id, indicator=indicator, actor=actor, trace=trace, channel=channel
        )
    except ValidationError as exc:
        return IndicatorRelease(indicator.id, None, "refused", reason="; ".join(exc.messages))
    return IndicatorRelease(
        indicator.id,
        published.publication_id,
        "published" if published.new else "unchanged",
        "wijk",
        cells=published.shown + published.withheld,
        hidden=published.withheld,
    )


def _release(
    indicator: Indicator,
    activity_id: int,
    peildatum: date,
    *,
    actor: Actor,
    trace: TraceContext,
    channel: str,
) -> IndicatorRelease:
    """The indicator released at its finest level that can be protected: by buurt, and by wijk
    when the buurten are too small for the rules."""
    reason = ""
    for rowvar, colvar, where in indicator_definitions(indicator):
        level = LEVEL_OF[rowvar]
        earlier = publication_same(
            activity_id=activity_id,
            peildatum=peildatum,
            rowvar=rowvar,
            colvar=colvar,
            where=where,
        )
        if earlier is not None:
            return IndicatorRelease(indicator.id, earlier.pk, "unchanged", level)
        try:
            published = table_publish(
                activity_id=activity_id,
                rowvar=rowvar,
                colvar=colvar,
                where=where,
                peildatum=peildatum,
                actor=actor,
                trace=trace,
                channel=channel,
            )
        except ValidationError as exc:
            reason = "; ".join(exc.messages)
            continue
        summary = published.release.summary
        return IndicatorRelease(
            indicator.id,
            published.publication_id,
            "published",
            level,
            cells=int(summary.get("cells", 0)),
            hidden=int(summary.get("primary", 0)) + int(summary.get("secondary", 0)),
        )
    return IndicatorRelease(indicator.id, None, "refused", reason=reason)


#: Who records the advisory council's signals.
SIGNALLERS = (Role.COUNCIL_MEMBER,)


def signal_record(
    *,
    actor: Actor,
    text: str,
    indicator: str,
    wijkcode: str,
    heard_on: date,
    source: str,
) -> Signal:
    """Record a council member's signal beside an indicator (and a wijk). Refused, saying
    which kind, when the text holds personal data: a BSN, a name (a capitalised word after a
    form of address, an initial or a given name; never decided by which surnames the register
    holds), a postcode, an address, an e-mail address or a phone number (ValidationError, code
    ``personal_data``)."""
    require_role(actor, *SIGNALLERS)
    text = " ".join(text.split())
    if not text:
        raise ValidationError(_("Describe the signal."), code="no_text")
    try:
        catalogue_load(home=settings.MEEDOEN_HOME).get(indicator)
    except (CatalogueError, KeyError):
        raise ValidationError(
            _("There is no indicator %(id)s."), code="indicator", params={"id": indicator}
        ) from None
    if wijkcode and not Area.objects.filter(code=wijkcode, level="wijk").exists():
        raise ValidationError(
            _("There is no wijk %(code)s."), code="wijk", params={"code": wijkcode}
        )
    if heard_on > date.today():
        raise ValidationError(_("The date lies in the future."), code="future")
    try:
        kinds = text_identifiers(home=settings.MEEDOEN_HOME, text=text)
    except VaultBusy:
        raise ValidationError(
            _(
                "The signal cannot be checked for names right now (an intake is running). "
                "Try again in a moment."
            ),
            code="busy",
        ) from None
    if kinds:
        raise ValidationError(
            _(
                "The signal may not hold personal data, and this one holds %(kinds)s. Describe "
                "what you heard without anyone's name, BSN, address or contact details."
            ),
            code="personal_data",
            params={"kinds": kinds_label(kinds)},
        )
    return Signal.objects.create(
        text=text,
        indicator=indicator,
        wijkcode=wijkcode,
        heard_on=heard_on,
        source=source,
        recorded_by=actor.name,
    )


def federation_export(
    *,
    peildatum: date,
    organisation: str,
    actor: Actor,
    trace: TraceContext,
    channel: str,
    gemeente: str | None = None,
) -> dict[str, Any]:
    """The signed bundle of the dashboard's released register indicators for ``peildatum``
    (:mod:`meedoen_data.federation`): per indicator the numerator and denominator for the
    gemeente and each wijk as released, None where withheld. Signed with the installation's
    key (created on first use). Analysts only; recorded in the audit log."""
    require_role(actor, *PUBLISHERS)
    board = dashboard_read(peildatum=peildatum)
    if board.peildatum != peildatum:
        raise ValidationError(
            f"no indicators were released for peildatum {peildatum.isoformat()}: run meedoen "
            "dashboard publish first"
        )
    if gemeente is None:
        found = Area.objects.filter(level=Area.Level.GEMEENTE).values_list("code", flat=True)
        codes = sorted(found)
        if len(codes) != 1:
            raise ValidationError(
                "give --gemeente GMnnnn: the areas delivered "
                + ("name no gemeente" if not codes else f"name {', '.join(codes)}")
            )
        gemeente = codes[0]
    indicators = []
    for group in board.groups:
        for card in group.cards:
            if not card.released or card.indicator.status != "register" or card.total is None:
                continue
            figures = [(gemeente, card.total), *((f.code, f) for f in card.areas)]
            indicators.append(
                {
                    "id": card.indicator.id,
                    "name": card.indicator.name,
                    "scale": card.indicator.scale,
                    "publication": card.publication_id,
                    "cells": [
                        {
                            "area": code,
                            "numerator": None if figure.hidden else figure.numerator,
                            "denominator": None if figure.hidden else figure.denominator,
                        }
                        for code, figure in figures
                    ],
                }
            )
    bundle = bundle_make(
        organisation=organisation,
        gemeente=gemeente,
        peildatum=peildatum.isoformat(),
        indicators=indicators,
    )
    key_path = settings.MEEDOEN_HOME / FEDERATION_KEY
    checkpoint_key_create(key_path, purpose="federation bundle")
    signed = bundle_sign(bundle, checkpoint_key_load(key_path))
    audit_governance(
        trace=trace,
        actor=actor,
        channel=channel,
        operation="federation.export",
        activity_id=None,
        detail=f"bundle of {len(indicators)} released indicators for {gemeente} at "
        f"{peildatum.isoformat()}, key {signed['fingerprint']}",
    )
    return signed


def federation_combine(
    *,
    paths: list[Path],
    actor: Actor,
    trace: TraceContext,
    channel: str,
    trusted: set[str] | None = None,
) -> tuple[list[SignedBundle], list[Combined]]:
    """Regional figures from several organisations' bundles: each checked, the gemeente
    figures added up where every part was released (:func:`bundles_combine`, which proves it
    again). Analysts only; recorded in the audit log with the bundles' keys."""
    require_role(actor, *PUBLISHERS)
    try:
        bundles = [bundle_read(path, trusted=trusted) for path in paths]
        combined = bundles_combine(bundles)
    except FederationError as exc:
        raise ValidationError(str(exc)) from None
    shown = sum(1 for c in combined if c.value is not None)
    audit_governance(
        trace=trace,
        actor=actor,
        channel=channel,
        operation="federation.combine",
        activity_id=None,
        detail=f"{len(bundles)} bundles ("
        + ", ".join(f"{b.bundle['gemeente']} key {b.fingerprint[:16]}" for b in bundles)
        + f"), peildatum {bundles[0].bundle['peildatum']}: {shown} of {len(combined)} "
        "indicators combined",
    )
    return bundles, combined
