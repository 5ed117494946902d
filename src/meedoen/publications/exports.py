"""A published table as a file to download (``/publicaties/<id>/csv`` and ``/xlsx``).

Both hold exactly what the page shows — the labels, not the codes, and ``x`` for a withheld
number — in Dutch conventions:

- **CSV** as Excel in the Netherlands reads it: separated by ``;``, a decimal comma, no
  thousands separator (a ``.`` would be read as one), UTF-8 with a byte order mark so that
  accented area names survive; text that starts like a formula is defused
  (:mod:`meedoen_data.csvsafe`).
- **XLSX**: numbers are numbers (a spreadsheet sums them; the reader's Excel shows them in its
  own language), ``x`` is text; above the table its title, reference date and what ``x`` means,
  so a file passed on still says how it was protected.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from meedoen.publications.selectors import HIDDEN, CellView, PublicationDetail, TableView
from meedoen_data.csvsafe import csv_row

#: The byte order mark Excel needs to read UTF-8.
BOM = "\ufeff"


def _csv_number(cell: CellView) -> str:
    if cell.hidden:
        return HIDDEN
    if cell.value is None:
        return ""
    if isinstance(cell.value, float) and not cell.value.is_integer():
        rounded = Decimal(str(cell.value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return str(rounded).replace(".", ",")
    return str(int(cell.value))


def _grid(table: TableView) -> list[list[str]]:
    """The table as rows of text: the header, then a row per row of the page."""
    header = [*table.header, *table.columns]
    rows = [[*row.labels, *(_csv_number(cell) for cell in row.cells)] for row in table.rows]
    return [header, *rows]


def publication_csv(*, detail: PublicationDetail) -> str:
    """The publication's tables as Dutch CSV (a blank line between tables)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for number, table in enumerate(detail.tables):
        if number:
            writer.writerow([])
        for row in _grid(table):
            writer.writerow(csv_row(row))
    return out.getvalue()


def _explanation(detail: PublicationDetail) -> str:
    if detail.mode == "rounding":
        return str(_("Numbers are rounded to a multiple of %(base)s; totals add up.")) % {
            "base": detail.summary.get("base", 5)
        }
    return str(
        _(
            "x: not published, because it concerns so few households that someone could be "
            "recognised, or because it would let you work out such a number."
        )
    )


def publication_xlsx(*, detail: PublicationDetail) -> bytes:
    """The publication's tables as an Excel workbook, one sheet per table."""
    book = Workbook()
    bold = Font(bold=True)
    for number, table in enumerate(detail.tables):
        sheet = book.active if number == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = str(_("Table %(number)s") % {"number": number + 1})[:31]
        # Text that starts like a formula is defused here too: openpyxl writes "=..." as one.
        sheet.append(csv_row([detail.title]))
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([_explanation(detail)])
        sheet.append([str(_("Published table %(id)s, meedoen") % {"id": detail.id})])
        sheet.append([])
        sheet.append(csv_row([*table.header, *table.columns]))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in table.rows:
            values: list[object] = csv_row(row.labels)
            for cell in row.cells:
                if cell.hidden:
                    values.append(HIDDEN)
                elif cell.value is None:
                    values.append(None)
                else:
                    values.append(cell.value)
            sheet.append(values)
            for cell in sheet[sheet.max_row][len(row.labels) :]:
                if isinstance(cell.value, int | float):
                    cell.number_format = "#,##0" if float(cell.value).is_integer() else "#,##0.00"
        for column in range(1, len(table.header) + len(table.columns) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 22 if column == 1 else 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
