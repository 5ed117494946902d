"""``meedoen encode``: a partner encodes its client file for privacy-preserving linkage.

Runs on the partner's own computer and needs no meedoen workspace: it reads a partner file and
a secret file, and writes a CSV without names, birth dates or addresses in clear
(docs/partners/encode.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from meedoen.cli.common import EXIT_REJECTED, JsonOption, console, emit_json, fail, progress_bar


def encode(
    partner_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="PARTNER_FILE",
            help="The partner file to encode (CSV or Parquet with the partner-file columns).",
            show_default=False,
        ),
    ] = None,
    secret_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-file",
            help="File with the secret shared with the municipality (64 hex characters).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="The encoded CSV to write (must not exist yet).", show_default=False),
    ] = None,
    new_secret: Annotated[
        Path | None,
        typer.Option(
            "--new-secret",
            help="Instead of encoding: write a fresh secret to this new file (mode 0600).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Encode a partner file for linkage without names: Bloom filters and keyed hashes under a
    secret shared with the municipality (or make a new secret with --new-secret)."""
    from meedoen_data.linkage.clk import (
        ENCODED_FIELDS,
        ClkError,
        encode_file,
        secret_fingerprint,
        secret_read,
        secret_write,
    )

    if new_secret is not None:
        if partner_file is not None or secret_file is not None or out is not None:
            fail("--new-secret makes a secret file and takes no other argument", code=EXIT_REJECTED)
        try:
            secret = secret_write(new_secret)
        except ClkError as exc:
            fail(str(exc), code=EXIT_REJECTED)
        fingerprint = secret_fingerprint(secret)
        if as_json:
            emit_json({"secret_file": str(new_secret), "fingerprint": fingerprint})
            return
        console.print(f"Wrote a new secret to [bold]{new_secret}[/] (fingerprint {fingerprint}).")
        console.print(
            "Exchange it with the other side by a separate, secure channel; never send it "
            "together with an encoded file."
        )
        return

    if partner_file is None or secret_file is None or out is None:
        fail(
            "usage: meedoen encode PARTNER_FILE --secret-file KEYFILE --out OUTFILE "
            "(or: meedoen encode --new-secret KEYFILE)",
            code=EXIT_REJECTED,
        )
    if not partner_file.is_file():
        fail(f"{partner_file}: no such file", code=EXIT_REJECTED)
    if out.exists():
        fail(f"{out} already exists; choose a new name", code=EXIT_REJECTED)
    if not out.parent.is_dir():
        fail(f"{out.parent}: no such folder", code=EXIT_REJECTED)
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("Encoding", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            secret = secret_read(secret_file)
            report = encode_file(partner_file, out, secret, progress=progress)
        except ClkError as exc:
            fail(str(exc), code=EXIT_REJECTED)
        except OSError as exc:
            fail(f"{exc.filename or partner_file}: {exc.strerror or exc}")
    summary = {
        "source": str(report.source),
        "out": str(report.target),
        "records": report.records,
        "scheme": report.scheme,
        "fingerprint": report.fingerprint,
        "columns": list(report.columns),
        "filled": report.filled,
        "ignored_columns": list(report.ignored_columns),
        "skipped_empty_rows": report.skipped_empty_rows,
    }
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"Encoded {report.records:,} records from {partner_file.name} to [bold]{out}[/] "
        f"({report.scheme}, secret fingerprint {report.fingerprint})."
    )
    for name in ENCODED_FIELDS:
        console.print(f"  {name:<22} {report.filled[name]:>10,} with a value")
    if report.ignored_columns:
        console.print(
            "Columns not in the partner-file contract, left out: "
            + ", ".join(report.ignored_columns)
        )
    if report.skipped_empty_rows:
        console.print(f"Empty rows skipped: {report.skipped_empty_rows:,}")
    console.print("Send only the encoded file; the secret never travels with it.", highlight=False)
