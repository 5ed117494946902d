"""Privacy-preserving linkage encodings (Bloom filters, keyed hashes) and `meedoen encode`."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import stat
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from meedoen.cli.encode import encode
from meedoen_data.contract import PARTNER_FILE_COLUMNS
from meedoen_data.linkage.clk import (
    BLOOM_FIELDS,
    ENCODED_FIELDS,
    HASH_FIELDS,
    OUTPUT_COLUMNS,
    ClkEncoder,
    ClkError,
    bits_sql,
    bloom_positions,
    dice,
    dice_bits_sql,
    dice_sql,
    encode_file,
    encode_record,
    positions_sql,
    secret_fingerprint,
    secret_generate,
    secret_read,
    secret_write,
)

SECRET = bytes.fromhex("00112233445566778899aabbccddeeff" * 2)
OTHER = bytes.fromhex("ffeeddccbbaa99887766554433221100" * 2)

EMPTY: dict[str, object] = {
    "geslachtsnaam": None,
    "voorvoegsel": None,
    "voornamen": None,
    "datumgeboorte": None,
    "postcode": None,
    "huisnummer": None,
    "huisnummertoevoeging": None,
}
PERSON: dict[str, object] = {
    "geslachtsnaam": "Jansen",
    "voorvoegsel": None,
    "voornamen": "Jan Frans",
    "datumgeboorte": date(1980, 3, 5),
    "postcode": "5121 ab",
    "huisnummer": 12,
    "huisnummertoevoeging": "A",
}


def record(secret: bytes = SECRET, **values: object) -> dict[str, str | None]:
    return encode_record(secret, **{**EMPTY, **values})  # type: ignore[arg-type]


def surname_bits(name: str, prefix: str | None = None) -> list[int]:
    encoded = record(geslachtsnaam=name, voorvoegsel=prefix)["surname_core_bf"]
    assert encoded is not None
    return bloom_positions(encoded)


# --- encodings ----------------------------------------------------------------------------------


def test_all_fields_and_their_shapes() -> None:
    encoded = record(**PERSON)
    assert tuple(encoded) == ENCODED_FIELDS
    for name in BLOOM_FIELDS:
        value = encoded[name]
        assert value is not None and len(value) == 172  # base64 of 128 bytes
    for name in HASH_FIELDS:
        value = encoded[name]
        assert value is not None and len(value) == 32 and int(value, 16) >= 0, name


def test_same_secret_same_encoding_other_secret_other_encoding() -> None:
    assert record(**PERSON) == record(**PERSON)
    assert record(**PERSON) == ClkEncoder(SECRET).encode(**PERSON)  # type: ignore[arg-type]
    mine, theirs = record(**PERSON), record(OTHER, **PERSON)
    assert all(mine[name] != theirs[name] for name in ENCODED_FIELDS)


def test_fields_are_separated() -> None:
    """The same string as surname and as first name sets different bits and hashes."""
    encoded = record(geslachtsnaam="Jan", voornamen="Jan")
    surname, given = encoded["surname_core_bf"], encoded["first_name_bf"]
    assert surname is not None and given is not None
    assert dice(bloom_positions(surname), bloom_positions(given)) < 0.3
    encoder = ClkEncoder(SECRET)
    assert encoder.bloom_positions("surname_core_bf", "ja") != encoder.bloom_positions(
        "first_name_bf", "ja"
    )
    assert encoded["surname_core_bf"] != encoded["surname_full_bf"]  # also core and full


def test_each_bigram_sets_twenty_distinct_bits() -> None:
    encoder = ClkEncoder(SECRET)
    for gram in ("_j", "ja", "an", "n_", "zz"):
        positions = encoder.bloom_positions("surname_full_bf", gram)
        assert len(set(positions)) == 20 and all(0 <= p < 1024 for p in positions)


def test_empty_values_encode_to_none() -> None:
    encoded = record()
    assert all(value is None for value in encoded.values())
    only_initials = record(voornamen="J.F.")
    assert only_initials["first_name_bf"] is None and only_initials["initials_h"] is not None


def test_similar_names_are_close_different_names_far() -> None:
    jansen = surname_bits("Jansen")
    assert dice(jansen, surname_bits("Janssen")) > 0.8
    assert dice(jansen, surname_bits("Pietersen")) < 0.6
    assert dice(jansen, jansen) == 1.0


def test_prefix_written_anywhere_gives_the_same_core() -> None:
    assert (
        record(geslachtsnaam="Berg", voorvoegsel="van der")["surname_core_bf"]
        == (record(geslachtsnaam="v.d. Berg")["surname_core_bf"])
    )
    assert (
        record(geslachtsnaam="Berg", voorvoegsel="van der")["surname_full_bf"]
        == (record(geslachtsnaam="Vanderberg")["surname_full_bf"])
    )
    assert (
        record(geslachtsnaam="Çelik")["surname_core_bf"]
        == (record(geslachtsnaam="CELIK")["surname_core_bf"])
    )


def test_swapped_birth_date_meets_the_other_sides_date() -> None:
    march = record(datumgeboorte=date(1980, 3, 5))
    may = record(datumgeboorte=date(1980, 5, 3))
    assert march["birth_date_swapped_h"] == may["birth_date_h"]
    assert may["birth_date_swapped_h"] == march["birth_date_h"]
    assert march["birth_year_h"] == may["birth_year_h"]
    assert march["birth_month_day_h"] != may["birth_month_day_h"]
    assert record(datumgeboorte=date(1980, 3, 25))["birth_date_swapped_h"] is None
    assert record(datumgeboorte=date(1980, 4, 4))["birth_date_swapped_h"] is None
    assert record(datumgeboorte=datetime(1980, 3, 5, 0, 0)) == march
    wrong_year = record(datumgeboorte=date(1981, 3, 5))
    assert wrong_year["birth_month_day_h"] == march["birth_month_day_h"]


def test_address_hashes() -> None:
    base = record(postcode="5121AB", huisnummer=12, huisnummertoevoeging="A")
    assert base == record(postcode="5121 ab", huisnummer="12", huisnummertoevoeging="a")
    # The register splits the huisletter from the toevoeging; both fold into one suffix.
    assert base == record(postcode="5121AB", huisnummer=12, huisletter="A")
    other = record(postcode="5121AB", huisnummer=12, huisnummertoevoeging="B")
    assert other["address_h"] != base["address_h"] and other["house_h"] == base["house_h"]
    neighbour = record(postcode="5121AC", huisnummer=12)
    assert neighbour["postcode4_h"] == base["postcode4_h"]
    assert neighbour["postcode_h"] != base["postcode_h"]
    initial = record(voornamen="Jan")["first_initial_h"]
    assert initial == record(voornamen="J. Frans")["first_initial_h"]


def test_the_scheme_is_as_documented() -> None:
    """Recomputed from docs/partners/encode.md with hmac alone: a change of the scheme breaks
    every partner's encodings, so it must be deliberate (a new SCHEME version)."""

    def key(label: str) -> bytes:
        return hmac.new(SECRET, f"meedoen-clk-v1|{label}".encode(), hashlib.sha256).digest()

    def mac(label: str, value: str) -> str:
        return hmac.new(key(label), value.encode(), hashlib.sha256).hexdigest()[:32]

    encoded = record(**{**PERSON, "geslachtsnaam": "Berg", "voorvoegsel": "van der"})
    assert encoded["initials_h"] == mac("initials_h", "jf")
    assert encoded["first_initial_h"] == mac("first_initial_h", "j")
    assert encoded["birth_date_h"] == mac("birth_date_h", "1980-03-05")
    assert encoded["birth_date_swapped_h"] == mac("birth_date_h", "1980-05-03")
    assert encoded["birth_year_h"] == mac("birth_year_h", "1980")
    assert encoded["birth_month_day_h"] == mac("birth_month_day_h", "03-05")
    assert encoded["address_h"] == mac("address_h", "5121AB|12|a")
    assert encoded["house_h"] == mac("house_h", "5121AB|12")
    assert encoded["postcode_h"] == mac("postcode_h", "5121AB")
    assert encoded["postcode4_h"] == mac("postcode4_h", "5121")
    assert secret_fingerprint(SECRET) == key("fingerprint").hex()[:12]
    for name, value in (
        ("surname_core_bf", "berg"),
        ("surname_full_bf", "vanderberg"),
        ("first_name_bf", "jan"),
    ):
        padded = f"_{value}_"
        raw = bytearray(128)
        for gram in {padded[i : i + 2] for i in range(len(padded) - 1)}:
            one = hmac.new(key(f"{name}|h1"), gram.encode(), hashlib.sha256).digest()
            two = hmac.new(key(f"{name}|h2"), gram.encode(), hashlib.sha256).digest()
            h1, h2 = int.from_bytes(one[:8], "big"), int.from_bytes(two[:8], "big") | 1
            for i in range(20):
                p = (h1 + i * h2) % 1024
                raw[p // 8] |= 0x80 >> (p % 8)
        assert encoded[name] == base64.b64encode(bytes(raw)).decode(), name


# --- comparison in SQL ---------------------------------------------------------------------------


def test_sql_dice_equals_python_dice() -> None:
    names = ["Jansen", "Janssen", "Pietersen", "Berg", "Çelik", "Celikkaya"]
    filters = [record(geslachtsnaam=name)["surname_core_bf"] for name in names]
    positions = [bloom_positions(f) for f in filters if f]
    with duckdb.connect() as con:
        con.execute("CREATE TABLE f (i INTEGER, b VARCHAR, p INTEGER[])")
        con.executemany(
            "INSERT INTO f VALUES (?, ?, ?)",
            [(i, f, p) for i, (f, p) in enumerate(zip(filters, positions, strict=True))],
        )
        con.execute("INSERT INTO f VALUES (99, NULL, NULL)")
        assert con.execute(
            f"SELECT bool_and({positions_sql('b')} = p) FROM f WHERE b IS NOT NULL"
        ).fetchone() == (True,)
        rows = con.execute(
            f"SELECT l.i, r.i, {dice_sql('l.p', 'r.p')}, "
            f"{dice_bits_sql(bits_sql('l.b'), bits_sql('r.b'))} FROM f l, f r ORDER BY 1, 2"
        ).fetchall()
        assert con.execute(
            f"SELECT {dice_sql('[]::INTEGER[]', '[]::INTEGER[]')}, "
            f"typeof({dice_sql('p', 'p')}) FROM f LIMIT 1"
        ).fetchone() == (0.0, "DOUBLE")
    assert len(rows) == 7 * 7
    for left, right, by_lists, by_bits in rows:
        if 99 in (left, right):
            assert by_lists is None and by_bits is None
            continue
        expected = dice(positions[left], positions[right])
        assert by_lists == pytest.approx(expected, abs=1e-12)
        assert by_bits == pytest.approx(expected, abs=1e-12)
    assert dice([], []) == 0.0


def test_bloom_positions_refuses_what_is_no_filter() -> None:
    with pytest.raises(ValueError, match="128 bytes"):
        bloom_positions("AAAA")
    with pytest.raises(ValueError, match="base64"):
        bloom_positions("not base64!")


# --- secrets ------------------------------------------------------------------------------------


def test_secret_files(tmp_path: Path) -> None:
    assert len(secret_generate()) == 64 and secret_generate() != secret_generate()
    path = tmp_path / "key"
    written = secret_write(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_read(path) == written and len(written) == 32
    assert secret_fingerprint(written) in path.read_text()
    with pytest.raises(ClkError, match="never overwritten"):
        secret_write(path)
    plain = tmp_path / "plain"
    plain.write_text(SECRET.hex().upper() + "\n")
    assert secret_read(plain) == SECRET
    for content, message in (
        ("abcd" * 4, "too short"),
        ("xyz" * 30, "not a secret file"),
        ("abc", "not a secret file"),
        ("# only a comment\n", "empty"),
    ):
        plain.write_text(content)
        with pytest.raises(ClkError, match=message):
            secret_read(plain)
    with pytest.raises(ClkError, match="cannot read"):
        secret_read(tmp_path / "missing")


# --- partner files ------------------------------------------------------------------------------

ROWS = [
    ["K001", "Çelik", "", "Zoë", "05-03-1980", "5121 AB", "12", "A", "01-02-2024", "", "3"],
    [
        "K002",
        "Berg",
        "van der",
        "Jan Frans",
        "1975-12-01",
        "5121AC",
        "7",
        "",
        "2023-06-01",
        "",
        "1",
    ],
    ["K003", "Jansen", "", "Piet", "", "", "", "", "2023-01-15", "2024-01-31", "2"],
]


def partner_csv(path: Path, rows: list[list[str]], *, encoding: str, sep: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep)
    writer.writerow(PARTNER_FILE_COLUMNS)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def read_output(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_encode_file_windows_1252_semicolons(tmp_path: Path) -> None:
    source = partner_csv(tmp_path / "voedselbank.csv", ROWS, encoding="cp1252", sep=";")
    assert "Ç".encode("cp1252") in source.read_bytes()
    target = tmp_path / "encoded.csv"
    seen: list[tuple[int, int]] = []
    report = encode_file(source, target, SECRET, progress=lambda d, t: seen.append((d, t)))
    assert report.records == 3 and report.encoding == "cp1252" and report.delimiter == ";"
    assert seen[-1] == (3, 3)
    assert report.fingerprint == secret_fingerprint(SECRET)
    rows = read_output(target)
    assert tuple(rows[0]) == OUTPUT_COLUMNS
    assert [r["klantnummer"] for r in rows] == ["K001", "K002", "K003"]
    assert rows[0]["datuminschrijving"] == "2024-02-01" and rows[0]["aantal_personen"] == "3"
    assert rows[2]["datumuitschrijving"] == "2024-01-31"
    assert rows[2]["birth_date_h"] == "" and rows[2]["postcode_h"] == ""
    assert report.filled["birth_date_h"] == 2 and report.filled["surname_core_bf"] == 3
    # Same encoding as the register side gets from encode_record.
    celik = record(
        geslachtsnaam="Çelik",
        voornamen="Zoë",
        datumgeboorte=date(1980, 3, 5),
        postcode="5121AB",
        huisnummer=12,
        huisnummertoevoeging="A",
    )
    assert {k: rows[0][k] for k in ENCODED_FIELDS} == {k: v or "" for k, v in celik.items()}
    # Nothing identifying in clear, in any spelling.
    data = target.read_bytes().lower()
    for clear in (
        "çelik", "celik", "zoë", "zoe", "berg", "jansen", "piet", "frans", "van der",
        "1980-03-05", "05-03-1980", "1975-12-01", "5121 ab", "5121ab", "5121ac",
    ):  # fmt: skip
        assert clear.encode() not in data, clear
    assert {p.name for p in tmp_path.iterdir()} == {"voedselbank.csv", "encoded.csv"}


def test_encode_file_utf8_commas_and_parquet_agree(tmp_path: Path) -> None:
    semicolons = partner_csv(tmp_path / "a.csv", ROWS, encoding="cp1252", sep=";")
    commas = partner_csv(tmp_path / "b.csv", ROWS, encoding="utf-8-sig", sep=",")
    table = pa.table(
        {name: [row[i] or None for row in ROWS] for i, name in enumerate(PARTNER_FILE_COLUMNS)}
    )
    table = table.set_column(
        PARTNER_FILE_COLUMNS.index("huisnummer"),
        "huisnummer",
        pa.array([12, 7, None], pa.int64()),
    )
    parquet = tmp_path / "c.parquet"
    pq.write_table(table, parquet)
    outputs = []
    for source in (semicolons, commas, parquet):
        target = tmp_path / f"{source.stem}.out.csv"
        encode_file(source, target, SECRET)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (2, "datumgeboorte", "not a valid date"),
        (2, "postcode", "not a postcode"),
        (3, "huisnummer", "not a whole number"),
        (3, "klantnummer", "duplicate key (same klantnummer as row 1)"),
        (1, "klantnummer", "required value missing"),
        (3, "datumuitschrijving", "earlier than datuminschrijving"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(
    tmp_path: Path, row: int, column: str, reason: str
) -> None:
    rows = [list(r) for r in ROWS]
    i = PARTNER_FILE_COLUMNS.index(column)
    bad = {
        "datumgeboorte": "31-02-1980",
        "postcode": "51211AB",
        "huisnummer": "12a",
        "klantnummer": "" if row == 1 else "K001",
        "datumuitschrijving": "2022-12-31",
    }[column]
    rows[row - 1][i] = bad
    source = partner_csv(tmp_path / "voedselbank.csv", rows, encoding="utf-8", sep=",")
    target = tmp_path / "encoded.csv"
    with pytest.raises(ClkError) as caught:
        encode_file(source, target, SECRET)
    message = str(caught.value)
    assert f"voedselbank.csv: row {row} (line {row + 1}), column {column}: {reason}" in message
    if column != "klantnummer":
        assert bad not in message  # no name, date or address value in a message
    assert "nothing was written" in message
    assert [p.name for p in tmp_path.iterdir()] == ["voedselbank.csv"]


def test_every_problem_row_is_counted_and_the_first_twenty_shown(tmp_path: Path) -> None:
    good = ["K", "Jansen", "", "Jan", "1980-01-01", "", "", "", "", "", ""]
    rows = [[f"K{i}", *good[1:]] for i in range(100)]
    for i in range(5, 100, 2):  # 48 rows with a bad date
        rows[i][4] = "1980-01-32"
    rows[6][6] = "zes"
    source = partner_csv(tmp_path / "p.csv", rows, encoding="utf-8", sep=",")
    with pytest.raises(ClkError) as caught:
        encode_file(source, tmp_path / "out.csv", SECRET)
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        "p.csv: row 6 (line 7), column datumgeboorte: not a valid date "
        "(expected YYYY-MM-DD or DD-MM-YYYY)"
    )
    assert lines[1] == "p.csv: row 7 (line 8), column huisnummer: not a whole number"
    assert lines[20] == "... and 29 more"
    assert lines[21].startswith("p.csv: 49 row(s) cannot be encoded; nothing was written.")
    assert [p.name for p in tmp_path.iterdir()] == ["p.csv"]


def test_structural_problems(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    missing = tmp_path / "missing.csv"
    missing.write_text("klantnummer,geslachtsnaam\nK1,Jansen\n", encoding="utf-8")
    with pytest.raises(ClkError, match=r"missing\.csv: column missing: voorvoegsel, voornamen"):
        encode_file(missing, target, SECRET)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(",".join(PARTNER_FILE_COLUMNS) + "\nK1,Jansen\n", encoding="utf-8")
    with pytest.raises(ClkError, match=r"row 1 \(line 2\): 2 fields where the header has 11"):
        encode_file(ragged, target, SECRET)
    with pytest.raises(ClkError, match=r"not a \.csv or \.parquet"):
        encode_file(tmp_path / "x.xlsx", target, SECRET)
    with pytest.raises(ClkError, match="must differ"):
        encode_file(ragged, ragged, SECRET)
    assert not target.exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_extra_columns_and_empty_rows(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    lines = [",".join((*PARTNER_FILE_COLUMNS, "telefoon"))]
    lines += [",".join([*row, "0612345678"]) for row in ROWS]
    lines += ["," * len(PARTNER_FILE_COLUMNS), ""]  # a row of empty cells, a blank line
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = encode_file(source, tmp_path / "out.csv", SECRET)
    assert report.records == 3 and report.ignored_columns == ("telefoon",)
    assert report.skipped_empty_rows == 2
    assert b"0612345678" not in (tmp_path / "out.csv").read_bytes()


# --- the command --------------------------------------------------------------------------------


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(encode)
    return app


def test_command_new_secret_encode_and_exit_codes(cli: typer.Typer, tmp_path: Path) -> None:
    runner = CliRunner()
    key = tmp_path / "geheim.key"
    made = runner.invoke(cli, ["--new-secret", str(key), "--json"])
    assert made.exit_code == 0, made.output
    fingerprint = json.loads(made.stdout)["fingerprint"]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = key.read_bytes()
    again = runner.invoke(cli, ["--new-secret", str(key)])
    assert again.exit_code == 2 and "never overwritten" in again.output
    assert key.read_bytes() == before

    source = partner_csv(tmp_path / "voedselbank.csv", ROWS, encoding="cp1252", sep=";")
    out = tmp_path / "voedselbank-encoded.csv"
    args = [str(source), "--secret-file", str(key), "--out", str(out)]
    done = runner.invoke(cli, [*args, "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["records"] == 3 and summary["fingerprint"] == fingerprint
    assert summary["columns"] == list(OUTPUT_COLUMNS)
    assert read_output(out)[0]["klantnummer"] == "K001"

    exists = runner.invoke(cli, args)
    assert exists.exit_code == 2 and "already exists" in exists.output
    out.unlink()
    plain = runner.invoke(cli, args)
    assert plain.exit_code == 0 and "Encoded 3 records" in plain.stdout
    assert fingerprint in plain.stdout

    bad = partner_csv(
        tmp_path / "bad.csv",
        [[*ROWS[0][:4], "1980-13-01", *ROWS[0][5:]]],
        encoding="utf-8",
        sep=",",
    )
    refused = runner.invoke(cli, [str(bad), "--secret-file", str(key), "--out", str(out) + "2"])
    assert refused.exit_code == 2
    assert "row 1 (line 2), column datumgeboorte" in refused.output
    assert not Path(str(out) + "2").exists()

    short = tmp_path / "short.key"
    short.write_text("abcd\n")
    weak = runner.invoke(cli, [str(source), "--secret-file", str(short), "--out", str(out) + "3"])
    assert weak.exit_code == 2 and "too short" in weak.output
    assert runner.invoke(cli, [str(source)]).exit_code == 2
    assert runner.invoke(cli, ["--new-secret", str(tmp_path / "k2"), str(source)]).exit_code == 2
    missing = runner.invoke(
        cli, [str(tmp_path / "nope.csv"), "--secret-file", str(key), "--out", str(out) + "4"]
    )
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_command_other_errors_exit_1(cli: typer.Typer, tmp_path: Path) -> None:
    """A folder that cannot be written to is an error (1), not rejected input (2)."""
    key = tmp_path / "k"
    secret_write(key)
    source = partner_csv(tmp_path / "p.csv", ROWS, encoding="utf-8", sep=",")
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root writes anyway; /proc takes no files, even from root
        folder = Path("/proc")
        if not folder.is_dir():
            pytest.skip("no folder this user cannot write to")
    try:
        result = CliRunner().invoke(
            cli, [str(source), "--secret-file", str(key), "--out", str(folder / "out.csv")]
        )
    finally:
        (tmp_path / "readonly").chmod(0o700)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
