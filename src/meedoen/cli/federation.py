"""``meedoen federation export`` and ``combine``: regional figures from several organisations'
released indicators, without sharing microdata (:mod:`meedoen_data.federation`)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from meedoen.cli.common import (
    EXIT_REJECTED,
    HomeOption,
    JsonOption,
    cli_actor,
    cli_trace,
    console,
    emit_json,
    fail,
    run_service,
    workspace_django,
)
from meedoen.cli.governance import ByOption

federation_app = typer.Typer(
    help="Regional figures from several organisations' released indicators (signed bundles).",
    no_args_is_help=True,
)


@federation_app.command("export")
def federation_export(
    peildatum: Annotated[str, typer.Option(help="Reference date of the released indicators.")],
    organisation: Annotated[str, typer.Option(help="Your organisation's name, as others see it.")],
    to: Annotated[Path, typer.Option("--to", help="The bundle file to write (JSON).")],
    gemeente: Annotated[
        str | None,
        typer.Option(help="Your gemeente's code (GMnnnn); default: the one the areas name."),
    ] = None,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the dashboard's released register indicators for PEILDATUM as a signed bundle.

    Per indicator the numerator and denominator released for the gemeente and each wijk (a
    withheld number stays withheld), signed with this installation's Ed25519 key
    (HOME/keys/federation.key, created on first use; its fingerprint is printed: give it to
    whoever combines). Nothing in a bundle was not already published."""
    try:
        day = date.fromisoformat(peildatum)
    except ValueError:
        fail(f"--peildatum must be a date YYYY-MM-DD, not {peildatum!r}", code=EXIT_REJECTED)
    if to.exists():
        fail(f"{to} exists; a bundle is never overwritten: choose another file", code=EXIT_REJECTED)
    workspace_django(home)
    from meedoen.dashboards.services import federation_export as export

    signed = run_service(
        lambda: export(
            peildatum=day,
            organisation=organisation,
            gemeente=gemeente,
            actor=cli_actor(by),
            trace=cli_trace(),
            channel="cli",
        )
    )
    to.write_text(json.dumps(signed, indent=1, ensure_ascii=False), encoding="utf-8")
    os.chmod(to, 0o600)
    bundle = signed["bundle"]
    summary = {
        "bundle": str(to),
        "gemeente": bundle["gemeente"],
        "peildatum": bundle["peildatum"],
        "indicators": len(bundle["indicators"]),
        "fingerprint": signed["fingerprint"],
    }
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"Wrote {to}: {summary['indicators']} released indicators of {bundle['gemeente']} at "
        f"{bundle['peildatum']}, signed with key {signed['fingerprint']}."
    )


@federation_app.command("combine")
def federation_combine(
    bundles: Annotated[list[Path], typer.Argument(help="Bundles of meedoen federation export.")],
    trusted: Annotated[
        Path | None,
        typer.Option(
            help="File of trusted key fingerprints, one per line: other bundles are refused."
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(help="Code of the region (RG…, PVnn or NL01) for --references."),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Name of the region, e.g. 'Regio Hart van Brabant'.")
    ] = None,
    references: Annotated[
        Path | None,
        typer.Option(
            help="Also write the regional figures as a reference file (for HOME/referenties/)."
        ),
    ] = None,
    by: ByOption = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add the gemeente figures of several organisations' bundles up into regional figures.

    Every bundle's signature is checked (and its key against --trusted); the bundles must be of
    one peildatum and of different gemeenten. A regional number is shown only where every
    organisation released its part; otherwise it is x. Exit 2 on a bundle that is changed,
    untrusted or does not belong with the others."""
    if references is not None and not (area and name):
        fail("--references needs --area and --name", code=EXIT_REJECTED)
    fingerprints = None
    if trusted is not None:
        try:
            lines = trusted.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            fail(f"cannot read {trusted}: {exc}", code=EXIT_REJECTED)
        fingerprints = {
            line.split()[0].lower() for line in lines if line.strip() and not line.startswith("#")
        }
    workspace_django(home)
    from meedoen.dashboards.services import federation_combine as combine
    from meedoen_data.federation import combined_references
    from meedoen_data.indicators.references import AREA, references_write

    if area is not None and not AREA.match(area):
        fail(f"--area {area!r} is not RG…, PVnn, GMnnnn or NL01", code=EXIT_REJECTED)
    found, combined = run_service(
        lambda: combine(
            paths=list(bundles),
            trusted=fingerprints,
            actor=cli_actor(by),
            trace=cli_trace(),
            channel="cli",
        )
    )
    peildatum = found[0].bundle["peildatum"]
    if references is not None and area and name:
        references_write(
            references,
            combined_references(
                combined,
                area=area,
                name=name,
                period=peildatum,
                bundles=[str(b.bundle["organisation"]) for b in found],
            ),
        )
    rows = [
        {
            "indicator": c.indicator,
            "name": c.name,
            "value": None if c.value is None else round(c.value, 2),
            "numerator": c.numerator,
            "denominator": c.denominator,
            "parts": len(c.parts),
            "missing": list(c.missing),
        }
        for c in combined
    ]
    if as_json:
        emit_json(
            {
                "peildatum": peildatum,
                "organisations": [
                    {
                        "organisation": b.bundle["organisation"],
                        "gemeente": b.bundle["gemeente"],
                        "fingerprint": b.fingerprint,
                    }
                    for b in found
                ],
                "indicators": rows,
            }
        )
        return
    shown = Table("indicator", "value", "numerator", "denominator", "parts", "not released by")
    for row in rows:
        shown.add_row(
            Text(str(row["name"])),
            Text("x" if row["value"] is None else f"{row['value']:g}"),
            Text("x" if row["numerator"] is None else f"{row['numerator']:g}"),
            Text("x" if row["denominator"] is None else f"{row['denominator']:g}"),
            Text(str(row["parts"])),
            Text(", ".join(row["missing"])),
        )
    console.print(shown)
    console.print(
        f"{len(found)} organisations at {peildatum}: "
        f"{sum(1 for r in rows if r['value'] is not None)} of {len(rows)} indicators combined."
    )
