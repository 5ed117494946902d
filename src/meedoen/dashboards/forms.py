"""The council member's form for a signal (``/dashboard/signalen/``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meedoen.dashboards.models import Signal
from meedoen.web.forms import SELECT, TEXTAREA, TEXTBOX, UtrechtForm


class SignalForm(UtrechtForm):
    text = forms.CharField(
        label=_("What did you hear?"),
        help_text=_(
            "In a few sentences, without anyone's name, BSN, address, e-mail address or phone "
            "number: a signal with personal data is refused."
        ),
        max_length=1000,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 4}),
        error_messages={"required": _("Describe the signal.")},
    )
    indicator = forms.ChoiceField(
        label=_("Which indicator does it concern?"), widget=forms.Select(attrs={"class": SELECT})
    )
    wijkcode = forms.ChoiceField(
        label=_("Wijk"), required=False, widget=forms.Select(attrs={"class": SELECT})
    )
    heard_on = forms.DateField(
        label=_("When"),
        widget=forms.DateInput(attrs={"class": TEXTBOX, "type": "date"}),
        error_messages={"required": _("Give the date."), "invalid": _("Give a date.")},
    )
    source = forms.ChoiceField(
        label=_("Where"),
        choices=Signal.Source.choices,
        widget=forms.Select(attrs={"class": SELECT}),
    )

    def __init__(
        self,
        *args: Any,
        indicators: list[tuple[str, str]],
        wijken: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators
        self.fields["wijkcode"].choices = [("", _("The whole municipality")), *wijken]
