"""Reads on the register. Expiry is computed: an approval past its end date is expired."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy, ngettext

from meedoen.accounts.roles import Role
from meedoen.activities.floors import DEFAULT_FLOOR, Floor, floor_from
from meedoen.activities.models import (
    PURPOSE_BOUND,
    PURPOSE_BOUND_TEXT,
    ActivityPurge,
    ActivityVersion,
    Kind,
    ReviewerGrant,
    Status,
    Task,
)
from meedoen_data.activity_store import store_delete_preview
from meedoen_data.categories import (
    COARSENED,
    EVENT_DATES,
    EVENT_YEARS,
    categories_default,
    category_columns,
)
from meedoen_data.workspace import SOURCE_DOMAINS


@dataclass(frozen=True)
class ActivityState:
    pk: int
    id: int
    number: int
    name: str
    purpose: str
    legal_basis: str
    sources: list[str]
    retention_days: int
    status: str
    valid_until: date | None
    motivation: str
    acted_by: str
    data_categories: str = ""
    recipients: str = ""
    dpia_reference: str = ""
    action: str = ""  # the stored status of this version: what was done (never "expired")
    at: datetime | None = None
    #: Approved columns of the store (``table.column``), those at finer detail and why.
    columns: list[str] = field(default_factory=list)
    fine_columns: list[str] = field(default_factory=list)
    fine_reason: str = ""
    #: The privacy officer's floors for publications (the defaults until approval).
    floor: Floor = DEFAULT_FLOOR
    #: ``analyse`` or ``uitvoering`` (operational), and for an operational activity the roles
    #: (``OPERATIONAL_ROLES``) that may work under it.
    kind: str = Kind.ANALYSE
    roles: list[str] = field(default_factory=list)
    #: The statutory task the activity serves (``Task``; empty: none): a purpose-bound source
    #: (``PURPOSE_BOUND``) may only be used by an activity of its task.
    task: str = Task.NONE

    @property
    def operational(self) -> bool:
        return self.kind == Kind.UITVOERING

    @property
    def purpose_bound(self) -> list[str]:
        """The purpose-bound domains among the activity's sources."""
        return [source for source in self.sources if source in PURPOSE_BOUND]

    @property
    def withheld(self) -> list[str]:
        """The purpose-bound sources this activity lists but may not use: bound to another task
        than its own (an activity approved before purpose binding was checked)."""
        return purpose_withheld(task=self.task, sources=self.sources)


def purpose_withheld(*, task: str, sources: Iterable[str]) -> list[str]:
    """The purpose-bound domains among ``sources`` that an activity of ``task`` may not use."""
    return sorted({s for s in sources if s in PURPOSE_BOUND and PURPOSE_BOUND[s] != task})


def _state(version: ActivityVersion, today: date) -> ActivityState:
    status = version.status
    if status == Status.APPROVED and version.valid_until and version.valid_until < today:
        status = Status.EXPIRED
    analysis = version.kind != Kind.UITVOERING
    return ActivityState(
        pk=version.pk,
        id=version.activity_id,
        number=version.number,
        name=version.name,
        purpose=version.purpose,
        legal_basis=version.legal_basis,
        sources=list(version.sources),
        retention_days=version.retention_days,
        status=status,
        valid_until=version.valid_until,
        motivation=version.motivation,
        acted_by=version.acted_by,
        data_categories=version.data_categories,
        recipients=version.recipients,
        dpia_reference=version.dpia_reference,
        action=version.status,
        at=version.created_at,
        # Versions from before columns were requested cover every column of their sources. An
        # operational activity has no store: its sources are what a case's family view shows.
        columns=(list(version.columns) or categories_default(version.sources)) if analysis else [],
        fine_columns=list(version.fine_columns) if analysis else [],
        fine_reason=version.fine_reason if analysis else "",
        floor=floor_from(version.disclosure_floor),
        kind=version.kind,
        roles=list(version.roles),
        task=version.task,
    )


def activity_current(*, activity_id: int) -> ActivityState:
    version = ActivityVersion.objects.filter(activity_id=activity_id).order_by("-number").first()
    if version is None:
        raise ObjectDoesNotExist(f"there is no activity {activity_id}")
    return _state(version, timezone.localdate())


def activity_list() -> list[ActivityState]:
    today = timezone.localdate()
    latest: dict[int, ActivityVersion] = {}
    for version in ActivityVersion.objects.order_by("activity_id", "number"):
        latest[version.activity_id] = version
    return [_state(v, today) for v in latest.values()]


def activities_operational(*, role: str) -> list[ActivityState]:
    """The operational activities (*uitvoering*) approved now that allow ``role``, by id."""
    return sorted(
        (
            state
            for state in activity_list()
            if state.status == Status.APPROVED
            and state.kind == Kind.UITVOERING
            and role in state.roles
        ),
        key=lambda state: state.id,
    )


