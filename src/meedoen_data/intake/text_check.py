"""Personal data in a short text typed in the web app (a council member's signal, issue 18).

A BSN passing the 11-proef, a postcode, a street address, an e-mail address or a phone number
are found as the intake gate's free-text scan finds them (:mod:`.identifiers`). Dates are allowed
here: a signal says when something was heard.

Names are found without asking the register which surnames it holds: a capitalised word after a
form of address (``mevrouw``), an initial (``J.``) or a given name someone in the vault bears,
with any tussenvoegsels between. Were the surname looked up as the intake gate does, the refusal
would tell a council member — who may see no person's data — whether someone with that surname
is registered in the municipality (tests/security/test_signal_name_oracle.py). Given names alone
identify no one; the vault is asked only which of the text's words are given names.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from meedoen_data.intake import vault_path
from meedoen_data.intake.identifiers import TITLES, TUSSENVOEGSELS, identifier_kinds, known_names
from meedoen_data.workspace import Workspace

_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['-][^\W\d_]+)*\.?")


class VaultBusy(RuntimeError):
    """The vault is being written (an intake); the names cannot be checked now."""


def text_identifiers(*, home: Path, text: str) -> list[str]:
    """The kinds of personal data in ``text`` (empty when none), in the order of
    :data:`~.identifiers.KINDS`."""
    found = [k for k in identifier_kinds(text) if k != "date"]
    if _has_name(text, _given_names(home, text)):
        found.insert(1 if found[:1] == ["BSN"] else 0, "name")
    return found


def _given_names(home: Path, text: str) -> frozenset[str]:
    path = vault_path(Workspace(home))
    if not path.exists():
        return frozenset()
    con = duckdb.connect()
    try:
        try:
            con.execute("ATTACH ? AS vault (READ_ONLY)", [str(path)])
        except duckdb.IOException as exc:
            raise VaultBusy(str(exc).splitlines()[0]) from None
        candidates = [w.rstrip(".").lower() for w in _WORD.findall(text)]
        given, _surnames = known_names(con, candidates)  # the surnames are not used
        return given
    finally:
        con.close()


def _has_name(text: str, given: frozenset[str]) -> bool:
    """A capitalised word after a form of address, an initial or a known given name."""
    tokens = _WORD.findall(text)
    for i, token in enumerate(tokens[:-1]):
        bare = token.rstrip(".")
        lead = (
            bare.lower() in TITLES or bare.lower() in given or (len(bare) == 1 and bare.isupper())
        )
        if not lead:
            continue
        rest = [t for t in tokens[i + 1 :] if t.lower() not in TUSSENVOEGSELS][:1]
        if rest and rest[0][0].isupper():
            return True
    return False
