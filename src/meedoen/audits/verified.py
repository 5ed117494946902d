"""How far an intact ``meedoen audit verify`` got, remembered and signed for the next
``meedoen audit verify --since`` (issue 16): a selector's helper kept apart from the checks."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings

from meedoen.audits.selectors import AuditVerification, checkpoint_trust
from meedoen.audits.services import CHAINS
from meedoen_data.audit_checkpoint import (
    MAX_FILE_BYTES,
    CheckpointError,
    canonical,
    checkpoint_key_load,
    checkpoint_key_readable,
    key_fingerprint,
)

#: The format of the file an intact check leaves behind, and its name in the workspace.
VERIFIED_FORMAT = "meedoen-audit-verified/1"
VERIFIED_FILE = "audit-verified.json"
_HEX64 = re.compile(r"[0-9a-f]{64}")


class VerifiedError(Exception):
    """The remembered position of an earlier check cannot be trusted (not signed by the
    trusted key, altered, not readable): ``--since`` is refused, never silently widened."""


class VerifiedMissing(VerifiedError):
    """No earlier intact check is remembered."""


@dataclass(frozen=True)
class Verified:
    """How far an intact check got: per chain the position and hash of the last record it
    verified, the highest subject set id it verified, when; signed with the checkpoint key."""

    time: datetime
    chains: Mapping[str, tuple[int, str]]
    sets_highest: int
    key: str = ""  # fingerprint of the signing key
    signature: str = ""  # Ed25519 over canonical(statement), hexadecimal

    def statement(self) -> dict[str, Any]:
        return {
            "format": VERIFIED_FORMAT,
            "time": self.time.astimezone(UTC).isoformat(timespec="microseconds"),
            "chains": {
                name: {"position": position, "hash": digest}
                for name, (position, digest) in sorted(self.chains.items())
            },
            "subject_sets": {"highest_id": self.sets_highest},
            "key": self.key,
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.statement(), "signature": self.signature}

    @property
    def time_text(self) -> str:
        return self.time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(bytes.fromhex(self.signature), canonical(self.statement()))
        except (InvalidSignature, ValueError):
            return False
        return True


def audit_verified_path() -> Path:
    """Where an intact check remembers how far it got: ``HOME/audit-verified.json``, beside the
    witness folder's default place but never in it (a witness folder may be append-only, and
    this file is replaced after every intact check)."""
    return Path(settings.MEEDOEN_HOME) / VERIFIED_FILE


def audit_verified_load(*, public_keys: Sequence[Path] = ()) -> Verified:
    """The remembered position, its signature checked against the trusted key(s)
    (:func:`checkpoint_trust`). VerifiedMissing when there is none, VerifiedError when it
    cannot be trusted."""
    path = audit_verified_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise VerifiedMissing(
            f"no earlier intact check is remembered ({path}): run a full `meedoen audit "
            "verify` first"
        ) from None
    except OSError as exc:
        raise VerifiedError(f"{path} cannot be read: {exc.strerror}") from None
    remembered = _verified_parse(data, source=str(path))
    try:
        trusted, source = checkpoint_trust(public_keys=public_keys)
    except CheckpointError as exc:
        raise VerifiedError(f"{path} cannot be checked: {exc}") from None
    keys = {key_fingerprint(k): k for k in trusted}
    key = keys.get(remembered.key)
    if key is None:
        raise VerifiedError(
            f"{path} is not signed by the trusted key (from {source}): forged, or signed "
            "with a key you do not trust"
            if keys
            else f"{path} cannot be checked: no trusted public key (from {source})"
        )
    if not remembered.signed_by(key):
        raise VerifiedError(f"{path}: its signature does not match its content (forged or altered)")
    return remembered


def _verified_parse(data: bytes, *, source: str) -> Verified:
    def refuse(problem: str) -> VerifiedError:
        return VerifiedError(f"{source} is not a remembered position of a check: {problem}")

    if len(data) > MAX_FILE_BYTES:
        raise refuse("it is too large")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise refuse("not valid JSON") from None
    if not isinstance(document, dict) or document.get("format") != VERIFIED_FORMAT:
        raise refuse(f"its format is not {VERIFIED_FORMAT}")
    chains, sets = document.get("chains"), document.get("subject_sets")
    key, signature = document.get("key"), document.get("signature")
    if not isinstance(chains, dict) or set(chains) != set(CHAINS):
        raise refuse(f"it does not name the chains {', '.join(CHAINS)}")
    states: dict[str, tuple[int, str]] = {}
    for name, state in chains.items():
        position = state.get("position") if isinstance(state, dict) else None
        digest = state.get("hash") if isinstance(state, dict) else None
        if not (isinstance(position, int) and not isinstance(position, bool) and position >= 0):
            raise refuse(f"the {name} chain has no valid position")
        if not (isinstance(digest, str) and _HEX64.fullmatch(digest)):
            raise refuse(f"the {name} chain has no valid hash")
        states[name] = (position, digest)
    highest = sets.get("highest_id") if isinstance(sets, dict) else None
    if not (isinstance(highest, int) and not isinstance(highest, bool) and highest >= 0):
        raise refuse("it has no valid highest subject set id")
    if not (isinstance(key, str) and isinstance(signature, str)):
        raise refuse("it has no key fingerprint or signature")
    try:
        time = datetime.fromisoformat(str(document.get("time")))
    except ValueError:
        raise refuse("its time is not an ISO 8601 time") from None
    if time.tzinfo is None:
        raise refuse("its time has no time zone")
    return Verified(time, states, highest, key, signature)


@dataclass(frozen=True)
class Remembered:
    path: Path
    written: bool
    note: str  # what was remembered, or why nothing was

    def as_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "written": self.written, "note": self.note}


def audit_verified_remember(verification: AuditVerification) -> Remembered:
    """After an intact check: remember how far it got (:class:`Verified`), signed with the
    checkpoint key, for the next ``meedoen audit verify --since``. Nothing is remembered when
    the check found a problem or this process cannot read the checkpoint key."""
    path = audit_verified_path()
    if not verification.intact:
        return Remembered(path, False, "the log is not intact: nothing is remembered")
    private = settings.AUDIT_CHECKPOINT_KEY
    try:
        if not checkpoint_key_readable(private):
            raise CheckpointError(f"this account cannot read the checkpoint key {private}")
        key = checkpoint_key_load(private)
    except CheckpointError as exc:
        return Remembered(
            path, False, f"{exc}, so the position checked is not remembered for --since"
        )
    unsigned = Verified(
        time=datetime.now(UTC),
        chains={r.chain: (r.last_position, r.last_hash) for r in verification.chains},
        sets_highest=verification.sets_highest,
        key=key_fingerprint(key.public_key()),
    )
    signed = dataclasses.replace(
        unsigned, signature=key.sign(canonical(unsigned.statement())).hex()
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(signed.as_json(), indent=2, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    ends = ", ".join(f"{chain} record {position}" for chain, (position, _) in signed.chains.items())
    return Remembered(path, True, f"checked up to {ends} ({path})")
