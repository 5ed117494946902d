"""Federated roll-up (issue 18): regional figures from several organisations' released indicator
tables, without sharing microdata.

An organisation writes a **bundle** (``meedoen federation export``): for one peildatum, per
indicator the numerator and denominator it *released* for the gemeente and its wijken (a
withheld number is ``null``), signed with the installation's Ed25519 key
(``HOME/keys/federation.key``). Nothing in a bundle was not already published.

``meedoen federation combine BUNDLE…`` checks every bundle (format, signature, optionally a list
of trusted key fingerprints, one peildatum, each gemeente once) and adds the gemeente figures up
into a regional one. **A combined number is shown only where every part was released**: a
regional numerator is the sum of released numerators, or withheld. Such a sum discloses nothing
beyond its released parts (each part is public already), which :func:`combination_check` proves
again for every combined number before anything is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from meedoen_data.audit_checkpoint import canonical, key_fingerprint, public_key_bytes
from meedoen_data.indicators.references import Reference

FORMAT = "meedoen-federation/1"
#: The installation's signing key for bundles, under HOME.
KEY_PATH = Path("keys") / "federation.key"


class FederationError(ValueError):
    """A bundle that cannot be used, or bundles that do not belong together."""


@dataclass(frozen=True)
class Part:
    """One organisation's released numbers for one indicator and area."""

    organisation: str
    gemeente: str
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class Combined:
    indicator: str
    name: str
    scale: int
    parts: tuple[Part, ...]
    #: Parts that did not release the indicator at all (their organisation's name).
    missing: tuple[str, ...]
    numerator: float | None
    denominator: float | None

    @property
    def value(self) -> float | None:
        if self.numerator is None or not self.denominator:
            return None
        return self.scale * self.numerator / self.denominator


@dataclass(frozen=True)
class SignedBundle:
    path: str
    bundle: dict[str, Any]
    fingerprint: str


def bundle_make(
    *,
    organisation: str,
    gemeente: str,
    peildatum: str,
    indicators: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """A bundle: ``indicators`` are ``{"id", "name", "scale", "publication", "cells": [{"area",
    "numerator", "denominator"}]}`` with only released numbers (None where withheld)."""
    return {
        "format": FORMAT,
        "organisation": organisation,
        "gemeente": gemeente,
        "peildatum": peildatum,
        "indicators": list(indicators),
    }


def bundle_sign(bundle: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The file's contents: the bundle, its Ed25519 signature and the public key."""
    public = key.public_key()
    return {
        "bundle": bundle,
        "signature": key.sign(canonical(bundle)).hex(),
        "public_key": public_key_bytes(public).hex(),
        "fingerprint": key_fingerprint(public),
    }


def bundle_read(path: Path, *, trusted: set[str] | None = None) -> SignedBundle:
    """A bundle file, its signature checked (and its key among ``trusted`` fingerprints when
    given); FederationError naming the file otherwise."""
    try:
        signed = json.loads(path.read_text(encoding="utf-8"))
        bundle = signed["bundle"]
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(signed["public_key"]))
        signature = bytes.fromhex(signed["signature"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FederationError(f"{path}: not a meedoen federation bundle ({exc})") from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise FederationError(f"{path}: format is not {FORMAT}")
    try:
        public.verify(signature, canonical(bundle))
    except InvalidSignature:
        raise FederationError(
            f"{path}: the signature does not match its contents: the bundle was changed after "
            "it was signed"
        ) from None
    fingerprint = key_fingerprint(public)
    if trusted is not None and fingerprint not in trusted:
        raise FederationError(
            f"{path}: signed with key {fingerprint}, which is not in the list of trusted keys"
        )
    for field in ("organisation", "gemeente", "peildatum", "indicators"):
        if field not in bundle:
            raise FederationError(f"{path}: the bundle has no {field!r}")
    return SignedBundle(str(path), bundle, fingerprint)


def bundles_combine(bundles: Sequence[SignedBundle]) -> list[Combined]:
    """Per indicator the gemeenten's released numbers added up; a combined numerator or
    denominator is None unless every organisation released it."""
    if len(bundles) < 2:
        raise FederationError("combine needs the bundles of at least two organisations")
    days = {b.bundle["peildatum"] for b in bundles}
    if len(days) > 1:
        raise FederationError(
            "the bundles are of different peildata: "
            + ", ".join(f"{b.path} {b.bundle['peildatum']}" for b in bundles)
        )
    seen: dict[str, str] = {}
    for b in bundles:
        code = str(b.bundle["gemeente"])
        if code in seen:
            raise FederationError(f"{b.path} and {seen[code]} are both of gemeente {code}")
        seen[code] = b.path
    names: dict[str, tuple[str, int]] = {}
    for b in bundles:
        for indicator in b.bundle["indicators"]:
            names.setdefault(indicator["id"], (indicator["name"], int(indicator["scale"])))
    out = []
    for indicator_id, (name, scale) in sorted(names.items()):
        parts, missing = [], []
        for b in bundles:
            found = next((i for i in b.bundle["indicators"] if i["id"] == indicator_id), None)
            total = None
            if found is not None:
                total = next((c for c in found["cells"] if c["area"] == b.bundle["gemeente"]), None)
            if total is None:
                missing.append(str(b.bundle["organisation"]))
                continue
            parts.append(
                Part(
                    str(b.bundle["organisation"]),
                    str(b.bundle["gemeente"]),
                    total.get("numerator"),
                    total.get("denominator"),
                )
            )
        whole = not missing
        numerator = (
            sum(p.numerator for p in parts if p.numerator is not None)
            if whole and all(p.numerator is not None for p in parts)
            else None
        )
        denominator = (
            sum(p.denominator for p in parts if p.denominator is not None)
            if whole and all(p.denominator is not None for p in parts)
            else None
        )
        out.append(
            Combined(
                indicator_id, name, scale, tuple(parts), tuple(missing), numerator, denominator
            )
        )
    combination_check(out)
    return out


def combination_check(combined: Sequence[Combined]) -> None:
    """The audit of a combination: every number shown is the sum of numbers every part
    released, so it discloses nothing that was not public; anything else is refused."""
    for c in combined:
        for field in ("numerator", "denominator"):
            value = getattr(c, field)
            if value is None:
                continue
            released = [getattr(p, field) for p in c.parts]
            if c.missing or any(v is None for v in released) or value != sum(released):
                raise FederationError(
                    f"{c.indicator}: the combined {field} is not the sum of released parts"
                )


def combined_references(
    combined: Sequence[Combined], *, area: str, name: str, period: str, bundles: Sequence[str]
) -> list[Reference]:
    """The shown combined figures as reference figures (for ``HOME/referenties/``)."""
    source = f"de gepubliceerde cijfers van {', '.join(bundles)} (meedoen federation combine)"
    return [
        Reference(c.indicator, area, name, period, round(c.value, 2), source)
        for c in combined
        if c.value is not None
    ]
