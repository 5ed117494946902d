"""Forms of the linkage pages: start a linkage of a partner file, and a reviewer's decision on
one candidate. They check what a person can correct on the form, with messages in the
interface's language; the services check everything again (role, activity, arguments) and
decide."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from meedoen.linkages.services import SOURCE_NAME, link_secret
from meedoen.web.forms import ENGINE_CHOICES, SELECT, TEXTBOX, ActivityChoiceForm, UtrechtForm

#: What a partner file may be (the intake gate reads both; docs/sources/partner-file.md).
FILE_SUFFIXES = (".csv", ".parquet")

#: Decisions on one candidate, as :func:`meedoen.linkages.services.review_submit` takes them.
DECISIONS = ("accepted", "rejected")

#: A key file of ``meedoen encode --new-secret`` is about 100 bytes; anything this large is not.
SECRET_FILE_BYTES = 4096

#: A candidate is named by its rank: 1 (the best) up to this many. Never by the person's
#: pseudonym, which would tie a name on the page to the activity's tables.
CANDIDATES = 3


class LinkForm(ActivityChoiceForm):
    """``link_arguments()`` holds the arguments of
    :func:`meedoen.linkages.services.link_request` (but ``actor``, ``trace``, ``channel``);
    the file itself is in ``cleaned_data["file"]``.

    ``partners`` maps each offered activity to its partner sources (names without
    ``partner-``): they are offered as suggestions, and a source the chosen activity does not
    cover is refused here already."""

    source = forms.CharField(
        label=_("Partner source"),
        max_length=63,
        strip=True,
        help_text=_(
            "The name of the partner file as in the activity's source partner-NAME, e.g. "
            "voedselbank: lower-case letters, digits and hyphens."
        ),
        widget=forms.TextInput(
            attrs={
                "class": TEXTBOX,
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "list": "partner-sources",
            }
        ),
    )
    file = forms.FileField(
        label=_("Partner file"),
        help_text=_(
            "CSV or Parquet with the columns of the partner-file contract (klantnummer, "
            "geslachtsnaam, voorvoegsel, voornamen, datumgeboorte, postcode, huisnummer, "
            "huisnummertoevoeging, datuminschrijving, datumuitschrijving, aantal_personen). It "
            "goes through the intake gate first; the upload is removed when the linkage is done."
        ),
        widget=forms.FileInput(attrs={"accept": ",".join(FILE_SUFFIXES)}),
    )
    secret = forms.FileField(
        label=_("Shared secret (encoded file only)"),
        required=False,
        help_text=_(
            "Only when the partner sent an encoded file made with meedoen encode: the key file "
            "with the secret you agreed with the partner. It is used for this linkage only and "
            "not stored."
        ),
    )
    engine = forms.ChoiceField(
        label=_("Engine"),
        choices=ENGINE_CHOICES,
        initial="duckdb",
        required=False,  # a request without it (a script, an older form) gets DuckDB
        help_text=_(
            "Both link the same records; Spark is slower on one server and is meant for a cluster."
        ),
        widget=forms.Select(attrs={"class": SELECT}),
    )

    def __init__(self, *args: Any, partners: dict[int, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partners = partners
        self.fields["activity"].help_text = _(
            "An approved processing activity that covers the BRP (source brp) and the partner "
            "file (source partner-NAME)."
        )
        names = sorted({name for names in partners.values() for name in names})
        if len(names) == 1:
            self.initial.setdefault("source", names[0])

    @property
    def suggestions(self) -> list[str]:
        """Every partner source of the offered activities (for the field's datalist)."""
        return sorted({name for names in self.partners.values() for name in names})

    def clean_source(self) -> str:
        value = self.cleaned_data["source"].lower().removeprefix("partner-")
        if not SOURCE_NAME.fullmatch(value):
            raise forms.ValidationError(
                _(
                    "Use only lower-case letters, digits and hyphens in the name of a partner "
                    "source, starting with a letter or digit, e.g. voedselbank."
                ),
                code="source_name",
            )
        return value

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(str(upload.name or "")).suffix.lower() not in FILE_SUFFIXES:
            raise forms.ValidationError(
                _("Choose a CSV file (.csv) or a Parquet file (.parquet)."), code="file_type"
            )
        return upload

    def clean_secret(self) -> bytes | None:
        """The secret's bytes (None without one); the service says what is wrong with it."""
        upload: UploadedFile | None = self.cleaned_data.get("secret")
        if not upload:
            return None
        if (upload.size or 0) > SECRET_FILE_BYTES:
            raise forms.ValidationError(_("This is not a secret file: it is too large."))
        try:
            return link_secret(content=upload.read(), name=str(upload.name or "secret"))
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0], code="secret") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        activity, source = cleaned.get("activity"), cleaned.get("source")
        if activity in self.partners and source and source not in self.partners[activity]:
            covered = ", ".join(f"partner-{name}" for name in self.partners[activity])
            self.add_error(
                "source",
                forms.ValidationError(
                    _(
                        "Processing activity %(activity)s does not cover partner-%(source)s; "
                        "it covers: %(covered)s."
                    ),
                    code="not_covered",
                    params={"activity": activity, "source": source, "covered": covered},
                ),
            )
        return cleaned

    def link_arguments(self) -> dict[str, Any]:
        """The service's arguments; call only on a valid form."""
        return {
            "activity_id": self.cleaned_data["activity"],
            "source": self.cleaned_data["source"],
            "file_name": PurePath(str(self.cleaned_data["file"].name or "")).name,
            "engine": self.cleaned_data["engine"] or "duckdb",
        }


class DecisionForm(UtrechtForm):
    """A reviewer's decision on one candidate: the arguments ``rank`` and ``decision`` of
    :func:`meedoen.linkages.services.review_submit`."""

    rank = forms.IntegerField(min_value=1, max_value=CANDIDATES)
    decision = forms.ChoiceField(choices=[(d, d) for d in DECISIONS])
