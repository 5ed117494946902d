"""A family as the page and the API show it: labels for roles, sources and states, who to call
first. No reads here: :func:`meedoen.cases.services.family_view` read and logged the family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meedoen.cases.services import FamilyView
from meedoen_data.casework import Involvement, Member, Service

ROLE_LABELS: dict[str, str | Promise] = {
    "zelf": _("Person of the case"),
    "ouder": _("Parent"),
    "stiefouder": _("Step-parent"),
    "partner": _("Partner"),
    "kind": _("Child"),
    "broer_zus": _("Brother or sister"),
    "halfbroer_halfzus": _("Half-brother or half-sister"),
    "huisgenoot": _("Housemate"),
}
DOMAIN_LABELS: dict[str, str | Promise] = {
    "wmo": _("Wmo support"),
    "jeugd": _("Youth care"),
    "participatie": _("Bijstand and income"),
    "schulden": _("Debt help"),
    "signalen": _("Early signals"),
    "betrokkenheid": _("Professionals involved"),
}
STATE_LABELS: dict[str, str | Promise] = {
    "geregistreerd": _("Registered"),
    "geen_registratie": _("No record"),
    "bron_niet_aangesloten": _("Source not connected"),
    "geen_toegang": _("Not authorised for you"),
}
#: Roles whose contact comes first in "whom to call".
LEAD_ROLES = ("regievoerder", "casusregisseur", "jeugdbeschermer", "jeugdreclasseerder")


@dataclass(frozen=True)
class Cell:
    state: str
    label: str | Promise
    services: list[Service]
    involvements: list[Involvement]


@dataclass(frozen=True)
class Row:
    member: Member
    role: str | Promise
    cells: list[Cell]
    current: list[str]  # labels of services current on the family's date


@dataclass(frozen=True)
class Contact:
    member: Member
    what: str
    organisation: str
    person: str
    phone: str
    email: str
    contact: str
    last: date | None
    lead: bool


def _contacts(view: FamilyView) -> list[Contact]:
    family = view.family
    out: list[Contact] = []
    for member in family.members:
        for inv in family.involvements.get(member.bsn, []):
            out.append(
                Contact(
                    member,
                    inv.role,
                    inv.organisation,
                    inv.professional,
                    "",
                    "",
                    inv.contact,
                    inv.last_contact,
                    inv.role in LEAD_ROLES,
                )
            )
        for service in family.services.get(member.bsn, []):
            if service.current and service.provider is not None:
                p = service.provider
                out.append(
                    Contact(
                        member,
                        service.label,
                        p.name or p.code,
                        "",
                        p.phone,
                        p.email,
                        "",
                        None,
                        False,
                    )
                )
    return sorted(
        out, key=lambda c: (not c.lead, c.last is None, -(c.last or date.min).toordinal())
    )


def family_page(view: FamilyView) -> dict[str, Any]:
    """The family view's template context."""
    family = view.family
    domains = list(family.sources)
    rows = []
    for member in family.members:
        cells = []
        for domain in domains:
            state = family.states[member.bsn][domain]
            cells.append(
                Cell(
                    state,
                    STATE_LABELS[state],
                    [s for s in family.services.get(member.bsn, []) if s.domain == domain],
                    family.involvements.get(member.bsn, []) if domain == "betrokkenheid" else [],
                )
            )
        current = [s.label for s in family.services.get(member.bsn, []) if s.current]
        rows.append(Row(member, ROLE_LABELS.get(member.role, member.role), cells, current))
    return {
        "view": view,
        "family": family,
        "activity": view.activity,
        "domains": [(d, DOMAIN_LABELS.get(d, d), family.sources[d]) for d in domains],
        "state_labels": STATE_LABELS,
        "rows": rows,
        "contacts": _contacts(view),
        "break_glass": view.case.origin == "doorbraak",
    }


def family_json(view: FamilyView) -> dict[str, Any]:
    """The API's family: members with role, whether they live at the address, services and
    per source the state (codes, not labels: the calling system shows its own)."""
    family = view.family

    def service(s: Service) -> dict[str, Any]:
        return {
            "domain": s.domain,
            "category": s.category,
            "category_label": s.label,
            "provider": None
            if s.provider is None
            else {
                "agb": s.provider.code,
                "name": s.provider.name,
                "phone": s.provider.phone,
                "email": s.provider.email,
            },
            "since": s.since,
            "until": s.until,
            "current": s.current,
        }

    def involvement(i: Involvement) -> dict[str, Any]:
        return {
            "organisation": i.organisation,
            "professional": i.professional,
            "role": i.role,
            "contact": i.contact,
            "since": i.since,
            "last_involvement": i.last_contact,
        }

    return {
        "case": view.case.number,
        "date": family.on,
        "address": None if family.address_hidden else family.address,
        "address_hidden": family.address_hidden,
        "register_delivered": family.register_delivered,
        "register_stale": family.register_stale,
        "sources": {
            d: {"state": s.state, "delivered": s.delivered} for d, s in family.sources.items()
        },
        "members": [
            {
                "bsn": m.bsn,
                "name": m.name,
                "role": m.role,
                "registered": m.registered,
                "birth_date": m.birth_date,
                "deceased": m.deceased,
                "lives_at_address": m.lives_at_address,
                "secret": m.secret,
                "states": family.states[m.bsn],
                "services": [service(s) for s in family.services.get(m.bsn, [])],
                "involvements": [involvement(i) for i in family.involvements.get(m.bsn, [])],
            }
            for m in family.members
        ],
    }
