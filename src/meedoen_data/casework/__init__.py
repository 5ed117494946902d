"""Case work: the family context of one person, read in the identity zone (issue 20).

Public surface: :func:`person_find` (open a case by BSN or by name and date of birth) and
:func:`family_read` (the family of a case's person with the services involved, whom to call
and, per source, whether it has a record, is not connected or may not be shown). The web
project decides who may call them (an approved operational activity, a case on the worker's
own caseload) and logs every person shown.
"""

from meedoen_data.casework.caseload import CaseFileRow, caseload_file_rows
from meedoen_data.casework.family import (
    DOMAINS,
    Family,
    FamilyError,
    Involvement,
    Member,
    PersonAmbiguous,
    PersonNotFound,
    Provider,
    Service,
    SourceState,
    family_read,
    person_bsn,
    person_bsns,
    person_find,
    person_pseudonym,
    persons_named,
    zone_open,
)

__all__ = [
    "DOMAINS",
    "CaseFileRow",
    "Family",
    "FamilyError",
    "Involvement",
    "Member",
    "PersonAmbiguous",
    "PersonNotFound",
    "Provider",
    "Service",
    "SourceState",
    "caseload_file_rows",
    "family_read",
    "person_bsn",
    "person_bsns",
    "person_find",
    "person_pseudonym",
    "persons_named",
    "zone_open",
]
