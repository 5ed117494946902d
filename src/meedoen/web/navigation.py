"""The main navigation: which sections each role sees, and where the user is.

One table (:data:`SECTIONS`) says which role sees which section; it must agree with the
permission matrix (docs/users/permissions.md): a role never sees a link it may not open. A
test checks both against each other and opens every link as every role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meedoen.accounts.roles import Role

EVERY_ROLE = frozenset(Role.values)


@dataclass(frozen=True)
class Section:
    """A section of the app: its name in the menu, its page, and the paths that belong to it."""

    label: str | Promise
    url_name: str
    roles: frozenset[str]
    paths: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    # A resident's start is their own data (``/`` sends them to ``/mijn/``).
    Section(_("Start"), "portals:start", EVERY_ROLE - {Role.RESIDENT}, ()),
    Section(_("My data"), "residents:mine", frozenset({Role.RESIDENT}), ()),
    Section(_("Who used my data"), "residents:processing", frozenset({Role.RESIDENT}), ()),
    Section(_("My consents"), "residents:consents", frozenset({Role.RESIDENT}), ()),
    Section(_("My requests"), "residents:requests", frozenset({Role.RESIDENT}), ()),
    Section(_("Download"), "residents:export", frozenset({Role.RESIDENT}), ()),
    Section(_("Sources"), "intakes:intake", frozenset({Role.ANALYST}), ("/inlezen/",)),
    Section(
        _("Processing activities"),
        "activities:register",
        frozenset({Role.ADMINISTRATOR, Role.ANALYST, Role.PRIVACY_OFFICER}),
        ("/verwerkingen/",),
    ),
    # The comparison of a target group is household analysis: under Huishoudens in the menu.
    Section(
        _("Households"),
        "households:builds",
        frozenset({Role.ANALYST}),
        ("/huishoudens/", "/doelgroepen/"),
    ),
    Section(_("Linkages"), "linkages:runs", frozenset({Role.ANALYST}), ("/koppelingen/",)),
    Section(_("SQL"), "households:sql", frozenset({Role.ANALYST}), ("/sql/",)),
    Section(
        _("Cases"),
        "cases:caseload",
        frozenset({Role.CASE_WORKER, Role.TEAM_LEAD}),
        ("/casussen/",),
    ),
    Section(_("Dashboard"), "dashboards:dashboard", EVERY_ROLE - {Role.RESIDENT}, ("/dashboard/",)),
    Section(
        _("Published tables"),
        "publications:list",
        EVERY_ROLE - {Role.RESIDENT},
        ("/publicaties/", "/tabellen/"),
    ),
    Section(_("Users"), "accounts:users", frozenset({Role.ADMINISTRATOR}), ("/beheer/",)),
    Section(
        _("Requests of residents"),
        "residents:officer_requests",
        frozenset({Role.PRIVACY_OFFICER}),
        ("/verzoeken/",),
    ),
    Section(
        _("Audit log"),
        "audits:log",
        frozenset({Role.ADMINISTRATOR, Role.PRIVACY_OFFICER}),
        ("/logboek/",),
    ),
)


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url: str
    current: bool  # this section's own page is shown (aria-current="page")
    active: bool  # a page inside this section is shown


def sections_for(*, role: str) -> list[Section]:
    return [s for s in SECTIONS if role in s.roles]


def section_of(*, path: str, role: str) -> Section | None:
    """The section of the role's menu a path belongs to (the longest matching path)."""
    return _here(path, [(s, reverse(s.url_name)) for s in sections_for(role=role)])


def _here(path: str, sections: list[tuple[Section, str]]) -> Section | None:
    best: tuple[int, Section] | None = None
    for section, url in sections:
        for prefix in (url, *section.paths):
            matches = path == url if prefix == "/" else path.startswith(prefix)
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), section)
    return best[1] if best else None


def menu_for(*, role: str, path: str) -> list[MenuItem]:
    """The role's menu, with the section of ``path`` marked (each URL reversed once)."""
    sections = [(s, reverse(s.url_name)) for s in sections_for(role=role)]
    here = _here(path, sections)
    return [
        MenuItem(section.label, url, current=path == url, active=section is here)
        for section, url in sections
    ]
