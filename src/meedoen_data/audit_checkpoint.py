"""Signed checkpoints of the audit log, kept outside the database (a *witness* folder).

The hash chain (:mod:`meedoen_data.audit_chain`) catches a record that was changed, inserted or
deleted in the middle, but not a chain that was cut short: delete the newest records, rewrite
the chain's head, and what remains is a valid chain. A **checkpoint** closes that hole. It is a
statement of where both chains ended at a moment — per chain the position, the hash of the
record there and the number of records — with the time, the digest of the checkpoint before it
(so checkpoints form a chain of their own) and the fingerprint of the key that signed it,
signed with Ed25519. Each checkpoint is a new file in the witness folder, created with
``O_EXCL`` and never rewritten. The private key lives in a file the web process need not read.

A verifier then checks that

- every checkpoint is signed by the trusted key (forged or altered ones are named),
- each checkpoint names the digest of the one before it (a removed or replaced intermediate
  checkpoint breaks that link), and no checkpoint saw fewer records than the one before it,
- each chain in the database still has, at every checkpoint's position, the hash the checkpoint
  saw; a chain that ends before a checkpoint's position was cut short, by at least the
  difference ("N records after position X were removed"),
- checkpoints that the privacy officer kept outside meedoen are still in the witness folder,
  unchanged (the newest checkpoints can be removed from a folder that is not append-only
  without breaking any link: a kept copy is what shows it).

This module is pure (no Django): the caller reads the database and hands in what is needed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

#: The ``format`` of a checkpoint, and of the file the privacy officer downloads.
FORMAT = "meedoen-audit-checkpoint/1"
DOWNLOAD_FORMAT = "meedoen-audit-checkpoint-download/1"
#: The ``previous`` of the first checkpoint.
GENESIS = "0" * 64
#: Names of checkpoint files in the witness folder; the number is the checkpoint's sequence.
FILE_NAME = re.compile(r"^checkpoint-([0-9]{8,})\.json$")
FILE_GLOB = "checkpoint-*.json"
#: A checkpoint file is small; anything larger is refused unread.
MAX_FILE_BYTES = 256 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")


class CheckpointError(Exception):
    """A checkpoint cannot be written, or a file is not a checkpoint."""


# --- keys ----------------------------------------------------------------------------------


def public_key_path(private_key: Path) -> Path:
    """Where the public key is written beside the private key (``NAME.pub``)."""
    return private_key.with_suffix(".pub")


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hexadecimal: what checkpoints and reports name."""
    return hashlib.sha256(public_key_bytes(key)).hexdigest()


def public_key_text(key: Ed25519PublicKey, purpose: str = "audit checkpoint") -> str:
    """The contents of a ``.pub`` file: a comment with the fingerprint, then the key in hex."""
    return (
        f"# meedoen {purpose} key (Ed25519), fingerprint {key_fingerprint(key)}\n"
        f"{public_key_bytes(key).hex()}\n"
    )


def checkpoint_key_create(path: Path, purpose: str = "audit checkpoint") -> bool:
    """Create the private signing key at ``path`` (0600, created with O_EXCL so it is never
    readable by others and two runs cannot both write it) and its public key beside it.
    Returns True when the key was created; an existing key is left alone. ``purpose`` names
    the key in the public key's comment (the federation bundles use one too)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes_raw()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        public_key_write(public_key_path(path), checkpoint_key_load(path).public_key(), purpose)
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(seed.hex() + "\n")
    public_key_write(public_key_path(path), key.public_key(), purpose)
    return True


def public_key_write(path: Path, key: Ed25519PublicKey, purpose: str = "audit checkpoint") -> bool:
    """Write a ``.pub`` file unless one exists. Owner only (0600) like everything meedoen
    writes: the public key is no secret, so widen it where others must read it (a shared witness
    folder). A file that exists with another key is an error: it is somebody's pinned key."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if key_fingerprint(public_key_load(path)) != key_fingerprint(key):
            raise CheckpointError(
                f"{path} holds another public key than the checkpoint key; move it aside if "
                "the key was replaced on purpose"
            ) from None
        return False
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(public_key_text(key, purpose))
    return True


