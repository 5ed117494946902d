"""How large a delivery may be: rows and bytes per file and per upload, and DuckDB's spill space.

A 1.7 MB Parquet file of 100 million identical rows once kept an upload busy for 400 seconds,
6.8 GB of memory and 33 GB of spill files. The gate now refuses such a file before it reads a
single row: a Parquet file's row count and uncompressed size come from its footer (metadata),
a CSV file's size from the file system, and a CSV file is read with a row limit, so it stops one
row past the limit. DuckDB's spill files stay in the vault's ``tmp`` folder, and their total
size is bounded (``max_temp_directory_size``).

Defaults fit a municipality (the largest Dutch municipality delivers a few million rows per
table); a national delivery uses :data:`NATIONAL` (``meedoen ingest --national``). Every limit
can be set in the environment (docs/admin/configuration.md); a variable that is set wins.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace

import duckdb

KB, MB, GB = 1000, 1000**2, 1000**3
CHUNK = 16 * 1024 * 1024
_UNITS = {
    "": 1,
    "b": 1,
    "kb": KB,
    "mb": MB,
    "gb": GB,
    "tb": 1000 * GB,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}


def parse_size(text: str) -> int:
    """``2GB`` (10^9), ``512MiB`` (2^20), ``1000000`` (bytes) → bytes."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not found or found.group(2).lower() not in _UNITS:
        raise ValueError(f"{text!r} is not a size (e.g. 2GB, 512MiB or a number of bytes)")
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def size_text(n: int) -> str:
    for unit, factor in (("GB", GB), ("MB", MB), ("kB", KB)):
        if n >= factor:
            return f"{n / factor:,.1f} {unit}".replace(".0 ", " ")
    return f"{n:,} bytes"


@dataclass(frozen=True)
class IntakeLimits:
    file_rows: int = 10_000_000
    file_bytes: int = 2 * GB
    upload_rows: int = 30_000_000
    upload_bytes: int = 6 * GB
    #: DuckDB's working memory; beyond it, intermediate rows spill to HOME/vault/tmp. The
    #: process peaks at about 1.5 times this (national run: see docs/benchmarks.md).
    memory: int = 6 * GB
    #: At most this much spilled to HOME/vault/tmp (DuckDB's ``max_temp_directory_size``).
    temp_space: int = 20 * GB
    #: Files of an upload processed side by side (meedoen_data.intake.schedule); 1 loads them
    #: one by one (files with names first, then in name order). They share the working memory.
    parallel_files: int = 2

    @classmethod
    def from_env(cls, *, national: bool = False) -> IntakeLimits:
        """The defaults (or :data:`NATIONAL`), with every limit set in the environment."""
        limits = NATIONAL if national else cls()
        changes: dict[str, int] = {}
        for field in fields(cls):
            variable = ENV_VARS[field.name]
            raw = os.environ.get(variable, "").strip()
            if not raw:
                continue
            try:
                value = (
                    int(raw.replace("_", ""))
                    if field.name.endswith(("rows", "files"))
                    else parse_size(raw)
                )
            except ValueError:
                raise ValueError(f"{variable}={raw!r}: {HOW[field.name]}") from None
            if value <= 0:
                raise ValueError(f"{variable}={raw!r}: must be more than 0")
            changes[field.name] = value
        return replace(limits, **changes)

    def configure(self, con: duckdb.DuckDBPyConnection) -> None:
        """Memory and spill space of an intake connection. (``max_temp_directory_size`` is set
        after connecting: given at connect time, DuckDB 2.0 does not enforce it.)"""
        con.execute(f"SET memory_limit = '{int(self.memory)}B'")
        con.execute(f"SET max_temp_directory_size = '{int(self.temp_space)}B'")


#: Limits for a national delivery on the command line (``meedoen ingest --national``): the whole
#: country is 116 million rows in 6.1 GB of CSV, the largest table 25 million rows.
NATIONAL = IntakeLimits(
    file_rows=100_000_000,
    file_bytes=50 * GB,
    upload_rows=1_000_000_000,
    upload_bytes=500 * GB,
    memory=6 * GB,
    temp_space=500 * GB,
)

