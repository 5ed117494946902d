"""Forms of the household pages: start a build, and the analyst's SQL page. They check what a
person can correct on the form, with messages in the interface's language; the services check
everything again (role, activity, arguments) and decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meedoen.web.forms import (
    ENGINE_CHOICES,
    SELECT,
    TEXTAREA,
    TEXTBOX,
    ActivityChoiceForm,
)


class BuildForm(ActivityChoiceForm):
    """``cleaned_data`` holds the arguments of
    :func:`meedoen.households.services.build_request` (but ``actor``, ``trace``, ``channel``)."""

    peildatum = forms.DateField(
        label=_("Reference date (peildatum)"),
        help_text=_("The households as they were on this day: today or earlier, as YYYY-MM-DD."),
        widget=forms.DateInput(
            attrs={"class": TEXTBOX, "type": "date", "autocomplete": "off"}, format="%Y-%m-%d"
        ),
    )
    engine = forms.ChoiceField(
        label=_("Engine"),
        choices=ENGINE_CHOICES,
        initial="duckdb",
        help_text=_("Both give the same households; Spark is for very large municipalities."),
        widget=forms.Select(attrs={"class": SELECT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].help_text = _(
            "An approved processing activity that covers the BRP (source brp)."
        )

    def clean_peildatum(self) -> date:
        value: date = self.cleaned_data["peildatum"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                _("The reference date lies in the future: households exist up to today."),
                code="future",
            )
        return value

    def build_arguments(self) -> dict[str, Any]:
        """The service's arguments; call only on a valid form."""
        return {
            "activity_id": self.cleaned_data["activity"],
            "peildatum": self.cleaned_data["peildatum"],
            "engine": self.cleaned_data["engine"],
        }


class SqlForm(ActivityChoiceForm):
    """One read-only query on an activity's tables: the arguments of
    :func:`meedoen.activities.enforcement.activity_sql` (``activity_id``, ``sql``)."""

    sql = forms.CharField(
        label=_("Query"),
        max_length=20_000,
        strip=True,
        help_text=_(
            "One SELECT statement on this activity's tables: source.* (its approved source "
            "domains) and household.* (after a household build). Read-only; every query is "
            "logged with your name, per person in every table it uses."
        ),
        widget=forms.Textarea(
            attrs={
                "class": TEXTAREA,
                "rows": 8,
                "spellcheck": "false",
                "autocomplete": "off",
                "autocapitalize": "off",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].help_text = _(
            "An approved processing activity: the query sees its tables and nothing else."
        )