def checkpoint_key_load(path: Path) -> Ed25519PrivateKey:
    """The private key; refused when others can read the file (like the workspace's keys)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise CheckpointError(f"no checkpoint key at {path}") from None
    except PermissionError:
        raise CheckpointError(f"the checkpoint key {path} is not readable by this user") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CheckpointError(
            f"the checkpoint key {path} is readable by group or others (mode "
            f"{stat.filemode(mode)}); run: chmod 600 {path}"
        )
    try:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text.strip()))
    except ValueError:
        raise CheckpointError(f"{path} does not hold an Ed25519 key in hexadecimal") from None


def checkpoint_key_readable(path: Path) -> bool:
    """Whether this process can read the private key (it exists and the OS lets us open it)."""
    return os.access(path, os.R_OK) and path.is_file()


def witness_writable(folder: Path) -> bool:
    """Whether this process could write a checkpoint file into the witness folder (or make the
    folder: its nearest existing parent is writable)."""
    path = folder
    while not path.exists():
        if path.parent == path:
            return False
        path = path.parent
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def public_key_parse(text: str, *, source: str) -> Ed25519PublicKey:
    """A public key from a ``.pub`` file: the first line that is not a comment, in hex."""
    for line in text.splitlines():
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        if _HEX64.match(line):
            return Ed25519PublicKey.from_public_bytes(bytes.fromhex(line))
        break
    raise CheckpointError(f"{source} does not hold an Ed25519 public key (64 hex characters)")


def public_key_load(path: Path) -> Ed25519PublicKey:
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        raise CheckpointError(f"no public key at {path}") from None
    except PermissionError:
        raise CheckpointError(f"the public key {path} is not readable by this user") from None
    return public_key_parse(text, source=str(path))


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainState:
    """Where one chain ends: the last position, that record's hash, how many records."""

    position: int
    hash: str
    records: int

    def as_json(self) -> dict[str, Any]:
        return {"position": self.position, "hash": self.hash, "records": self.records}


