"""Identifiers in free text: the scanner of the intake gate.

A free-text column (contract ``free_text="scan"``) may be loaded into the analytics store only
when its value holds no identifier. :func:`identifier_kinds` says which kinds a value holds:

- ``BSN``: nine digits passing the 11-proef, also written with spaces, dots or dashes
  (``573687304``, ``5736 87 304``, ``573.687.304``);
- ``name``: a surname known to the register (or to the delivery itself) next to a given name
  known there, an initial (``J. de Vries``) or a form of address (``mw. Jansen``), in either
  order; a lone word is never a name, so a country of birth that happens to be someone's
  surname stays a country;
- ``date``: a calendar date (``12-03-1980``, ``1980-03-12``, ``12 maart 1980``, ``19800312``);
- ``postcode``: a six-position postcode (``1234 AB``; lower-case letters only with a house
  number after it), which points at a handful of addresses;
- ``address``: a street name ending in a Dutch street word with a house number
  (``Dorpsstraat 12``);
- ``e-mail address`` and ``phone number`` (Dutch ``06-12345678``, ``010 123 4567``, and
  international ``+31 6 …``).

The scanner looks at distinct values, not rows, and asks the database for names only for the
words that occur in them (:func:`scan_columns`), so a column with a few hundred distinct values
costs a few milliseconds however large the file. Messages name the kind, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import duckdb

from meedoen_data.intake.sql import ident

KINDS = ("BSN", "name", "date", "postcode", "address", "e-mail address", "phone number")

_DIGIT_RUN = re.compile(r"\d+(?:[ .-]\d+)*")
_WORD = re.compile(r"[^\W\d_]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = (
    re.compile(r"(?:\+|\b00)\s?\d{1,3}[\s.-]{0,2}(?:\(0\)[\s.-]{0,2})?\d(?:[\s.-]{0,2}\d){6,11}"),
    re.compile(r"(?<![\w+])0\d(?:[\s.-]{0,2}\d){8}(?!\d)"),
)
_POSTCODE = (
    re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b"),
    re.compile(r"\b[1-9]\d{3}\s?[A-Za-z]{2}\s*,?\s+\d{1,5}\b"),
)
_ADDRESS = re.compile(
    r"\b[^\W\d_]{2,}(?:straat|laan|weg|plein|gracht|singel|kade|dijk|hof|pad|steeg|dreef|"
    r"markt|park|erf|veld|ring|baan|hoven|plantsoen)\s+\d{1,5}\b",
    re.IGNORECASE,
)
_MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2,
    "mrt": 3, "maa": 3, "maart": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
_DATES = (
    (re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{2})(\d{2})((?:19|20)\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{1,2})\.?\s+([^\W\d_]{3,9})\.?\s+(\d{4})(?!\d)"), "d-month-y"),
)
#: Words between a given name and a surname, and words that never count as a name.
TUSSENVOEGSELS = frozenset(
    (
        "van", "de", "der", "den", "het", "ten", "ter", "te", "in", "op", "aan", "bij", "uit",
        "onder", "over", "voor", "t", "s", "d", "l", "la", "le", "les", "du", "da", "di", "del",
        "della", "dos", "das", "do", "von", "vom", "zu", "zum", "zur", "am", "al", "el", "ben",
        "bin", "ibn", "mac", "mc", "o", "vd", "v",
    )
)  # fmt: skip
#: Forms of address before a surname: ``mw. Jansen``, ``de heer De Vries``, ``fam. Yilmaz``.
TITLES = frozenset(
    (
        "dhr", "heer", "meneer", "mr", "mw", "mevr", "mevrouw", "mej", "juffrouw", "fam",
        "familie", "dr", "drs", "ir", "ing", "prof",
    )
)  # fmt: skip


def elfproef(digits: str) -> bool:
    """The BSN 11-proef on nine digits."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


