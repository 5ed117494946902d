"""Forms of the household pages: start a build, and the analyst's SQL page. They check what a
person can correct on the form, with messages in the interface's language; the services check
everything again (role, activity, arguments) and decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meedoen.activities.forms import TEXTAREA, TEXTBOX, UtrechtForm

SELECT = "utrecht-select utrecht-select--html-select"

#: The engines of ``meedoen build`` (the service checks them again).
ENGINE_CHOICES = [
    ("duckdb", _("DuckDB, on this server")),
    ("spark", _("Spark, in local mode or on a cluster")),
]


class ActivityChoiceForm(UtrechtForm):
    """A form whose first field chooses a processing activity from ``activities`` (pairs of id
    and label). Any number is accepted here: whether it may be used is the service's decision,
    made again when the form is submitted (an activity can be revoked in between)."""

    activity = forms.IntegerField(
        label=_("Processing activity"),
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.Select(attrs={"class": SELECT}),
    )

    def __init__(self, *args: Any, activities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[int | str, str]] = list(activities)
        if len(activities) == 1:
            self.initial.setdefault("activity", activities[0][0])
        else:
            choices.insert(0, ("", str(_("Choose a processing activity"))))
        self.fields["activity"].widget.choices = choices


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
    :func:`meedoen.activities.stores.activity_sql` (``activity_id``, ``sql``)."""

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