@dataclass(frozen=True)
class Overlap:
    """Another approved activity whose store holds some of the same event dates."""

    id: int
    name: str
    dates: list[str]  # the event dates (``table.column``) both stores hold


def activity_overlaps(*, activity_id: int) -> list[Overlap]:
    """The approved activities (other than this one) whose stores hold an event date this
    activity's store holds too (an allocation's, a benefit's, a signal's …, at any detail).

    Their stores share no pseudonym, but a person's events are nearly unique: an analyst with
    both stores re-links most persons on sex, birth year and the months of their allocations
    (docs/adr/0015-event-dates-coarsened.md). Only the privacy officer's decision keeps two such
    activities apart, so the approval page names them. The date of death counts only at finer
    detail: its default year, which nearly every store with the register holds, re-links few."""
    mine = _event_dates(activity_current(activity_id=activity_id))
    if not mine:
        return []
    return [
        Overlap(id=other.id, name=other.name, dates=sorted(mine & _event_dates(other)))
        for other in sorted(activity_list(), key=lambda state: state.id)
        if other.id != activity_id
        and other.status == Status.APPROVED
        and mine & _event_dates(other)
    ]


def _event_dates(state: ActivityState) -> set[str]:
    """The event dates of the activity's store, the date of death only at finer detail."""
    return {
        column
        for column in state.columns
        if column.partition(".")[2] in EVENT_DATES
        and (column.partition(".")[2] not in EVENT_YEARS or column in state.fine_columns)
    }


def activity_history(*, activity_id: int) -> list[ActivityState]:
    today = timezone.localdate()
    return [
        _state(v, today)
        for v in ActivityVersion.objects.filter(activity_id=activity_id).order_by("number")
    ]


@dataclass(frozen=True)
class PurgeState:
    activity_id: int
    at: datetime
    by: str
    reason: str
    tables: dict[str, int]
    files: list[str]
    key_destroyed: bool
    summary: str


def purge_state(purge: ActivityPurge) -> PurgeState:
    return PurgeState(
        activity_id=purge.activity_id,
        at=purge.at,
        by=purge.by,
        reason=purge.reason,
        tables=dict(purge.tables),
        files=list(purge.files),
        key_destroyed=purge.key_destroyed,
        summary=purge.summary,
    )


def activity_purges(*, activity_id: int | None = None) -> list[PurgeState]:
    """What was deleted under activities (all, or one), oldest first."""
    purges = ActivityPurge.objects.all()
    if activity_id is not None:
        purges = purges.filter(activity_id=activity_id)
    return [purge_state(p) for p in purges]


# -- What the pages and the API show: versions with their differences ------------------------

#: The fields of a version, in the order pages show them and differences are listed.
FIELDS = (
    "name",
    "kind",
    "task",
    "purpose",
    "legal_basis",
    "sources",
    "roles",
    "columns",
    "fine_columns",
    "fine_reason",
    "data_categories",
    "recipients",
    "retention_days",
    "dpia_reference",
    "status",
    "valid_until",
)
#: Fields that only apply to an analysis (an operational activity has no store).
ANALYSIS_FIELDS = frozenset({"columns", "fine_columns", "fine_reason"})
ACTIONS = {
    Status.DRAFT: gettext_lazy("Drafted"),
    Status.REQUESTED: gettext_lazy("Requested"),
    Status.APPROVED: gettext_lazy("Approved"),
    Status.REFUSED: gettext_lazy("Refused"),
    Status.EXPIRED: gettext_lazy("Expired"),
    Status.REVOKED: gettext_lazy("Revoked"),
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: Any
    new: Any
    old_text: str
    new_text: str


@dataclass(frozen=True)
class Version:
    """One version as shown: the selector's state plus the fields and time it lacks."""

    state: ActivityState
    action: str  # the stored status of the version: what was done
    data_categories: str
    recipients: str
    dpia_reference: str
    at: datetime
    changes: tuple[Change, ...] = ()

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))  # type: ignore[call-overload]

    @property
    def status_label(self) -> str:
        return status_label(self.state.status)

    @property
    def kind_label(self) -> str:
        return kind_label(self.state.kind)

    @property
    def roles_label(self) -> str:
        return roles_text(self.state.roles)

    def shown(self, field: str) -> bool:
        """Whether the field applies to this version's kind (an operational activity has no
        columns; an analysis no roles)."""
        if field in ANALYSIS_FIELDS:
            return not self.state.operational
        if field == "roles":
            return self.state.operational
        return True

    def value(self, field: str) -> Any:
        if field == "status":
            return self.action
        if field in {"data_categories", "recipients", "dpia_reference"}:
            return getattr(self, field)
        return getattr(self.state, field)


