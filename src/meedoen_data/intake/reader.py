"""Reading real-world delivery files into DuckDB as text columns with row numbers.

CSV: `,` or `;`, UTF-8 with or without BOM or Windows-1252 (transcoded to a private UTF-8 copy),
quoted fields with separators inside. Parquet: every column cast to text. Row numbers count data
rows from 1 (the header is not a row).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from meedoen_data.contract import PARTNER_FILE_COLUMNS, SPECS, Table, partner_spec
from meedoen_data.intake.sql import ident

CHUNK = 16 * 1024 * 1024


class StructuralError(Exception):
    """The file as a whole cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Delivery:
    path: Path
    spec: Table
    sha256: str
    encoding: str  # utf-8, utf-8-sig, cp1252 or parquet
    delimiter: str  # "" for parquet


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(CHUNK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def header(path: Path, encoding: str) -> tuple[list[str], str]:
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise StructuralError(f"{path.name}: the file is empty or has no header line")
    delimiter = (
        ";" if _count_outside_quotes(first, ";") > _count_outside_quotes(first, ",") else ","
    )
    columns = next(csv.reader([first], delimiter=delimiter))
    return [c.strip().lower() for c in columns], delimiter


def _count_outside_quotes(line: str, char: str) -> int:
    inside, count = False, 0
    for c in line:
        if c == '"':
            inside = not inside
        elif c == char and not inside:
            count += 1
    return count


def recognise(path: Path, partner: str | None = None) -> Delivery:
    """Which contract table a file holds: by name, or a partner file by its header.

    ``partner`` names the partner source the file is delivered as, whatever the file is
    called (``meedoen link FILE --source NAME``)."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        raise StructuralError(f"{path.name}: not a .csv or .parquet file")
    name = path.stem.lower() if partner is None else partner
    if suffix == ".parquet":
        try:
            columns = _parquet_columns(path)
        except duckdb.Error as exc:
            raise StructuralError(f"{path.name}: unreadable Parquet file ({exc})") from None
        encoding, delimiter = "parquet", ""
    else:
        encoding = detect_encoding(path)
        columns, delimiter = header(path, encoding)
    spec = SPECS.get(name) if partner is None else None
    if partner is not None and tuple(columns) != PARTNER_FILE_COLUMNS:
        raise StructuralError(
            f"{path.name}: not a partner file; its columns must be, in this order: "
            + ", ".join(PARTNER_FILE_COLUMNS)
        )
    if spec is None:
        if tuple(columns) == PARTNER_FILE_COLUMNS:
            spec = partner_spec(name)
        else:
            known = ", ".join(sorted(SPECS))
            raise StructuralError(
                f"{path.name}: unknown table {name!r}; contract tables are {known}, or a partner "
                "file with the columns " + ", ".join(PARTNER_FILE_COLUMNS)
            )
    missing = [c.name for c in spec.columns if c.required and c.name not in columns]
    if missing:
        raise StructuralError(f"{path.name}: required column missing: {', '.join(missing)}")
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise StructuralError(f"{path.name}: column appears twice: {', '.join(duplicates)}")
    return Delivery(path, spec, file_hash(path), encoding, delimiter)


def _parquet_columns(path: Path) -> list[str]:
    with duckdb.connect() as con:
        return [c.lower() for c in con.read_parquet(str(path)).columns]


def transcode(delivery: Delivery, scratch: Path) -> Path:
    """A UTF-8 copy of a Windows-1252 file (in the private scratch folder), else the file."""
    if delivery.encoding != "cp1252":
        return delivery.path
    target = scratch / f"{delivery.sha256}.csv"
    with (
        delivery.path.open(encoding="cp1252", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        while block := src.read(CHUNK):
            dst.write(block)
    return target


def load_rows(
    con: duckdb.DuckDBPyConnection,
    delivery: Delivery,
    scratch: Path,
    typed_columns: list[tuple[str, str]],
    max_rows: int | None = None,
) -> int:
    """Create ``typed`` in one pass over the file: ``_row``, one VARCHAR column per contract
    column (trimmed, empty is NULL; absent optional columns are NULL) and the caller's
    ``typed_columns`` ((name, SQL over those text columns)). Returns its number of rows.

    ``typed`` is a temporary view over the temporary table ``typed_rows``: the rows are stored
    once, in the file's order (the connection preserves insertion order), so a row's number is
    its position (``rowid + 1``: the file's data rows counted from 1, as messages and the
    quarantine name them), and a typed value that is the text itself is not stored twice.

    With ``max_rows``, reading stops one row past it (the caller refuses the file then): a CSV
    file's rows are known only while reading it, and a Parquet file's metadata could lie."""
    spec = delivery.spec
    if delivery.encoding == "parquet":
        source = "read_parquet(?)"
        params: list[object] = [str(delivery.path)]
    else:
        source = (
            "read_csv(?, delim = ?, quote = '\"', escape = '\"', header = true, "
            "all_varchar = true, auto_detect = false, columns = ?, strict_mode = true)"
        )
        path = transcode(delivery, scratch)
        columns, _ = header(path, "utf-8-sig" if delivery.encoding == "utf-8-sig" else "utf-8")
        params = [str(path), delivery.delimiter, {c: "VARCHAR" for c in columns}]
    limit = f" LIMIT {int(max_rows) + 1}" if max_rows is not None else ""
    stored = [f"{sql} AS {ident(name)}" for name, sql in typed_columns if sql != ident(name[2:])]
    aliases = [f"{sql} AS {ident(name)}" for name, sql in typed_columns if sql == ident(name[2:])]
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}", params).fetchall()
        present = {str(row[0]).lower(): str(row[0]) for row in described}
        text = ", ".join(
            (
                f"nullif(trim(CAST({ident(present[c.name])} AS VARCHAR)), '') AS {ident(c.name)}"
                if c.name in present
                else f"NULL::VARCHAR AS {ident(c.name)}"
            )
            for c in spec.columns
        )
        con.execute("DROP VIEW IF EXISTS typed")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE typed_rows AS SELECT {', '.join(['*', *stored])} "
            f"FROM (SELECT {text} FROM (SELECT * FROM {source}{limit}))",
            params,
        )
        con.execute(
            "CREATE TEMP VIEW typed AS SELECT "
            f"{', '.join(['rowid + 1 AS _row', '*', *aliases])} FROM typed_rows"
        )
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as exc:
        detail = str(exc).splitlines()[0]
        raise StructuralError(f"{delivery.path.name}: unreadable ({detail})") from None
    row = con.execute("SELECT count(*) FROM typed_rows").fetchone()
    return int(row[0]) if row else 0


def drop_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the rows of the file last read (the view ``typed`` and what it reads)."""
    con.execute("DROP VIEW IF EXISTS typed")
    con.execute("DROP TABLE IF EXISTS typed_rows")
