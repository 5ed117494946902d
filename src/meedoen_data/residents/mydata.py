"""What each connected source holds about one resident ("mijn gegevens"), read in the identity zone.

For the resident portal's page ``/mijn/``: the resident signs in (DigiD), the web project turns
the sign-in into a BSN and calls :func:`resident_data_read`. Read like case work reads a family
(:mod:`meedoen_data.casework.family`, whose helpers this module uses): the vault (BSNs, names,
exact dates, addresses) beside the analytics store (the sources' other columns, found by the
resident's pseudonym under each source's own domain key). Nothing is written.

Five sections, each naming the tables it comes from, their plain Dutch name and their newest
delivery (``Source``); a table never delivered says so (``delivered`` false), it is no error:

1. **registration** — BRP ``ingeschrevenpersoon`` and ``verblijfplaats`` (address texts from
   BAG ``nummeraanduiding``): name, date of birth, the address on the day and every address the
   BRP delivery holds for the resident, with from and to.
2. **household** — the people registered at the resident's address on the day (BRP
   ``verblijfplaats``), with how they relate to the resident per the BRP's ``relatie``: the
   household as :func:`meedoen_data.casework.family.family_read` derives it (partner, child,
   parent, step-parent, (half-)brother or sister, other housemate), with the same protections:
   at an address with a BRP secrecy indication (a shelter) or at an institution only relatives
   are listed. Of each: name and birth year, nothing else. A household build in an analysis
   activity's store is *not* read: it is pseudonymised per activity and dated by that build's
   peildatum; the portal answers for the resident's own day, in the identity zone.
3. **services** — the resident's own rows in ``toewijzing`` (Wmo, Jeugdwet, each its own
   pseudonym domain and each "delivered" only when the allocations hold that law),
   ``inkomensvoorziening`` (bijstand and related benefits) and ``schuldhulptraject`` (debt
   help), every row the source holds (no two-year window as in case work: the resident may see
   all of it), with the code, its Dutch label from the contract, the provider (``aanbieder``)
   and the dates. Only the resident's pseudonyms are looked up: nobody else's rows can appear.
4. **signals** — early-warning signals (``vroegsignaal``, kept whole in the vault): a signal that
   carried a BSN is the resident's exactly when it is the resident's BSN; a signal without one
   only when an activity's signal linkage (:mod:`meedoen_data.linkage.signals`) linked it to the
   resident — ``auto`` or ``accepted`` in its latest run, never a link awaiting review.
5. **partner files** — records of a partner file (e.g. the food bank's client list) that a
   linkage (:func:`meedoen_data.linkage.link_partner`) linked to the resident, ``auto`` or
   ``accepted`` in its latest run of that file: which partner, since and until when, and which
   fields of the resident the record holds (their names, not their values). Also the partner
   files delivered, linked to the resident or not.

The links of 4 and 5 are read from the activities' linkage files (``HOME/vault/linkage``,
identity zone; :mod:`meedoen_data.residents.links`): every one there unless ``activity_ids``
names some. A file in use by a running linkage is skipped and named in ``links_unreadable``:
the page says the list may be incomplete.

The resident's own address is shown to them even with a BRP secrecy indication (it protects
them from others, not from themselves); a housemate's address is the resident's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from meedoen_data.bsn import bsn_is_valid
from meedoen_data.casework.family import (
    _INCOME,
    _SIGNALS,
    PersonNotFound,
    _address_text,
    _columns,
    _persons,
    _pseudonyms,
    _source_states,
    family_read,
    person_pseudonym,
    zone_open,
)
from meedoen_data.casework.family import _providers as providers_read
from meedoen_data.contract import JEUGD_PRODUCTCATEGORIEEN, SPECS, WMO_PRODUCTCATEGORIEEN
from meedoen_data.intake.sql import ident
from meedoen_data.linkage.signals import SOURCE as SIGNALS
from meedoen_data.residents.links import Links, links_read

#: Plain Dutch names of the sources, for the page's "where does this come from".
SOURCE_NAMES: dict[str, str] = {
    "ingeschrevenpersoon": "Basisregistratie Personen (BRP): persoonsgegevens",
    "verblijfplaats": "Basisregistratie Personen (BRP): adressen",
    "relatie": "Basisregistratie Personen (BRP): ouders, kinderen en partners",
    "nummeraanduiding": "Basisregistratie Adressen en Gebouwen (BAG): adressen",
    "wmo": "Wmo-voorzieningen (toewijzingen Wmo)",
    "jeugd": "Jeugdhulp (toewijzingen Jeugdwet)",
    "participatie": "Uitkeringen: bijstand en aanverwante regelingen",
    "schulden": "Schuldhulpverlening",
    "vroegsignaal": "Vroegsignalering van betalingsachterstanden",
    "voedselbank": "Voedselbank: klantenbestand",
}
#: The service kinds of section 3, in this order: the domain keys of the case-work sources
#: (:data:`meedoen_data.casework.family.DOMAINS`) with the table each comes from.
SERVICE_DOMAINS: dict[str, str] = {
    "wmo": "toewijzing",
    "jeugd": "toewijzing",
    "participatie": "inkomensvoorziening",
    "schulden": "schuldhulptraject",
}
#: Who sent an early-warning signal, in plain Dutch (``signaalpartner``).
SIGNAL_PARTNER_NAMES: dict[str, str] = {
    "HUUR": "Woningcorporatie of verhuurder",
    "ENERGIE": "Energieleverancier",
    "WATER": "Drinkwaterbedrijf",
    "ZORGVERZEKERAAR": "Zorgverzekeraar",
    "CAK": "CAK (eigen bijdrage zorg)",
}
#: The columns of a partner file that hold something about the resident, in contract order:
#: (column, where it is kept: the vault's copy or the analytics store).
PARTNER_FIELDS: tuple[tuple[str, str], ...] = (
    ("klantnummer", "vault"),
    ("geslachtsnaam", "vault"),
    ("voorvoegsel", "vault"),
    ("voornamen", "vault"),
    ("datumgeboorte", "vault"),
    ("postcode", "vault"),
    ("huisnummer", "vault"),
    ("huisnummertoevoeging", "vault"),
    ("datuminschrijving", "analytics"),
    ("datumuitschrijving", "analytics"),
    ("aantal_personen", "analytics"),
)
_DEBT_HELP = ("WGS", "Schuldhulpverlening")
#: A delivery counts however old it is: the resident sees what is held, not what is current.
_NEVER_STALE_DAYS = 10**6


# --- the result ------------------------------------------------------------------------


def _hidden() -> Any:
    """A field left out of :meth:`ResidentData.as_json` (for the audit log only)."""
    return field(default=(), metadata={"json": False})


@dataclass(frozen=True)
class Source:
    table: str  # contract table, or the partner file's name
    name: str  # plain Dutch name
    delivered: bool
    delivered_at: datetime | None = None  # the newest delivery (UTC)


@dataclass(frozen=True)
class Address:
    since: date | None
    until: date | None  # None: still living there per the delivery
    address: str  # "Kerkstraat 12A, 1234 AB Gilze"; "" when the BAG has no text for it
    current: bool  # the address on the day read


@dataclass(frozen=True)
class Registration:
    sources: tuple[Source, ...]
    name: str
    birth_date: date | None
    address: str  # on the day; "" when the BRP holds none then
    addresses: tuple[Address, ...]  # every address of the delivery, oldest first


@dataclass(frozen=True)
class Housemate:
    #: family.ROLES without ``zelf``: partner, kind, ouder, stiefouder, broer_zus,
    #: halfbroer_halfzus, huisgenoot (anyone else registered at the address).
    role: str
    name: str
    birth_year: int | None


@dataclass(frozen=True)
class Household:
    sources: tuple[Source, ...]
    delivered: bool  # verblijfplaats and relatie both delivered: else no household is derived
    on: date
    address: str
    members: tuple[Housemate, ...]  # the others at the address; the resident is not listed
    #: Others live at the address who are not listed: an institution, or an address where
    #: someone has a BRP secrecy indication (only relatives are listed there).
    others_not_listed: bool = False


@dataclass(frozen=True)
class ServiceRow:
    record: str  # the source's record number (toewijzingnummer); "" when the source has none
    category: str  # the source's code: product category, law, or WGS for debt help
    label: str  # its Dutch label where the contract has one, else the code
    start: date | None
    end: date | None
    current: bool  # started and not ended on the day read
    provider_code: str = ""  # AGB code (Wmo and youth care)
    provider_name: str = ""  # from ``aanbieder``; "" when not delivered or unknown


@dataclass(frozen=True)
class ServiceGroup:
    domain: str  # one of SERVICE_DOMAINS
    source: Source
    services: tuple[ServiceRow, ...]


@dataclass(frozen=True)
class SignalRow:
    signal_id: str  # the partner's reference of the signal (signaalid)
    partner: str  # signaalpartner code
    partner_name: str  # plain Dutch: who sent it
    label: str  # what it is about: "Huurachterstand", ...
    month: str  # YYYY-MM of the signal date
    signal_date: date
    amount: Decimal | None
    linked_by: str  # "bsn": the partner sent the resident's BSN; "linkage": linked by name
    activity_ids: tuple[int, ...] = ()  # the activities whose linkage linked it (linkage only)


@dataclass(frozen=True)
class Signals:
    source: Source
    signals: tuple[SignalRow, ...]
    #: Linkage files in use by a running linkage, not read: signals may be missing.
    links_unreadable: tuple[int, ...] = ()


@dataclass(frozen=True)
class PartnerRecord:
    source: Source  # the partner file
    since: date | None  # datuminschrijving: client since
    until: date | None  # datumuitschrijving
    fields: tuple[str, ...]  # columns of PARTNER_FIELDS holding a value in the record
    status: str  # auto (linked by the engine) or accepted (by a reviewer)
    linked_at: datetime | None  # the linkage run
    activity_ids: tuple[int, ...]


@dataclass(frozen=True)
class PartnerFiles:
    delivered: bool  # any partner file delivered at all
    sources: tuple[Source, ...]  # every partner file delivered
    records: tuple[PartnerRecord, ...]
    links_unreadable: tuple[int, ...] = ()


@dataclass(frozen=True)
class ResidentData:
    on: date
    registration: Registration
    household: Household
    services: tuple[ServiceGroup, ...]
    signals: Signals
    partner_files: PartnerFiles
    #: BRP pseudonyms of the resident and of every housemate shown: the read's data subjects
    #: for the audit log (left out of the JSON).
    subjects: tuple[str, ...] = _hidden()

    def as_json(self) -> dict[str, Any]:
        """Plain JSON types: dates and datetimes as ISO strings, amounts as decimal strings."""
        plain: dict[str, Any] = _plain(self)
        return plain


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if f.metadata.get("json", True)
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- reading -----------------------------------------------------------------------------


def resident_data_read(
    *,
    home: Path,
    bsn: str,
    on: date | None = None,
    activity_ids: Iterable[int] | None = None,
) -> ResidentData:
    """What the workspace's sources hold about the resident with ``bsn`` (see the module), on
    ``on`` (default today): the address and household of that day, every service row with
    whether it is current then. ``activity_ids``: the activities whose linkage files are read
    for signals and partner files (default: every linkage file of the workspace).

    ValueError for a BSN failing the 11-proef; PersonNotFound when the BRP delivery does not
    hold the BSN; FamilyError when no BRP has been delivered at all."""
    bsn = bsn.strip()
    if not bsn_is_valid(bsn):
        raise ValueError("not a valid BSN (9 digits, 11-proef)")
    day = on or date.today()
    with zone_open(home) as con:
        person = _persons(con, [bsn]).get(bsn)
        if person is None:
            raise PersonNotFound("no person with this BSN is registered in the BRP delivery")
        sources = _Sources(con)
        addresses = _address_history(con, bsn, day, sources)
        current = next((a.address for a in reversed(addresses) if a.current), "")
        registration = Registration(
            sources=sources.of("ingeschrevenpersoon", "verblijfplaats", "nummeraanduiding"),
            name=person.name,
            birth_date=person.birth,
            address=current,
            addresses=addresses,
        )
        household, housemates = _household(con, home, bsn, day, current, sources)
        services = _services(con, home, bsn, day)
        links = links_read(con, home=home, bsn=bsn, activity_ids=activity_ids)
        signals = _signals(con, bsn, links, sources)
        partner_files = _partner_files(con, links, sources)
    return ResidentData(
        on=day,
        registration=registration,
        household=household,
        services=services,
        signals=signals,
        partner_files=partner_files,
        subjects=(person_pseudonym(home=home, bsn=bsn), *housemates),
    )


class _Sources:
    """The newest delivery of every table (``analytics.meta.batch``) and the tables present."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.at: dict[str, datetime] = {
            str(t): at
            for t, at in con.execute(
                "SELECT table_name, max(finished_at) FROM analytics.meta.batch GROUP BY 1"
            ).fetchall()
        }
        self.tables = {
            (str(d), str(s), str(t))
            for d, s, t in con.execute(
                "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
                "WHERE database_name IN ('vault', 'analytics')"
            ).fetchall()
        }

    def source(self, table: str, name: str | None = None) -> Source:
        delivered = table in self.at and ("vault", "identity", table) in self.tables
        return Source(
            table,
            name or SOURCE_NAMES.get(table, table),
            delivered,
            self.at.get(table) if delivered else None,
        )

    def of(self, *tables: str) -> tuple[Source, ...]:
        return tuple(self.source(t) for t in tables)


