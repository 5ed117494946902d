"""Subject sets (meedoen_data.audit_sets): exact membership, a digest that covers every member
whatever the storage, and compact serial sets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meedoen_data.audit_sets import (
    EXPLICIT,
    SERIALS,
    SMALL_SET_LIMIT,
    SubjectSetError,
    container_key,
    subject_set_explicit,
    subject_set_load,
    subject_set_serials,
)

PERSON = "pseudonym-brp"


def test_an_explicit_set_is_sorted_without_duplicates_and_knows_its_members() -> None:
    made = subject_set_explicit(subject_type=PERSON, subjects=["c" * 32, "a" * 32, "c" * 32])
    assert made.encoding == EXPLICIT and made.size == 2
    assert made.members == ("a" * 32, "c" * 32)
    assert "a" * 32 in made and "b" * 32 not in made and 7 not in made


def test_the_digest_does_not_depend_on_order_but_on_type_and_every_member() -> None:
    one = subject_set_explicit(subject_type=PERSON, subjects=["x", "y"])
    assert one.digest == subject_set_explicit(subject_type=PERSON, subjects=["y", "x"]).digest
    assert one.digest != subject_set_explicit(subject_type=PERSON, subjects=["x"]).digest
    other = subject_set_explicit(subject_type="pseudonym-wmo", subjects=["x", "y"])
    assert one.digest != other.digest
    # The encoding counts: an empty explicit set is not an empty serial set.
    assert subject_set_explicit(subject_type=PERSON, subjects=[]).digest != (
        subject_set_serials(subject_type=PERSON, serials=[]).digest
    )


def test_a_large_explicit_set_is_refused_naming_the_limit() -> None:
    subjects = [f"{i:032x}" for i in range(SMALL_SET_LIMIT + 1)]
    with pytest.raises(SubjectSetError, match="at most 4,096"):
        subject_set_explicit(subject_type=PERSON, subjects=subjects)


def test_a_subject_with_a_line_break_is_refused() -> None:
    with pytest.raises(SubjectSetError, match="line break"):
        subject_set_explicit(subject_type=PERSON, subjects=["a\nb"])


def test_a_dense_national_range_of_serials_takes_a_few_kilobytes() -> None:
    made = subject_set_serials(subject_type=PERSON, serials=np.arange(2_000_000))
    assert made.encoding == SERIALS and made.size == 2_000_000
    assert len(made.containers) == 31  # 2,000,000 / 65,536 rounded up
    assert sum(len(c.bitmap) for c in made.containers) < 1_000
    assert 0 in made and 1_999_999 in made and 2_000_000 not in made
    assert np.array_equal(made.serials(), np.arange(2_000_000, dtype=np.uint32))


def test_a_stored_set_loads_with_the_same_digest_and_a_changed_one_does_not() -> None:
    made = subject_set_serials(subject_type=PERSON, serials=[5, 70_000, 70_001, 4_000_000_000])
    stored = [(c.key, c.bitmap) for c in made.containers]
    loaded = subject_set_load(subject_type=PERSON, encoding=SERIALS, containers=stored[::-1])
    assert loaded.digest == made.digest and loaded.size == 4
    # Someone adds a person to the second container.
    changed = subject_set_serials(subject_type=PERSON, serials=[70_000, 70_001, 70_002])
    tampered = [stored[0], (changed.containers[0].key, changed.containers[0].bitmap), stored[2]]
    assert subject_set_load(subject_type=PERSON, encoding=SERIALS, containers=tampered).digest != (
        made.digest
    )
    # ... or removes a container.
    assert subject_set_load(
        subject_type=PERSON, encoding=SERIALS, containers=stored[1:]
    ).digest != (made.digest)
    explicit = subject_set_explicit(subject_type=PERSON, subjects=["p", "q"])
    assert subject_set_load(subject_type=PERSON, encoding=EXPLICIT, members=["q", "p"]).digest == (
        explicit.digest
    )
    assert subject_set_load(subject_type=PERSON, encoding=EXPLICIT, members=["p"]).digest != (
        explicit.digest
    )


def test_damaged_and_overlapping_containers_are_refused() -> None:
    made = subject_set_serials(subject_type=PERSON, serials=[1, 2, 3])
    key, bitmap = made.containers[0].key, made.containers[0].bitmap
    with pytest.raises(SubjectSetError, match="damaged"):
        subject_set_load(subject_type=PERSON, encoding=SERIALS, containers=[(key, b"\x00\x01")])
    with pytest.raises(SubjectSetError, match="overlap"):
        subject_set_load(
            subject_type=PERSON, encoding=SERIALS, containers=[(key, bitmap), (key, bitmap)]
        )
    with pytest.raises(SubjectSetError, match="unknown encoding"):
        subject_set_load(subject_type=PERSON, encoding="zip")


def test_serials_out_of_range_are_refused() -> None:
    for bad in ([-1], [2**32], [1.5]):
        with pytest.raises(SubjectSetError, match="whole numbers"):
            subject_set_serials(subject_type=PERSON, serials=bad)


def test_a_lookup_reads_the_container_of_the_serial() -> None:
    made = subject_set_serials(subject_type=PERSON, serials=[3, 65_536 * 7 + 9])
    assert [c.key for c in made.containers] == [0, 7]
    assert container_key(65_536 * 7 + 9) == 7
    assert 65_536 * 7 + 9 in made.containers[1] and 65_536 * 7 + 9 not in made.containers[0]
    with pytest.raises(SubjectSetError, match="pseudonyms, not serials"):
        subject_set_explicit(subject_type=PERSON, subjects=["a"]).serials()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=300), st.integers(0, 2**32 - 1)
)
def test_serial_sets_are_exact(serials: list[int], probe: int) -> None:
    made = subject_set_serials(subject_type=PERSON, serials=serials)
    assert made.serials().tolist() == sorted(set(serials))
    assert (probe in made) == (probe in set(serials))
    for serial in serials[:20]:
        assert serial in made
    stored = [(c.key, c.bitmap) for c in made.containers]
    assert subject_set_load(subject_type=PERSON, encoding=SERIALS, containers=stored) == made
