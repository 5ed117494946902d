"""What the intake gate says about a file or a row, as a stable code with its values, taken apart
from the gate's English message: pages say it in the user's language (ADR 0018); the command
line, the vault's records and the docs keep the English.

The gate's messages are written in one place each (:mod:`.validate`, :mod:`.reader`,
:mod:`.limits`, the ingest itself, the contract's row rules); a test makes every one of them
and checks it is recognised here. A message this module does not know keeps code ``other``
and is shown as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from meedoen_data.contract import SPECS

OTHER = "other"
_FILE = r"(?P<file>[^:]+): "
_HOLDS = r"(?:; it holds (?P<kinds>.+))?"
_RAISE = (
    r"(?:\. )?To load it, raise it with (?P<variable>MEEDOEN_[A-Z_]+) \(docs/admin/"
    r"configuration\.md\), or load a national delivery on the command line with: meedoen "
    r"ingest DIR --national"
)

#: (code, the message as a regular expression over the whole text). Row reasons first.
_ROW: tuple[tuple[str, str], ...] = (
    ("required", r"required value missing"),
    ("bsn", r"not a valid BSN \(9 digits, 11-proef\)" + _HOLDS),
    ("date", r"not a valid date \(expected YYYY-MM-DD or DD-MM-YYYY\)" + _HOLDS),
    ("whole_number", r"not a whole number" + _HOLDS),
    ("amount", r"not an amount \(e\.g\. 1234\.56 or 1\.234,56\)" + _HOLDS),
    ("flag", r"not J or N" + _HOLDS),
    ("bag", r"not a BAG identification \(16 digits\)" + _HOLDS),
    ("postcode", r"not a postcode \(1234AB\)" + _HOLDS),
    ("pattern", r"does not match the pattern (?P<pattern>.+?)" + _HOLDS),
    ("code_not_listed", r"code (?P<value>\S+) is not in its list \((?P<codes>.*)\)" + _HOLDS),
    ("value_not_listed", r"not in its list \((?P<codes>.*)\); the value is not shown" + _HOLDS),
    ("duplicate_key", r"duplicate key \(same (?P<key>.+) as row (?P<row>\d+)\)"),
    ("date_order", r"(?P<end>[a-z_]+) is before (?P<start>[a-z_]+)"),
    (
        "free_text",
        r"free text holds (?P<kinds>.+); the row is not loaded and the value is not shown",
    ),
)
#: The contract's row rules, by their reason (:attr:`meedoen_data.contract.Table.row_rules`).
_RULES: dict[str, str] = {
    "niveau does not match the code (GM is a gemeente, WK a wijk, BU a buurt)": "area_level",
    "bovenliggend is not the level above the code (a buurt lies in a wijk, a wijk in a "
    "gemeente)": "area_parent",
}
_FILE_MESSAGES: tuple[tuple[str, str], ...] = (
    ("loaded", _FILE + r"(?P<loaded>\d+) rows loaded into (?P<table>\w+)"),
    (
        "loaded_quarantined",
        _FILE + r"(?P<loaded>\d+) rows loaded into (?P<table>\w+), (?P<quarantined>\d+) rows "
        r"quarantined",
    ),
    (
        "unchanged",
        _FILE + r"already loaded in batch (?P<batch>\S+) on (?P<when>[\d-]+ [\d:]+); nothing "
        r"changed",
    ),
    ("no_rows", _FILE + r"no rows"),
    (
        "too_many_failing",
        _FILE + r"(?P<bad>\d+) of (?P<rows>\d+) rows \((?P<share>[\d.]+)%\) fail the checks, "
        r"more than the (?P<allowed>\d+)% allowed; the whole file is rejected and its failing "
        r"rows are in quarantine",
    ),
    ("no_header", _FILE + r"the file is empty or has no header line"),
    ("not_csv_or_parquet", _FILE + r"not a \.csv or \.parquet file"),
    ("unreadable_parquet", _FILE + r"unreadable Parquet file \((?P<detail>.*)\)"),
    (
        "not_partner_file",
        _FILE + r"not a partner file; its columns must be, in this order: (?P<columns>.+)",
    ),
    ("unknown_table", _FILE + r"unknown table '(?P<table>[^']*)'; contract tables are .*"),
    ("column_missing", _FILE + r"required column missing: (?P<columns>.+)"),
    ("column_twice", _FILE + r"column appears twice: (?P<columns>.+)"),
    ("unreadable", _FILE + r"unreadable \((?P<detail>.*)\)"),
    (
        "out_of_memory",
        _FILE + r"the intake ran out of working memory \((?P<memory>[^)]+)\) and spill space "
        r"\((?P<spill>[^)]+) in the vault's tmp folder\); nothing was loaded\. Raise "
        r"(?P<variable>MEEDOEN_[A-Z_]+) or (?P<variable2>MEEDOEN_[A-Z_]+) "
        r"\(docs/admin/configuration\.md\)",
    ),
    (
        "file_rows",
        _FILE + r"(?P<rows>[\d,]+) rows \((?P<source>[^)]+)\), more than the limit of "
        r"(?P<limit>[\d,]+) rows per file; nothing was read or loaded" + _RAISE,
    ),
    (
        "file_bytes",
        _FILE + r"(?P<size>[^(]+) \((?P<source>[^)]+)\), more than the limit of (?P<limit>.+?) "
        r"per file; nothing was read or loaded" + _RAISE,
    ),
    (
        "rows_over",
        _FILE + r"more than (?P<limit>[\d,]+) rows, the limit (?P<what>.+?); reading stopped "
        r"there and nothing was loaded" + _RAISE,
    ),
    (
        "upload_rows",
        r"this upload \((?P<files>\d+) files?\) has (?P<rows>[\d,]+) rows, more than the limit "
        r"of (?P<limit>[\d,]+) rows per upload; nothing was read or loaded" + _RAISE,
    ),
    (
        "upload_bytes",
        r"this upload \((?P<files>\d+) files?\) has (?P<size>.+?), more than the limit of "
        r"(?P<limit>.+?) per upload; nothing was read or loaded" + _RAISE,
    ),
)
_ROW_RE = tuple((code, re.compile(pattern)) for code, pattern in _ROW)
_FILE_RE = tuple((code, re.compile(pattern)) for code, pattern in _FILE_MESSAGES)
#: The kinds of identifier a scan names (:data:`meedoen_data.intake.identifiers.KINDS`).
_KIND = re.compile(r"(?:an? )(BSN|name|date|postcode|address|e-mail address|phone number)")


@dataclass(frozen=True)
class Reason:
    """A gate's message taken apart: ``code`` and the values it names; ``kinds``: the kinds of
    identifier found in the value (``BSN``, ``name`` …), in the order of the message."""

    code: str
    params: dict[str, str] = field(default_factory=dict)
    kinds: tuple[str, ...] = ()
    text: str = ""  # the message as the gate wrote it (English)


def row_reason(text: str) -> Reason:
    """The reason a row is in quarantine (a value of ``errors.reason``)."""
    if text in _RULES:
        return Reason(_RULES[text], text=text)
    return _match(_ROW_RE, text)


def file_reason(text: str) -> Reason:
    """What the gate said about a file (a result's message, a rejection's reason)."""
    return _match(_FILE_RE, text)


def _match(patterns: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> Reason:
    for code, pattern in patterns:
        found = pattern.fullmatch(text)
        if found:
            params = {k: v for k, v in found.groupdict().items() if v is not None}
            kinds = tuple(_KIND.findall(params.pop("kinds", "")))
            return Reason(code, params, kinds, text)
    return Reason(OTHER, text=text)


def rule_reasons() -> list[str]:
    """Every row rule's reason in the contract (for the test that each one has a code)."""
    return [reason for spec in SPECS.values() for _, _, reason in spec.row_rules]