def canonical(statement: Mapping[str, Any]) -> bytes:
    """The bytes that are signed and digested: JSON with sorted keys, no spaces."""
    return json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    time: datetime
    chains: Mapping[str, ChainState]
    previous: str  # digest of the checkpoint before it (GENESIS for the first)
    key: str  # fingerprint of the signing key
    signature: str = ""  # Ed25519 over canonical(statement), hexadecimal

    def statement(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "sequence": self.sequence,
            "time": self.time.astimezone(UTC).isoformat(timespec="microseconds"),
            "chains": {name: state.as_json() for name, state in sorted(self.chains.items())},
            "previous": self.previous,
            "key": self.key,
        }

    @property
    def digest(self) -> str:
        """What the next checkpoint names as its ``previous``."""
        return hashlib.sha256(canonical(self.statement())).hexdigest()

    @property
    def label(self) -> str:
        return f"checkpoint {self.sequence} of {self.time_text}"

    @property
    def time_text(self) -> str:
        return self.time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    def as_json(self) -> dict[str, Any]:
        return {**self.statement(), "signature": self.signature}

    def file_text(self) -> str:
        return json.dumps(self.as_json(), indent=2, sort_keys=True) + "\n"

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        if self.key != key_fingerprint(key) or not _HEX128.match(self.signature):
            return False
        try:
            key.verify(bytes.fromhex(self.signature), canonical(self.statement()))
        except InvalidSignature:
            return False
        return True

    @classmethod
    def parse(cls, data: object) -> Checkpoint:
        """A checkpoint from its JSON (as :meth:`as_json` writes it); CheckpointError names
        what is wrong. The signature is not checked here."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise CheckpointError(f"not a checkpoint (its format is not {FORMAT})")
        try:
            sequence = data["sequence"]
            chains = data["chains"]
            if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
                raise CheckpointError("its sequence is not a positive number")
            if not isinstance(chains, dict) or not chains:
                raise CheckpointError("it names no chains")
            states = {str(name): _state(name, value) for name, value in chains.items()}
            previous, key, signature = data["previous"], data["key"], data["signature"]
            if not (isinstance(previous, str) and _HEX64.match(previous)):
                raise CheckpointError("its previous digest is not 64 hex characters")
            if not (isinstance(key, str) and _HEX64.match(key)):
                raise CheckpointError("its key fingerprint is not 64 hex characters")
            if not isinstance(signature, str):
                raise CheckpointError("its signature is not text")
            time = datetime.fromisoformat(str(data["time"]))
            if time.tzinfo is None:
                raise CheckpointError("its time has no time zone")
        except KeyError as exc:
            raise CheckpointError(f"it lacks the field {exc.args[0]!r}") from None
        except ValueError:
            raise CheckpointError("its time is not an ISO 8601 time") from None
        if set(data) - {"format", "sequence", "time", "chains", "previous", "key", "signature"}:
            raise CheckpointError("it has fields a checkpoint does not have")
        return cls(sequence, time, states, previous, key, signature)


def _state(name: object, value: object) -> ChainState:
    if not isinstance(value, dict):
        raise CheckpointError(f"chain {name!r} is not an object")
    position, digest, records = value.get("position"), value.get("hash"), value.get("records")
    numbers = (position, records)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
        raise CheckpointError(f"chain {name!r} has no valid position or record count")
    if not (isinstance(digest, str) and _HEX64.match(digest)):
        raise CheckpointError(f"chain {name!r} has no valid hash")
    return ChainState(int(str(position)), digest, int(str(records)))


def checkpoint_sign(
    *,
    key: Ed25519PrivateKey,
    sequence: int,
    time: datetime,
    chains: Mapping[str, ChainState],
    previous: str,
) -> Checkpoint:
    unsigned = Checkpoint(
        sequence, time, dict(chains), previous, key_fingerprint(key.public_key()), ""
    )
    signature = key.sign(canonical(unsigned.statement())).hex()
    return Checkpoint(sequence, time, dict(chains), previous, unsigned.key, signature)


def checkpoint_load(data: bytes, *, source: str) -> Checkpoint:
    """Parse a checkpoint file's bytes; CheckpointError names ``source`` and the problem."""
    try:
        return Checkpoint.parse(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{source} is not a checkpoint: not valid JSON") from None
    except CheckpointError as exc:
        raise CheckpointError(f"{source} is not a valid checkpoint: {exc}") from None


# --- the witness folder --------------------------------------------------------------------


def file_name(sequence: int) -> str:
    return f"checkpoint-{sequence:08d}.json"


def witness_files(folder: Path) -> list[tuple[str, bytes]]:
    """Every ``checkpoint-*.json`` in the witness folder (name, contents), by name. A file
    larger than a checkpoint can be is returned empty (it is reported, not read)."""
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.glob(FILE_GLOB)):
        if not path.is_file():
            continue
        size = path.stat().st_size
        files.append((path.name, b"" if size > MAX_FILE_BYTES else path.read_bytes()))
    return files


def _sequence_of(name: str) -> int | None:
    match = FILE_NAME.match(name)
    return int(match.group(1)) if match else None


def witness_newest(folder: Path, key: Ed25519PublicKey) -> Checkpoint | None:
    """The newest checkpoint in the folder that ``key`` signed (files that are not are
    skipped: :func:`checkpoints_verify` reports them)."""
    numbered = sorted(
        ((sequence, path) for path in _listing(folder) if (sequence := _sequence_of(path.name))),
        reverse=True,
    )
    for sequence, path in numbered:
        if path.stat().st_size > MAX_FILE_BYTES:
            continue
        try:
            checkpoint = checkpoint_load(path.read_bytes(), source=path.name)
        except CheckpointError:
            continue
        if checkpoint.sequence == sequence and checkpoint.signed_by(key):
            return checkpoint
    return None


