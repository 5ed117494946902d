"""Privacy-preserving linkage encodings: field-level Bloom filters and keyed hashes.

A partner that may not hand over names (a food bank) encodes its client list with
``meedoen encode`` and a secret shared with the municipality; meedoen encodes the register with
the same secret and links on the encodings. Both sides encode the values of
:mod:`meedoen_data.linkage.normalise`, so clear-text and encoded linkage see the same features.

The scheme (``meedoen-clk-v1``; docs/partners/encode.md explains it to partners):

- **Keys.** Every output field has its own keys, derived from the shared secret and the field
  name: ``key(label) = HMAC-SHA256(secret, "meedoen-clk-v1|" + label)``. The same value in two
  fields therefore encodes differently, and nobody without the secret can compute an encoding.
- **Bloom filters** (Schnell, Bachteler & Reiher 2009) of :data:`BLOOM_BITS` = 1024 bits for
  ``surname_core``, ``surname_full`` and ``first_name``: the value is padded (``_jan_``) and cut
  into character bigrams (``_j ja an n_``); each distinct bigram sets :data:`BLOOM_HASHES` = 20
  bits at ``(h1 + i * h2) mod 1024`` for ``i = 0 … 19`` (double hashing), where ``h1`` and
  ``h2`` are the first 8 bytes (big-endian) of HMAC-SHA256 of the bigram under the field's two
  keys (labels ``<field>|h1`` and ``<field>|h2``). ``h2`` is made odd so the 20 positions are
  distinct (1024 is a power of two). The filter is written as base64 of its 128 bytes, bit
  position ``p`` being bit ``7 - p % 8`` of byte ``p // 8`` (most significant bit first).
  Similar names share bigrams and so share bits: their Dice coefficient is high.
- **Keyed hashes** for exact comparison: HMAC-SHA256 of the normalised value under the field's
  key (label = the field name), as the first :data:`HASH_HEX` = 32 hex characters.
  ``birth_date_swapped_h`` uses the ``birth_date_h`` key, so a day/month swap on one side meets
  the other side's plain date.

Empty values encode to ``None``: a missing value is not evidence either way.
"""

from __future__ import annotations

import base64
import codecs
import csv
import hashlib
import hmac
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import numpy as np

from meedoen_data.contract import PARTNER_FILE_COLUMNS
from meedoen_data.linkage.normalise import (
    address_key,
    first_name,
    house_key,
    initials,
    surname_forms,
)
from meedoen_data.linkage.normalise import postcode as normal_postcode

SCHEME = "meedoen-clk-v1"
BLOOM_BITS = 1024
BLOOM_BYTES = BLOOM_BITS // 8
BLOOM_HASHES = 20
HASH_HEX = 32
SECRET_BYTES = 32
MIN_SECRET_BYTES = 16

#: Bloom-filter fields (base64 of 128 bytes).
BLOOM_FIELDS: tuple[str, ...] = ("surname_core_bf", "surname_full_bf", "first_name_bf")
#: Exact-match fields (32 hex characters).
HASH_FIELDS: tuple[str, ...] = (
    "initials_h",
    "first_initial_h",
    "birth_date_h",
    "birth_date_swapped_h",
    "birth_year_h",
    "birth_month_day_h",
    "address_h",
    "house_h",
    "postcode_h",
    "postcode4_h",
)
ENCODED_FIELDS: tuple[str, ...] = BLOOM_FIELDS + HASH_FIELDS
#: Partner-file columns copied as they are (the client number is needed to return results).
KEPT_COLUMNS: tuple[str, ...] = (
    "klantnummer",
    "datuminschrijving",
    "datumuitschrijving",
    "aantal_personen",
)
OUTPUT_COLUMNS: tuple[str, ...] = KEPT_COLUMNS + ENCODED_FIELDS

_POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_WHOLE = re.compile(r"[+-]?\d+")
_CHUNK = 16 * 1024 * 1024
#: Problem rows shown in the error message of a refused file (all are counted).
MAX_PROBLEMS = 20

Progress = Callable[[int, int], None]


class ClkError(ValueError):
    """Input that cannot be encoded; the message names the file, row and column (never a value
    of a name, birth date or address)."""


# --- keys and secrets ---------------------------------------------------------------------------


def _derive(secret: bytes, label: str) -> bytes:
    return hmac.new(secret, f"{SCHEME}|{label}".encode(), hashlib.sha256).digest()


def secret_generate() -> str:
    """A fresh secret of 32 random bytes, as 64 hex characters."""
    return secrets.token_hex(SECRET_BYTES)


def secret_fingerprint(secret: bytes) -> str:
    """12 hex characters that identify a secret without revealing it: both sides compare them
    (by phone) to be sure they encoded with the same secret."""
    return _derive(secret, "fingerprint").hex()[:12]


def secret_read(path: Path) -> bytes:
    """The secret in a key file: hex characters (64 for 32 bytes), lines starting with ``#``
    and white space ignored. Refuses files that are malformed or shorter than 16 bytes."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ClkError(f"{path}: cannot read the secret file ({exc.strerror})") from None
    return secret_parse(raw, name=str(path))


def secret_parse(raw: bytes, *, name: str) -> bytes:
    """The secret in the content ``raw`` of key file ``name`` (see :func:`secret_read`)."""
    path = name
    if len(raw) > 4096:
        raise ClkError(f"{path}: too large to be a secret file")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise ClkError(f"{path}: not a secret file (expected hexadecimal characters)") from None
    digits = "".join(
        "".join(line.split())
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    if not digits:
        raise ClkError(f"{path}: the secret file is empty")
    if not re.fullmatch(r"[0-9a-fA-F]+", digits) or len(digits) % 2:
        raise ClkError(
            f"{path}: not a secret file (expected {2 * SECRET_BYTES} hexadecimal characters, "
            "0-9 and a-f)"
        )
    secret = bytes.fromhex(digits)
    if len(secret) < MIN_SECRET_BYTES:
        raise ClkError(
            f"{path}: the secret is too short ({len(secret)} bytes; at least {MIN_SECRET_BYTES}, "
            f"normally {SECRET_BYTES}: {2 * SECRET_BYTES} hexadecimal characters)"
        )
    return secret


def secret_write(path: Path) -> bytes:
    """Write a fresh secret to a new key file (mode 0600); refuses to overwrite. Returns it."""
    hex_secret = secret_generate()
    text = (
        f"# Secret for meedoen encode ({SCHEME}), fingerprint "
        f"{secret_fingerprint(bytes.fromhex(hex_secret))}.\n"
        "# Keep it secret. Never send it with an encoded file.\n"
        f"{hex_secret}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ClkError(f"{path} already exists; a secret file is never overwritten") from None
    except OSError as exc:
        raise ClkError(f"{path}: cannot create the secret file ({exc.strerror})") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    return bytes.fromhex(hex_secret)


# --- encoders -----------------------------------------------------------------------------------


class _BloomField:
    """One field's Bloom filter: two keyed HMACs, the bigram masks cached (a few hundred)."""

    def __init__(self, secret: bytes, name: str) -> None:
        self._h1 = hmac.new(_derive(secret, f"{name}|h1"), digestmod=hashlib.sha256)
        self._h2 = hmac.new(_derive(secret, f"{name}|h2"), digestmod=hashlib.sha256)
        self._masks: dict[str, int] = {}

    def positions(self, gram: str) -> list[int]:
        data = gram.encode()
        one, two = self._h1.copy(), self._h2.copy()
        one.update(data)
        two.update(data)
        h1 = int.from_bytes(one.digest()[:8], "big")
        h2 = int.from_bytes(two.digest()[:8], "big") | 1
        return [(h1 + i * h2) % BLOOM_BITS for i in range(BLOOM_HASHES)]

    def _mask(self, gram: str) -> int:
        mask = self._masks.get(gram)
        if mask is None:
            mask = 0
            for p in self.positions(gram):
                mask |= 1 << (BLOOM_BITS - 1 - p)
            self._masks[gram] = mask
        return mask

    def __call__(self, value: str | None) -> str | None:
        if not value:
            return None
        bits = 0
        padded = f"_{value}_"
        for i in range(len(padded) - 1):
            bits |= self._mask(padded[i : i + 2])
        return base64.b64encode(bits.to_bytes(BLOOM_BYTES, "big")).decode("ascii")


