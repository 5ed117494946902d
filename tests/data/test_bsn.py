import math

import numpy as np
import pytest

from meedoen_data.bsn import _MULTIPLIER, BSN_SPACE, bsn_from_index, bsn_is_valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("111222333", True),
        ("123456782", True),
        ("123456789", False),  # fails the 11-proef
        ("000000000", False),
        ("12345678", False),
        ("12345678a", False),
        ("\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff12", False),  # full-width digits
    ],
)
def test_11_proef(value: str, valid: bool) -> None:
    assert bsn_is_valid(value) is valid


def test_generated_numbers_are_valid_unique_and_nine_digits() -> None:
    assert math.gcd(_MULTIPLIER, BSN_SPACE) == 1  # the permutation is one-to-one
    index = np.concatenate([np.arange(0, 300_000), np.arange(BSN_SPACE - 1000, BSN_SPACE)])
    numbers = bsn_from_index(index.astype(np.int64))
    assert np.unique(numbers).shape[0] == numbers.shape[0]
    assert numbers.min() >= 100_000_000 and numbers.max() <= 999_999_999
    assert all(bsn_is_valid(str(n)) for n in numbers[:20_000])
    assert all(bsn_is_valid(str(n)) for n in numbers[-1000:])


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        bsn_from_index(np.array([BSN_SPACE], dtype=np.int64))