def _address_history(
    con: duckdb.DuckDBPyConnection, bsn: str, day: date, sources: _Sources
) -> tuple[Address, ...]:
    if not sources.source("verblijfplaats").delivered:
        return ()
    rows = con.execute(
        "SELECT adresseerbaarobjectidentificatie, coalesce(nummeraanduidingidentificatie, ''), "
        "datumvan, datumtot FROM vault.identity.verblijfplaats WHERE burgerservicenummer = ? "
        "ORDER BY datumvan NULLS FIRST, datumtot NULLS LAST",
        [bsn],
    ).fetchall()
    texts: dict[tuple[str, str], str] = {}
    # The address on the day: as case work takes it, the latest start among those valid then.
    valid = [i for i, r in enumerate(rows) if r[2] <= day and (r[3] is None or r[3] > day)]
    out = []
    for i, (dwelling, number, since, until) in enumerate(rows):
        key = (str(dwelling), str(number))
        if key not in texts:
            texts[key] = _address_text(con, *key)
        out.append(Address(since, until, texts[key], bool(valid) and i == valid[-1]))
    return tuple(out)


def _household(
    con: duckdb.DuckDBPyConnection,
    home: Path,
    bsn: str,
    day: date,
    address: str,
    sources: _Sources,
) -> tuple[Household, list[str]]:
    """The household on ``day`` and the BRP pseudonyms of the housemates listed."""
    used = sources.of("verblijfplaats", "relatie", "ingeschrevenpersoon")
    if not all(s.delivered for s in used[:2]):
        return Household(used, False, day, address, ()), []
    now = datetime.now(UTC).replace(tzinfo=None)
    family = family_read(
        home=home,
        bsn=bsn,
        on=day,
        allowed=(),  # no services: only the resident's own are read, below
        max_age_days=_NEVER_STALE_DAYS,
        now=now,
        zone=con,
    )
    living = [
        m for m in family.members[1:] if m.lives_at_address and m.registered and m.deceased is None
    ]
    members = tuple(
        Housemate(m.role, m.name, m.birth_date.year if m.birth_date else None) for m in living
    )
    residents = con.execute(
        "SELECT count(DISTINCT burgerservicenummer) FROM vault.identity.verblijfplaats "
        "WHERE adresseerbaarobjectidentificatie = (SELECT arg_max(adresseerbaarobjectidentificatie,"
        " datumvan) FROM vault.identity.verblijfplaats WHERE burgerservicenummer = $b "
        "AND datumvan <= $on AND (datumtot IS NULL OR datumtot > $on)) "
        "AND datumvan <= $on AND (datumtot IS NULL OR datumtot > $on)",
        {"b": bsn, "on": day},
    ).fetchone()
    at_address = int(residents[0]) if residents and residents[0] else 0
    hidden = (family.institution or family.address_hidden) and at_address > len(members) + 1
    household = Household(used, True, day, address, members, others_not_listed=hidden)
    return household, [m.pseudonym for m in living]


