"""The alternative the intake gate is measured against: a straightforward pandas job.

``read_csv`` per contract file, vectorised pandas checks, a per-row ``hmac`` for every BSN and
address, identifiers split off, and both parts written to DuckDB files. No quarantine, lineage,
atomicity or recovery: it only does the work the gate must at least do.

    python -m benchmarks.pandas_intake SOURCE_DIR TARGET_DIR
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from pathlib import Path

import duckdb
import pandas as pd

from meedoen_data.contract import SPECS, partner_spec


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    keys = {name: os.urandom(32) for name in ("person", "address")}
    analytics = duckdb.connect(str(target / "analytics.duckdb"))
    vault = duckdb.connect(str(target / "vault.duckdb"))
    for path in sorted(source.glob("*.csv")):
        spec = SPECS.get(path.stem) or partner_spec(path.stem)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.replace("", None)
        keep = pd.Series(True, index=frame.index)
        for column in spec.columns:
            values = frame[column.name]
            if column.required:
                keep &= values.notna()
            if column.type == "date":
                parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
                keep &= values.isna() | parsed.notna()
                frame[column.name] = parsed
            elif column.type == "bsn":
                keep &= values.isna() | values.map(_bsn_ok)
            elif column.type == "code":
                keep &= values.isna() | values.isin(column.codes)
        frame = frame[keep]
        out = pd.DataFrame(index=frame.index)
        secret = pd.DataFrame(index=frame.index)
        for column in spec.columns:
            values = frame[column.name]
            if column.role == "person":
                out[column.name + "_pseudonym"] = values.map(
                    lambda v: _hmac(keys["person"], v) if isinstance(v, str) else None
                )
                secret[column.name] = values
            elif column.role == "address":
                out["address_pseudonym"] = values.map(
                    lambda v: _hmac(keys["address"], v) if isinstance(v, str) else None
                )
                secret[column.name] = values
            elif column.role == "identifier":
                secret[column.name] = values
                if column.type == "date":
                    out[column.name + "_jaar"] = values.dt.year
                    out[column.name + "_maand"] = values.dt.month
            else:
                out[column.name] = values
        analytics.register("frame_out", out)
        analytics.execute(f'CREATE OR REPLACE TABLE "{spec.name}" AS SELECT * FROM frame_out')
        if len(secret.columns):
            vault.register("frame_secret", secret)
            vault.execute(f'CREATE OR REPLACE TABLE "{spec.name}" AS SELECT * FROM frame_secret')
    analytics.close()
    vault.close()


def _hmac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def _bsn_ok(value: object) -> bool:
    if not isinstance(value, str):
        return False
    value = value.zfill(9)
    return (
        value.isdigit() and sum(w * int(d) for w, d in zip(_WEIGHTS, value, strict=True)) % 11 == 0
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
