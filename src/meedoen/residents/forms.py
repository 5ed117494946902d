"""The resident portal's forms: a new objection or correction request, and the privacy
officer's decision on one. They check what a person typed; the services check the rest again
(an activity may stop being approved between showing the form and sending it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from meedoen.residents.models import SubjectRequest
from meedoen.residents.requests import CORRECTION_SOURCES, REASON_MAX, WHAT_MAX
from meedoen.web.forms import SELECT, TEXTAREA, UtrechtForm

RADIO = "utrecht-radio-button utrecht-radio-button--html-input"


class SubjectRequestForm(UtrechtForm):
    """A resident's request: an objection to one analysis (``activity``, chosen from
    ``activities``: pairs of id and name) or a correction (``what`` is wrong, in ``source``),
    with a reason."""

    kind = forms.ChoiceField(
        label=_("What do you want?"),
        choices=[
            (SubjectRequest.Kind.OBJECTION, _("I object to the use of my data in an analysis")),
            (SubjectRequest.Kind.CORRECTION, _("Some of my data is wrong and must be corrected")),
        ],
        widget=forms.RadioSelect(attrs={"class": RADIO}),
        error_messages={
            "required": _("Choose what you want."),
            "invalid_choice": _("Choose what you want."),
        },
    )
    activity = forms.TypedChoiceField(
        label=_("Which analysis do you object to?"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect(attrs={"class": RADIO}),
        error_messages={"invalid_choice": _("Choose one of the analyses in the list.")},
    )
    what = forms.CharField(
        label=_("What is wrong?"),
        help_text=_("For example: my address is wrong, or a date is wrong."),
        required=False,
        max_length=WHAT_MAX,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
    )
    source = forms.ChoiceField(
        label=_("Where is the wrong data?"),
        required=False,
        choices=[("", _("Choose"))] + [(k, v) for k, v in CORRECTION_SOURCES.items()],
        widget=forms.Select(attrs={"class": SELECT}),
        error_messages={"invalid_choice": _("Choose where the wrong data is.")},
    )
    reason = forms.CharField(
        label=_("Why do you make this request?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 5}),
        error_messages={"required": _("Write why you make this request.")},
    )

    def __init__(self, *args: Any, activities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [(str(pk), name) for pk, name in activities]
        # Made per request: in the language of the page.
        self.fields["reason"].help_text = _("At most %(max)s characters.") % {
            "max": number_format(REASON_MAX, force_grouping=True)  # 2.000 in Dutch
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind == SubjectRequest.Kind.OBJECTION:
            if data.get("activity") is None and "activity" not in self.errors:
                self.add_error("activity", _("Choose the analysis you object to."))
        elif kind == SubjectRequest.Kind.CORRECTION:
            if not (data.get("what") or "").strip() and "what" not in self.errors:
                self.add_error("what", _("Write what is wrong."))
            if not data.get("source") and "source" not in self.errors:
                self.add_error("source", _("Choose where the wrong data is."))
        return data


class DecisionForm(UtrechtForm):
    """The privacy officer's decision: upheld or rejected, with a motivation."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (SubjectRequest.State.UPHELD, _("Uphold (toegewezen)")),
            (SubjectRequest.State.REJECTED, _("Reject (afgewezen)")),
        ],
        widget=forms.RadioSelect(attrs={"class": RADIO}),
        error_messages={
            "required": _("Choose to uphold or to reject the request."),
            "invalid_choice": _("Choose to uphold or to reject the request."),
        },
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        help_text=_("The resident reads this motivation with your decision."),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 5}),
        error_messages={"required": _("Write the motivation of your decision.")},
    )