def _services(
    con: duckdb.DuckDBPyConnection, home: Path, bsn: str, day: date
) -> tuple[ServiceGroup, ...]:
    states = _source_states(
        con,
        SERVICE_DOMAINS,
        now=datetime.now(UTC).replace(tzinfo=None),
        max_age_days=_NEVER_STALE_DAYS,
    )
    groups = []
    for domain, table in SERVICE_DOMAINS.items():
        state = states[domain]
        delivered = state.state != "bron_niet_aangesloten"
        source = Source(table, SOURCE_NAMES[domain], delivered, state.delivered)
        rows = _service_rows(con, home, domain, bsn, day) if delivered else ()
        groups.append(ServiceGroup(domain, source, rows))
    return tuple(groups)


def _current(start: date | None, end: date | None, day: date) -> bool:
    return (start is None or start <= day) and (end is None or end >= day)


def _service_rows(
    con: duckdb.DuckDBPyConnection, home: Path, domain: str, bsn: str, day: date
) -> tuple[ServiceRow, ...]:
    """Every row of ``domain``'s source under the resident's own pseudonym, oldest first."""
    [me] = _pseudonyms(home, domain, [bsn])
    if domain in {"wmo", "jeugd"}:
        labels = WMO_PRODUCTCATEGORIEEN if domain == "wmo" else JEUGD_PRODUCTCATEGORIEEN
        rows = con.execute(
            "SELECT toewijzingnummer, productcategorie, datumstarttoewijzing, "
            "datumeindetoewijzing, coalesce(aanbieder, '') FROM analytics.source.toewijzing "
            "WHERE person_pseudonym = $p AND wet = $wet ORDER BY 3, 1",
            {"p": me, "wet": "WMO" if domain == "wmo" else "JEUGDWET"},
        ).fetchall()
        providers = providers_read(con, {str(r[4]) for r in rows if r[4]})
        return tuple(
            ServiceRow(
                str(record),
                str(category),
                labels.get(str(category), str(category)),
                start,
                end,
                _current(start, end, day),
                str(agb),
                providers[str(agb)].name if str(agb) in providers else "",
            )
            for record, category, start, end, agb in rows
        )
    if domain == "participatie":
        rows = con.execute(
            "SELECT wet, ingangsdatum, einddatum FROM analytics.source.inkomensvoorziening "
            "WHERE person_pseudonym = ? ORDER BY 2, 1",
            [me],
        ).fetchall()
        return tuple(
            ServiceRow("", str(law), _INCOME.get(str(law), str(law)), s, e, _current(s, e, day))
            for law, s, e in rows
        )
    rows = con.execute(
        "SELECT startdatum, einddatum FROM analytics.source.schuldhulptraject "
        "WHERE person_pseudonym = ? ORDER BY 1",
        [me],
    ).fetchall()
    return tuple(ServiceRow("", *_DEBT_HELP, s, e, _current(s, e, day)) for s, e in rows)


