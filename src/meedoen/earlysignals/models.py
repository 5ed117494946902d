"""The debt worker's work list of early-warning signals (Wgs vroegsignalering).

A row per household with signals of payment arrears under an operational activity for debt
help, and every outreach to it. The web database holds no identifiers: a household is named by
its key (``A:`` + the address pseudonym, or ``P:`` + the BRP pseudonym of a person without an
address), its persons by their BRP pseudonyms, its signals by the partners' signal ids; names,
addresses and amounts per signal stay in the identity zone and are read (and logged) when a
page shows them. The triage snapshot (priority, the rule that set it, the signals that made it
hold) is refreshed by :func:`meedoen.earlysignals.services.signals_refresh`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meedoen.web.labels import (
    CONTACT_CHANNELS,
    CONTACT_FOLLOW_UPS,
    CONTACT_RESULTS,
    SIGNAL_PRIORITIES,
    SIGNAL_STATUSES,
)

#: A household's status: new signals, an outreach in progress, or concluded (until a newer
#: signal reopens it as new).
NIEUW, IN_BEHANDELING, AFGEROND = "nieuw", "in_behandeling", "afgerond"
STATUSES = (NIEUW, IN_BEHANDELING, AFGEROND)
CHANNELS = tuple(CONTACT_CHANNELS)
RESULTS = tuple(CONTACT_RESULTS)
FOLLOW_UPS = tuple(CONTACT_FOLLOW_UPS)


class SignalHousehold(models.Model):
    activity_id = models.PositiveBigIntegerField(_("processing activity"))
    #: ``A:`` + the dwelling's address pseudonym, or ``P:`` + the person's BRP pseudonym.
    key = models.CharField(_("household key"), max_length=80)
    wijk = models.CharField(_("wijk"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=list(SIGNAL_STATUSES.items()), default=NIEUW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signal_households",
        verbose_name=_("assigned to"),
    )
    # -- the triage snapshot (signals_refresh) --
    priority = models.CharField(
        _("priority"), max_length=16, choices=list(SIGNAL_PRIORITIES.items()), blank=True
    )
    rule_id = models.CharField(_("rule"), max_length=100, blank=True)
    rule_name = models.CharField(_("rule name"), max_length=200, blank=True)
    rule_why = models.TextField(_("why"), blank=True)
    #: The signal ids that made the rule hold.
    triggered = models.JSONField(_("triggering signals"), default=list)
    #: enkelvoudig / meervoudig / herhaald
    kinds = models.JSONField(_("kinds"), default=list)
    partners = models.JSONField(_("partners"), default=list)
    #: The open signals' ids.
    signal_ids = models.JSONField(_("open signals"), default=list)
    amount_total = models.DecimalField(
        _("total amount"), max_digits=12, decimal_places=2, default=0
    )
    first_signal = models.DateField(_("first signal"), null=True, blank=True)
    last_signal = models.DateField(_("last signal"), null=True, blank=True)
    #: The longest time between arrears starting and being signalled, over the open signals.
    months_in_arrears = models.PositiveIntegerField(_("months in arrears"), null=True, blank=True)
    open_signals = models.PositiveIntegerField(_("open signals"), default=0)
    in_debt_help = models.BooleanField(_("known in debt help"), default=False)
    #: BRP pseudonyms of the persons the signals are about, the contact person first.
    persons = models.JSONField(_("persons (BRP pseudonyms)"), default=list)
    rules_version = models.CharField(_("version of the rules"), max_length=40, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    #: The date of the last outreach that concluded: signals up to it are closed.
    closed_at = models.DateField(_("concluded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("household with early signals")
        verbose_name_plural = _("households with early signals")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity_id", "key"], name="earlysignals_household_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"household {self.pk} of activity {self.activity_id}"


class Contact(models.Model):
    """One outreach to a household about its open signals, and its outcome."""

    household = models.ForeignKey(
        SignalHousehold, on_delete=models.CASCADE, related_name="contacts"
    )
    date = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=16, choices=list(CONTACT_CHANNELS.items()))
    result = models.CharField(_("result"), max_length=24, choices=list(CONTACT_RESULTS.items()))
    follow_up = models.CharField(
        _("follow-up"), max_length=24, choices=list(CONTACT_FOLLOW_UPS.items())
    )
    registered_by = models.CharField(_("registered by"), max_length=150)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    #: The ids of the open signals the outreach answered.
    signal_ids = models.JSONField(_("signals answered"), default=list)

    class Meta:
        verbose_name = _("outreach")
        verbose_name_plural = _("outreach")
        ordering = ["-date", "-registered_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.date}: {self.result}"


class SignalList(models.Model):
    """The state of one activity's work list: when its signals were last linked (the run of the
    activity's linkage file the list was made from) and refreshed."""

    activity_id = models.PositiveBigIntegerField(_("processing activity"), unique=True)
    run_id = models.CharField(_("linkage run"), max_length=40, blank=True)
    linked_at = models.DateTimeField(_("signals linked at"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    refreshed_by = models.CharField(_("refreshed by"), max_length=150, blank=True)
    rules_version = models.CharField(_("version of the rules"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("work list of early signals")
        verbose_name_plural = _("work lists of early signals")

    def __str__(self) -> str:
        return f"work list of activity {self.activity_id}"


class SignalMonth(models.Model):
    """What the monitor keeps of one month's signals (:mod:`meedoen.earlysignals.monitor`):
    per month of the signal date, partner and wijk of the household, the signals and the
    distinct households. Aggregates only, written at every refresh of the work list; they
    outlive the signals, which are deleted after their retention period. The row of partner
    ``""`` (:data:`~meedoen.earlysignals.monitor.ALL_PARTNERS`) counts every partner together:
    its households are distinct across partners."""

    activity_id = models.PositiveBigIntegerField(_("processing activity"))
    #: YYYY-MM of the signal date.
    month = models.CharField(_("month"), max_length=7)
    #: The partner (HUUR, ENERGIE, …); "" every partner together.
    partner = models.CharField(_("partner"), max_length=24, blank=True)
    #: The household's wijk code ("" unknown: no address in the register).
    wijk = models.CharField(_("wijk"), max_length=16, blank=True)
    signals = models.PositiveIntegerField(_("signals"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    #: Households with an open debt-help trajectory when the month was recorded, not counting
    #: those whose debt help followed an outreach of early signalling in or after the month.
    in_debt_help = models.PositiveIntegerField(_("households already in debt help"), default=0)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("month of early signals")
        verbose_name_plural = _("months of early signals")
        ordering = ["activity_id", "month", "partner", "wijk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity_id", "month", "partner", "wijk"],
                name="earlysignals_signalmonth_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.partner or 'all'} {self.wijk or '-'}: {self.signals}"


class FirstContact(models.Model):
    """The first outreach to a household after its signals arrived (its first contact, or the
    first after an outreach that concluded) with the date of the oldest open signal it answered:
    the monitor's time to first contact, kept when the signals are deleted."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="first_contact")
    first_signal = models.DateField(_("oldest open signal answered"))

    class Meta:
        verbose_name = _("first contact")
        verbose_name_plural = _("first contacts")

    def __str__(self) -> str:
        return f"contact {self.contact_id}: {self.days} days"

    @property
    def days(self) -> int:
        return (self.contact.date - self.first_signal).days
