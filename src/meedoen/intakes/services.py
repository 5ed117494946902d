"""Writes of the intake: source files uploaded in the web app go through the intake gate.

The data package does the work (validation, quarantine, pseudonyms, identifiers only in the
vault); this module checks who may upload and what, and keeps the uploads inside the vault.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections import Counter
from pathlib import Path

import duckdb
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.intakes.uploads import upload_folder_ensure
from meedoen_data.intake import IngestReport, ingest_directory

log = logging.getLogger(__name__)

MAX_FILES = 20
#: A contract table or partner file: the name says which table, so only plain names.
FILE_NAME = re.compile(r"[a-z0-9_]+\.(csv|parquet)")


def _check_files(files: list[UploadedFile]) -> None:
    if not files:
        raise ValidationError(_("Choose at least one file."), code="no_files")
    if len(files) > MAX_FILES:
        raise ValidationError(
            _("At most %(max)d files per upload; you chose %(count)d."),
            code="too_many_files",
            params={"max": MAX_FILES, "count": len(files)},
        )
    names = [str(upload.name or "") for upload in files]
    refused = [name for name in names if not FILE_NAME.fullmatch(name)]
    if refused:
        raise ValidationError(
            _(
                "Only .csv and .parquet files with a plain name (lower-case letters, digits and "
                "underscores, e.g. ingeschrevenpersoon.csv) can be loaded; refused: %(names)s"
            ),
            code="file_name",
            params={"names": ", ".join(refused)},
        )
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        raise ValidationError(
            _("Each file may be chosen only once; chosen twice: %(names)s"),
            code="duplicate_file",
            params={"names": ", ".join(twice)},
        )


def intake_upload(*, user: User, files: list[UploadedFile]) -> IngestReport:
    """Load uploaded source files through the intake gate, as ``meedoen ingest`` would.

    Only analysts (PermissionDenied otherwise). The files are written to a fresh folder inside
    the identity vault (mode 0700), loaded with ``ingest_directory`` and removed afterwards.
    Refused uploads raise ValidationError; per-file rejections are in the report."""
    if user.role != Role.ANALYST:
        raise PermissionDenied
    _check_files(files)
    upload_folder_ensure()
    try:
        with tempfile.TemporaryDirectory(dir=settings.WORKSPACE.vault_dir, prefix="upload-") as tmp:
            folder = Path(tmp)  # mkdtemp: mode 0700
            for upload in files:
                descriptor = os.open(
                    folder / str(upload.name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
                )
                with os.fdopen(descriptor, "wb") as target:
                    for chunk in upload.chunks():
                        target.write(chunk)
            report = ingest_directory(
                home=settings.MEEDOEN_HOME, directory=folder, user=user.username
            )
    except duckdb.OperationalError as exc:
        # The store is locked by another intake (the CLI, or a second upload in this server).
        raise ValidationError(
            _(
                "The analytics store or the identity vault is in use, probably by another "
                "intake; nothing was loaded. Try again later. (%(error)s)"
            ),
            code="store_busy",
            params={"error": str(exc)},
        ) from exc
    log.info(
        "web intake by %s: %s",
        user.username,
        ", ".join(f"{f.file} {f.status}" for f in report.files),
    )
    return report
