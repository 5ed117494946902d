"""Keyed pseudonyms: HMAC-SHA256 of a value under a domain's key, truncated to 128 bits (32 hex).

Computed inside DuckDB (sha256 over blobs, the HMAC construction of RFC 2104) so that national
files are pseudonymised without a Python loop; ``pseudonym`` is the same function in Python,
for single values and for tests. Keys come from the workspace's key store, never a database.
"""

from __future__ import annotations

import hashlib
import hmac

from meedoen_data.keystore import KeyStore

PSEUDONYM_HEX = 32
ADDRESS_DOMAIN = "bag"


def key_name(domain: str) -> str:
    return f"pseudonym-{domain}"


def domain_key(keys: KeyStore, domain: str) -> bytes:
    """The key of a domain; created on first use (partner files get one on first delivery)."""
    keys.create(key_name(domain))
    return keys.read(key_name(domain))


def pseudonym(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX]


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    block = (
        key.ljust(64, b"\0") if len(key) <= 64 else hashlib.sha256(key).digest().ljust(64, b"\0")
    )
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def hmac_sql(value_sql: str, ipad_param: str, opad_param: str) -> str:
    """SQL for the pseudonym of ``value_sql`` (a VARCHAR expression) given two BLOB parameters."""
    inner = f"unhex(sha256({ipad_param}::BLOB || encode({value_sql})))"
    return f"left(sha256({opad_param}::BLOB || {inner}), {PSEUDONYM_HEX})"
