"""Forms of the case pages: open a case, break the glass, review a break-the-glass access."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meedoen.web.forms import SELECT, TEXTAREA, TEXTBOX, ActivityChoiceForm, UtrechtForm


class CaseOpenForm(ActivityChoiceForm):
    """By BSN, or by surname and date of birth (an exact match in the register)."""

    bsn = forms.CharField(
        label=_("BSN"),
        required=False,
        max_length=11,
        help_text=_("Or leave it empty and give the surname and date of birth."),
        widget=forms.TextInput(
            attrs={"class": TEXTBOX, "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    surname = forms.CharField(
        label=_("Surname"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": TEXTBOX, "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"class": TEXTBOX, "type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        help_text=_("For example: referral by the GP of the child, 12 March."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        help_text=_("For example: Jeugdwet art. 2.3; Wmo 2015 art. 2.3.2."),
        widget=forms.TextInput(attrs={"class": TEXTBOX}),
    )
    worker = forms.ChoiceField(
        label=_("Case worker"),
        required=False,
        widget=forms.Select(attrs={"class": SELECT}),
    )

    def __init__(self, *args: Any, workers: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if workers is None:
            del self.fields["worker"]
        else:
            self.fields["worker"].required = True
            self.fields["worker"].choices = [("", _("Choose a case worker")), *workers]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        bsn = (data.get("bsn") or "").strip()
        if not bsn and not (data.get("surname") and data.get("birth_date")):
            raise forms.ValidationError(
                _("Give the BSN, or the surname and the date of birth."), code="person"
            )
        return data


class BreakGlassForm(ActivityChoiceForm):
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=11,
        widget=forms.TextInput(
            attrs={"class": TEXTBOX, "inputmode": "numeric", "autocomplete": "off"}
        ),
    )
    reason = forms.CharField(
        label=_("Urgent safety situation"),
        max_length=2000,
        help_text=_(
            "Describe why the family must be seen now, outside your caseload. The privacy "
            "officer reviews this today."
        ),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 4}),
    )


class AssignForm(UtrechtForm):
    worker = forms.ChoiceField(label=_("Case worker"), widget=forms.Select(attrs={"class": SELECT}))

    def __init__(self, *args: Any, workers: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", _("Choose a case worker")), *workers]


class ReviewForm(UtrechtForm):
    justified = forms.TypedChoiceField(
        label=_("Finding"),
        choices=[("1", _("Justified")), ("0", _("Not justified"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(
            attrs={"class": "utrecht-radio-button utrecht-radio-button--html-input"}
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 2}),
    )
