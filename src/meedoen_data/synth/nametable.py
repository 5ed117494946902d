"""Flattened name tables for vectorised sampling: every name has one global index."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from meedoen_data.synth import names as n


@dataclass(frozen=True)
class Table:
    """Names of all origins, concatenated: ``start[o]`` up to ``start[o]+count[o]`` is origin o."""

    values: pa.Array
    prefixes: pa.Array | None
    start: npt.NDArray[np.int64]
    count: npt.NDArray[np.int64]
    cumulative: tuple[npt.NDArray[np.float64], ...]

    def sample(
        self, rng: np.random.Generator, origin: npt.NDArray[np.int8]
    ) -> npt.NDArray[np.int32]:
        """One name index per element of ``origin`` (an array of origin numbers)."""
        out = np.empty(origin.shape[0], dtype=np.int32)
        for o in range(len(n.ORIGINS)):
            mask = origin == o
            k = int(mask.sum())
            if k:
                pick = np.searchsorted(self.cumulative[o], rng.random(k), side="right")
                out[mask] = self.start[o] + np.minimum(pick, self.count[o] - 1)
        return out


def _table(
    per_origin: dict[str, tuple[str, ...]] | dict[str, tuple[tuple[str, str], ...]],
    weights: dict[str, tuple[float, ...]],
) -> Table:
    values: list[str] = []
    prefixes: list[str] = []
    starts, counts, cumulative = [], [], []
    with_prefix = False
    for origin in n.ORIGINS:
        items = per_origin[origin]
        starts.append(len(values))
        counts.append(len(items))
        for item in items:
            if isinstance(item, tuple):
                with_prefix = True
                prefixes.append(item[0])
                values.append(item[1])
            else:
                values.append(item)
        w = np.asarray(weights[origin], dtype=np.float64)
        cumulative.append(np.cumsum(w) / w.sum())
    return Table(
        values=pa.array(values, type=pa.string()),
        prefixes=pa.array(prefixes, type=pa.string()) if with_prefix else None,
        start=np.asarray(starts, dtype=np.int64),
        count=np.asarray(counts, dtype=np.int64),
        cumulative=tuple(cumulative),
    )


@cache
def surnames() -> Table:
    return _table(n.SURNAMES, n.SURNAME_WEIGHTS)


@cache
def first_names(sex: str) -> Table:
    if sex == "M":
        return _table(n.FIRST_NAMES_MALE, n.FIRST_NAME_WEIGHTS_MALE)
    return _table(n.FIRST_NAMES_FEMALE, n.FIRST_NAME_WEIGHTS_FEMALE)
