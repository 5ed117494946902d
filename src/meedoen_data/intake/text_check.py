"""Personal data in a short text typed in the web app (a council member's signal, issue 18):
the same detectors as the intake gate's free-text scan (:mod:`.identifiers`) — a BSN passing the
11-proef, a name of a person in the vault next to a given name, an initial or a form of
address, a postcode, a street address, an e-mail address, a phone number. Dates are allowed
here: a signal says when something was heard."""

from __future__ import annotations

from pathlib import Path

import duckdb

from meedoen_data.intake import vault_path
from meedoen_data.intake.identifiers import identifier_kinds, known_names, words
from meedoen_data.workspace import Workspace


class VaultBusy(RuntimeError):
    """The vault is being written (an intake); the names cannot be checked now."""


def text_identifiers(*, home: Path, text: str) -> list[str]:
    """The kinds of personal data in ``text`` (empty when none)."""
    path = vault_path(Workspace(home))
    given: frozenset[str] = frozenset()
    surnames: frozenset[str] = frozenset()
    if path.exists():
        con = duckdb.connect()
        try:
            try:
                con.execute("ATTACH ? AS vault (READ_ONLY)", [str(path)])
            except duckdb.IOException as exc:
                raise VaultBusy(str(exc).splitlines()[0]) from None
            given, surnames = known_names(con, words(text))
        finally:
            con.close()
    return [k for k in identifier_kinds(text, given=given, surnames=surnames) if k != "date"]
