"""Reference figures: an indicator's value elsewhere — the Netherlands, a province, a region,
comparable municipalities — shown beside the local figure on the dashboard (issue 18).

A reference file is CSV (UTF-8, comma-separated, a header row) with the columns

``indicator``
    an indicator of the catalogue (``meedoen indicator list``);
``gebied``
    ``NL01`` (Nederland), ``PV20`` … (a province, CBS code), ``GM0784`` … (a municipality) or
    ``RG`` followed by letters, digits, ``_`` or ``-`` (a region of your own, e.g. what
    ``meedoen federation combine`` wrote);
``gebiedsnaam``
    how the area is shown ("Nederland", "Regio Hart van Brabant");
``periode``
    a year (``2024``) or a date (``2025-01-01``);
``waarde``
    the figure in the indicator's unit (a percentage, or per 1,000 for an indicator with
    ``schaal = 1000``), with a decimal point;
``bron``
    where it was published (required: a figure without a source is not shown);
``toelichting``
    optional: how it compares (e.g. "benadering: uitkeringen, niet huishoudens").

The product's file (``references.csv`` beside this module) holds the national figures meedoen's
own documentation cites; an installation adds files in ``HOME/referenties/*.csv``. Every file is
checked when it is read: a problem names the file, the row and the column, and stops the read
(:class:`ReferenceFileError`) — a wrong comparison is worse than none.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from meedoen_data.indicators.catalogue import Catalogue

BUILT_IN = Path(__file__).with_name("references.csv")
COLUMNS = ("indicator", "gebied", "gebiedsnaam", "periode", "waarde", "bron", "toelichting")
REQUIRED = COLUMNS[:-1]
AREA = re.compile(r"^(NL01|PV\d{2}|GM\d{4}|RG[A-Za-z0-9_-]{1,40})$")
PERIOD = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


class ReferenceFileError(ValueError):
    """A reference file that cannot be used: the message names file, row and column."""


@dataclass(frozen=True)
class Reference:
    indicator: str
    area: str
    name: str
    period: str
    value: float
    source: str
    note: str = ""

    @property
    def level(self) -> str:
        """nederland, provincie, gemeente or regio (for ordering: widest last)."""
        return {"NL": "nederland", "PV": "provincie", "GM": "gemeente"}.get(self.area[:2], "regio")


def references_load(*, catalogue: Catalogue, home: Path | None = None) -> list[Reference]:
    """Every reference figure: the product's file, then the installation's
    (``HOME/referenties/*.csv``, in name order)."""
    files = [BUILT_IN]
    if home is not None:
        files += sorted((home / "referenties").glob("*.csv"))
    known = {i.id: i for i in catalogue.indicators}
    out: list[Reference] = []
    for path in files:
        out += references_read(path, known=set(known))
    return out


def references_read(path: Path, *, known: set[str]) -> list[Reference]:
    """The figures of one file, checked (:class:`ReferenceFileError` names file, row, column)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceFileError(f"{path}: cannot be read as UTF-8 text: {exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ReferenceFileError(f"{path}: empty; the header is {','.join(COLUMNS)}")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ReferenceFileError(
            f"{path}, row 1: missing column(s) {', '.join(missing)}; the header is "
            f"{','.join(COLUMNS)}"
        )
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise ReferenceFileError(
                f"{path}, row {number}: {len(row)} fields, the header has {len(header)} "
                "(a value with a comma must be in double quotes)"
            )
        cell = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        out.append(_reference(cell, f"{path}, row {number}", known))
    return out


def _reference(cell: dict[str, str], where: str, known: set[str]) -> Reference:
    for column in REQUIRED:
        if not cell.get(column):
            raise ReferenceFileError(f"{where}, column {column}: empty")
    if cell["indicator"] not in known:
        raise ReferenceFileError(
            f"{where}, column indicator: {cell['indicator']!r} is not an indicator of the "
            "catalogue (meedoen indicator list)"
        )
    if not AREA.match(cell["gebied"]):
        raise ReferenceFileError(
            f"{where}, column gebied: {cell['gebied']!r} is not NL01, PVnn, GMnnnn or RG…"
        )
    period = cell["periode"]
    if not PERIOD.match(period):
        raise ReferenceFileError(f"{where}, column periode: {period!r} is not a year or YYYY-MM-DD")
    if len(period) == 10:
        try:
            date.fromisoformat(period)
        except ValueError:
            raise ReferenceFileError(f"{where}, column periode: {period!r} is no date") from None
    try:
        value = float(cell["waarde"])
    except ValueError:
        raise ReferenceFileError(
            f"{where}, column waarde: {cell['waarde']!r} is not a number (use a decimal point)"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise ReferenceFileError(f"{where}, column waarde: {cell['waarde']!r} is not a figure >= 0")
    return Reference(
        indicator=cell["indicator"],
        area=cell["gebied"],
        name=cell["gebiedsnaam"],
        period=period,
        value=value,
        source=cell["bron"],
        note=cell.get("toelichting", ""),
    )


def references_write(path: Path, references: list[Reference]) -> None:
    """Write figures in the reference format (e.g. a combination of federation bundles)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for r in references:
            writer.writerow(
                [r.indicator, r.area, r.name, r.period, f"{r.value:g}", r.source, r.note]
            )
