"""The privacy officer's withdrawal form on a publication's page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
