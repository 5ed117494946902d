"""Finding (issue 15, medium): no limit on what a delivered file or an upload may be.

The attack: an analyst's account uploaded `toewijzing.parquet`, 1.7 MB on disk, holding 100
million identical rows (Parquet compresses repetition to almost nothing). The gate read every
row: the upload ran for over 400 seconds, the process grew to 6.8 GB of memory, and DuckDB
spilled 33 GB of files with mode 0644 into `HOME/vault/tmp` — identifiers, readable by any
account on the server, until the disk was nearly full.

Now the gate checks rows and bytes per file and per upload before reading any data (a Parquet
file's row count and uncompressed size from its metadata; a CSV file's size and line breaks; a
CSV file is read with a row limit), refuses with a message naming the file, the limit and how to
raise it, and loads nothing of a refused file; DuckDB's spill space is bounded and its files,
like everything meedoen's processes write, are 0600."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen_data.bsn import bsn_from_index
from meedoen_data.contract import TABLES
from meedoen_data.intake import NATIONAL, IntakeLimits, ingest_directory
from meedoen_data.intake.limits import size_text
from meedoen_data.workspace import workspace_init
from tests.helpers import REPO, cli_env, meedoen

ROWS = 30_000_000  # identical rows, three times the default limit per file


def fingerprint(home: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name = 'source'"
        ).fetchall()


def persons_csv(folder: Path, n: int, name: str = "ingeschrevenpersoon.csv") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    bsns = [f"{b:09d}" for b in bsn_from_index(np.arange(n, dtype=np.int64))]
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(TABLES["ingeschrevenpersoon"])
        out.writerows([b, f"Jansen{i}", "", "Anna", "1980-05-17", "V", "", "E", "Nederland", "0"]
                      for i, b in enumerate(bsns))  # fmt: skip
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    workspace_init(home=home)
    return home


def spill_files(home: Path) -> list[Path]:
    return [p for p in (home / "vault" / "tmp").rglob("*") if p.is_file()]


def test_a_small_parquet_of_many_identical_rows_is_refused_from_its_metadata(
    home: Path, tmp_path: Path
) -> None:
    delivery = tmp_path / "delivery"
    delivery.mkdir()
    bomb = delivery / "toewijzing.parquet"
    one_value = pa.array(np.zeros(1_000_000, dtype=np.int32))
    required = {
        "toewijzingnummer": "T1",
        "burgerservicenummer": "111222333",
        "wet": "WMO",
        "productcategorie": "02",
        "datumstarttoewijzing": "2024-01-01",
    }
    block = pa.table(
        {c: pa.DictionaryArray.from_arrays(one_value, pa.array([v])) for c, v in required.items()}
    )
    with pq.ParquetWriter(bomb, block.schema) as writer:
        for _ in range(ROWS // 1_000_000):
            writer.write_table(block)
    assert bomb.stat().st_size < 2_000_000  # a few hundred kB on disk
    started = time.monotonic()
    result = meedoen("ingest", str(delivery), "--home", str(home), "--json")
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert elapsed < 60  # the attack ran for over 400 s; reading nothing takes a few
    assert f"toewijzing.parquet: {ROWS:,} rows (from the Parquet metadata)" in result.stdout
    assert "more than the limit of 10,000,000 rows per file" in result.stdout
    assert "MEEDOEN_INTAKE_MAX_FILE_ROWS" in result.stdout and "--national" in result.stdout
    assert spill_files(home) == []
    assert fingerprint(home) == []  # nothing loaded
    # `--national` raises the limit per file to 100 million rows; a variable that is set still
    # wins (here the limit per run, so that the test reads nothing either).
    national = meedoen(
        "ingest", str(delivery), "--home", str(home), "--national", "--json",
        MEEDOEN_INTAKE_MAX_UPLOAD_ROWS="1000000",
    )  # fmt: skip
    assert national.returncode == 2
    assert "rows per file" not in national.stdout
    assert f"has {ROWS:,} rows, more than the limit of 1,000,000 rows per upload" in (
        national.stdout
    )
    assert spill_files(home) == [] and fingerprint(home) == []


def test_a_csv_over_the_byte_limit_is_refused_before_reading(home: Path, tmp_path: Path) -> None:
    path = persons_csv(tmp_path / "big", 2000)
    report = ingest_directory(
        home=home, directory=path.parent, user="t", limits=IntakeLimits(file_bytes=10_000)
    )
    [result] = report.files
    assert result.status == "rejected"
    assert result.message.startswith(
        f"ingeschrevenpersoon.csv: {size_text(path.stat().st_size)} (on disk), more than the "
        "limit of 10 kB per file; nothing was read or loaded. To load it, raise it with "
        "MEEDOEN_INTAKE_MAX_FILE_BYTES"
    ), result.message
    assert fingerprint(home) == []


def test_a_csv_over_the_row_limit_stops_being_read_at_the_limit(home: Path, tmp_path: Path) -> None:
    path = persons_csv(tmp_path / "rows", 500)
    report = ingest_directory(
        home=home, directory=path.parent, user="t", limits=IntakeLimits(file_rows=100)
    )
    [result] = report.files
    assert result.status == "rejected"
    assert result.message.startswith(
        "ingeschrevenpersoon.csv: more than 100 rows, the limit per file; reading stopped "
        "there and nothing was loaded"
    ), result.message
    assert fingerprint(home) == []


def test_an_upload_over_the_per_upload_limit_is_refused_whole(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "upload"
    persons_csv(folder, 120)
    persons_csv(folder, 120, name="voedselbank_dummy.csv")  # any second file of the upload
    limits = IntakeLimits(file_rows=200, upload_rows=200)  # each file fits, both do not
    report = ingest_directory(home=home, directory=folder, user="t", limits=limits)
    assert [f.status for f in report.files] == ["rejected", "rejected"]
    assert {f.message for f in report.files} == {
        "this upload (2 files) has 240 rows, more than the limit of 200 rows per upload; nothing "
        "was read or loaded. To load it, raise it with MEEDOEN_INTAKE_MAX_UPLOAD_ROWS "
        "(docs/admin/configuration.md), or load a national delivery on the command line with: "
        "meedoen ingest DIR --national"
    }
    assert fingerprint(home) == []


@pytest.mark.django_db
def test_a_web_upload_over_the_limit_is_refused(
    client: Client, make_user, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "web"
    workspace = workspace_init(home=home).workspace
    settings.MEEDOEN_HOME, settings.WORKSPACE = home, workspace
    settings.FILE_UPLOAD_TEMP_DIR = str(workspace.vault_dir / "uploads")
    monkeypatch.setenv("MEEDOEN_INTAKE_MAX_UPLOAD_BYTES", "20kB")
    content = persons_csv(tmp_path / "web-files", 600).read_bytes()
    assert len(content) > 20_000
    client.force_login(make_user(Role.ANALYST))
    response = client.post(
        "/inlezen/",
        {"files": [SimpleUploadedFile("ingeschrevenpersoon.csv", content, "text/csv")]},
    )
    assert response.status_code == 200
    assert "meer dan de grens van 20 kB per upload" in response.content.decode()  # in Dutch
    assert "MEEDOEN_INTAKE_MAX_UPLOAD_BYTES" in response.content.decode()
    assert fingerprint(home) == []


def test_limits_come_from_the_environment_and_the_national_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert IntakeLimits.from_env() == IntakeLimits()
    assert IntakeLimits.from_env(national=True) == NATIONAL
    assert NATIONAL.file_rows >= 100_000_000 and NATIONAL.upload_rows >= 116_200_000
    monkeypatch.setenv("MEEDOEN_INTAKE_MAX_FILE_BYTES", "512MiB")
    monkeypatch.setenv("MEEDOEN_INTAKE_MAX_UPLOAD_ROWS", "1_000")
    limits = IntakeLimits.from_env(national=True)
    assert (limits.file_bytes, limits.upload_rows) == (512 * 2**20, 1000)
    assert limits.file_rows == NATIONAL.file_rows


def test_a_bad_limit_in_the_environment_stops_the_command(home: Path, tmp_path: Path) -> None:
    persons_csv(tmp_path / "env", 10)
    result = meedoen(
        "ingest", str(tmp_path / "env"), "--home", str(home), MEEDOEN_INTAKE_MAX_FILE_ROWS="lots"
    )
    assert result.returncode == 2
    assert "MEEDOEN_INTAKE_MAX_FILE_ROWS='lots': a whole number of rows" in result.stderr


@pytest.mark.django_db
def test_a_web_upload_with_a_bad_limit_names_the_setting(
    client: Client, make_user, tmp_path: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found after the review: a value the intake cannot read gave an HTTP 500 on /inlezen/."""
    home = tmp_path / "web"
    workspace = workspace_init(home=home).workspace
    settings.MEEDOEN_HOME, settings.WORKSPACE = home, workspace
    settings.FILE_UPLOAD_TEMP_DIR = str(workspace.vault_dir / "uploads")
    monkeypatch.setenv("MEEDOEN_INTAKE_MAX_FILE_ROWS", "lots")
    content = persons_csv(tmp_path / "web-files", 10).read_bytes()
    client.force_login(make_user(Role.ANALYST))
    response = client.post(
        "/inlezen/",
        {"files": [SimpleUploadedFile("ingeschrevenpersoon.csv", content, "text/csv")]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "MEEDOEN_INTAKE_MAX_FILE_ROWS=&#x27;lots&#x27;: a whole number of rows" in page, page
    assert fingerprint(home) == []


def test_serve_refuses_to_start_with_a_bad_limit(tmp_path: Path) -> None:
    home = tmp_path / "served"
    assert meedoen("init", "--home", str(home)).returncode == 0
    result = meedoen("serve", "--home", str(home), "--port", "1", MEEDOEN_INTAKE_MEMORY="much")
    assert result.returncode == 2
    assert "MEEDOEN_INTAKE_MEMORY='much'" in result.stderr


def addresses_csv(folder: Path, n: int) -> None:
    folder.mkdir()
    with (folder / "nummeraanduiding.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(TABLES["nummeraanduiding"])
        out.writerows(
            [f"0784200{i:09d}", f"0784010{i:09d}", f"{5000 + i % 4000}AB", str(i % 200 + 1),
             "", "", "Dorpsstraat", "Gilze", f"BU0784{i % 100:04d}", f"WK0784{i % 10:02d}",
             "GM0784"]
            for i in range(n)
        )  # fmt: skip


def test_spill_files_are_private_and_bounded(home: Path, tmp_path: Path) -> None:
    """With little working memory the gate spills to HOME/vault/tmp: every spill file is 0600
    (the command's umask), and with too little spill space the file is refused, nothing
    loaded, nothing left behind."""
    addresses_csv(tmp_path / "addresses", 150_000)
    command = [sys.executable, "-m", "meedoen", "ingest", str(tmp_path / "addresses")]
    process = subprocess.Popen(
        [*command, "--home", str(home)],
        # Little memory, so that it spills: 40 MB were enough for these 150,000 rows until the
        # gate joined the pseudonyms it computes once per ingest (2026-12-05); 64 MB are not
        # always enough since, 96 MB are and still spill.
        env=cli_env(MEEDOEN_INTAKE_MEMORY="96MB", MEEDOEN_INTAKE_TEMP_SPACE="2GB"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    modes: dict[str, int] = {}
    while process.poll() is None:
        for path in spill_files(home):
            with suppress(FileNotFoundError):  # gone in the meantime
                modes[path.name] = stat.S_IMODE(path.stat().st_mode)
        time.sleep(0.002)
    out, err = process.communicate()
    assert process.returncode == 0, out + err
    assert [name for name in modes if name.startswith("duckdb_temp")], "nothing spilled"
    assert {name: oct(mode) for name, mode in modes.items() if mode & 0o077} == {}
    assert spill_files(home) == []

    home2 = tmp_path / "home2"
    workspace_init(home=home2)
    refused = meedoen(
        "ingest",
        str(tmp_path / "addresses"),
        "--home",
        str(home2),
        MEEDOEN_INTAKE_MEMORY="64MB",
        MEEDOEN_INTAKE_TEMP_SPACE="1MB",
    )
    assert refused.returncode == 2
    assert "ran out of working memory (64 MB) and spill space (1 MB" in refused.stdout
    assert "MEEDOEN_INTAKE_TEMP_SPACE" in refused.stdout
    assert spill_files(home2) == [] and fingerprint(home2) == []
    assert os.listdir(home2 / "vault" / "tmp") == []
