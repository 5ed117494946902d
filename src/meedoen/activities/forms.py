"""Forms of the register pages. They check what a person can correct on the form, with messages
in the interface's language; the services check everything again and decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meedoen.activities.floors import DEFAULT_FLOOR, Floor, floor_make
from meedoen.activities.models import OPERATIONAL_ROLES, PURPOSE_BOUND, Kind, Task
from meedoen.activities.selectors import CHECKLIST, CHECKLIST_ALL, role_label, task_label
from meedoen.activities.services import EXTRA_DOMAINS
from meedoen.web.forms import SELECT, TEXTAREA, TEXTBOX, UtrechtForm
from meedoen_data.categories import categories_default
from meedoen_data.workspace import SOURCE_DOMAINS

#: A partner file's name as in its pseudonym domain ``partner-NAME``: e.g. ``voedselbank``.
PARTNER_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

DOMAIN_LABELS: dict[str, Any] = {
    "brp": _("BRP: persons register (Basisregistratie Personen)"),
    "wmo": _("Wmo: social support"),
    "jeugd": _("Jeugdwet: youth care"),
    "participatie": _("Participatiewet: income support and work"),
    "schulden": _("Debt help"),
    "signalen": _("Early-warning signals of payment arrears"),
    "cbs": _("CBS: statistics per wijk and buurt"),
    "bag": _("BAG: addresses and buildings"),
    "betrokkenheid": _("Involvement: the professionals involved with a person"),
    "casus": _("Cases: the caseloads of case workers"),
}
DOMAINS = [*SOURCE_DOMAINS, *EXTRA_DOMAINS]

#: The kinds as the request form offers them.
KIND_CHOICES = [
    (Kind.ANALYSE.value, _("Analysis")),
    (Kind.UITVOERING.value, _("Operational (uitvoering)")),
]

#: The statutory tasks as the request form offers them.
TASK_CHOICES = [
    (Task.NONE.value, _("None: the activity uses no purpose-bound source")),
    (Task.SCHULDHULP.value, _("Debt help (Wgs)")),
]

#: Longer than any real retention period; keeps the end date of an approval a valid date.
MAX_RETENTION_DAYS = 36_500


class ActivityRequestForm(UtrechtForm):
    """An analyst's request; ``cleaned_data`` holds exactly the arguments of
    :func:`meedoen.activities.services.activity_request` (but ``actor``)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("Short and recognisable, e.g. “Food bank clients in view”."),
        widget=forms.TextInput(attrs={"class": TEXTBOX, "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of processing"),
        choices=KIND_CHOICES,
        initial=Kind.ANALYSE.value,
        required=False,  # left out (a form of before kinds existed): an analysis
        widget=forms.RadioSelect(
            attrs={"class": "utrecht-radio-button utrecht-radio-button--html-input"}
        ),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles (operational only)"),
        required=False,
        choices=[(role, role_label(role)) for role in OPERATIONAL_ROLES],
        widget=forms.CheckboxSelectMultiple(
            attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input"}
        ),
    )
    task = forms.ChoiceField(
        label=_("Statutory task"),
        choices=TASK_CHOICES,
        initial=Task.NONE.value,
        required=False,
        help_text=_(
            "Early-warning signals of payment arrears (signalen) may by law only be used for "
            "debt help (Wgs, art. 3 and 4a): choose debt help to use them, for an analysis or "
            "for operational use; they are used for nothing else."
        ),
        widget=forms.Select(attrs={"class": SELECT}),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        help_text=_("Which question the processing answers, and why the municipality needs it."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 4}),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        help_text=_("Per law and article, e.g. “Participatiewet art. 7”."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
    )
    sources = forms.MultipleChoiceField(
        label=_("Source domains"),
        required=False,
        choices=[(domain, DOMAIN_LABELS.get(domain, domain)) for domain in DOMAINS],
        widget=forms.CheckboxSelectMultiple(
            attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input"}
        ),
    )
    partners = forms.CharField(
        label=_("Partner files"),
        required=False,
        max_length=500,
        help_text=_(
            "Names of partner files, separated by commas, e.g. “voedselbank”; "
            "each becomes the source partner-NAME."
        ),
        widget=forms.TextInput(attrs={"class": TEXTBOX, "autocomplete": "off"}),
    )
    retention_days = forms.IntegerField(
        label=_("Retention period in days"),
        min_value=1,
        max_value=MAX_RETENTION_DAYS,
        help_text=_("An approval ends after this many days; then the activity expires."),
        widget=forms.NumberInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--numeric", "inputmode": "numeric"}
        ),
    )
    columns = forms.CharField(
        label=_("Columns"),
        required=False,
        help_text=_(
            "The columns the processing needs, as table.column, separated by commas or on "
            "separate lines (see the list of columns below). Left empty: every column of the "
            "chosen sources. The pseudonyms of persons, addresses and records always come along."
        ),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 4, "spellcheck": "false"}),
    )
    fine_columns = forms.CharField(
        label=_("Columns at finer detail"),
        required=False,
        help_text=_(
            "Birth months are left out, months of moves and relations become years, dates of "
            "events their month and dates of death their year, unless you name the column here "
            "(e.g. verblijfplaats.datumvan_maand) and say why."
        ),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 2, "spellcheck": "false"}),
    )
    fine_reason = forms.CharField(
        label=_("Why finer detail is needed"),
        required=False,
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 2}),
    )
    data_categories = forms.CharField(
        label=_("Data categories"),
        required=False,
        help_text=_(
            "Which kinds of personal data, e.g. “household composition, benefits”. Needed "
            "before approval."
        ),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
    )
    recipients = forms.CharField(
        label=_("Recipients and roles"),
        required=False,
        help_text=_("Who receives the results, and in which role. Needed before approval."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
    )
    dpia_reference = forms.CharField(
        label=_("DPIA: its reference, or why none is needed"),
        required=False,
        max_length=200,
        help_text=_(
            "The number or location of the data protection impact assessment, or why none is "
            "needed (AVG art. 35). Needed before approval."
        ),
        widget=forms.TextInput(attrs={"class": TEXTBOX, "autocomplete": "off"}),
    )

    def clean_partners(self) -> list[str]:
        names = [n.strip().lower() for n in self.cleaned_data["partners"].split(",") if n.strip()]
        names = [n.removeprefix("partner-") for n in names]
        wrong = [n for n in names if not PARTNER_NAME.match(n)]
        if wrong:
            raise forms.ValidationError(
                _("Use only lower-case letters, digits and hyphens in a partner name: %(names)s."),
                code="partner_name",
                params={"names": ", ".join(wrong)},
            )
        return [f"partner-{n}" for n in names]

    def clean_columns(self) -> list[str]:
        return _names(self.cleaned_data["columns"])

    def clean_fine_columns(self) -> list[str]:
        return _names(self.cleaned_data["fine_columns"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        partners = cleaned.pop("partners", None)
        if "sources" in cleaned and partners is not None:
            cleaned["sources"] = [*cleaned["sources"], *partners]
            if not cleaned["sources"]:
                self.add_error(
                    "sources", _("Choose at least one source domain or name a partner file.")
                )
        if "task" in cleaned:
            cleaned["task"] = cleaned["task"] or Task.NONE.value
            for source in cleaned.get("sources", ()):
                bound = PURPOSE_BOUND.get(source)
                if bound is not None and bound != cleaned["task"]:
                    self.add_error(
                        "task",
                        _(
                            "The source %(source)s may only be used for %(task)s: choose that "
                            "task or untick %(source)s."
                        )
                        % {"source": source, "task": task_label(bound)},
                    )
        kind = cleaned.get("kind")
        if "kind" in cleaned and not kind:
            cleaned["kind"] = kind = Kind.ANALYSE.value
        if kind == Kind.UITVOERING:
            # No store: columns and finer detail do not apply to operational use.
            cleaned.update(columns=[], fine_columns=[], fine_reason="")
            if "roles" in cleaned and not cleaned["roles"]:
                self.add_error(
                    "roles",
                    _("Choose at least one role that may work under the operational activity."),
                )
        elif kind == Kind.ANALYSE and cleaned.get("roles"):
            self.add_error(
                "roles",
                _(
                    "Roles apply only to an operational activity: choose “Operational "
                    "(uitvoering)” or untick the roles."
                ),
            )
        return cleaned


def _names(text: str) -> list[str]:
    """``table.column`` names separated by commas, spaces or line breaks."""
    return [name for name in re.split(r"[\s,;]+", text) if name]


class ActivityAmendForm(ActivityRequestForm):
    """A changed request; ``cleaned_data`` holds the arguments of
    :func:`meedoen.activities.services.activity_amend` (but ``activity_id`` and ``actor``)."""

    note = forms.CharField(
        label=_("What changed and why"),
        required=False,
        help_text=_("Shown to the privacy officer with the differences to the earlier version."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 3}),
    )

    @classmethod
    def initial_from(cls, state: Any) -> dict[str, Any]:
        """The form's initial values: the activity's current content."""
        return {
            "name": state.name,
            "kind": state.kind,
            "roles": list(state.roles),
            "task": state.task,
            "purpose": state.purpose,
            "legal_basis": state.legal_basis,
            "sources": [s for s in state.sources if not s.startswith("partner-")],
            "partners": ", ".join(
                s.removeprefix("partner-") for s in state.sources if s.startswith("partner-")
            ),
            "retention_days": state.retention_days,
            # Every column of the sources stays empty, so that choosing other sources needs no
            # edit of the columns.
            "columns": ""
            if set(state.columns) == set(categories_default(state.sources))
            else "\n".join(state.columns),
            "fine_columns": "\n".join(state.fine_columns),
            "fine_reason": state.fine_reason,
            "data_categories": state.data_categories,
            "recipients": state.recipients,
            "dpia_reference": state.dpia_reference,
        }


class DecisionForm(UtrechtForm):
    """The privacy officer's decision: the button pressed (approve, refuse or revoke), the
    version the officer read (a request changed since is refused), the motivation, and for an
    approval the floors of the disclosure rules of the activity's publications."""

    DECISIONS = ("approve", "refuse", "revoke")

    decision = forms.ChoiceField(choices=[(d, d) for d in DECISIONS], widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    motivation = forms.CharField(
        label=_("Motivation"),
        help_text=_("Why you decide this; recorded with the decision and shown in the history."),
        widget=forms.Textarea(attrs={"class": TEXTAREA, "rows": 4}),
    )
    min_frequency = forms.IntegerField(
        label=_("Minimum frequency"),
        min_value=1,
        initial=DEFAULT_FLOOR.min_frequency,
        required=False,
        help_text=_("A published cell needs at least this many households or persons."),
        widget=forms.NumberInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--numeric", "inputmode": "numeric"}
        ),
    )
    dominance_n = forms.IntegerField(
        label=_("Dominance rule: number of largest contributions (n)"),
        min_value=1,
        max_value=3,
        initial=DEFAULT_FLOOR.dominance[0],
        required=False,
        widget=forms.NumberInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--numeric", "inputmode": "numeric"}
        ),
    )
    dominance_k = forms.FloatField(
        label=_("Dominance rule: their largest share of a cell in % (k)"),
        min_value=1,
        max_value=99,
        initial=DEFAULT_FLOOR.dominance[1],
        required=False,
        widget=forms.NumberInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--numeric", "inputmode": "decimal"}
        ),
    )
    p_percent = forms.FloatField(
        label=_("p% rule (p)"),
        min_value=1,
        max_value=99,
        initial=DEFAULT_FLOOR.p_percent,
        required=False,
        widget=forms.NumberInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--numeric", "inputmode": "decimal"}
        ),
    )
    protection = forms.FloatField(
        label=_("Protection width"),
        min_value=0.5,
        required=False,
        help_text=_(
            "How far an attacker's estimate of a hidden cell must stay from its value at least, "
            "in units. Empty: the minimum frequency."
        ),
        widget=forms.NumberInput(
            attrs={"class": f"{TEXTBOX} utrecht-textbox--numeric", "inputmode": "decimal"}
        ),
    )
    group = forms.BooleanField(
        label=_("The group disclosure rule is always on"),
        initial=DEFAULT_FLOOR.group,
        required=False,
        widget=forms.CheckboxInput(
            attrs={"class": "utrecht-checkbox utrecht-checkbox--html-input"}
        ),
    )

    checked = forms.MultipleChoiceField(
        label=_("Checklist"),
        choices=[(key, key) for key in CHECKLIST_ALL],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, checklist: tuple[str, ...] = CHECKLIST, **kwargs: Any) -> None:
        """``checklist``: the points of the activity's checklist (``checklist_keys``; an
        operational activity has one more: its roles; one with a purpose-bound source another:
        its purpose binding)."""
        super().__init__(*args, **kwargs)
        self.checklist = checklist

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "approve" and set(cleaned.get("checked", ())) != set(
            self.checklist
        ):
            self.add_error(
                "checked",
                _("Tick every point of the checklist once you have assessed it, then approve."),
            )
        if cleaned.get("decision") in {"approve", "refuse"} and not cleaned.get("version"):
            raise forms.ValidationError(
                _(
                    "The page did not say which version of the request you read. Open the "
                    "request again and decide on what it shows."
                ),
                code="version",
            )
        return cleaned

    def floor(self) -> Floor:
        """The floors the officer set (the defaults where a field was left empty)."""
        data = self.cleaned_data

        def value(name: str, default: Any) -> Any:
            return default if data.get(name) is None else data[name]

        return floor_make(
            min_frequency=value("min_frequency", DEFAULT_FLOOR.min_frequency),
            dominance=(
                value("dominance_n", DEFAULT_FLOOR.dominance[0]),
                value("dominance_k", DEFAULT_FLOOR.dominance[1]),
            ),
            p_percent=value("p_percent", DEFAULT_FLOOR.p_percent),
            group=bool(data.get("group")),
            protection=data.get("protection"),
        )


class ReviewerForm(UtrechtForm):
    """The privacy officer grants an analyst the review of the activity's uncertain links."""

    username = forms.ChoiceField(label=_("Analyst"), choices=())

    def __init__(self, *args: Any, analysts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].choices = analysts
        self.fields["username"].widget.attrs["class"] = "utrecht-select utrecht-select--html-select"
