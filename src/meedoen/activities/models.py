"""The register of processing activities (verwerkingsregister, AVG art. 30).

An activity is never edited in place: every request, decision and revocation is a new
:class:`ActivityVersion`; the newest version is the activity's current state.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    EXPIRED = "expired", _("expired")
    REVOKED = "revoked", _("revoked")


class Kind(models.TextChoices):
    """What an activity allows: analysis on activity-scoped pseudonyms, publishing only protected
    aggregates, or operational use (*uitvoering*): identified data shown to a named professional
    for a case on their own caseload (DESIGN.md, "Operational vs analytical processing")."""

    ANALYSE = "analyse", _("Analysis")
    UITVOERING = "uitvoering", _("Operational")


#: The roles (``meedoen.accounts.roles.Role`` values) an operational activity can allow.
OPERATIONAL_ROLES = ("case_worker", "team_lead", "debt_worker")


class Task(models.TextChoices):
    """The statutory task an activity serves, where a source is bound by law to one task
    (doelbinding, :data:`PURPOSE_BOUND`); empty for every other activity."""

    NONE = "", _("none (no purpose-bound task)")
    SCHULDHULP = "schuldhulpverlening", _("debt help (Wgs)")


#: Source domains the law allows for one statutory task only (doelbinding): domain -> the only
#: task that may use it. Early-warning signals (``signalen``, table ``vroegsignaal``: payment
#: arrears reported by housing corporations, energy and water companies and health insurers)
#: may be processed by the municipality only for debt help: Wet gemeentelijke
#: schuldhulpverlening art. 3 (the task of debt help) and art. 4a (processing personal data,
#: signals of payment arrears among them, for that task), with the Besluit gemeentelijke
#: schuldhulpverlening (which creditors report which arrears). An activity that lists such a
#: domain must carry that task; enforcement withholds the domain from any other activity.
PURPOSE_BOUND: dict[str, str] = {"signalen": Task.SCHULDHULP}
#: What each purpose-bound domain is and the task and law it is bound to, as messages say it.
PURPOSE_BOUND_TEXT = {
    "signalen": (
        _("early-warning signals of payment arrears"),
        _("debt help (Wgs, art. 3 and 4a)"),
    ),
}


class ProcessingActivity(models.Model):
    """The stable identity of an activity; its content lives in its versions."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")

    def __str__(self) -> str:
        return f"activity {self.pk}"


class ActivityVersion(models.Model):
    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    name = models.CharField(_("name"), max_length=200)
    #: ``analyse`` (every activity before kinds existed) or ``uitvoering`` (operational).
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ANALYSE)
    purpose = models.TextField(_("purpose"))
    #: The statutory task the activity serves (``Task``): ``schuldhulpverlening`` for an
    #: activity that may use a purpose-bound source (``PURPOSE_BOUND``), empty otherwise.
    task = models.CharField(
        _("statutory task"),
        max_length=32,
        choices=Task.choices,
        blank=True,
        default=Task.NONE,
        db_default=Task.NONE,
    )
    legal_basis = models.TextField(_("legal basis"))
    sources = models.JSONField(_("sources (domains)"))
    data_categories = models.TextField(_("data categories"), blank=True)
    #: The roles (``OPERATIONAL_ROLES``) that may work under an operational activity; empty for
    #: an analysis.
    roles = models.JSONField(_("roles"), default=list, blank=True)
    #: The columns of the activity's store, ``table.column`` (analytics names): what the privacy
    #: officer approves. Record numbers and pseudonyms of persons and addresses always come along.
    columns = models.JSONField(_("columns"), default=list, blank=True)
    #: Columns kept at their finer detail (month instead of year); others are coarsened.
    fine_columns = models.JSONField(_("finer detail"), default=list, blank=True)
    fine_reason = models.TextField(_("why finer detail is needed"), blank=True)
    #: The privacy officer's floors for publications under this activity (set at approval):
    #: ``min_frequency``, ``dominance`` [n, k], ``p_percent``, ``group``, ``protection``.
    disclosure_floor = models.JSONField(_("publication rules (floors)"), default=dict, blank=True)
    recipients = models.TextField(_("recipients and roles"), blank=True)
    retention_days = models.PositiveIntegerField(_("retention period in days"))
    dpia_reference = models.CharField(_("DPIA reference"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    valid_until = models.DateField(_("approved until"), null=True, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    acted_by = models.CharField(_("acted by"), max_length=150)
    acted_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity version")
        ordering = ["activity_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "number"], name="activity_version_unique")
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} v{self.number} ({self.status})"


class ActivityPurge(models.Model):
    """What was deleted when an activity was revoked or expired (or a store had no activity)."""

    activity_id = models.PositiveBigIntegerField(db_index=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.CharField(_("deleted by"), max_length=150)
    reason = models.CharField(_("reason"), max_length=32)
    tables = models.JSONField(_("rows deleted per table"), default=dict)
    files = models.JSONField(_("files deleted"), default=list)
    key_destroyed = models.BooleanField(_("key destroyed"), default=False)
    summary = models.TextField(_("summary"))

    class Meta:
        verbose_name = _("deletion of activity data")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"activity {self.activity_id}: {self.summary}"


class ReviewerGrant(models.Model):
    """The privacy officer lets one analyst review the uncertain links of one activity: the
    review pages show names, birth dates and addresses, which no other analyst may see."""

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.PROTECT, related_name="reviewer_grants"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    granted_by = models.CharField(_("granted by"), max_length=150)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    withdrawn_by = models.CharField(_("withdrawn by"), max_length=150, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reviewer grant")
        ordering = ["activity_id", "granted_at", "pk"]

    def __str__(self) -> str:
        return f"activity {self.activity_id}: reviewer {self.user_id}"