@dataclass(frozen=True)
class ActivityDetail:
    current: Version
    versions: list[Version]  # oldest first
    purges: list[Any]  # what was deleted under the activity (selectors.activity_purges)

    @property
    def purge_rows(self) -> list[tuple[Any, str]]:
        """Each deletion with its reason as a person reads it (``revoked`` → the label)."""
        return [(purge, status_label(purge.reason)) for purge in self.purges]


def status_label(status: str) -> str:
    return str(Status(status).label) if status in Status.values else status


def kind_label(kind: str) -> str:
    return str(Kind(kind).label) if kind in Kind.values else kind


def task_label(task: str) -> str:
    """The statutory task in words (``debt help (Wgs)``; none: that it has no such task)."""
    return str(Task(task).label) if task in Task.values else task


#: Labels of roles that ``Role`` may not know (yet): the team lead, added with the caseloads.
EXTRA_ROLE_LABELS = {"team_lead": gettext_lazy("Team lead")}


def role_label(role: str) -> str:
    """A role as a person reads it: the label of ``meedoen.accounts.roles.Role``."""
    if role in Role.values:
        return str(Role(role).label)
    return str(EXTRA_ROLE_LABELS.get(role, role))


def roles_text(roles: Iterable[str]) -> str:
    return ", ".join(role_label(role) for role in roles)


def field_label(field: str) -> str:
    return str(ActivityVersion._meta.get_field(field).verbose_name)


def value_text(field: str, value: Any) -> str:
    """A field's value as a person reads it."""
    if field == "task":
        return capfirst(task_label(value or ""))
    if value in (None, "", []):
        return "—"
    if field in {"columns", "fine_columns"}:
        return _per_table(value)
    if field == "sources":
        return ", ".join(value)
    if field == "roles":
        return roles_text(value)
    if field == "kind":
        return kind_label(value)
    if field == "status":
        return status_label(value)
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


def _per_table(columns: Iterable[str]) -> str:
    """``table.column`` names as one line per table: ``table: column, column``."""
    tables: dict[str, list[str]] = {}
    for name in columns:
        table, _, column = name.partition(".")
        tables.setdefault(table, []).append(column)
    return "\n".join(f"{table}: {', '.join(names)}" for table, names in tables.items())


def _versions(states: Iterable[ActivityState]) -> list[Version]:
    return [
        Version(
            state=s,
            action=s.action,
            data_categories=s.data_categories,
            recipients=s.recipients,
            dpia_reference=s.dpia_reference,
            at=s.at,
        )
        for s in states
    ]


def _changes(old: Version, new: Version) -> tuple[Change, ...]:
    return tuple(
        Change(
            field=field,
            label=field_label(field),
            old=old.value(field),
            new=new.value(field),
            old_text=value_text(field, old.value(field)),
            new_text=value_text(field, new.value(field)),
        )
        for field in FIELDS
        if old.value(field) != new.value(field)
    )


def activity_detail(*, activity_id: int) -> ActivityDetail:
    """The current version, every version with its differences to the one before, and what was
    deleted under the activity. ObjectDoesNotExist for an unknown id."""
    versions = _versions(activity_history(activity_id=activity_id))
    if not versions:
        raise ObjectDoesNotExist(f"there is no activity {activity_id}")
    versions = [versions[0]] + [
        replace(new, changes=_changes(old, new)) for old, new in pairwise(versions)
    ]
    return ActivityDetail(
        current=versions[-1],
        versions=versions,
        purges=list(activity_purges(activity_id=activity_id)),
    )


def activity_register(*, status: str | None = None, oldest_first: bool = False) -> list[Version]:
    """The current version of every activity (or of those with this status), newest first."""
    states = [s for s in activity_list() if status is None or s.status == status]
    return sorted(_versions(states), key=lambda v: v.state.id, reverse=not oldest_first)


# -- Reviewers of an activity's uncertain links ----------------------------------------------


@dataclass(frozen=True)
class ReviewerState:
    activity_id: int
    username: str
    full_name: str
    granted_by: str
    granted_at: datetime


def activity_reviewers(*, activity_id: int) -> list[ReviewerState]:
    """The analysts the privacy officer lets review the activity's uncertain links (now)."""
    grants = ReviewerGrant.objects.filter(
        activity_id=activity_id, withdrawn_at__isnull=True
    ).select_related("user")
    return [
        ReviewerState(
            activity_id=g.activity_id,
            username=g.user.username,
            full_name=g.user.get_full_name() or g.user.username,
            granted_by=g.granted_by,
            granted_at=g.granted_at,
        )
        for g in grants
    ]


def reviewer_is_granted(*, activity_id: int, user: Any) -> bool:
    """True when ``user`` holds a current reviewer grant for the activity."""
    if user is None:
        return False
    return ReviewerGrant.objects.filter(
        activity_id=activity_id, user=user, withdrawn_at__isnull=True
    ).exists()


