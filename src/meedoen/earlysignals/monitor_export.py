"""The export of the monitor of early signalling for the national monitor (``meedoen signals
export-monitor``): one month for the gemeente and per wijk, as CSV or XLSX, every number read
from the month's protected release (:mod:`.monitor`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from meedoen.activities.actors import Actor
from meedoen.areas.selectors import area_names
from meedoen.audits.services import activity_uri, audit_action
from meedoen.audits.trace import TraceContext
from meedoen.earlysignals.monitor import (
    HIDDEN,
    MONITOR_EXPORT,
    NATIONAL,
    NATIONAL_PARTNERS,
    OUTCOME_LABELS,
    OUTCOMES,
    ZERO,
    Count,
    Figures,
    Monitor,
    _authorize,
    monitor_read,
    period_parse,
)
from meedoen.web.labels import SIGNAL_PARTNERS
from meedoen_data.csvsafe import csv_row
from meedoen_data.disclosure import Rules
from meedoen_data.signals.rules import PARTNERS

__all__ = ["MonitorExport", "monitor_export"]


FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class MonitorExport:
    content: bytes
    filename: str
    rows: int  # figures written (gemeente and wijken)
    hidden: int  # of which not published (x)


def _value(count: Count) -> int | str:
    return HIDDEN if count.value is None else count.value


def _rows(figures: Figures) -> list[tuple[str, str, str, int | float | str]]:
    """(category, description, national category, value) of one area's month."""
    rows: list[tuple[str, str, str, int | float | str]] = [
        ("signalen", str(_("Signals received")), "Vroegsignalen (aantal)", _value(figures.signals))
    ]
    for partner in (*PARTNERS, *sorted(set(figures.partners) - set(PARTNERS))):
        rows.append(
            (
                f"signalen_{partner.lower()}",
                str(_("Signals: %(partner)s") % {"partner": SIGNAL_PARTNERS.get(partner, partner)}),
                f"Signaalpartner {NATIONAL_PARTNERS.get(partner, 'Overige')}",
                _value(figures.partners.get(partner, ZERO)),
            )
        )
    rows += [
        ("huishoudens", str(_("Households with signals")),
         "Unieke huishoudens met een vroegsignaal", _value(figures.households)),
        ("al_in_schuldhulp", str(_("Of which already in debt help")), "",
         _value(figures.in_debt_help)),
        ("benaderd", str(_("Households contacted")), "Vroegsignaalzaken met een contactpoging",
         _value(figures.contacted)),
        ("bereikt", str(_("Households reached")), "Contactpoging bereikt = ja",
         _value(figures.reached)),
    ]  # fmt: skip
    for outcome in OUTCOMES:
        rows.append(
            (
                f"uitkomst_{outcome}",
                str(OUTCOME_LABELS[outcome]),
                NATIONAL[outcome],
                _value(figures.outcome(outcome)),
            )
        )
    acceptance = figures.acceptance
    accepted_known = not figures.reached.hidden and not figures.accepted.hidden
    rows.append(
        (
            "hulpacceptatie_procent",
            str(_("Help accepted, percentage of the households reached")),
            "",
            round(100 * acceptance, 1)
            if acceptance is not None
            else ("" if accepted_known else HIDDEN),
        )
    )
    rows.append(
        ("eerste_contacten", str(_("Households with a first contact")), "",
         _value(figures.first_contacts))
    )  # fmt: skip
    median = figures.median_days
    rows.append(
        (
            "mediaan_dagen_tot_eerste_contact",
            str(_("Median days from the oldest open signal to the first contact")),
            "",
            (int(median) if median.is_integer() else median)
            if median is not None
            else (HIDDEN if figures.first_contacts.hidden else ""),
        )
    )
    return rows


