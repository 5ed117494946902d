"""Markdown pages per source table, generated from the contract (docs/sources/).

``scripts/gen-contract-docs`` writes them; a test fails when the committed pages differ from
what the contract generates, so the docs cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path

from meedoen_data.contract import (
    CONTRACT_VERSION,
    JEUGD_PRODUCTCATEGORIEEN,
    ROLLEN_BETROKKENHEID,
    SPECS,
    UITSTROOMREDENEN,
    VERWIJZERS,
    WMO_PRODUCTCATEGORIEEN,
    Column,
    Table,
    partner_spec,
)

TYPE_WORDS = {
    "bsn": "BSN (9 digits, 11-proef; 8 digits are left-padded with 0)",
    "text": "text",
    "date": "date (YYYY-MM-DD or DD-MM-YYYY)",
    "code": "code",
    "int": "whole number",
    "decimal": "amount (decimal point or decimal comma)",
    "flag": "J/N",
    "bag": "BAG identification (16 digits)",
    "postcode": "postcode (1234AB, space allowed)",
}
DERIVED_WORDS = {
    "year_month": "the analytics store gets birth year and month (`geboortejaar`, `geboortemaand`)",
    "postcode4": "the analytics store gets postcode-4 (`postcode4`)",
    "record_pseudonym": "the analytics store gets a keyed pseudonym of the record number "
    "(`record_pseudonym`)",
    "month": "the analytics store gets the year and month as YYYYMM (`{name}_maand`)",
}
MEANINGS = {
    "productcategorie": {**WMO_PRODUCTCATEGORIEEN, **JEUGD_PRODUCTCATEGORIEEN},
    "soortverwijzer": VERWIJZERS,
    "uitstroomreden": UITSTROOMREDENEN,
    "rol": ROLLEN_BETROKKENHEID,
}
FREE_TEXT_WORDS = {
    "scan": "free text, scanned for identifiers (a row whose value holds one goes to quarantine)",
    "drop": "free text, not loaded",
}


def _where(spec: Table, column: Column) -> str:
    if column.role == "person":
        return "analytics: keyed pseudonym of the domain; the BSN only in the identity vault"
    if column.role == "address":
        return "analytics: address pseudonym; the BAG id only in the identity vault"
    if column.role == "identifier":
        derived = [d for s, d in spec.derived if s == column.name]
        extra = "; ".join(DERIVED_WORDS[d].format(name=column.name) for d in derived)
        return "identity vault only" + (f"; {extra}" if extra else "")
    if column.free_text == "drop":
        return "nowhere: dropped at the gate"
    if column.free_text == "scan":
        return "analytics store, when it holds no identifier"
    return "analytics store, typed"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a ``|`` would end the cell."""
    return text.replace("|", "\\|")


def _codes(column: Column) -> str:
    if not column.codes:
        return ""
    meanings = MEANINGS.get(column.name, {})
    return ", ".join(f"`{c}` {meanings[c]}" if meanings.get(c) else f"`{c}`" for c in column.codes)


def _domain(spec: Table) -> str:
    if spec.domain == "by_wet":
        return "by `wet`: Wmo rows use the `wmo` key, Jeugdwet rows the `jeugd` key"
    if not spec.domain:
        return "none (no person in the table, or anonymous)"
    return f"`{spec.domain}`"


def table_markdown(spec: Table) -> str:
    mode = (
        "a newer delivery replaces the whole table"
        if spec.load_mode == "replace"
        else "a newer delivery adds rows; a row with the same key replaces the earlier one"
    )
    lines = [
        f"# `{spec.name}`",
        "",
        spec.description,
        "",
        f"- Contract version {CONTRACT_VERSION}.",
        f"- Load mode: {spec.load_mode} — {mode}.",
        f"- Key: {', '.join(f'`{k}`' for k in spec.key)}.",
        f"- Pseudonym domain: {_domain(spec)}.",
        "",
        "| column | type | required | allowed codes | where it goes |",
        "|---|---|---|---|---|",
    ]
    for column in spec.columns:
        kind = (
            f"pattern `{_cell(column.pattern)}`"
            if column.type == "pattern"
            else TYPE_WORDS[column.type]
        )
        if column.free_text:
            kind = FREE_TEXT_WORDS[column.free_text]
        if column.description:
            kind += f"; {column.description}"
        lines.append(
            f"| `{column.name}` | {kind} | {'yes' if column.required else 'no'} | "
            f"{_codes(column)} | {_where(spec, column)} |"
        )
    lines += [
        "",
        "## Checks on every row",
        "",
        "- required values present; every value of its type and format;",
        "- codes within their list;",
        f"- no two rows with the same key ({', '.join(spec.key)});",
    ]
    scanned = [c.name for c in spec.columns if c.free_text == "scan"]
    lines += [
        f"- `{name}` holds no BSN, name, date, postcode, street address, e-mail address or "
        "phone number ([free text](../intake.md#free-text));"
        for name in scanned
    ]
    lines += [f"- `{end}` may not be before `{start}`;" for start, end in spec.date_order]
    lines += [f"- `{column}`: wrong when {reason};" for column, _, reason in spec.row_rules]
    lines += [
        "",
        "A failing row goes to quarantine with file, row, column and reason; more than "
        "5% failing rows reject the whole file ([intake gate](../intake.md)).",
        "",
    ]
    return "\n".join(lines)


def index_markdown() -> str:
    example = partner_spec("voedselbank")
    lines = [
        "# Source tables",
        "",
        f"Generated from `src/meedoen_data/contract.py` (contract version {CONTRACT_VERSION}) "
        "by `scripts/gen-contract-docs`; do not edit by hand.",
        "",
        "| table | description | load mode |",
        "|---|---|---|",
    ]
    lines += [
        f"| [`{name}`]({name}.md) | {spec.description} | {spec.load_mode} |"
        for name, spec in sorted(SPECS.items())
    ]
    lines += [
        f"| [partner file](partner-file.md) | {example.description.replace('voedselbank', 'NAME')}"
        f" | {example.load_mode} |",
        "",
        "A file whose header is exactly the partner-file columns is a partner file named after "
        "the file (e.g. `voedselbank.csv`); it gets its own pseudonym domain `partner-NAME`.",
        "",
    ]
    return "\n".join(lines)


def write_docs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    pages = {
        "index.md": index_markdown(),
        "partner-file.md": table_markdown(partner_spec("voedselbank")),
    }
    pages.update({f"{name}.md": table_markdown(spec) for name, spec in SPECS.items()})
    written = []
    for name, text in sorted(pages.items()):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
