"""Key material of a workspace, kept in files outside every database.

Each key is a file of 64 hex characters (32 random bytes) in ``HOME/keys/`` with mode 0600; the
folder itself is 0700. Keys are created once and never rotated silently: rotating a pseudonym key
changes every pseudonym of its domain, so it is an explicit administrative act (a later issue).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path

_KEY_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_KEY_BYTES = 32


class KeyStoreError(Exception):
    """A key file is missing, malformed or readable by others."""


class KeyStore:
    """Named secret keys in one folder, one file per key."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, name: str) -> Path:
        if not _KEY_NAME.match(name):
            raise KeyStoreError(
                f"invalid key name {name!r}: use lower-case letters, digits, - or _"
            )
        return self.directory / f"{name}.key"

    def ensure_directory(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def create(self, name: str) -> bool:
        """Create key ``name`` if it does not exist yet. Returns True when it was created.

        The file is created with O_EXCL and mode 0600, so the key is never world-readable, not
        even for a moment, and two concurrent runs cannot both write it.
        """
        self.ensure_directory()
        path = self.path(name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
        return True

    def read(self, name: str) -> bytes:
        """Return the raw key bytes; refuse keys that others can read."""
        path = self.path(name)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise KeyStoreError(f"key {name!r} does not exist in {self.directory}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyStoreError(
                f"key file {path} is readable by group or others (mode {stat.filemode(mode)}); "
                "run: chmod 600 " + str(path)
            )
        text = path.read_text(encoding="ascii").strip()
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise KeyStoreError(f"key file {path} does not hold hexadecimal key material") from None
        if len(raw) != _KEY_BYTES:
            raise KeyStoreError(f"key file {path} holds {len(raw)} bytes, expected {_KEY_BYTES}")
        return raw

    def destroy(self, name: str) -> bool:
        """Overwrite and remove key ``name`` (crypto-shredding). Returns True when it existed.

        What was pseudonymised under the key can no longer be recomputed or linked."""
        path = self.path(name)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return False
        with path.open("r+b") as handle:
            handle.write(b"0" * size)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        return True

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.key"))
