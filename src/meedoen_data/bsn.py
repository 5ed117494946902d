"""Burgerservicenummers: the 11-proef, and unique valid numbers for synthetic persons."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def bsn_is_valid(value: str) -> bool:
    """True when ``value`` is nine digits passing the 11-proef (and not all zeros)."""
    if len(value) != 9 or not value.isascii() or not value.isdigit() or value == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(_WEIGHTS, value, strict=True)) % 11 == 0


#: Seven-digit prefixes 1000000..9999999, nine usable last digits each: 81 million numbers.
BSN_SPACE = 9_000_000 * 9
# An affine permutation of [0, BSN_SPACE): consecutive person numbers get unrelated BSNs.
_MULTIPLIER = 48_271_037  # coprime with BSN_SPACE (= 2^6 * 3^6 * 5^6 ... checked in tests)
_OFFSET = 7_919_113


def bsn_from_index(index: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Map person numbers 0..BSN_SPACE-1 one-to-one onto valid BSNs (as integers).

    The 8th digit is solved from the 11-proef given digits 1-7 and the 9th; for each prefix
    exactly one 9th digit would need an 8th digit of 10, so nine of the ten remain usable.
    """
    if index.size and (index.min() < 0 or index.max() >= BSN_SPACE):
        raise ValueError(f"person number outside 0..{BSN_SPACE - 1}")
    slot = (index * _MULTIPLIER + _OFFSET) % BSN_SPACE
    prefix = 1_000_000 + slot // 9  # digits 1-7
    choice = slot % 9
    digits = np.stack([(prefix // 10 ** (6 - k)) % 10 for k in range(7)])
    s7 = sum(w * digits[k] for k, w in enumerate(_WEIGHTS[:7]))
    # d8 = 6 * (d9 - s7) mod 11 (6 is the inverse of 2 mod 11); the bad d9 gives d8 == 10.
    bad_d9 = (s7 + 10 * 2) % 11  # d9 such that 6*(d9 - s7) == 10 (mod 11)
    d9 = choice + (choice >= bad_d9)  # skip the bad one (bad_d9 may be 10: nothing skipped)
    d8 = (6 * (d9 - s7)) % 11
    result: npt.NDArray[np.int64] = prefix * 100 + d8 * 10 + d9
    return result
