"""The audit log, in the shape of the Dutch *Logboek Dataverwerkingen* standard.

A :class:`ProcessingRecord` is one action on one data subject's data (the standard's log
record: trace and span id, name, status, times, processing activity, the data subject's
pseudonymised id). Who acted is not in it: an :class:`AccessRecord` per trace holds the user,
joined by ``trace_id``. Both tables are append-only (database triggers refuse UPDATE and
DELETE) and hash-chained (``meedoen audit verify``); :class:`ChainHead` is where each chain ends.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meedoen.utils.runs import Run


class ProcessingRecord(models.Model):
    class Status(models.TextChoices):
        UNSET = "Unset"
        OK = "Ok"
        ERROR = "Error"

    position = models.BigIntegerField(unique=True)
    trace_id = models.CharField(max_length=32, db_index=True)
    span_id = models.CharField(max_length=16)
    parent_span_id = models.CharField(max_length=16, blank=True)
    name = models.CharField(_("operation"), max_length=100)
    status = models.CharField(max_length=5, choices=Status.choices)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    processing_activity_id = models.CharField(max_length=200)
    data_subject_id = models.CharField(max_length=100, db_index=True)
    data_subject_id_type = models.CharField(max_length=100)
    # A record about many data subjects references a set of them (ADR 0011) instead of naming
    # one (``data_subject_id`` empty); the set's digest and size are in the chain. Nullable, so
    # that adding them did not make SQLite rebuild the table (and drop its triggers). No
    # foreign-key constraint in the database: records and sets are append-only, and verify
    # reads every referenced set back against the digest in its record.
    subject_set = models.ForeignKey(
        "SubjectSet",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        db_constraint=False,
    )
    subject_set_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    subject_count = models.BigIntegerField(null=True, blank=True)
    resource = models.CharField(max_length=100)
    detail = models.CharField(max_length=200, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("processing record")
        ordering = ["position"]
        # An index, not db_index=True: on SQLite altering a field rebuilds the table and would
        # drop the append-only triggers of migration 0002.
        indexes = [models.Index(fields=["processing_activity_id"], name="audit_activity_idx")]

    def __str__(self) -> str:
        return f"{self.position} {self.name} {self.data_subject_id_type}:{self.data_subject_id}"


class AccessRecord(models.Model):
    position = models.BigIntegerField(unique=True)
    trace_id = models.CharField(max_length=32, db_index=True)
    at = models.DateTimeField()
    user_name = models.CharField(max_length=150)
    user_role = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=8)  # cli, web, api
    client = models.CharField(max_length=200, blank=True)
    operation = models.CharField(max_length=100)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("access record")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position} {self.user_name} {self.operation}"


class ChainHead(models.Model):
    """The last position and hash of a chain; may only move forward (database trigger)."""

    chain = models.CharField(max_length=16, primary_key=True)
    position = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} @ {self.position}"


class SubjectSet(models.Model):
    """The data subjects of one type that processing touched, stored once and shared by the
    records that reference it (ADR 0011): explicit pseudonyms (:class:`SubjectSetMember`) or
    serial numbers from the vault's register (:class:`SubjectSetContainer`). ``digest`` covers
    the type, the encoding and every member (:mod:`meedoen_data.audit_sets`); append-only."""

    class Encoding(models.TextChoices):
        EXPLICIT = "explicit"
        SERIALS = "serials"

    digest = models.CharField(max_length=64, unique=True)
    subject_type = models.CharField(max_length=100)
    encoding = models.CharField(max_length=8, choices=Encoding.choices)
    size = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("subject set")

    def __str__(self) -> str:
        return f"{self.subject_type}: {self.size} ({self.digest[:12]})"


class SubjectSetMember(models.Model):
    """One pseudonym of an explicit subject set (indexed: the lookup by person)."""

    subject_set = models.ForeignKey(SubjectSet, on_delete=models.PROTECT, related_name="members")
    subject = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["subject"], name="audit_member_subject_idx")]

    def __str__(self) -> str:
        return f"{self.subject_set_id}: {self.subject}"


class SubjectSetContainer(models.Model):
    """The members of a serial subject set whose numbers share ``key`` (number >> 16), as a
    serialised Roaring bitmap; indexed by key, so a lookup reads one container per set."""

    subject_set = models.ForeignKey(SubjectSet, on_delete=models.PROTECT, related_name="containers")
    key = models.IntegerField()
    bitmap = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["key"], name="audit_container_key_idx")]
        constraints = [
            models.UniqueConstraint(fields=["subject_set", "key"], name="audit_container_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject_set_id}: container {self.key}"


class PruneAnchor(models.Model):
    """Where a chain starts after a prune (ADR 0013, :mod:`meedoen_data.audit_prune`): records
    1 to ``upto`` were removed at the end of the log's retention period; ``upto_hash`` is the
    hash the next record points to. Signed with the checkpoint key; append-only."""

    chain = models.CharField(max_length=16)
    upto = models.BigIntegerField()
    upto_hash = models.CharField(max_length=64)
    removed = models.BigIntegerField()
    digest = models.CharField(max_length=64)
    before = models.DateTimeField()
    time = models.DateTimeField()
    kind = models.CharField(max_length=16, default="retention")  # or "compaction"
    key = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)

    class Meta:
        verbose_name = _("prune anchor")
        constraints = [
            models.UniqueConstraint(fields=["chain", "upto"], name="audit_prune_anchor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.chain}: pruned up to {self.upto}"


class ChainCheck(Run):
    """One check of the log from the audit log page, run in the background
    (:mod:`meedoen.utils.runs`): its progress, then what the page shows of the outcome
    (``summary``: :func:`meedoen.audits.selectors.audit_verification_summary`). The check
    itself is logged as an access record (``audit.verify``) like every look at the log."""

    kept_name = models.CharField(_("kept checkpoint"), max_length=255, blank=True)

    class Meta(Run.Meta):
        verbose_name = _("chain check")

    def __str__(self) -> str:
        return f"chain check {self.pk}"