def column_catalogue() -> list[tuple[str, str, list[tuple[str, bool]]]]:
    """Per source domain and table, the columns an activity can ask for, each with whether it is
    coarsened unless asked for at finer detail (for the request form's reference list)."""
    from meedoen.activities.services import EXTRA_DOMAINS  # services import this module

    rows = []
    for domain in [*SOURCE_DOMAINS, *EXTRA_DOMAINS, "partner-NAME"]:
        for table, columns in category_columns([domain]).items():
            name = "NAME" if domain == "partner-NAME" else table
            rows.append((domain, name, [(c, c in COARSENED) for c in columns]))
    return rows


@dataclass(frozen=True)
class ChecklistItem:
    """One point the privacy officer assesses before approving: what the request says about
    it, and whether it says anything."""

    key: str
    label: str
    value: str
    complete: bool


#: What a request must state before it can be approved (AVG art. 30 and 35), in the order the
#: decision page shows them; an operational activity adds the roles that may work under it.
CHECKLIST = ("data_categories", "recipients", "dpia_reference", "retention_days")
CHECKLIST_OPERATIONAL = (*CHECKLIST, "roles")
#: The point an activity that lists a purpose-bound source (``PURPOSE_BOUND``) adds.
PURPOSE_POINT = "purpose_binding"
#: Every point a checklist can have.
CHECKLIST_ALL = (*CHECKLIST_OPERATIONAL, PURPOSE_POINT)


def checklist_keys(state: ActivityState) -> tuple[str, ...]:
    """The points of the checklist for this version's kind, and the purpose binding when it
    lists a purpose-bound source."""
    keys = CHECKLIST_OPERATIONAL if state.operational else CHECKLIST
    return (*keys, PURPOSE_POINT) if state.purpose_bound else keys


def activity_checklist(*, state: ActivityState) -> list[ChecklistItem]:
    """The approval checklist of a version: data categories, recipients and roles, a DPIA
    reference or the reason none is needed, and the retention period; for an operational
    activity also the roles that may see the family of a case on their caseload. (Columns,
    finer detail and floors apply to an analysis only, and are set apart from the checklist.)"""
    texts = {
        "data_categories": (gettext_lazy("Data categories"), state.data_categories),
        "recipients": (gettext_lazy("Recipients and roles"), state.recipients),
        "dpia_reference": (
            gettext_lazy("DPIA: its reference, or why none is needed"),
            state.dpia_reference,
        ),
    }
    items = [
        ChecklistItem(key, str(label), value.strip(), bool(value.strip()))
        for key, (label, value) in texts.items()
    ]
    days = state.retention_days
    items.append(
        ChecklistItem(
            "retention_days",
            str(gettext_lazy("Retention period")),
            ngettext("%(days)d day", "%(days)d days", days) % {"days": days},
            days >= 1,
        )
    )
    if state.operational:
        items.append(
            ChecklistItem(
                "roles",
                str(gettext_lazy("Roles that may see identified data of a case on their caseload")),
                roles_text(state.roles),
                bool(state.roles),
            )
        )
    if state.purpose_bound:
        items.append(
            ChecklistItem(
                PURPOSE_POINT,
                str(
                    gettext_lazy(
                        "Purpose binding: the task is debt help and the signals are used for "
                        "nothing else"
                    )
                ),
                purpose_text(state),
                not state.withheld,
            )
        )
    return items


def purpose_text(state: ActivityState) -> str:
    """What the request says about its purpose-bound sources: its task, and per source what it
    is and what it may only be used for."""
    bound = "; ".join(
        f"{source} ({PURPOSE_BOUND_TEXT[source][0]}): "
        + str(gettext_lazy("only for %(task)s") % {"task": PURPOSE_BOUND_TEXT[source][1]})
        for source in state.purpose_bound
    )
    return f"{capfirst(task_label(state.task))} — {bound}"


@dataclass(frozen=True)
class RevokePreview:
    """What a revocation of an activity deletes and withdraws, read before confirming it."""

    tables: dict[str, int]  # rows per table of the activity's store (empty: none, or in use)
    files: list[str]
    key: bool  # the activity's key, destroyed with it
    publications: int  # published tables withdrawn

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def activity_revoke_preview(*, activity_id: int) -> RevokePreview:
    """What revoking ``activity_id`` would delete now (nothing is deleted here)."""
    from meedoen.publications.selectors import publication_count  # publications import us

    report = store_delete_preview(home=settings.MEEDOEN_HOME, activity_id=activity_id)
    return RevokePreview(
        tables=dict(sorted(report.tables.items())),
        files=list(report.files),
        key=report.key_destroyed,
        publications=publication_count(activity_id=activity_id),
    )
