"""Dutch name, date and address normalisation, once in Python and once as DuckDB SQL macros.

Both sides of a linkage are normalised the same way before they are compared:

- **diacritics folded** and case dropped: ``Çelik`` → ``celik``, ``Müller`` → ``muller``;
  apostrophes, dots and hyphens become spaces (``'t`` → ``t``, ``v.d.`` → ``v d``);
- **surnames** in two forms. ``core`` drops every leading tussenvoegsel token (``van der Berg``
  → ``berg``, also when the prefix sits in the surname field or is abbreviated, ``v.d. Berg``);
  ``full`` glues prefix and name (``vanderberg``), which is how a glued form (``Vanderberg``)
  is matched;
- **first names**: the first given name, or nothing when only initials were written
  (``J.F.``); ``initials`` are the first letters of all given names (``jf``);
- **addresses**: postcode without spaces in capitals, house number, and huisletter plus
  toevoeging folded into one lower-case suffix (``12 A-2`` → ``a2``), because forms and
  registers split them differently.

The Python functions serve ``meedoen encode`` (run by a partner, without DuckDB) and tests; the
SQL macros (:data:`SQL_MACROS`) serve linkage at register scale. A test checks they agree. At
register scale fold once per row (``nl_tokens``, ``nl_given_tokens``) and derive the forms
from the tokens (``nl_core_of``, ``nl_full_of``, ``nl_first_of``, ``nl_initials_of``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

#: Tussenvoegsel tokens (after folding; ``v.d.`` folds to ``v d``) dropped from the start of a
#: surname for its ``core`` form.
PREFIX_TOKENS = (
    "van",
    "der",
    "den",
    "de",
    "het",
    "t",
    "ter",
    "ten",
    "te",
    "in",
    "op",
    "aan",
    "bij",
    "onder",
    "uit",
    "over",
    "voor",
    "v",
    "d",
    "vd",
    "vdr",
    "la",
    "le",
    "du",
    "da",
    "di",
    "del",
    "el",
    "al",
)
_SEPARATORS = re.compile("[\\s.'`\u00b4\u2019\\-_/,]+")
_NOT_LETTER = re.compile(r"[^a-z ]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def fold(value: str | None) -> str:
    """Lower case, diacritics removed, separators to single spaces, other signs dropped."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    spaced = _SEPARATORS.sub(" ", plain)
    return " ".join(_NOT_LETTER.sub("", spaced).split())


def surname_forms(prefix: str | None, surname: str | None) -> tuple[str | None, str | None]:
    """``(core, full)`` of a surname with its tussenvoegsel; ``(None, None)`` when empty."""
    tokens = f"{fold(prefix)} {fold(surname)}".split()
    if not tokens:
        return None, None
    rest = list(tokens)
    while len(rest) > 1 and rest[0] in PREFIX_TOKENS:
        rest.pop(0)
    return "".join(rest), "".join(tokens)


def first_name(given: str | None) -> str | None:
    """The first given name, or ``None`` when the first one is only an initial."""
    tokens = fold(given).split()
    if not tokens or len(tokens[0]) < 2:
        return None
    return tokens[0]


def initials(given: str | None) -> str | None:
    """First letters of all given names (``Jan Frans`` and ``J.F.`` both give ``jf``)."""
    tokens = fold(given).split()
    return "".join(t[0] for t in tokens) or None


def postcode(value: str | None) -> str | None:
    """``5120 ak`` → ``5120AK``; ``None`` when empty."""
    if not value:
        return None
    return "".join(value.split()).upper() or None


def house_suffix(letter: str | None, addition: str | None) -> str:
    """Huisletter and huisnummertoevoeging as one folded suffix (``A``, ``-2`` → ``a2``)."""
    return _NOT_ALNUM.sub("", f"{letter or ''}{addition or ''}".lower())


def address_key(
    code: str | None, number: int | str | None, letter: str | None, addition: str | None
) -> str | None:
    """``5120AK|3|a`` — an address as forms write it; ``None`` without postcode or number."""
    pc = postcode(code)
    if pc is None or number is None or str(number).strip() == "":
        return None
    return f"{pc}|{int(number)}|{house_suffix(letter, addition)}"


