"""Streaming, deterministic writers: one file per table, appended chunk by chunk."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

Format = Literal["csv", "parquet"]


class TableWriter:
    """Writes ``DIR/<table>.csv`` (UTF-8, comma, header, quotes only where needed, empty for
    unknown) or ``DIR/<table>.parquet``; files appear under their name only when complete."""

    def __init__(self, directory: Path, fmt: Format) -> None:
        self.directory = directory
        self.fmt = fmt
        self._writers: dict[str, pacsv.CSVWriter | pq.ParquetWriter] = {}
        self._schemas: dict[str, pa.Schema] = {}

    def _path(self, name: str) -> Path:
        return self.directory / f"{name}.{self.fmt}"

    def write(self, name: str, table: pa.Table) -> None:
        table = self._conform(name, table)
        writer = self._writers.get(name)
        if writer is None:
            self._path(name).parent.mkdir(parents=True, exist_ok=True)
            partial = self._path(name).with_suffix(f".{self.fmt}.partial")
            if self.fmt == "csv":
                writer = pacsv.CSVWriter(
                    str(partial),
                    table.schema,
                    write_options=pacsv.WriteOptions(
                        include_header=True, delimiter=",", quoting_style="needed"
                    ),
                )
            else:
                writer = pq.ParquetWriter(str(partial), table.schema, compression="zstd")
            self._writers[name] = writer
        writer.write_table(table)

    def _conform(self, name: str, table: pa.Table) -> pa.Table:
        """Keep one schema per file: a column that was all-null in the first chunk takes the
        type of later chunks (string) and vice versa."""
        schema = self._schemas.get(name)
        if schema is None:
            fields = [
                pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f
                for f in table.schema
            ]
            schema = pa.schema(fields)
            self._schemas[name] = schema
        return table.cast(schema)

    def close(self) -> list[Path]:
        written = []
        for name, writer in self._writers.items():
            writer.close()
            partial = self._path(name).with_suffix(f".{self.fmt}.partial")
            partial.replace(self._path(name))
            written.append(self._path(name))
        self._writers.clear()
        return written

    def abort(self) -> None:
        for name, writer in self._writers.items():
            writer.close()
            self._path(name).with_suffix(f".{self.fmt}.partial").unlink(missing_ok=True)
        self._writers.clear()