class _Hash:
    """One field's keyed hash; low-cardinality fields keep a cache of their values."""

    def __init__(self, secret: bytes, name: str, *, cached: bool = False) -> None:
        self._base = hmac.new(_derive(secret, name), digestmod=hashlib.sha256)
        self._cache: dict[str, str] | None = {} if cached else None

    def __call__(self, value: str | None) -> str | None:
        if not value:
            return None
        if self._cache is not None:
            hit = self._cache.get(value)
            if hit is not None:
                return hit
        mac = self._base.copy()
        mac.update(value.encode())
        digest = mac.hexdigest()[:HASH_HEX]
        if self._cache is not None:
            self._cache[value] = digest
        return digest


def _swapped(born: date) -> date | None:
    # A day of 12 or less is a valid month, and any month number is a valid day in any month.
    if born.day == born.month or born.day > 12:
        return None
    return born.replace(month=born.day, day=born.month)


class ClkEncoder:
    """Encodes records under one secret (keys derived once; use one per file or register)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ClkError(f"the secret is too short (at least {MIN_SECRET_BYTES} bytes)")
        self.fingerprint = secret_fingerprint(secret)
        self._surname_core = _BloomField(secret, "surname_core_bf")
        self._surname_full = _BloomField(secret, "surname_full_bf")
        self._first_name = _BloomField(secret, "first_name_bf")
        self._initials = _Hash(secret, "initials_h", cached=True)
        self._first_initial = _Hash(secret, "first_initial_h", cached=True)
        self._birth_date = _Hash(secret, "birth_date_h", cached=True)  # ~40,000 values
        self._birth_year = _Hash(secret, "birth_year_h", cached=True)
        self._birth_month_day = _Hash(secret, "birth_month_day_h", cached=True)
        self._address = _Hash(secret, "address_h")
        self._house = _Hash(secret, "house_h")
        self._postcode = _Hash(secret, "postcode_h")
        self._postcode4 = _Hash(secret, "postcode4_h", cached=True)

    def surname_core_bf(self, core: str | None) -> str | None:
        """The ``surname_core_bf`` filter of an already normalised core surname (the register
        encodes a partner's surname with it)."""
        return self._surname_core(core)

    def house_h(self, key: str | None) -> str | None:
        """The ``house_h`` hash of an already normalised :func:`house_key` (address history)."""
        return self._house(key)

    def bloom_positions(self, field_name: str, gram: str) -> list[int]:
        """The 20 bit positions one bigram sets in a Bloom field (for tests and docs)."""
        bloom = {
            "surname_core_bf": self._surname_core,
            "surname_full_bf": self._surname_full,
            "first_name_bf": self._first_name,
        }[field_name]
        return bloom.positions(gram)

    def encode(
        self,
        *,
        geslachtsnaam: str | None,
        voorvoegsel: str | None,
        voornamen: str | None,
        datumgeboorte: date | None,
        postcode: str | None,
        huisnummer: int | str | None,
        huisnummertoevoeging: str | None,
        huisletter: str | None = None,
    ) -> dict[str, str | None]:
        """The encoded fields of one person (:data:`ENCODED_FIELDS`, in that order)."""
        core, full = surname_forms(voorvoegsel, geslachtsnaam)
        letters = initials(voornamen)
        if isinstance(datumgeboorte, datetime):  # also pandas Timestamps: the day only
            datumgeboorte = datumgeboorte.date()
        if datumgeboorte is not None:
            iso = datumgeboorte.isoformat()
            swapped = _swapped(datumgeboorte)
            born: tuple[str | None, ...] = (
                self._birth_date(iso),
                self._birth_date(swapped.isoformat()) if swapped else None,
                self._birth_year(iso[:4]),
                self._birth_month_day(iso[5:]),
            )
        else:
            born = (None, None, None, None)
        pc = normal_postcode(postcode)
        pc4 = pc[:4] if pc and len(pc) >= 4 and pc[:4].isdigit() else None
        return {
            "surname_core_bf": self._surname_core(core),
            "surname_full_bf": self._surname_full(full),
            "first_name_bf": self._first_name(first_name(voornamen)),
            "initials_h": self._initials(letters),
            "first_initial_h": self._first_initial(letters[0] if letters else None),
            "birth_date_h": born[0],
            "birth_date_swapped_h": born[1],
            "birth_year_h": born[2],
            "birth_month_day_h": born[3],
            "address_h": self._address(
                address_key(pc, huisnummer, huisletter, huisnummertoevoeging)
            ),
            "house_h": self._house(house_key(pc, huisnummer)),
            "postcode_h": self._postcode(pc),
            "postcode4_h": self._postcode4(pc4),
        }


@lru_cache(maxsize=4)
def _encoder(secret: bytes) -> ClkEncoder:
    return ClkEncoder(secret)


def encode_record(
    secret: bytes,
    *,
    geslachtsnaam: str | None,
    voorvoegsel: str | None,
    voornamen: str | None,
    datumgeboorte: date | None,
    postcode: str | None,
    huisnummer: int | str | None,
    huisnummertoevoeging: str | None,
    huisletter: str | None = None,
) -> dict[str, str | None]:
    """The encoded fields of one person under ``secret`` (:data:`ENCODED_FIELDS`).

    ``huisletter`` is for the register side (BAG splits it from the toevoeging); a partner file
    has only ``huisnummertoevoeging``, and both fold into the same address suffix. The encoder
    of a secret is kept (four at most), so repeated calls are fast; :class:`ClkEncoder` is the
    same without the module-level cache.
    """
    return _encoder(secret).encode(
        geslachtsnaam=geslachtsnaam,
        voorvoegsel=voorvoegsel,
        voornamen=voornamen,
        datumgeboorte=datumgeboorte,
        postcode=postcode,
        huisnummer=huisnummer,
        huisnummertoevoeging=huisnummertoevoeging,
        huisletter=huisletter,
    )


# --- comparison ---------------------------------------------------------------------------------


def bloom_positions(encoded: str) -> list[int]:
    """The sorted set bit positions (0 … 1023) of a base64 Bloom filter."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ValueError("not a base64 Bloom filter") from None
    if len(raw) != BLOOM_BYTES:
        raise ValueError(f"a Bloom filter has {BLOOM_BYTES} bytes, this one {len(raw)}")
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8))  # most significant bit first
    positions: list[int] = np.flatnonzero(bits).tolist()
    return positions


def dice(a: Sequence[int], b: Sequence[int]) -> float:
    """Dice coefficient ``2 |a ∩ b| / (|a| + |b|)`` of two sets of bit positions (0.0 when both
    are empty)."""
    total = len(a) + len(b)
    if total == 0:
        return 0.0
    return 2.0 * len(set(a).intersection(b)) / total


def dice_sql(left: str, right: str) -> str:
    """DuckDB SQL for :func:`dice` of two ``INTEGER[]`` expressions (bit positions).

    ``left`` and ``right`` are SQL expressions inserted as they are (column names such as
    ``surname_core_bf_l``); the result is DOUBLE, NULL when either side is NULL.
    """
    total = f"(len({left}) + len({right}))"
    return (
        f"(CASE WHEN {total} = 0 THEN 0.0::DOUBLE "
        f"ELSE 2.0::DOUBLE * len(list_intersect({left}, {right})) / {total} END)"
    )


def positions_sql(encoded: str) -> str:
    """DuckDB SQL turning a base64 Bloom filter (VARCHAR expression) into ``INTEGER[]`` bit
    positions, as :func:`bloom_positions` does."""
    bits = f"CAST(CAST(from_base64({encoded}) AS BIT) AS VARCHAR)"
    return (
        f"CAST(list_transform(list_filter(list_zip(range({BLOOM_BITS}), "
        f"string_split({bits}, '')), lambda t: t[2] = '1'), lambda t: t[1]) AS INTEGER[])"
    )


def bits_sql(encoded: str) -> str:
    """DuckDB SQL turning a base64 Bloom filter (VARCHAR expression) into a ``BIT`` string,
    for :func:`dice_bits_sql` (faster than lists at register scale)."""
    return f"CAST(from_base64({encoded}) AS BIT)"


def dice_bits_sql(left: str, right: str) -> str:
    """DuckDB SQL for :func:`dice` of two ``BIT`` expressions (see :func:`bits_sql`)."""
    total = f"(bit_count({left}) + bit_count({right}))"
    return (
        f"(CASE WHEN {total} = 0 THEN 0.0::DOUBLE "
        f"ELSE 2.0::DOUBLE * bit_count({left} & {right}) / {total} END)"
    )


# --- partner files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EncodeReport:
    source: Path
    target: Path
    records: int
    columns: tuple[str, ...]
    filled: dict[str, int]  # encoded field -> records with a value
    encoding: str  # utf-8, utf-8-sig, cp1252 or parquet
    delimiter: str  # "" for parquet
    ignored_columns: tuple[str, ...] = ()
    skipped_empty_rows: int = 0
    scheme: str = SCHEME
    fingerprint: str = ""


@dataclass
class _Source:
    columns: list[str]
    encoding: str
    delimiter: str
    total: int  # rows, estimated for CSV (line count)
    rows: Iterator[tuple[int, str, list[str | None]]]  # (row, "line N" or "", values)
    skipped: int = 0  # rows without any value (spreadsheet exports end with some)


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        if handle.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while block := handle.read(_CHUNK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _count_outside_quotes(line: str, char: str) -> int:
    inside, count = False, 0
    for c in line:
        if c == '"':
            inside = not inside
        elif c == char and not inside:
            count += 1
    return count


def _line_count(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            count += block.count(b"\n")
    return count


def _open_csv(path: Path) -> _Source:
    encoding = _detect_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as handle:
            first = handle.readline()
    except UnicodeDecodeError:
        raise ClkError(f"{path.name}: the file is neither UTF-8 nor Windows-1252 text") from None
    if not first.strip():
        raise ClkError(f"{path.name}: the file is empty or has no header line")
    delimiter = (
        ";" if _count_outside_quotes(first, ";") > _count_outside_quotes(first, ",") else ","
    )
    columns = [c.strip().lower() for c in next(csv.reader([first], delimiter=delimiter))]
    source = _Source(columns, encoding, delimiter, max(_line_count(path) - 1, 0), iter(()))

    def rows() -> Iterator[tuple[int, str, list[str | None]]]:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter, strict=True)
            try:
                next(reader)
                row = 0
                for fields in reader:
                    if not fields or not any(f.strip() for f in fields):
                        source.skipped += 1
                        continue
                    row += 1
                    where = f"line {reader.line_num}"
                    if len(fields) != len(columns):
                        raise ClkError(
                            f"{path.name}: row {row} ({where}): {len(fields)} fields where the "
                            f"header has {len(columns)} (check the separator {delimiter!r} and "
                            "quotes)"
                        )
                    yield row, where, [f.strip() or None for f in fields]
            except csv.Error as exc:
                raise ClkError(
                    f"{path.name}: line {reader.line_num}: unreadable CSV ({exc})"
                ) from None
            except UnicodeDecodeError:
                raise ClkError(
                    f"{path.name}: the file is neither UTF-8 nor Windows-1252 text"
                ) from None

    source.rows = rows()
    return source


def _parquet_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() or None


def _open_parquet(path: Path) -> _Source:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise ClkError(f"{path.name}: unreadable Parquet file ({exc})") from None
    columns = [str(name).strip().lower() for name in handle.schema_arrow.names]

    def rows() -> Iterator[tuple[int, str, list[str | None]]]:
        row = 0
        for batch in handle.iter_batches(batch_size=65_536):
            data = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*data, strict=True):
                row += 1
                yield row, "", [_parquet_text(v) for v in values]

    return _Source(columns, "parquet", "", int(handle.metadata.num_rows), rows())


def _parse_date(value: str) -> date | None:
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_DUTCH_DATE, (2, 1, 0))):
        match = pattern.fullmatch(value)
        if match:
            parts = match.groups()
            try:
                parsed = date(int(parts[order[0]]), int(parts[order[1]]), int(parts[order[2]]))
            except ValueError:
                return None
            return parsed if 1880 <= parsed.year <= 2100 else None
    return None


def _parse_int(value: str) -> int | None:
    return int(value) if _WHOLE.fullmatch(value) else None


def encode_file(
    source: Path, target: Path, secret: bytes, progress: Progress | None = None
) -> EncodeReport:
    """Encode a partner file (the contract's partner-file columns; CSV or Parquet) to a CSV of
    :data:`OUTPUT_COLUMNS`: the client number and registration columns in clear, everything
    identifying encoded. All or nothing: on bad input :class:`ClkError` names file, row and
    column, and no output file is left behind. ``progress(done, total)`` is called now and then
    (``total`` is estimated from the line count for CSV)."""
    if source.resolve() == target.resolve():
        raise ClkError(f"{target}: the output file must differ from the partner file")
    suffix = source.suffix.lower()
    if suffix == ".parquet":
        reader = _open_parquet(source)
    elif suffix == ".csv":
        reader = _open_csv(source)
    else:
        raise ClkError(f"{source.name}: not a .csv or .parquet file")
    name = source.name
    duplicates = sorted({c for c in reader.columns if reader.columns.count(c) > 1})
    if duplicates:
        raise ClkError(f"{name}: column appears twice: {', '.join(duplicates)}")
    missing = [c for c in PARTNER_FILE_COLUMNS if c not in reader.columns]
    if missing:
        raise ClkError(
            f"{name}: column missing: {', '.join(missing)} (a partner file has the columns "
            f"{', '.join(PARTNER_FILE_COLUMNS)}; a column may be empty but must be there)"
        )
    ignored = tuple(c for c in reader.columns if c not in PARTNER_FILE_COLUMNS)
    index = {c: reader.columns.index(c) for c in PARTNER_FILE_COLUMNS}
    encoder = ClkEncoder(secret)
    filled = dict.fromkeys(ENCODED_FIELDS, 0)
    fd, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name[:100]}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            records = _encode_rows(reader, name, index, encoder, out, filled, progress)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return EncodeReport(
        source=source,
        target=target,
        records=records,
        columns=OUTPUT_COLUMNS,
        filled=filled,
        encoding=reader.encoding,
        delimiter=reader.delimiter,
        ignored_columns=ignored,
        skipped_empty_rows=reader.skipped,
        fingerprint=encoder.fingerprint,
    )


class _RowProblem(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"column {column}: {reason}")


@dataclass(frozen=True)
class _Row:
    number: str
    born: date | None
    start: date | None
    end: date | None
    house_number: int | None
    persons: int | None
    postcode: str | None


def _check_row(values: list[str | None], index: dict[str, int], seen: dict[str, int]) -> _Row:
    """The typed values of one row, or :class:`_RowProblem` for its first problem."""

    def get(column: str) -> str | None:
        return values[index[column]]

    number = get("klantnummer")
    if number is None:
        raise _RowProblem("klantnummer", "required value missing")
    if number in seen:
        raise _RowProblem("klantnummer", f"duplicate key (same klantnummer as row {seen[number]})")
    dates: dict[str, date | None] = {}
    for column in ("datumgeboorte", "datuminschrijving", "datumuitschrijving"):
        text = get(column)
        dates[column] = None if text is None else _parse_date(text)
        if text is not None and dates[column] is None:
            raise _RowProblem(column, "not a valid date (expected YYYY-MM-DD or DD-MM-YYYY)")
    start, end = dates["datuminschrijving"], dates["datumuitschrijving"]
    if start is not None and end is not None and end < start:
        raise _RowProblem("datumuitschrijving", "earlier than datuminschrijving")
    whole: dict[str, int | None] = {}
    for column in ("huisnummer", "aantal_personen"):
        text = get(column)
        whole[column] = None if text is None else _parse_int(text)
        if text is not None and whole[column] is None:
            raise _RowProblem(column, "not a whole number")
    code = normal_postcode(get("postcode"))
    if code is not None and not _POSTCODE.fullmatch(code):
        raise _RowProblem("postcode", "not a postcode (1234AB)")
    return _Row(
        number,
        dates["datumgeboorte"],
        start,
        end,
        whole["huisnummer"],
        whole["aantal_personen"],
        code,
    )


def _encode_rows(
    reader: _Source,
    name: str,
    index: dict[str, int],
    encoder: ClkEncoder,
    out: IO[str],
    filled: dict[str, int],
    progress: Progress | None,
) -> int:
    """Write the encoded rows; every problem row is collected (the first
    :data:`MAX_PROBLEMS` shown) and raised together at the end as one :class:`ClkError`."""
    writer = csv.writer(out)
    writer.writerow(OUTPUT_COLUMNS)
    seen: dict[str, int] = {}
    problems: list[str] = []
    count = 0
    records = 0
    for row, where, values in reader.rows:
        try:
            checked = _check_row(values, index, seen)
        except _RowProblem as problem:
            count += 1
            if len(problems) < MAX_PROBLEMS:
                place = f"row {row} ({where})" if where else f"row {row}"
                problems.append(f"{name}: {place}, {problem}")
            continue
        seen[checked.number] = row
        records += 1
        if progress is not None and records % 5_000 == 0:
            progress(records, max(records, reader.total))
        if count:
            continue  # the file is refused: only check the rest
        encoded = encoder.encode(
            geslachtsnaam=values[index["geslachtsnaam"]],
            voorvoegsel=values[index["voorvoegsel"]],
            voornamen=values[index["voornamen"]],
            datumgeboorte=checked.born,
            postcode=checked.postcode,
            huisnummer=checked.house_number,
            huisnummertoevoeging=values[index["huisnummertoevoeging"]],
        )
        for key, value in encoded.items():
            if value is not None:
                filled[key] += 1
        writer.writerow(
            (
                checked.number,
                checked.start.isoformat() if checked.start else "",
                checked.end.isoformat() if checked.end else "",
                "" if checked.persons is None else checked.persons,
                *(value or "" for value in encoded.values()),
            )
        )
    if count:
        more = count - len(problems)
        lines = [*problems, *([f"... and {more:,} more"] if more else [])]
        raise ClkError(
            "\n".join(lines)
            + f"\n{name}: {count:,} row(s) cannot be encoded; nothing was written. Correct them "
            "and run the command again."
        )
    if progress is not None:
        progress(records, records)
    return records