def _export_table(monitor: Monitor) -> tuple[list[str], list[list[Any]], list[list[Any]]]:
    month = monitor.months[0]
    header = [
        str(_("month")),
        str(_("level")),
        str(_("area code")),
        str(_("area")),
        str(_("category")),
        str(_("description")),
        str(_("national monitor (VNG DDAS Vroegsignalering)")),
        str(_("value")),
    ]
    code, name = monitor.gemeente
    gemeente = [[month.month, "gemeente", code, name, *row] for row in _rows(month.gemeente)]
    wijken = []
    names = area_names(codes=[c for c, _label, _figures in monitor.wijken])
    for wijk, figures in sorted(month.wijken.items()):
        wijken += [
            [month.month, "wijk", wijk, names.get(wijk, wijk), *row] for row in _rows(figures)
        ]
    return header, gemeente, wijken


def _csv_value(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return value


def _export_csv(header: list[str], sections: Sequence[list[list[Any]]]) -> bytes:
    """Dutch CSV (``;``, decimal comma, a byte order mark), as /publicaties/ writes it."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_row(header))
    for number, rows in enumerate(sections):
        if number and rows:
            writer.writerow([])
        for row in rows:
            writer.writerow(csv_row([_csv_value(v) for v in row]))
    return out.getvalue().encode("utf-8")


def _explanation(rules: Rules) -> str:
    return str(
        _(
            "x: not published, because it concerns fewer than %(minimum)s households or "
            "signals, or because it would let you work out such a number."
        )
        % {"minimum": rules.min_frequency}
    )


def _export_xlsx(
    title: str, rules: Rules, header: list[str], sections: Sequence[tuple[str, list[list[Any]]]]
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    for number, (name, rows) in enumerate(sections):
        sheet = book.active if number == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = name[:31]
        sheet.append(csv_row([title]))
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([_explanation(rules)])
        sheet.append([])
        sheet.append(csv_row(header))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(csv_row(row))
            value = sheet.cell(row=sheet.max_row, column=len(row))
            if isinstance(value.value, float):
                value.number_format = "0.0"
        for column, width in enumerate((10, 10, 12, 28, 30, 48, 60, 10), start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def monitor_export(
    *,
    actor: Actor,
    activity_id: int,
    month: str,
    fmt: str,
    trace: TraceContext,
    via: str = "cli",
    client: str = "",
) -> MonitorExport:
    """One month of the monitor in the national monitor's categories, for the gemeente and per
    wijk (``meedoen signals export-monitor``): disclosure-controlled as the page. Debt workers
    and policy makers; logged as ``signals.monitor.export`` under the activity with the
    processing record of nobody (aggregates only), as the dashboards log a release."""
    started = datetime.now(UTC)
    if fmt not in FORMATS:
        raise ValidationError(
            _("Choose the format csv or xlsx, not %(format)s."),
            code="format",
            params={"format": fmt},
        )
    chosen = period_parse(month)
    if chosen is None:
        raise ValidationError(
            _("Give the month as YYYY-MM, not %(month)s."), code="month", params={"month": month}
        )
    state = _authorize(actor, activity_id, trace)
    monitor = monitor_read(
        activity_id=state.id, period_from=chosen, period_to=chosen, floor=state.floor
    )
    header, gemeente, wijken = _export_table(monitor)
    title = str(
        _("Monitor of early signalling, %(month)s, %(activity)s")
        % {"month": monitor.months[0].label, "activity": state.name}
    )
    if fmt == "csv":
        content = _export_csv(header, [gemeente, wijken])
    else:
        content = _export_xlsx(
            title,
            monitor.rules,
            header,
            [(str(_("Whole municipality")), gemeente), (str(_("Per wijk")), wijken)],
        )
    rows = gemeente + wijken
    hidden = sum(1 for row in rows if row[-1] == HIDDEN)
    audit_action(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=via,
        client=client,
        operation=MONITOR_EXPORT,
        activity=activity_uri(state.id),
        subjects={},  # aggregates only: one processing record, of nobody
        started=started,
        detail=(
            f"monitor {chosen} ({fmt}): {len(rows)} figures for the gemeente and "
            f"{len(monitor.months[0].wijken)} wijken, {hidden} not published; rules "
            f"minimum frequency {monitor.rules.min_frequency}"
        ),
    )
    return MonitorExport(
        content=content,
        filename=f"monitor-vroegsignalering-{chosen}.{fmt}",
        rows=len(rows),
        hidden=hidden,
    )
