"""The resident in control (issue 22): what meedoen holds about one resident, for the resident
portal, read in the identity zone.

Public surface: :func:`resident_data_read` and its result :class:`ResidentData` (frozen, with
``as_json()``). Who may call it (the signed-in resident, for their own BSN) and the logging of
the read are the web project's.
"""

from meedoen_data.residents.mydata import (
    PARTNER_FIELDS,
    SERVICE_DOMAINS,
    SIGNAL_PARTNER_NAMES,
    SOURCE_NAMES,
    Address,
    Household,
    Housemate,
    PartnerFiles,
    PartnerRecord,
    Registration,
    ResidentData,
    ServiceGroup,
    ServiceRow,
    SignalRow,
    Signals,
    Source,
    resident_data_read,
)

__all__ = [
    "PARTNER_FIELDS",
    "SERVICE_DOMAINS",
    "SIGNAL_PARTNER_NAMES",
    "SOURCE_NAMES",
    "Address",
    "Household",
    "Housemate",
    "PartnerFiles",
    "PartnerRecord",
    "Registration",
    "ResidentData",
    "ServiceGroup",
    "ServiceRow",
    "SignalRow",
    "Signals",
    "Source",
    "resident_data_read",
]