def house_key(code: str | None, number: int | str | None) -> str | None:
    """``5120AK|3`` — postcode and house number without the suffix."""
    pc = postcode(code)
    if pc is None or number is None or str(number).strip() == "":
        return None
    return f"{pc}|{int(number)}"


def swapped_date(value: date | None) -> date | None:
    """The date with day and month swapped, when that is another valid date (a common
    mistake on forms: 1980-03-05 for 1980-05-03)."""
    if value is None or value.day > 12 or value.day == value.month:
        return None
    return date(value.year, value.day, value.month)


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


#: DuckDB macros with the same results as the Python functions above (constants only; the
#: prefix list is this module's own).
SQL_MACROS = f"""
CREATE OR REPLACE TEMP MACRO nl_fold(s) AS
    trim(regexp_replace(regexp_replace(regexp_replace(
        replace(replace(replace(replace(strip_accents(lower(coalesce(s, ''))),
            'ß', 'ss'), 'ø', 'o'), 'æ', 'ae'), 'ł', 'l'),
        '[\\s.''`\u00b4\u2019\\-_/,]+', ' ', 'g'), '[^a-z ]', '', 'g'), ' +', ' ', 'g'));
CREATE OR REPLACE TEMP MACRO nl_tokens(prefix, surname) AS
    list_filter(string_split(nl_fold(prefix) || ' ' || nl_fold(surname), ' '),
                lambda t: t <> '');
CREATE OR REPLACE TEMP MACRO nl_core_start(tokens) AS
    coalesce(list_position(
        list_transform(
            tokens,
            lambda t, i: NOT list_contains({_sql_list(PREFIX_TOKENS)}, t) OR i = len(tokens)
        ),
        true), 1);
CREATE OR REPLACE TEMP MACRO nl_core_of(tokens) AS
    nullif(array_to_string(list_slice(tokens, nl_core_start(tokens), len(tokens)), ''), '');
CREATE OR REPLACE TEMP MACRO nl_full_of(tokens) AS
    nullif(array_to_string(tokens, ''), '');
CREATE OR REPLACE TEMP MACRO nl_given_tokens(given) AS
    list_filter(string_split(nl_fold(given), ' '), lambda t: t <> '');
CREATE OR REPLACE TEMP MACRO nl_first_of(tokens) AS
    CASE WHEN length(tokens[1]) >= 2 THEN tokens[1] END;
CREATE OR REPLACE TEMP MACRO nl_initials_of(tokens) AS
    nullif(array_to_string(list_transform(tokens, lambda t: t[1]), ''), '');
CREATE OR REPLACE TEMP MACRO nl_surname_core(prefix, surname) AS
    nl_core_of(nl_tokens(prefix, surname));
CREATE OR REPLACE TEMP MACRO nl_surname_full(prefix, surname) AS
    nl_full_of(nl_tokens(prefix, surname));
CREATE OR REPLACE TEMP MACRO nl_first_name(given) AS nl_first_of(nl_given_tokens(given));
CREATE OR REPLACE TEMP MACRO nl_initials(given) AS nl_initials_of(nl_given_tokens(given));
CREATE OR REPLACE TEMP MACRO nl_postcode(code) AS
    nullif(upper(regexp_replace(coalesce(code, ''), '\\s', '', 'g')), '');
CREATE OR REPLACE TEMP MACRO nl_house_suffix(letter, addition) AS
    regexp_replace(lower(coalesce(letter, '') || coalesce(addition, '')), '[^a-z0-9]', '', 'g');
CREATE OR REPLACE TEMP MACRO nl_address_key(code, number, letter, addition) AS
    CASE WHEN nl_postcode(code) IS NOT NULL AND number IS NOT NULL
         THEN nl_postcode(code) || '|' || CAST(CAST(number AS BIGINT) AS VARCHAR) || '|'
              || nl_house_suffix(letter, addition) END;
CREATE OR REPLACE TEMP MACRO nl_swapped_date(d) AS
    CASE WHEN day(d) <= 12 AND day(d) <> month(d) THEN make_date(year(d), day(d), month(d)) END;
CREATE OR REPLACE TEMP MACRO nl_house_key(code, number) AS
    CASE WHEN nl_postcode(code) IS NOT NULL AND number IS NOT NULL
         THEN nl_postcode(code) || '|' || CAST(CAST(number AS BIGINT) AS VARCHAR) END;
"""
