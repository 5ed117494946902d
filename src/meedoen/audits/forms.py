"""The forms of the audit log page: the filter (a GET form, so a filtered view has its own
address), the search by BSN (a POST form) and the upload of a kept checkpoint."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meedoen.web.forms import TEXTBOX, UtrechtForm
from meedoen_data.audit_checkpoint import MAX_FILE_BYTES, CheckpointError, kept_load
from meedoen_data.bsn import bsn_is_valid

#: A data subject's id as logged: a pseudonym (hexadecimal) or another identifier without spaces.
SUBJECT = re.compile(r"^[A-Za-z0-9._:-]+$")
#: A W3C trace id: 32 hexadecimal characters.
TRACE = re.compile(r"^[0-9a-f]{32}$")


class AuditFilterForm(UtrechtForm):
    """``cleaned_data`` holds the arguments of
    :func:`meedoen.audits.selectors.audit_log_page` (but ``limit``)."""

    betrokkene = forms.CharField(
        label=_("Data subject's pseudonym"),
        required=False,
        max_length=100,
        help_text=_(
            "As logged, of any source or processing activity: every record about the person "
            "is found. To start from a BSN, use the search by BSN below."
        ),
        widget=forms.TextInput(
            attrs={"class": TEXTBOX, "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    trace = forms.CharField(
        label=_("Trace id"),
        required=False,
        max_length=32,
        help_text=_("32 hexadecimal characters: every record of one action has the same."),
        widget=forms.TextInput(
            attrs={"class": TEXTBOX, "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    verwerking = forms.IntegerField(
        label=_("Processing activity number"),
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The number in the register of processing activities."),
        widget=forms.TextInput(
            attrs={
                "class": f"{TEXTBOX} utrecht-textbox--numeric",
                "inputmode": "numeric",
                "autocomplete": "off",
            }
        ),
    )

    def clean_betrokkene(self) -> str:
        value: str = self.cleaned_data["betrokkene"]
        if value and not SUBJECT.match(value):
            raise forms.ValidationError(
                _("Use only letters, digits and . _ : - in a pseudonym; no spaces."),
                code="subject",
            )
        return value

    def clean_trace(self) -> str:
        value: str = self.cleaned_data["trace"].lower()
        if value and not TRACE.match(value):
            raise forms.ValidationError(
                _(
                    "A trace id is 32 hexadecimal characters: the digits 0 to 9 and the letters "
                    "a to f."
                ),
                code="trace",
            )
        return value

    def filters(self) -> dict[str, Any]:
        """The selector's arguments; call only on a valid form."""
        return {
            "data_subject_id": self.cleaned_data["betrokkene"] or None,
            "trace_id": self.cleaned_data["trace"] or None,
            "activity_id": self.cleaned_data["verwerking"],
        }

    @property
    def filtered(self) -> bool:
        return self.is_valid() and any(v is not None for v in self.filters().values())


class PersonLookupForm(UtrechtForm):
    """A person named by BSN (a POST form: a BSN never goes into an address or a server log)."""

    bsn = forms.CharField(
        label=_("Citizen service number (BSN)"),
        max_length=9,
        help_text=_(
            "Nine digits. meedoen then searches under every pseudonym of this person, also in "
            "the records about many persons at once. The search is logged with your name."
        ),
        widget=forms.TextInput(
            attrs={
                "class": f"{TEXTBOX} utrecht-textbox--numeric",
                "inputmode": "numeric",
                "autocomplete": "off",
            }
        ),
    )

    def clean_bsn(self) -> str:
        value: str = self.cleaned_data["bsn"].strip()
        if not (value.isdigit() and bsn_is_valid(value.zfill(9))):
            raise forms.ValidationError(
                _("This is not a valid BSN: nine digits that pass the eleven test."), code="bsn"
            )
        return value.zfill(9)


class KeptCheckpointForm(UtrechtForm):
    """A checkpoint the privacy officer kept, uploaded to check the log against it."""

    controlepunt = forms.FileField(
        label=_("Kept checkpoint"),
        help_text=_(
            "The JSON file you downloaded here earlier with “Download checkpoint”, or a "
            "checkpoint file from the witness folder."
        ),
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_controlepunt(self) -> tuple[str, bytes]:
        upload = self.cleaned_data["controlepunt"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("This file is too large to be a checkpoint."), code="size"
            )
        data = upload.read()
        try:
            kept_load(data, source=upload.name)
        except CheckpointError:
            raise forms.ValidationError(
                _(
                    "This is not a checkpoint of meedoen: choose the JSON file you downloaded "
                    "from this page."
                ),
                code="format",
            ) from None
        return upload.name, data

    def kept(self) -> list[tuple[str, bytes]]:
        """The file as :func:`meedoen.audits.selectors.audit_verify_all` takes it."""
        return [self.cleaned_data["controlepunt"]]
