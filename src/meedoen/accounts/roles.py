"""The roles of DESIGN.md. One account holds one role: separation of duties (the analyst who asks
for a processing activity is never the privacy officer who approves it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    POLICY_MAKER = "policy_maker", _("Policy maker")
    COUNCIL_MEMBER = "council_member", _("Council member")
    CASE_WORKER = "case_worker", _("Case worker")
    TEAM_LEAD = "team_lead", _("Team lead")
    DEBT_WORKER = "debt_worker", _("Debt-help worker")
    RESIDENT = "resident", _("Resident")


ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.ADMINISTRATOR: _(
        "Manages the installation: users and roles, the workspace, keys and backups."
    ),
    Role.ANALYST: _(
        "Loads sources, links them, derives households, builds indicators and evaluates "
        "interventions."
    ),
    Role.PRIVACY_OFFICER: _(
        "Approves or refuses each processing activity and reads the audit trail."
    ),
    Role.POLICY_MAKER: _(
        "Reads key figures per wijk and buurt and composes own tables, aggregates only."
    ),
    Role.COUNCIL_MEMBER: _(
        "Reads the published, disclosure-controlled figures of the municipality."
    ),
    Role.CASE_WORKER: _("Sees the family context of a child or household on the own caseload."),
    Role.TEAM_LEAD: _(
        "Opens cases for the team's case workers and assigns them; sees the team's caseload."
    ),
    Role.DEBT_WORKER: _("Triages early-warning signals of payment arrears and registers outreach."),
    Role.RESIDENT: _(
        "Sees which data the municipality holds and who used it; gives or withdraws consent."
    ),
}


#: Roles that can see person-level data (pseudonymised tables, the audit log's pseudonyms, a
#: person's lookup, case files): with MEEDOEN_SECOND_FACTOR=required (production) their accounts
#: must sign in with a second factor. Policy makers and council members see aggregates only; a
#: resident will sign in through the municipality's own means (DigiD) in the resident portal.
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.ANALYST,
        Role.PRIVACY_OFFICER,
        Role.CASE_WORKER,
        Role.TEAM_LEAD,
        Role.DEBT_WORKER,
    }
)