def has_bsn(value: str) -> bool:
    for run in _DIGIT_RUN.finditer(value):
        groups = re.split(r"[ .-]", run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= 9:
                    break
            if len(digits) == 9 and elfproef(digits):
                return True
    return False


def _valid_date(day: int, month: int, year: int) -> bool:
    if year < 100:
        year += 1900
    try:
        date(year, month, day)
    except ValueError:
        return False
    return 1880 <= year <= 2100


def has_date(value: str) -> bool:
    for pattern, order in _DATES:
        for match in pattern.finditer(value):
            a, b, c = match.groups()
            if order == "dmy":
                found = _valid_date(int(a), int(b), int(c))
            elif order == "ymd":
                found = _valid_date(int(c), int(b), int(a))
            else:
                month = _MONTHS.get(b.lower())
                found = month is not None and _valid_date(int(a), month, int(c))
            if found:
                return True
    return False


def words(value: str) -> list[str]:
    """The words of a value, lower case, as the name check compares them."""
    return [w.lower() for w in _WORD.findall(value)]


def has_name(value: str, given: frozenset[str], surnames: frozenset[str]) -> bool:
    """A known surname next to a known given name, an initial or a form of address."""
    tokens = [w for w in words(value) if w not in TUSSENVOEGSELS or len(w) == 1]
    for i, token in enumerate(tokens):
        if token not in surnames or len(token) < 2:
            continue
        before = tokens[i - 1] if i > 0 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if before in given or before in TITLES or (len(before) == 1 and before.isalpha()):
            return True
        if after in given:
            return True
    return False


def identifier_kinds(
    value: str, *, given: frozenset[str] = frozenset(), surnames: frozenset[str] = frozenset()
) -> list[str]:
    """The kinds of identifier in ``value`` (empty when there are none), in :data:`KINDS` order."""
    found = []
    if has_bsn(value):
        found.append("BSN")
    if (given or surnames) and has_name(value, given, surnames):
        found.append("name")
    if has_date(value):
        found.append("date")
    if any(p.search(value) for p in _POSTCODE):
        found.append("postcode")
    if _ADDRESS.search(value):
        found.append("address")
    if _EMAIL.search(value):
        found.append("e-mail address")
    if any(p.search(value) for p in _PHONE):
        found.append("phone number")
    return found


def _name_sources(con: duckdb.DuckDBPyConnection, own: str | None) -> list[tuple[str, str, str]]:
    """(table, column, kind) of every name column in the vault, and of the delivery's own
    ``typed`` table when it has name columns."""
    rows = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = 'vault' AND schema_name = 'identity' "
        "AND column_name IN ('geslachtsnaam', 'voornamen')"
    ).fetchall()
    out = [
        (f"vault.identity.{ident(table)}", column, column)
        for _schema, table, column in rows
        if str(column) in {"geslachtsnaam", "voornamen"}
    ]
    if own is not None:
        present = {c.lower() for c in con.table(own).columns}
        out += [
            (own, f"t_{column}", column)
            for column in ("geslachtsnaam", "voornamen")
            if f"t_{column}" in present
        ]
    return out


def known_names(
    con: duckdb.DuckDBPyConnection, candidates: Iterable[str], own: str | None = None
) -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames) among ``candidates`` (lower-case words) that a person in the vault
    or in the delivery's own ``typed`` table bears. Only the candidates are looked up."""
    wanted = sorted({c for c in candidates if len(c) >= 2 and c not in TUSSENVOEGSELS})
    sources = _name_sources(con, own)
    if not wanted or not sources:
        return frozenset(), frozenset()
    temp_table(con, "scan_words", {"word": wanted})
    given: set[str] = set()
    surnames: set[str] = set()
    for table, column, kind in sources:
        found = con.execute(
            f"SELECT DISTINCT word FROM (SELECT unnest(string_split_regex(lower({ident(column)}), "
            f"'[^\\p{{L}}]+')) AS word FROM {table}) WHERE word IN (SELECT word FROM scan_words)"
        ).fetchall()
        (given if kind == "voornamen" else surnames).update(str(w) for (w,) in found)
    con.execute("DROP TABLE scan_words")
    return frozenset(given), frozenset(surnames)


def scan_values(
    con: duckdb.DuckDBPyConnection, values: Iterable[str], own: str | None = None
) -> dict[str, list[str]]:
    """Value -> kinds of identifier, for the values that hold any."""
    distinct = sorted(set(values))
    given, surnames = known_names(con, (w for v in distinct for w in words(v)), own)
    out = {}
    for value in distinct:
        kinds = identifier_kinds(value, given=given, surnames=surnames)
        if kinds:
            out[value] = kinds
    return out


def temp_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list[str]]) -> None:
    """A temporary table of text columns from Python lists of equal length (bound as list
    parameters: no row-by-row inserts, and no data-frame library loaded for a few hundred
    words)."""
    items = ", ".join(
        f"unnest($c{number}::VARCHAR[]) AS {ident(column)}" for number, column in enumerate(columns)
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {ident(name)} AS SELECT {items}",
        {f"c{number}": values for number, values in enumerate(columns.values())},
    )


def kinds_text(kinds: Iterable[str]) -> str:
    """``a BSN``, ``a name and a date``: for messages."""
    listed = [f"an {k}" if k[0] in "aeiou" else f"a {k}" for k in kinds]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
