"""The privacy officer's withdrawal form on a publication's page, and the table builder's form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meedoen.web.forms import SELECT, UtrechtForm

TEXTAREA = "utrecht-textarea utrecht-textarea--html-textarea"


class WithdrawForm(forms.Form):
    """A withdrawal needs a reason; the service checks it again and decides."""

    use_required_attribute = False

    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        help_text=_(
            "Recorded with the withdrawal and in the audit log. The table disappears for every "
            "reader; it still counts when later tables are protected."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
        error_messages={"required": _("Give the reason for the withdrawal.")},
    )

    def full_clean(self) -> None:
        super().full_clean()
        if "reason" in self.errors:
            self.fields["reason"].widget.attrs["class"] = f"{TEXTAREA} utrecht-textarea--invalid"


#: The variables a table of the table builder may have.
BUILDER_VARIABLES = 3
#: The filters it may have.
BUILDER_FILTERS = 2

Choices = list[tuple[str, Any]]


class TableBuilderForm(UtrechtForm):
    """The table builder's choices (``/tabellen/nieuw/``) for one processing activity:
    a peildatum, one to three variables and up to two filters (``variable=code``). Whether the
    table may be published is the service's decision (the floors, the audit)."""

    peildatum = forms.ChoiceField(
        label=_("Reference date"),
        help_text=_("The day the households are counted on."),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    variable_1 = forms.ChoiceField(
        label=_("Rows"),
        widget=forms.Select(attrs={"class": SELECT}),
        error_messages={"required": _("Choose what the rows of the table are.")},
    )
    variable_2 = forms.ChoiceField(
        label=_("Columns"), required=False, widget=forms.Select(attrs={"class": SELECT})
    )
    variable_3 = forms.ChoiceField(
        label=_("Split further by"),
        help_text=_("A third variable makes the table longer: each row is split by it."),
        required=False,
        widget=forms.Select(attrs={"class": SELECT}),
    )
    filter_1 = forms.ChoiceField(
        label=_("Only households with"),
        required=False,
        widget=forms.Select(attrs={"class": SELECT}),
    )
    filter_2 = forms.ChoiceField(
        label=_("And only households with"),
        required=False,
        widget=forms.Select(attrs={"class": SELECT}),
    )

    def __init__(
        self,
        *args: Any,
        peildata: list[tuple[str, str]],
        variables: Choices,
        filters: Choices,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["peildatum"].choices = peildata
        self.fields["variable_1"].choices = [("", _("Choose")), *variables]
        for name in ("variable_2", "variable_3"):
            self.fields[name].choices = [("", _("None")), *variables]
        for name in ("filter_1", "filter_2"):
            self.fields[name].choices = [("", _("All households")), *filters]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [data.get(f"variable_{n}") for n in range(1, BUILDER_VARIABLES + 1)]
        if chosen[2] and not chosen[1]:
            self.add_error("variable_3", _("Choose the columns first."))
        variables = [v for v in chosen if v]
        if len(set(variables)) != len(variables):
            self.add_error("variable_2", _("Choose each variable once."))
        filters: list[tuple[str, str]] = []
        for n in range(1, BUILDER_FILTERS + 1):
            value = data.get(f"filter_{n}")
            if not value:
                continue
            column, _sep, code = str(value).partition("=")
            if column in variables:
                self.add_error(
                    f"filter_{n}", _("This is already a variable of the table: choose another.")
                )
            elif column in (c for c, _v in filters):
                self.add_error(f"filter_{n}", _("Choose each filter once."))
            filters.append((column, code))
        data["variables"] = variables
        data["where"] = filters
        return data
