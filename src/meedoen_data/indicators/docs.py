"""docs/indicators/catalogue.md, generated from the product's catalogue (a test keeps it in
step: ``scripts/gen-indicator-docs``)."""

from __future__ import annotations

from pathlib import Path

from meedoen_data.indicators.catalogue import DIMENSIONS, Catalogue, Condition, catalogue_load

_STATUS = {"register": "register", "panel": "resident panel", "geen_data": "**no data yet**"}


def catalogue_markdown(catalogue: Catalogue) -> str:
    """The catalogue as a page: per dimension a table of its indicators, then every
    indicator's definition."""
    lines = [
        "# The indicator catalogue",
        "",
        "Generated from `src/meedoen_data/indicators/catalogue.toml` by "
        "`scripts/gen-indicator-docs`; the format is described in [indicators](../indicators.md).",
        "",
        f"{len(catalogue.indicators)} indicators: "
        f"{sum(i.status == 'register' for i in catalogue.indicators)} from registers, "
        f"{sum(i.status == 'panel' for i in catalogue.indicators)} from the resident panel, "
        f"{sum(i.status == 'geen_data' for i in catalogue.indicators)} without data yet.",
    ]
    for key, indicators in catalogue.by_dimension().items():
        lines += ["", f"## {DIMENSIONS[key]}", "", "| indicator | aspect | data | levels |"]
        lines += ["|---|---|---|---|"]
        lines += [
            f"| [{i.name}](#{i.id}) | {i.aspect} | {_STATUS[i.status]} | {', '.join(i.levels)} |"
            for i in indicators
        ]
    lines += ["", "## Definitions"]
    for i in catalogue.indicators:
        lines += ["", f'<a id="{i.id}"></a>', "", f"### {i.name} (`{i.id}`)", "", f"*{i.question}*"]
        lines += ["", i.explanation, ""]
        if i.status == "register":
            denominator = _all(i.denominator) if i.denominator else "every household"
            per = "per 1,000" if i.scale == 1000 else "percentage"
            lines += [
                f"- counts: households where {_all(i.numerator)}",
                f"- out of: {denominator} ({per})",
            ]
        elif i.status == "panel":
            lines += [f"- weighted mean of the panel item `{i.item}` (0-10)"]
        else:
            lines += [f"- needed: {i.needed}"]
        lines += [f"- direction: {i.direction.replace('_', ' ')}; unit: {i.unit}"]
        if i.sources:
            lines += [f"- sources: {', '.join(f'`{s}`' for s in i.sources)}"]
        if i.legal_basis:
            lines += [f"- legal basis: {i.legal_basis}"]
    return "\n".join(lines) + "\n"


def _all(conditions: tuple[Condition, ...]) -> str:
    return " and ".join(_condition(c) for c in conditions)


def _condition(c: Condition) -> str:
    if c.linked:
        return f"a member is linked to a record of the partner file `{c.linked}`"
    if c.any_of:
        return f"at least {c.at_least} of ({'; '.join(_condition(p) for p in c.any_of)})"
    return f"`{c.column} {c.operator} {c.value!r}`"


def write_docs(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    page = target / "catalogue.md"
    page.write_text(catalogue_markdown(catalogue_load()), encoding="utf-8")
    return page