# --- signals and partner files -----------------------------------------------------------


def _signals(con: duckdb.DuckDBPyConnection, bsn: str, links: Links, sources: _Sources) -> Signals:
    source = sources.source(SIGNALS)
    if not source.delivered:
        return Signals(source, (), tuple(links.unreadable))
    linked = links.records(SIGNALS)
    # A re-delivered signal (append: same signaalid) is read as its newest batch has it.
    rows = con.execute(
        "SELECT signaalid, signaalpartner, signaaldatum, bedrag, burgerservicenummer "
        "FROM vault.identity.vroegsignaal WHERE signaalid IN ("
        "    SELECT signaalid FROM vault.identity.vroegsignaal "
        "    WHERE burgerservicenummer = $bsn OR list_contains($linked, signaalid)) "
        "QUALIFY row_number() OVER (PARTITION BY signaalid ORDER BY batch_id DESC) = 1 "
        "ORDER BY signaaldatum, signaalid",
        {"bsn": bsn, "linked": sorted(linked)},
    ).fetchall()
    signals = []
    for sid, partner, day, amount, sent_bsn in rows:
        # By the BSN the partner sent, or, without one, by a link: never a link against it.
        if sent_bsn != bsn and not (sent_bsn is None and str(sid) in linked):
            continue
        link = linked.get(str(sid))
        by_bsn = sent_bsn is not None
        signals.append(
            SignalRow(
                signal_id=str(sid),
                partner=str(partner),
                partner_name=SIGNAL_PARTNER_NAMES.get(str(partner), str(partner)),
                label=_SIGNALS.get(str(partner), str(partner)),
                month=f"{day:%Y-%m}",
                signal_date=day,
                amount=amount,
                linked_by="bsn" if by_bsn else "linkage",
                activity_ids=() if by_bsn or link is None else tuple(link.activity_ids),
            )
        )
    return Signals(source, tuple(signals), tuple(links.unreadable))


