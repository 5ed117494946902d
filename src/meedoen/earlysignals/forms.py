"""Forms of the work list: its filters, assigning a household, registering an outreach."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meedoen.web.forms import SELECT, TEXTBOX, UtrechtForm
from meedoen.web.labels import (
    CONTACT_CHANNELS,
    CONTACT_FOLLOW_UPS,
    CONTACT_RESULTS,
    SIGNAL_PARTNERS,
    SIGNAL_PRIORITIES,
    SIGNAL_STATUSES,
)


def _choices(labels: dict[str, Any], empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *labels.items()]


class FilterForm(UtrechtForm):
    """The work list's filters, sent as the page's query string (every field optional)."""

    activiteit = forms.TypedChoiceField(
        label=_("Processing activity"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": SELECT}),
    )
    wijk = forms.ChoiceField(
        label=_("District"), required=False, widget=forms.Select(attrs={"class": SELECT})
    )
    prioriteit = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=_choices(SIGNAL_PRIORITIES, _("All priorities")),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    partner = forms.ChoiceField(
        label=_("Partner"),
        required=False,
        choices=_choices(SIGNAL_PARTNERS, _("All partners")),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_choices(SIGNAL_STATUSES, _("Every status")),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    mijn = forms.BooleanField(
        label=_("Only households assigned to me"),
        required=False,
        widget=forms.CheckboxInput(
            attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input", "value": "1"}
        ),
    )

    def __init__(
        self,
        *args: Any,
        activities: list[tuple[int, str]],
        wijken: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(activities) > 1:
            self.fields["activiteit"].choices = activities
        else:
            del self.fields["activiteit"]
        self.fields["wijk"].choices = [("", _("All districts")), *wijken]


class AssignForm(UtrechtForm):
    worker = forms.ChoiceField(
        label=_("Debt worker"), required=False, widget=forms.Select(attrs={"class": SELECT})
    )

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", _("Nobody")), *workers]


class ContactForm(UtrechtForm):
    channel = forms.ChoiceField(
        label=_("How"),
        choices=_choices(CONTACT_CHANNELS, _("Choose how")),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=_choices(CONTACT_RESULTS, _("Choose the result")),
        help_text=_(
            "Not reached, or a new attempt as follow-up, keeps the household in progress; every "
            "other result concludes the outreach and closes its signals up to the date."
        ),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    follow_up = forms.ChoiceField(
        label=_("Follow-up"),
        choices=_choices(CONTACT_FOLLOW_UPS, _("Choose the follow-up")),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"class": TEXTBOX, "type": "date"}, format="%Y-%m-%d"),
    )