def _listing(folder: Path) -> list[Path]:
    return [p for p in folder.glob(FILE_GLOB) if p.is_file()] if folder.is_dir() else []


@dataclass(frozen=True)
class WitnessWrite:
    checkpoint: Checkpoint
    path: Path
    written: bool  # False: the chains had not moved since this (the newest) checkpoint


def witness_write(
    *,
    folder: Path,
    key: Ed25519PrivateKey,
    chains: Mapping[str, ChainState],
    extends: Callable[[Checkpoint], list[str]],
    now: datetime | None = None,
    attempts: int = 20,
) -> WitnessWrite:
    """Sign the chains' ends and write them as the next checkpoint in ``folder``.

    The new checkpoint follows the newest one this key signed. Nothing is written when the
    chains have not moved since it; nothing is signed when the log does not extend it (a chain
    ends before it, or ``extends`` — the caller's look into the database — names a problem):
    a checkpoint never vouches for a log that contradicts an earlier one. Two writers at once
    cannot both take a number: the file is created with O_EXCL, the loser takes the next."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    public = key.public_key()
    public_key_write(folder / f"checkpoint-key-{key_fingerprint(public)[:16]}.pub", public)
    for _ in range(attempts):
        newest = witness_newest(folder, public)
        if newest is not None:
            shorter = [
                f"the {name} chain ends at record {state.position}, but {newest.label} saw "
                f"record {newest.chains[name].position}"
                for name, state in sorted(chains.items())
                if name in newest.chains and state.position < newest.chains[name].position
            ]
            problems = shorter or extends(newest)
            if problems:
                raise CheckpointError(
                    "the audit log does not extend the newest checkpoint, so no new one is "
                    f"signed: {'; '.join(problems)}. Run: meedoen audit verify"
                )
            if dict(newest.chains) == dict(chains):
                return WitnessWrite(newest, folder / file_name(newest.sequence), False)
        taken = [s for s in (_sequence_of(p.name) for p in _listing(folder)) if s]
        sequence = max([*taken, newest.sequence if newest else 0]) + 1
        checkpoint = checkpoint_sign(
            key=key,
            sequence=sequence,
            time=now or datetime.now(UTC),
            chains=chains,
            previous=newest.digest if newest else GENESIS,
        )
        path = folder / file_name(sequence)
        try:
            # Read-only from the start (0400): nothing rewrites it, and WORM shares that commit a
            # file when it becomes read-only commit it at once.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        except FileExistsError:
            continue  # another writer took this number: follow its checkpoint
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(checkpoint.file_text())
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_folder(folder)
        return WitnessWrite(checkpoint, path, True)
    raise CheckpointError(f"could not take a checkpoint number in {folder} ({attempts} tries)")


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some network shares do not sync folders
    finally:
        os.close(fd)


# --- what the privacy officer keeps --------------------------------------------------------


def download_document(
    *,
    checkpoint: Checkpoint | None,
    heads: Mapping[str, ChainState],
    downloaded_at: datetime,
    downloaded_by: str,
    public_key: Ed25519PublicKey | None,
) -> dict[str, Any]:
    """The file the privacy officer downloads and keeps: the newest signed checkpoint and the
    chains' ends at the moment of the download (not signed: the officer's own note of what the
    log showed them)."""
    return {
        "format": DOWNLOAD_FORMAT,
        "downloaded_at": downloaded_at.astimezone(UTC).isoformat(timespec="seconds"),
        "downloaded_by": downloaded_by,
        "checkpoint": checkpoint.as_json() if checkpoint else None,
        "heads": {name: state.as_json() for name, state in sorted(heads.items())},
        "key": {
            "fingerprint": key_fingerprint(public_key) if public_key else None,
            "public_key": public_key_bytes(public_key).hex() if public_key else None,
        },
    }


@dataclass(frozen=True)
class Kept:
    """A file the officer kept: a checkpoint, and (for a download) the heads they saw."""

    source: str
    checkpoint: Checkpoint | None
    heads: Mapping[str, ChainState]
    heads_time: datetime | None


def kept_load(data: bytes, *, source: str) -> Kept:
    """A kept file: a checkpoint file from the witness folder or a download from /logboek/."""
    if len(data) > MAX_FILE_BYTES:
        raise CheckpointError(f"{source} is too large to be a checkpoint")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{source} is not a checkpoint: not valid JSON") from None
    if not isinstance(document, dict):
        raise CheckpointError(f"{source} is not a checkpoint")
    if document.get("format") == FORMAT:
        return Kept(source, checkpoint_load(data, source=source), {}, None)
    if document.get("format") != DOWNLOAD_FORMAT:
        raise CheckpointError(
            f"{source} is neither a checkpoint nor a download of one (format "
            f"{document.get('format')!r})"
        )
    try:
        checkpoint = (
            Checkpoint.parse(document["checkpoint"]) if document.get("checkpoint") else None
        )
        raw_heads = document.get("heads") or {}
        if not isinstance(raw_heads, dict):
            raise CheckpointError("its heads are not an object")
        heads = {str(name): _state(name, value) for name, value in raw_heads.items()}
        at = datetime.fromisoformat(str(document.get("downloaded_at")))
    except CheckpointError as exc:
        raise CheckpointError(f"{source} is not a valid download: {exc}") from None
    except ValueError:
        raise CheckpointError(f"{source} is not a valid download: no download time") from None
    return Kept(source, checkpoint, heads, at if at.tzinfo else at.replace(tzinfo=UTC))


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Truncation:
    chain: str
    last_position: int  # where the chain ends in the database now
    seen_position: int  # what the checkpoint (or the kept heads) saw
    seen_by: str  # e.g. "checkpoint 12 of 2026-11-23 10:00:00 UTC"
    seen_sequence: int | None  # the checkpoint's number; None: the heads of a kept download
    seen_time: datetime

    @property
    def lost(self) -> int:
        """Records lost at least (more if any were written after the checkpoint)."""
        return self.seen_position - self.last_position

    @property
    def message(self) -> str:
        noun = "record" if self.lost == 1 else "records"
        verb = "was" if self.lost == 1 else "were"
        return (
            f"{self.lost} {self.chain} {noun} after position {self.last_position} {verb} "
            f"removed: the {self.seen_by} saw position {self.seen_position}"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "chain": self.chain,
            "lost": self.lost,
            "last_position": self.last_position,
            "seen_position": self.seen_position,
            "seen_by": self.seen_by,
            "seen_sequence": self.seen_sequence,
            "seen_time": self.seen_time.isoformat(),
        }


@dataclass(frozen=True)
class CheckpointReport:
    witness: str
    key_fingerprints: tuple[str, ...]
    key_source: str
    checkpoints: int  # valid checkpoints in the witness folder
    newest: Checkpoint | None  # the newest valid checkpoint (witness folder or kept)
    kept: int  # kept files checked
    unwitnessed: Mapping[str, int]  # records newer than the newest checkpoint, per chain
    truncations: tuple[Truncation, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def intact(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "witness": self.witness,
            "key_fingerprints": list(self.key_fingerprints),
            "key_source": self.key_source,
            "checkpoints": self.checkpoints,
            "newest": self.newest.as_json() if self.newest else None,
            "kept": self.kept,
            "unwitnessed": dict(self.unwitnessed),
            "truncations": [t.as_json() for t in self.truncations],
            "problems": list(self.problems),
            "notes": list(self.notes),
        }


#: (chain, positions) -> {position: hash} for the positions the database has.
HashLookup = Callable[[str, Collection[int]], Mapping[int, str]]


@dataclass(frozen=True)
class _Seen:
    chain: str
    position: int
    hash: str
    by: str
    sequence: int | None  # None: the heads of a kept download
    time: datetime

    @property
    def order(self) -> int:
        return 2**62 if self.sequence is None else self.sequence


def checkpoints_verify(
    *,
    witness: Sequence[tuple[str, bytes]],
    kept: Sequence[tuple[str, bytes]] = (),
    trusted: Sequence[Ed25519PublicKey],
    key_source: str,
    ends: Mapping[str, int],
    hashes_at: HashLookup,
    witness_label: str = "the witness folder",
    pruned: Mapping[str, int] | None = None,
) -> CheckpointReport:
    """Check the witness folder's checkpoints (and the files the officer kept) against the
    trusted keys, against each other and against the log. ``ends`` is where each chain ends in
    the database (its last position); ``hashes_at`` looks records' hashes up by position;
    ``pruned``: per chain the last position a trusted prune anchor removed (positions before
    it are not compared)."""
    pruned = pruned or {}
    problems: list[str] = []
    notes: list[str] = []
    keys = {key_fingerprint(k): k for k in trusted}
    if not keys:
        problems.append(
            "no trusted public key: the checkpoints' signatures cannot be checked (give the "
            "privacy officer's copy with --public-key, or make the checkpoint key readable)"
        )

    def signed(checkpoint: Checkpoint, where: str) -> bool:
        key = keys.get(checkpoint.key)
        if key is None:
            if keys:
                problems.append(
                    f"{where} is signed by another key ({checkpoint.key[:16]}…), not the trusted "
                    "key: a forged checkpoint, or one of a key you do not trust"
                )
            return False
        if not checkpoint.signed_by(key):
            problems.append(
                f"{where}: its signature does not match its content (forged or altered)"
            )
            return False
        return True

    # The witness folder's own checkpoints.
    valid: dict[int, Checkpoint] = {}
    for name, data in witness:
        sequence = _sequence_of(name)
        if sequence is None:
            problems.append(f"{name} in {witness_label} is not named like a checkpoint")
            continue
        try:
            checkpoint = checkpoint_load(data, source=name)
        except CheckpointError as exc:
            problems.append(f"{exc} (in {witness_label})")
            continue
        if checkpoint.sequence != sequence:
            problems.append(f"{name} holds checkpoint {checkpoint.sequence}: renamed or copied")
            continue
        if not signed(checkpoint, name):
            continue
        if sequence in valid:
            problems.append(f"checkpoint {sequence} is in {witness_label} twice")
            continue
        valid[sequence] = checkpoint
    ordered = [valid[s] for s in sorted(valid)]

    # Their own chain: each names the digest of the one before; none saw fewer records.
    before: Checkpoint | None = None
    for checkpoint in ordered:
        expected = before.digest if before else GENESIS
        if checkpoint.previous != expected:
            if before is None:
                problems.append(
                    f"checkpoint {checkpoint.sequence} does not start the chain of checkpoints: "
                    "the checkpoints before it were removed or replaced"
                )
            else:
                problems.append(
                    f"checkpoint {checkpoint.sequence} does not follow checkpoint "
                    f"{before.sequence}: a checkpoint between them was removed, or one of them "
                    "was replaced"
                )
        if before is not None:
            for chain, state in sorted(checkpoint.chains.items()):
                earlier = before.chains.get(chain)
                if earlier is not None and state.position < earlier.position:
                    problems.append(
                        f"{checkpoint.label} saw {state.position} {chain} records, fewer than "
                        f"the {before.label} ({earlier.position}): records were removed "
                        "between them"
                    )
        before = checkpoint
    newest_witnessed = ordered[-1] if ordered else None

    # What the officer kept: still in the witness folder, unchanged?
    seen: list[_Seen] = []
    kept_checkpoints: list[Checkpoint] = []
    for name, data in kept:
        try:
            item = kept_load(data, source=name)
        except CheckpointError as exc:
            problems.append(str(exc))
            continue
        if item.checkpoint is not None and signed(item.checkpoint, f"the checkpoint in {name}"):
            mine = item.checkpoint
            theirs = valid.get(mine.sequence)
            if theirs is not None and theirs.digest != mine.digest:
                problems.append(
                    f"checkpoint {mine.sequence} in {witness_label} differs from the one in "
                    f"{name}: it was replaced"
                )
            elif theirs is None and (
                newest_witnessed is None or mine.sequence > newest_witnessed.sequence
            ):
                last = (
                    f"ends at checkpoint {newest_witnessed.sequence}"
                    if newest_witnessed
                    else "is empty"
                )
                problems.append(
                    f"{witness_label} {last}, but {name} holds checkpoint {mine.sequence} of "
                    f"{mine.time_text}: newer checkpoints were removed from it"
                )
            elif theirs is None:
                problems.append(
                    f"checkpoint {mine.sequence} of {name} is missing from {witness_label}: "
                    "it was removed"
                )
            kept_checkpoints.append(mine)
        at = item.heads_time or datetime.now(UTC)
        by = f"download {name} of {at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        for chain, state in sorted(item.heads.items()):
            seen.append(_Seen(chain, state.position, state.hash, by, None, at))

    for checkpoint in [*ordered, *kept_checkpoints]:
        for chain, state in checkpoint.chains.items():
            seen.append(
                _Seen(
                    chain,
                    state.position,
                    state.hash,
                    checkpoint.label,
                    checkpoint.sequence,
                    checkpoint.time,
                )
            )

    # The log against everything seen: still there, unchanged?
    truncations: list[Truncation] = []
    for chain in sorted({s.chain for s in seen}):
        end = ends.get(chain, 0)
        observed = [s for s in seen if s.chain == chain and s.position > 0]
        beyond = [s for s in observed if s.position > end]
        if beyond:
            # The farthest; of equals, a signed checkpoint (the newest) before a download's heads.
            farthest = max(beyond, key=lambda s: (s.position, s.sequence is not None, s.order))
            truncations.append(
                Truncation(
                    chain,
                    end,
                    farthest.position,
                    farthest.by,
                    farthest.sequence,
                    farthest.time,
                )
            )
        # Records before a prune's anchor were removed (ADR 0013): the anchor, checked by
        # the verifier, stands for them; the anchor's own position is compared as any other.
        floor = pruned.get(chain, 0)
        covered = {s.position for s in observed if s.position < floor}
        if covered:
            notes.append(
                f"{len(covered)} {chain} positions seen by checkpoints lie in the pruned part "
                f"(records 1 to {floor}): the signed prune anchor stands for them"
            )
        within = [s for s in observed if floor <= s.position <= end]
        stored = hashes_at(chain, {s.position for s in within}) if within else {}
        changed = sorted(
            (s for s in within if stored.get(s.position) != s.hash),
            key=lambda s: (s.position, s.order),
        )
        if changed:
            first = changed[0]
            others = len({s.position for s in changed}) - 1
            more = f" (and {others} later positions)" if others else ""
            problems.append(
                f"record {first.position} of the {chain} chain is not the record the "
                f"{first.by} saw{more}: the log was rewritten at or before that position"
            )
    problems.extend(t.message for t in truncations)

    # What is not witnessed yet.
    candidates = [*ordered, *kept_checkpoints]
    newest = max(candidates, key=lambda c: c.sequence) if candidates else None
    unwitnessed: dict[str, int] = {}
    if newest is not None:
        for chain, end in sorted(ends.items()):
            witnessed = newest.chains.get(chain)
            if witnessed is not None and end >= witnessed.position:
                unwitnessed[chain] = end - witnessed.position
                if end > witnessed.position:
                    notes.append(
                        f"{end - witnessed.position} {chain} records are newer than the newest "
                        f"checkpoint ({newest.label}): not witnessed yet"
                    )
    elif any(ends.values()) and keys:
        problems.append(
            f"{witness_label} holds no checkpoint of this log: a cut-off end of the log cannot "
            "be detected; write one with: meedoen audit checkpoint"
        )
    return CheckpointReport(
        witness=witness_label,
        key_fingerprints=tuple(keys),
        key_source=key_source,
        checkpoints=len(ordered),
        newest=newest,
        kept=len(kept),
        unwitnessed=unwitnessed,
        truncations=tuple(truncations),
        problems=tuple(problems),
        notes=tuple(notes),
    )
