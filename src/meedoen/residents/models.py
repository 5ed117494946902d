"""The resident portal's records (``/mijn/``): which person a resident account is, the consent
register, and residents' objection and correction requests (AVG art. 16 and 21).

A resident is named everywhere by their BRP pseudonym (``person``: HMAC of the BSN under the BRP
domain key, as cases and the audit log name persons): the web database never holds a BSN. The
identity zone turns the pseudonym back into the BSN when the resident's own data is read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResidentIdentity(models.Model):
    """The person a resident account is: bound at the first sign-in through OpenID Connect
    (the BSN claim of the identity token), or by ``meedoen demo`` for the demo account."""

    class Via(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect (DigiD)")
        DEMO = "demo", _("demo account")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_identity"
    )
    person = models.CharField(_("person (BRP pseudonym)"), max_length=100, unique=True)
    via = models.CharField(_("bound through"), max_length=8, choices=Via.choices)
    bound_at = models.DateTimeField(_("bound at"), auto_now_add=True)

    class Meta:
        verbose_name = _("resident identity")

    def __str__(self) -> str:
        return f"resident {self.user_id}"


class ConsentPurpose(models.TextChoices):
    """Optional processing that rests on the resident's consent (AVG art. 6(1)(a)); the
    processing checks the register before it runs (:func:`consent_active`)."""

    FOODBANK_REFERRAL = "voedselbank_verwijzing", _("Referral to the food bank")
    RESIDENT_PANEL = "inwonerspanel", _("Taking part in the resident panel")
    MEEDENKER_CONTACT = "meedenker_contact", _("Contact by a Meedenker")


class Consent(models.Model):
    """One consent, in the shape of a consent record: for which purpose, to which processor,
    given when, withdrawn when. Giving again after a withdrawal makes a new record, so the
    history stays; a record is only ever changed by setting ``withdrawn_at``."""

    person = models.CharField(_("person (BRP pseudonym)"), max_length=100, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=ConsentPurpose.choices)
    processor = models.CharField(_("processor"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    given_at = models.DateTimeField(_("given at"))
    given_via = models.CharField(_("given through"), max_length=8)  # web, api
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_via = models.CharField(_("withdrawn through"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("consent")
        ordering = ["person", "purpose", "given_at"]
        constraints = [
            # At most one consent in force per person and purpose.
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="residents_consent_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"consent {self.purpose} ({'withdrawn' if self.withdrawn_at else 'given'})"


class SubjectRequest(models.Model):
    """A resident's objection (AVG art. 21) to an analysis activity, or request to correct data
    (art. 16): in the privacy officer's queue with a deadline of one month. An upheld objection
    excludes the person from the named activity's store when it is next built."""

    class Kind(models.TextChoices):
        OBJECTION = "bezwaar", _("Objection")
        CORRECTION = "correctie", _("Correction")

    class State(models.TextChoices):
        RECEIVED = "ontvangen", _("received")
        UPHELD = "toegewezen", _("upheld")
        REJECTED = "afgewezen", _("rejected")

    person = models.CharField(_("person (BRP pseudonym)"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    activity = models.ForeignKey(
        "activities.ProcessingActivity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subject_requests",
        verbose_name=_("processing activity"),
    )
    reason = models.TextField(_("reason"))
    received_at = models.DateTimeField(_("received at"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("status"), max_length=12, choices=State.choices, default=State.RECEIVED
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request of a resident")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.state})"
