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
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.activities.actors import Actor, require_role
from meedoen.areas.services import areas_replace
from meedoen.audits.services import INTAKE_ACTIVITY, VAULT_ACTIVITY, audit_action
from meedoen.audits.trace import TraceContext
from meedoen.intakes.uploads import upload_folder_ensure
from meedoen_data.audit_sets import SubjectSet
from meedoen_data.bsn import bsn_is_valid
from meedoen_data.intake import (
    IngestReport,
    IntakeLimits,
    ingest_directory,
    quarantine_show,
    quarantine_subjects,
)
from meedoen_data.intake.pseudonyms import key_name, pseudonym
from meedoen_data.intake.rotation import RotationReport, rotate_domain_key
from meedoen_data.intake.subjects import batches_subject_sets
from meedoen_data.keystore import KeyStoreError
from meedoen_data.workspace import WorkspaceError

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


def intake_upload(
    *, user: User, files: list[UploadedFile], trace: TraceContext | None = None
) -> IngestReport:
    """Load uploaded source files through the intake gate, as ``meedoen ingest`` would.

    Only analysts (PermissionDenied otherwise). The files are written to a fresh folder inside
    the identity vault (mode 0700), loaded with ``ingest_directory`` and removed afterwards.
    Refused uploads raise ValidationError; per-file rejections are in the report."""
    if user.role != Role.ANALYST:
        raise PermissionDenied
    _check_files(files)
    limits = intake_limits()
    upload_folder_ensure()
    started = datetime.now(UTC)
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
                home=settings.MEEDOEN_HOME, directory=folder, user=user.username, limits=limits
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
    intake_log(
        report=report,
        actor=Actor(user.username, user),
        trace=trace or TraceContext.start(),
        channel="web",
        started=started,
    )
    log.info(
        "web intake by %s: %s",
        user.username,
        ", ".join(f"{f.file} {f.status}" for f in report.files),
    )
    return report


def _audit(
    *,
    trace: TraceContext,
    actor: Actor,
    channel: str,
    operation: str,
    groups: Mapping[str, list[str] | SubjectSet],
    started: datetime,
    detail: str = "",
    activity: str = INTAKE_ACTIVITY,
) -> None:
    audit_action(
        trace=trace,
        user_name=actor.name,
        user_role=actor.role,
        channel=channel,
        client="",
        operation=operation,
        activity=activity,
        subjects=dict(groups),
        started=started,
        detail=detail,
    )


def intake_limits() -> IntakeLimits:
    """The intake's limits from the environment (``MEEDOEN_INTAKE_*``). A value that cannot be
    read is the administrator's to fix: the upload is refused naming the variable (``meedoen
    serve`` refuses to start with it, so this is for a value changed under a running server)."""
    try:
        return IntakeLimits.from_env()
    except ValueError as exc:
        log.error("intake limits: %s", exc)
        raise ValidationError(
            _(
                "Uploads are switched off by a setting of the server: %(error)s. Ask the "
                "administrator to correct it; nothing was loaded."
            ),
            code="intake_settings",
            params={"error": str(exc)},
        ) from None


def intake_log(
    *, report: IngestReport, actor: Actor, trace: TraceContext, channel: str, started: datetime
) -> None:
    """Log an ingest: per loaded file, one record per pseudonym type that references the set
    of persons it wrote (numbered in the vault's subject register, ADR 0011). An ingest that
    loaded areas (``gebied``) also replaces the web database's copy of their names (ADR 0019)."""
    loaded = [f for f in report.files if f.status == "loaded"]
    if any(f.table == "gebied" for f in loaded):
        areas_replace(home=settings.MEEDOEN_HOME)
    sets = batches_subject_sets(home=settings.MEEDOEN_HOME, batch_ids=[f.batch_id for f in loaded])
    for f in loaded:
        groups = sets[f.batch_id]
        _audit(
            trace=trace,
            actor=actor,
            channel=channel,
            operation="intake.load",
            groups=groups,
            started=started,
            detail=f"{f.file} -> {f.table} (batch {f.batch_id})",
        )


def quarantine_read(
    *, batch_id: str, actor: Actor, trace: TraceContext, channel: str
) -> list[dict[str, Any]]:
    """The quarantined rows of a batch with their raw values (analysts, and the workspace
    operator who ran the intake; not the administrator role); logged per person (or per row,
    when the row has no valid BSN)."""
    require_role(actor, Role.ANALYST, operator=True)
    started = datetime.now(UTC)
    rows = quarantine_show(home=settings.MEEDOEN_HOME, batch_id=batch_id)
    if rows:
        _audit(
            trace=trace,
            actor=actor,
            channel=channel,
            operation="quarantine.show",
            groups=quarantine_subjects(home=settings.MEEDOEN_HOME, batch_id=batch_id),
            started=started,
            detail=f"batch {batch_id}",
        )
    return rows


def vault_pseudonymise(
    *, domain: str, actor: Actor, bsns: list[str], trace: TraceContext, channel: str
) -> list[str]:
    """BSNs to a domain's pseudonyms (vault administrators, or the workspace operator),
    logged per person."""
    require_role(actor, Role.ADMINISTRATOR, operator=True)
    started = datetime.now(UTC)
    try:
        key = settings.WORKSPACE.keys.read(key_name(domain))
    except KeyStoreError as exc:
        raise ValidationError(str(exc)) from None
    for number, value in enumerate(bsns, start=1):
        if not bsn_is_valid(value):
            raise ValidationError(f"BSN number {number}: not valid (9 digits, 11-proef)")
    values = [pseudonym(key, value) for value in bsns]
    _audit(
        trace=trace,
        actor=actor,
        channel=channel,
        operation="vault.pseudonym",
        groups={f"pseudonym-{domain}": sorted(set(values))},
        started=started,
        activity=VAULT_ACTIVITY,
    )
    return values


def key_rotate(*, domain: str, actor: Actor, trace: TraceContext, channel: str) -> RotationReport:
    """Rotate a domain's pseudonym key (administrators); every person whose pseudonym changed
    is logged under the new pseudonym."""
    require_role(actor, Role.ADMINISTRATOR, operator=True)
    started = datetime.now(UTC)
    try:
        report = rotate_domain_key(home=settings.MEEDOEN_HOME, domain=domain)
    except (WorkspaceError, KeyStoreError) as exc:
        raise ValidationError(str(exc)) from None
    _audit(
        trace=trace,
        actor=actor,
        channel=channel,
        operation="vault.key_rotate",
        groups={f"pseudonym-{domain}": report.subjects} if report.subjects else {},
        started=started,
        detail=f"{domain}: {report.analytics_rows} analytics, {report.vault_rows} vault rows",
        activity=VAULT_ACTIVITY,
    )
    return report