ENV_VARS = {
    "file_rows": "MEEDOEN_INTAKE_MAX_FILE_ROWS",
    "file_bytes": "MEEDOEN_INTAKE_MAX_FILE_BYTES",
    "upload_rows": "MEEDOEN_INTAKE_MAX_UPLOAD_ROWS",
    "upload_bytes": "MEEDOEN_INTAKE_MAX_UPLOAD_BYTES",
    "memory": "MEEDOEN_INTAKE_MEMORY",
    "temp_space": "MEEDOEN_INTAKE_TEMP_SPACE",
    "parallel_files": "MEEDOEN_INTAKE_PARALLEL_FILES",
}
HOW = {
    "file_rows": "a whole number of rows",
    "file_bytes": "a size such as 2GB",
    "upload_rows": "a whole number of rows",
    "upload_bytes": "a size such as 6GB",
    "memory": "a size such as 6GB",
    "temp_space": "a size such as 20GB",
    "parallel_files": "a whole number of files (1 loads them one by one)",
}
RAISE = (
    "raise it with {variable} (docs/admin/configuration.md), or load a national delivery on the "
    "command line with: meedoen ingest DIR --national"
)


class LimitError(Exception):
    """A file or an upload is larger than the limits allow; the message says which limit and
    how to raise it. Nothing of it was loaded."""


@dataclass(frozen=True)
class FileSize:
    rows: int | None  # None: a CSV file, whose rows are counted exactly while reading
    bytes: int
    source: str  # where the figures come from, for messages
    lines: int = 0  # a CSV file's line breaks after the header: at least its number of rows

    @property
    def upload_rows(self) -> int:
        return self.rows if self.rows is not None else self.lines


def file_size(path: os.PathLike[str] | str, *, max_bytes: int | None = None) -> FileSize:
    """Rows and bytes of a delivery file, without parsing its data: a Parquet file's footer
    (row count, uncompressed size); a CSV file's size on disk and, when it is within
    ``max_bytes``, its line breaks (an upper bound of its rows: a quoted value may hold one)."""
    on_disk = os.path.getsize(path)
    if str(path).lower().endswith(".parquet"):
        with duckdb.connect() as con:
            found = con.execute(
                "SELECT num_rows FROM parquet_file_metadata(?)", [str(path)]
            ).fetchone()
            size = con.execute(
                "SELECT coalesce(sum(total_uncompressed_size), 0) FROM parquet_metadata(?)",
                [str(path)],
            ).fetchone()
        rows = int(found[0]) if found else 0
        uncompressed = int(size[0]) if size else 0
        return FileSize(rows, max(on_disk, uncompressed), "from the Parquet metadata")
    lines = 0
    if max_bytes is None or on_disk <= max_bytes:
        with open(path, "rb") as handle:
            last = b"\n"
            while block := handle.read(CHUNK):
                lines += block.count(b"\n")
                last = block[-1:]
        lines += last != b"\n"  # a last line without a line break
        lines = max(lines - 1, 0)  # the header
    return FileSize(None, on_disk, "on disk", lines)


def check_file(name: str, size: FileSize, limits: IntakeLimits) -> None:
    """LimitError when a file is over the per-file limits (before any of its data is read)."""
    if size.rows is not None and size.rows > limits.file_rows:
        raise LimitError(
            f"{name}: {size.rows:,} rows ({size.source}), more than the limit of "
            f"{limits.file_rows:,} rows per file; nothing was read or loaded. To load it, "
            + RAISE.format(variable=ENV_VARS["file_rows"])
        )
    if size.bytes > limits.file_bytes:
        raise LimitError(
            f"{name}: {size_text(size.bytes)} ({size.source}), more than the limit of "
            f"{size_text(limits.file_bytes)} per file; nothing was read or loaded. To load it, "
            + RAISE.format(variable=ENV_VARS["file_bytes"])
        )


def rows_over(name: str, limit: int, what: str, variable: str) -> LimitError:
    """The error for a CSV file found, while reading it, to be over a row limit."""
    return LimitError(
        f"{name}: more than {limit:,} rows, the limit {what}; reading stopped there and nothing "
        "was loaded. To load it, " + RAISE.format(variable=variable)
    )


def check_upload(sizes: dict[str, FileSize], limits: IntakeLimits) -> None:
    """LimitError when the files of one upload together are over the per-upload limits (a CSV
    file's rows counted by its line breaks)."""
    rows = sum(s.upload_rows for s in sizes.values())
    total = sum(s.bytes for s in sizes.values())
    files = f"{len(sizes)} file{'s' if len(sizes) != 1 else ''}"
    if rows > limits.upload_rows:
        raise LimitError(
            f"this upload ({files}) has {rows:,} rows, more than the limit of "
            f"{limits.upload_rows:,} rows per upload; nothing was read or loaded. To load it, "
            + RAISE.format(variable=ENV_VARS["upload_rows"])
        )
    if total > limits.upload_bytes:
        raise LimitError(
            f"this upload ({files}) has {size_text(total)}, more than the limit of "
            f"{size_text(limits.upload_bytes)} per upload; nothing was read or loaded. To load "
            "it, " + RAISE.format(variable=ENV_VARS["upload_bytes"])
        )
