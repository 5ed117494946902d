"""Cases (*casussen*): a case worker sees a family only through a case on their own caseload.

A case names its person by the BRP pseudonym, never by BSN: the web database holds no
identifiers; the vault turns the pseudonym back into the person when the family is read.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    OPENED = "geopend", _("opened in meedoen")
    FILE = "bestand", _("loaded from the case-management system")
    BREAK_GLASS = "doorbraak", _("break-the-glass")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=40, unique=True)
    #: HMAC of the person's BSN under the BRP domain key (``pseudonym-brp`` in the audit log).
    person_pseudonym = models.CharField(_("person (BRP pseudonym)"), max_length=64, db_index=True)
    #: The approved operational activity (kind *uitvoering*) the case is worked under.
    activity_id = models.PositiveBigIntegerField(_("processing activity"))
    reason = models.TextField(_("reason"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("case worker"),
    )
    team = models.CharField(_("team"), max_length=64, blank=True)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    start = models.DateField(_("start"))
    #: The last day the case may be viewed (break-the-glass: the day it was asked for).
    end = models.DateField(_("end"), null=True, blank=True)
    opened_by = models.CharField(_("opened by"), max_length=150)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_by = models.CharField(_("closed by"), max_length=150, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.number


class BreakGlassReview(models.Model):
    """The privacy officer's review of a break-the-glass access, the same day."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="review")
    reviewed_by = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    justified = models.BooleanField(_("justified"), null=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("break-the-glass review")
        ordering = ["case__opened_at"]

    def __str__(self) -> str:
        return f"review of {self.case.number}"


class FoodBankReferral(models.Model):
    """A case worker referred the case's person to the food bank: their name, address and
    household size go to the food bank. This rests on the person's consent (the residents'
    consent register, purpose ``voedselbank_verwijzing``), checked when the referral is made;
    the consent record it rested on is kept beside it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    person_pseudonym = models.CharField(_("person (BRP pseudonym)"), max_length=64)
    consent = models.ForeignKey(
        "residents.Consent", on_delete=models.PROTECT, related_name="referrals"
    )
    household_size = models.PositiveSmallIntegerField(_("household size"))
    note = models.TextField(_("note for the food bank"), blank=True)
    referred_by = models.CharField(_("referred by"), max_length=150)
    referred_at = models.DateTimeField(_("referred at"))

    class Meta:
        verbose_name = _("referral to the food bank")
        ordering = ["-referred_at", "-pk"]

    def __str__(self) -> str:
        return f"referral of {self.case_id}"