def _partner_sources(con: duckdb.DuckDBPyConnection, sources: _Sources) -> list[str]:
    """The partner files delivered: tables outside the contract with a partner file's columns
    (the vault's identifiers, the analytics store's dates and record pseudonym)."""
    vault = {n for n, where in PARTNER_FIELDS if where == "vault"} | {"klantnummer_pseudonym"}
    analytics = {n for n, where in PARTNER_FIELDS if where == "analytics"} | {"record_pseudonym"}
    return [
        table
        for table in sorted(sources.at)
        if table not in SPECS
        and vault <= _columns(con, "vault", "identity", table)
        and analytics <= _columns(con, "analytics", "source", table)
    ]


def _partner_files(con: duckdb.DuckDBPyConnection, links: Links, sources: _Sources) -> PartnerFiles:
    delivered = []
    records = []
    vault = [n for n, where in PARTNER_FIELDS if where == "vault"]
    analytics = [n for n, where in PARTNER_FIELDS if where == "analytics"]
    for table in _partner_sources(con, sources):
        name = SOURCE_NAMES.get(table, f"Bestand van partner {table}")
        source = sources.source(table, name)
        delivered.append(source)
        linked = links.records(table)
        if not linked:
            continue
        present = ", ".join(
            [f"v.{ident(c)} IS NOT NULL" for c in vault]
            + [f"a.{ident(c)} IS NOT NULL" for c in analytics]
        )
        # Identifiers: a delivered table's name (from the catalogue) and the contract's
        # columns, quoted; the record numbers are a bound parameter.
        rows = con.execute(
            f"SELECT v.klantnummer, a.datuminschrijving, a.datumuitschrijving, {present} "  # noqa: S608
            f"FROM vault.identity.{ident(table)} v "
            f"LEFT JOIN analytics.source.{ident(table)} a "
            "ON a.record_pseudonym = v.klantnummer_pseudonym "
            "WHERE list_contains($k, v.klantnummer) ORDER BY a.datuminschrijving, 1",
            {"k": sorted(linked)},
        ).fetchall()
        for record, since, until, *has in rows:
            link = linked[str(record)]
            held = tuple(c for c, there in zip([*vault, *analytics], has, strict=True) if there)
            records.append(
                PartnerRecord(
                    source=source,
                    since=since,
                    until=until,
                    fields=held,
                    status=link.status,
                    linked_at=link.linked_at,
                    activity_ids=tuple(link.activity_ids),
                )
            )
    return PartnerFiles(bool(delivered), tuple(delivered), tuple(records), tuple(links.unreadable))
