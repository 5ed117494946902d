"""What every form of the web app shares: the NL Design System's classes for inputs, the base
form that marks invalid fields, and the choice of a processing activity. Feature apps build
their forms on these and never import each other's forms (the import-linter contracts in
pyproject.toml)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
TEXTAREA = "utrecht-textarea utrecht-textarea--html-textarea"
SELECT = "utrecht-select utrecht-select--html-select"

#: The engines of ``meedoen build`` and ``meedoen link`` (the services check them again).
ENGINE_CHOICES = [
    ("duckdb", _("DuckDB, on this server")),
    ("spark", _("Spark, in local mode or on a cluster")),
]


class UtrechtForm(forms.Form):
    """Marks invalid widgets with the NL Design System's ``--invalid`` modifier. Django itself
    adds ``aria-invalid`` and points ``aria-describedby`` at ``ID_helptext`` and ``ID_error``.

    No ``required`` attributes: the browser would style every empty required field as invalid
    before anything was submitted; optional fields say "(optional)" in their label instead."""

    use_required_attribute = False

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                classes = attrs.get("class", "")
                if classes and "--invalid" not in classes:
                    attrs["class"] = f"{classes} {classes.split()[0]}--invalid"


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
