"""The family context of one person: members, services involved, whom to call.

Read in the identity zone, for one person at a time, by BSN: the BRP's persons, relations and
addresses from the vault (exact dates, names) beside their pseudonymised rows in the analytics
store (relation kinds, deaths), and each member's records in the service sources,
found by the member's pseudonym under that source's own domain key. Nothing is written.

Who belongs to the family of a person F on a date D (the BRP has no family object):

- ``ouder``: F's parents in ``relatie`` (a relation ended before D does not count) — also a
  parent living elsewhere and a deceased parent (shown as deceased);
- ``partner``: F's formal partners (marriage, registered partnership) on D;
- ``kind``: F's children;
- ``stiefouder``: a formal partner on D of one of F's parents who is not F's parent;
- ``broer_zus``: another child of F's parents with exactly F's parents (the known ones);
  ``halfbroer_halfzus``: another child of one of F's parents with other parents than F's;
- ``huisgenoot``: anyone else registered at F's address on D (an unmarried partner of a parent,
  a step-parent's child, a lodger). Nobody is listed at an address some resident of which has
  a BRP secrecy indication, except F's relatives: such an address may be a shelter; nor at an
  institution (as the household derivation says: at least :data:`INSTITUTION_MIN` residents,
  most of them not F's relatives) — a child in a care home has no family of 40.

A relative who died is left out, except a parent. A relative without a row in the register of
persons (moved out of the municipality before its delivery) is listed with ``registered`` false
and no name.

Per member and source the state is one of :data:`STATES`: the source holds records of the
member in the last two years, holds none, is not connected (never delivered, or its newest
delivery is older than ``max_age_days``), or the activity does not allow showing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from meedoen_data.bsn import bsn_is_valid
from meedoen_data.contract import JEUGD_PRODUCTCATEGORIEEN, WMO_PRODUCTCATEGORIEEN
from meedoen_data.intake import vault_path
from meedoen_data.intake.pseudonyms import domain_key, pseudonym
from meedoen_data.intake.subjects import vault_attach
from meedoen_data.workspace import Workspace

#: The sources a family view shows per member, in this order, with the table each comes from.
DOMAINS: dict[str, str] = {
    "wmo": "toewijzing",
    "jeugd": "toewijzing",
    "participatie": "inkomensvoorziening",
    "schulden": "schuldhulptraject",
    "signalen": "vroegsignaal",
    "betrokkenheid": "betrokkenheid",
}
STATES = ("geregistreerd", "geen_registratie", "bron_niet_aangesloten", "geen_toegang")
#: Roles relative to the case's person, in the order of the view.
ROLES = (
    "zelf",
    "ouder",
    "stiefouder",
    "partner",
    "kind",
    "broer_zus",
    "halfbroer_halfzus",
    "huisgenoot",
)
WINDOW_YEARS = 2
#: An address with at least this many residents, most of them no relative, is an institution
#: (the household derivation's default ``institution_min``): its residents are not listed.
INSTITUTION_MIN = 10
#: A signal counts as current for this many days after its date.
SIGNAL_CURRENT_DAYS = 90
_WET = {"wmo": "WMO", "jeugd": "JEUGDWET"}
_INCOME = {
    "PARTICIPATIEWET": "Bijstand (Participatiewet)",
    "IOAW": "IOAW-uitkering",
    "IOAZ": "IOAZ-uitkering",
    "BIJZONDERE_BIJSTAND": "Bijzondere bijstand",
}
_SIGNALS = {
    "HUUR": "Huurachterstand",
    "ENERGIE": "Achterstand energie",
    "WATER": "Achterstand water",
    "ZORGVERZEKERAAR": "Achterstand zorgverzekering",
    "CAK": "Achterstand eigen bijdrage (CAK)",
}


class FamilyError(Exception):
    """The workspace holds no BRP delivery to read a family from."""


class PersonNotFound(FamilyError):
    """No person in the register with this BSN, or with this name and date of birth."""


class PersonAmbiguous(FamilyError):
    """More than one person has this name and date of birth: open the case by BSN."""


@dataclass(frozen=True)
class Member:
    bsn: str
    pseudonym: str  # the BRP pseudonym: the subject of the audit log's read records
    role: str
    registered: bool
    name: str = ""
    birth_date: date | None = None
    deceased: date | None = None
    lives_at_address: bool = False
    secret: bool = False  # a BRP secrecy indication: never show the address


@dataclass(frozen=True)
class Provider:
    code: str
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Service:
    domain: str
    category: str  # the source's code (product category, law, signal partner)
    label: str
    since: date | None
    until: date | None
    current: bool
    provider: Provider | None = None


@dataclass(frozen=True)
class Involvement:
    organisation: str
    professional: str
    role: str
    contact: str
    since: date | None
    last_contact: date | None
    current: bool


@dataclass(frozen=True)
class SourceState:
    domain: str
    state: str  # one of STATES
    delivered: datetime | None = None  # the source's newest delivery


@dataclass
class Family:
    person: Member
    on: date
    members: list[Member]
    address: str  # the person's address on ``on``; empty when hidden or unknown
    address_hidden: bool
    sources: dict[str, SourceState]  # per domain, the same for every member
    institution: bool = False  # the person lives at an institution: residents not listed
    #: The BRP's newest delivery, and whether it is older than the sources may be: who belongs
    #: to the family may have changed since.
    register_delivered: datetime | None = None
    register_stale: bool = False
    services: dict[str, list[Service]] = field(default_factory=dict)  # by BSN
    involvements: dict[str, list[Involvement]] = field(default_factory=dict)  # by BSN
    states: dict[str, dict[str, str]] = field(default_factory=dict)  # BSN -> domain -> state

    @property
    def subjects(self) -> list[str]:
        """The BRP pseudonyms of everyone shown: the read's data subjects."""
        return [m.pseudonym for m in self.members]


@contextmanager
def zone_open(home: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    workspace = Workspace(home)
    vault = vault_path(workspace)
    if not workspace.analytics_path.exists() or not vault.exists():
        raise FamilyError("no source has been delivered to this workspace yet")
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS analytics (READ_ONLY)", [str(workspace.analytics_path)])
        vault_attach(con, vault)
        if not _has(con, "vault", "identity", "ingeschrevenpersoon"):
            raise FamilyError("the BRP (ingeschrevenpersoon) has not been delivered")
        yield con
    finally:
        con.close()


def _has(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ?",
        [database, schema, table],
    ).fetchone()
    return bool(row and row[0])


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> set[str]:
    return {
        str(r[0])
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? "
            "AND schema_name = ? AND table_name = ?",
            [database, schema, table],
        ).fetchall()
    }


def person_find(
    *,
    home: Path,
    bsn: str | None = None,
    surname: str | None = None,
    birth_date: date | None = None,
) -> str:
    """The BSN of the register's person with this BSN, or with exactly this surname (with or
    without its tussenvoegsel, any case) and date of birth. ValueError for a BSN failing the
    11-proef; PersonNotFound; PersonAmbiguous when two persons share name and birth date."""
    with zone_open(home) as con:
        if bsn is not None:
            bsn = bsn.strip()
            if not bsn_is_valid(bsn):
                raise ValueError("not a valid BSN (9 digits, 11-proef)")
            row = con.execute(
                "SELECT count(*) FROM vault.identity.ingeschrevenpersoon "
                "WHERE burgerservicenummer = ?",
                [bsn],
            ).fetchone()
            if not row or not row[0]:
                raise PersonNotFound("no person with this BSN is registered in the BRP delivery")
            return bsn
        if not surname or not surname.strip() or birth_date is None:
            raise ValueError("give a BSN, or a surname and a date of birth")
        found = [
            str(r[0])
            for r in con.execute(
                "SELECT DISTINCT burgerservicenummer FROM vault.identity.ingeschrevenpersoon "
                "WHERE datumgeboorte = $birth AND ("
                "lower(geslachtsnaam) = $name OR "
                "lower(concat_ws(' ', nullif(voorvoegsel, ''), geslachtsnaam)) = $name)",
                {"birth": birth_date, "name": " ".join(surname.lower().split())},
            ).fetchall()
        ]
    if not found:
        raise PersonNotFound("no person with this surname and date of birth is registered")
    if len(found) > 1:
        raise PersonAmbiguous(
            f"{len(found)} persons have this surname and date of birth: open the case by BSN"
        )
    return found[0]


def person_pseudonym(*, home: Path, bsn: str) -> str:
    """The person's BRP pseudonym: how a case names its person, and the audit log its reads."""
    return pseudonym(domain_key(Workspace(home).keys, "brp"), bsn)


def person_bsn(*, home: Path, person: str) -> str:
    """The BSN behind a BRP pseudonym (PersonNotFound when the register holds nobody with it:
    a replacing delivery removed the person)."""
    with zone_open(home) as con:
        row = con.execute(
            "SELECT burgerservicenummer FROM vault.identity.ingeschrevenpersoon "
            "WHERE burgerservicenummer_pseudonym = ? LIMIT 1",
            [person],
        ).fetchone()
    if row is None:
        raise PersonNotFound("the register no longer holds this person")
    return str(row[0])


def person_bsns(*, home: Path, persons: Sequence[str]) -> dict[str, str]:
    """The BSNs behind BRP pseudonyms, in one read of the vault: pseudonym -> BSN for each the
    register holds (a person a replacing delivery removed is left out)."""
    if not persons:
        return {}
    with zone_open(home) as con:
        rows = con.execute(
            "SELECT DISTINCT burgerservicenummer_pseudonym, burgerservicenummer "
            "FROM vault.identity.ingeschrevenpersoon "
            "WHERE list_contains(?, burgerservicenummer_pseudonym)",
            [list(persons)],
        ).fetchall()
    return {str(pseudonym): str(bsn) for pseudonym, bsn in rows}


def persons_named(*, home: Path, persons: Sequence[str]) -> dict[str, tuple[str, date | None]]:
    """BRP pseudonym -> (name, date of birth) of the register's persons among ``persons``."""
    if not persons:
        return {}
    with zone_open(home) as con:
        rows = con.execute(
            "SELECT burgerservicenummer_pseudonym, "
            "concat_ws(' ', nullif(voornamen, ''), nullif(voorvoegsel, ''), geslachtsnaam), "
            "datumgeboorte FROM vault.identity.ingeschrevenpersoon "
            "WHERE list_contains($p, burgerservicenummer_pseudonym)",
            {"p": list(persons)},
        ).fetchall()
    return {str(r[0]): (str(r[1]), r[2]) for r in rows}


# --- relations ---------------------------------------------------------------------------

_INVERSE = {"ouder": "kind", "kind": "ouder", "partner": "partner"}


def _edges(
    con: duckdb.DuckDBPyConnection, bsns: Iterable[str], on: date
) -> set[tuple[str, str, str]]:
    """Relations on ``on`` touching ``bsns``, both ways: (a, b, kind) says b is a's kind."""
    rows = con.execute(
        "SELECT v.burgerservicenummer, v.gerelateerde_burgerservicenummer, a.soortrelatie "
        "FROM vault.identity.relatie v JOIN analytics.source.relatie a "
        "ON a.person_pseudonym = v.burgerservicenummer_pseudonym "
        "AND a.related_person_pseudonym = v.gerelateerde_burgerservicenummer_pseudonym "
        "AND a.datumingang_maand IS NOT DISTINCT FROM "
        "    (year(v.datumingang) * 100 + month(v.datumingang))::INTEGER "
        "WHERE (list_contains($b, v.burgerservicenummer) "
        "       OR list_contains($b, v.gerelateerde_burgerservicenummer)) "
        "AND (v.datumingang IS NULL OR v.datumingang <= $on) "
        "AND (v.datumeinde IS NULL OR v.datumeinde > $on)",
        {"b": sorted(set(bsns)), "on": on},
    ).fetchall()
    edges: set[tuple[str, str, str]] = set()
    for a, b, kind in rows:
        edges.add((str(a), str(b), str(kind)))
        edges.add((str(b), str(a), _INVERSE[str(kind)]))
    return edges


def _related(edges: set[tuple[str, str, str]], person: str, kind: str) -> set[str]:
    return {b for a, b, k in edges if a == person and k == kind}


def _relatives(con: duckdb.DuckDBPyConnection, bsn: str, on: date) -> dict[str, str]:
    """BSN -> role of F's relatives on ``on`` (without housemates), in role priority."""
    edges = _edges(con, [bsn], on)
    parents = _related(edges, bsn, "ouder")
    partners = _related(edges, bsn, "partner")
    children = _related(edges, bsn, "kind")
    edges |= _edges(con, parents, on)
    siblings: set[str] = set()
    step: set[str] = set()
    for parent in parents:
        siblings |= _related(edges, parent, "kind")
        step |= _related(edges, parent, "partner")
    siblings -= {bsn}
    edges |= _edges(con, siblings, on)
    roles: dict[str, str] = {}

    def put(people: Iterable[str], role: str) -> None:
        for person in sorted(people):
            if person != bsn:
                roles.setdefault(person, role)

    put(parents, "ouder")
    put(step - parents, "stiefouder")
    put(partners, "partner")
    put(children, "kind")
    put((s for s in siblings if _related(edges, s, "ouder") == parents), "broer_zus")
    put(siblings, "halfbroer_halfzus")
    return roles


# --- persons and addresses ---------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    name: str
    birth: date | None
    deceased: date | None
    secret: bool


_PERSONS = (
    "SELECT v.burgerservicenummer, "
    "concat_ws(' ', nullif(v.voornamen, ''), nullif(v.voorvoegsel, ''), v.geslachtsnaam), "
    "v.datumgeboorte, a.datumoverlijden, {secret} "
    "FROM vault.identity.ingeschrevenpersoon v "
    "LEFT JOIN analytics.source.ingeschrevenpersoon a "
    "ON a.person_pseudonym = v.burgerservicenummer_pseudonym "
    "WHERE list_contains($b, v.burgerservicenummer)"
)
#: A register delivered before the contract had ``indicatiegeheim`` has no secret persons.
_SECRECY = "coalesce(v.indicatiegeheim, '0') NOT IN ('', '0')"


def _persons(con: duckdb.DuckDBPyConnection, bsns: Sequence[str]) -> dict[str, _Person]:
    columns = _columns(con, "vault", "identity", "ingeschrevenpersoon")
    sql = _PERSONS.format(secret=_SECRECY if "indicatiegeheim" in columns else "false")
    rows = con.execute(sql, {"b": list(bsns)}).fetchall()
    return {str(r[0]): _Person(str(r[1]), r[2], r[3], bool(r[4])) for r in rows}


def _addresses(
    con: duckdb.DuckDBPyConnection, bsns: Sequence[str], on: date
) -> dict[str, tuple[str, str]]:
    """BSN -> (BAG id of the dwelling, nummeraanduiding id) of the address on ``on``."""
    rows = con.execute(
        "SELECT burgerservicenummer, adresseerbaarobjectidentificatie, "
        "coalesce(nummeraanduidingidentificatie, '') FROM vault.identity.verblijfplaats "
        "WHERE list_contains($b, burgerservicenummer) AND datumvan <= $on "
        "AND (datumtot IS NULL OR datumtot > $on) ORDER BY datumvan",
        {"b": list(bsns), "on": on},
    ).fetchall()
    return {str(r[0]): (str(r[1]), str(r[2])) for r in rows}  # the latest start wins


def _residents(con: duckdb.DuckDBPyConnection, dwelling: str, on: date) -> list[str]:
    return [
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT burgerservicenummer FROM vault.identity.verblijfplaats "
            "WHERE adresseerbaarobjectidentificatie = $a AND datumvan <= $on "
            "AND (datumtot IS NULL OR datumtot > $on) ORDER BY 1",
            {"a": dwelling, "on": on},
        ).fetchall()
    ]


def _address_text(con: duckdb.DuckDBPyConnection, dwelling: str, number: str) -> str:
    if not _has(con, "vault", "identity", "nummeraanduiding"):
        return ""
    row = con.execute(
        "SELECT openbareruimtenaam, huisnummer, huisletter, huisnummertoevoeging, postcode, "
        "woonplaatsnaam FROM vault.identity.nummeraanduiding "
        "WHERE identificatie = $n OR ($n = '' AND adresseerbaarobjectidentificatie = $a) "
        "ORDER BY identificatie = $n DESC LIMIT 1",
        {"n": number, "a": dwelling},
    ).fetchone()
    if row is None:
        return ""
    return address_format(*row)


def address_format(
    street: str | None,
    house: int | None,
    letter: str | None,
    addition: str | None,
    postcode: str | None,
    place: str | None,
) -> str:
    """ "Kerkstraat 12A-2, 1234 AB Gilze": a BAG address as a letter would carry it."""
    number_text = f"{house or ''}{letter or ''}" + (f"-{addition}" if addition else "")
    postcode_text = f"{postcode[:4]} {postcode[4:]}" if postcode else ""
    return ", ".join(
        part
        for part in (
            f"{street or ''} {number_text}".strip(),
            f"{postcode_text}  {place or ''}".strip(),
        )
        if part
    ).replace("  ", " ")


# --- services ------------------------------------------------------------------------------


def _window(on: date) -> date:
    try:
        return on.replace(year=on.year - WINDOW_YEARS)
    except ValueError:  # 29 February
        return on.replace(year=on.year - WINDOW_YEARS, day=28)


def _source_states(
    con: duckdb.DuckDBPyConnection,
    allowed: Iterable[str],
    *,
    now: datetime,
    max_age_days: int,
) -> dict[str, SourceState]:
    delivered = dict(
        con.execute(
            "SELECT table_name, max(finished_at) FROM analytics.meta.batch GROUP BY 1"
        ).fetchall()
    )
    laws: set[str] = set()
    if _has(con, "analytics", "source", "toewijzing"):
        laws = {
            str(r[0])
            for r in con.execute("SELECT DISTINCT wet FROM analytics.source.toewijzing").fetchall()
        }
    allowed = set(allowed)
    out: dict[str, SourceState] = {}
    for domain, table in DOMAINS.items():
        at = delivered.get(table)
        connected = (
            at is not None
            and _has(con, "analytics", "source", table)
            and (domain not in _WET or _WET[domain] in laws)
            and now - at <= timedelta(days=max_age_days)
        )
        if domain not in allowed:
            state = "geen_toegang"
        elif not connected:
            state = "bron_niet_aangesloten"
        else:
            state = "geen_registratie"  # per member: geregistreerd where records are found
        out[domain] = SourceState(domain, state, at)
    return out


def _delivered(con: duckdb.DuckDBPyConnection, table: str) -> datetime | None:
    row = con.execute(
        "SELECT max(finished_at) FROM analytics.meta.batch WHERE table_name = ?", [table]
    ).fetchone()
    return row[0] if row else None


def _pseudonyms(home: Path, domain: str, bsns: Sequence[str]) -> dict[str, str]:
    """pseudonym -> BSN under the domain's key."""
    key = domain_key(Workspace(home).keys, domain)
    return {pseudonym(key, bsn): bsn for bsn in bsns}


def _providers(con: duckdb.DuckDBPyConnection, codes: set[str]) -> dict[str, Provider]:
    if not codes or not _has(con, "analytics", "source", "aanbieder"):
        return {}
    wanted = {"agbcode", "naam", "telefoon", "email"}
    if not wanted <= _columns(con, "analytics", "source", "aanbieder"):
        return {}
    rows = con.execute(
        "SELECT agbcode, naam, telefoon, email FROM analytics.source.aanbieder "
        "WHERE list_contains($c, agbcode)",
        {"c": sorted(codes)},
    ).fetchall()
    return {str(r[0]): Provider(str(r[0]), r[1] or "", r[2] or "", r[3] or "") for r in rows}


def _services(
    con: duckdb.DuckDBPyConnection,
    home: Path,
    domain: str,
    bsns: Sequence[str],
    on: date,
) -> list[tuple[str, Service]]:
    since = _window(on)
    names = _pseudonyms(home, domain, bsns)
    params = {"p": sorted(names), "on": on, "since": since}
    out: list[tuple[str, Service]] = []
    if domain in _WET:
        labels = WMO_PRODUCTCATEGORIEEN if domain == "wmo" else JEUGD_PRODUCTCATEGORIEEN
        rows = con.execute(
            "SELECT person_pseudonym, productcategorie, datumstarttoewijzing, "
            "datumeindetoewijzing, aanbieder FROM analytics.source.toewijzing "
            "WHERE list_contains($p, person_pseudonym) AND wet = $wet "
            "AND datumstarttoewijzing <= $on "
            "AND (datumeindetoewijzing IS NULL OR datumeindetoewijzing >= $since) ORDER BY 3",
            {**params, "wet": _WET[domain]},
        ).fetchall()
        providers = _providers(con, {str(r[4]) for r in rows if r[4]})
        for p, category, start, end, agb in rows:
            provider = providers.get(str(agb), Provider(str(agb))) if agb else None
            out.append(
                (
                    names[p],
                    Service(
                        domain,
                        str(category),
                        labels.get(str(category), str(category)),
                        start,
                        end,
                        end is None or end >= on,
                        provider,
                    ),
                )
            )
    elif domain == "participatie":
        for p, law, start, end in con.execute(
            "SELECT person_pseudonym, wet, ingangsdatum, einddatum "
            "FROM analytics.source.inkomensvoorziening WHERE list_contains($p, person_pseudonym) "
            "AND ingangsdatum <= $on AND (einddatum IS NULL OR einddatum >= $since) ORDER BY 3",
            params,
        ).fetchall():
            current = end is None or end >= on
            out.append((names[p], Service(domain, law, _INCOME.get(law, law), start, end, current)))
    elif domain == "schulden":
        for p, start, end in con.execute(
            "SELECT person_pseudonym, startdatum, einddatum "
            "FROM analytics.source.schuldhulptraject "
            "WHERE list_contains($p, person_pseudonym) AND startdatum <= $on "
            "AND (einddatum IS NULL OR einddatum >= $since) ORDER BY 2",
            params,
        ).fetchall():
            current = end is None or end >= on
            label = "Schuldhulpverlening"
            out.append((names[p], Service(domain, "WGS", label, start, end, current)))
    elif domain == "signalen":
        for p, partner, at in con.execute(
            "SELECT person_pseudonym, signaalpartner, signaaldatum "
            "FROM analytics.source.vroegsignaal "
            "WHERE list_contains($p, person_pseudonym) AND signaaldatum <= $on "
            "AND signaaldatum >= $since ORDER BY 3",
            params,
        ).fetchall():
            current = at >= on - timedelta(days=SIGNAL_CURRENT_DAYS)
            label = _SIGNALS.get(partner, partner)
            out.append((names[p], Service(domain, partner, label, at, None, current)))
    return out


def _involvements(
    con: duckdb.DuckDBPyConnection, bsns: Sequence[str], on: date
) -> list[tuple[str, Involvement]]:
    """Who is involved with each member (``betrokkenheid``, kept whole in the vault: its rows
    show the professional beside their part and dates)."""
    if not _has(con, "vault", "identity", "betrokkenheid"):
        return []
    rows = con.execute(
        "SELECT burgerservicenummer, organisatie, professional, rol, contact, startdatum, "
        "laatstecontact FROM vault.identity.betrokkenheid "
        "WHERE list_contains($b, burgerservicenummer) AND startdatum <= $on "
        "AND coalesce(laatstecontact, startdatum) >= $since ORDER BY 6",
        {"b": list(bsns), "on": on, "since": _window(on)},
    ).fetchall()
    return [
        (str(b), Involvement(org or "", prof or "", rol or "", contact or "", start, seen, True))
        for b, org, prof, rol, contact, start, seen in rows
    ]


# --- the family --------------------------------------------------------------------------


def family_read(
    *,
    home: Path,
    bsn: str,
    on: date,
    allowed: Iterable[str],
    max_age_days: int,
    now: datetime,
    zone: duckdb.DuckDBPyConnection | None = None,
) -> Family:
    """The family of the person with ``bsn`` on ``on``, with the services of every living
    member in the sources ``allowed`` (domains of :data:`DOMAINS`) over the two years before.
    ``now`` and ``max_age_days`` decide which sources count as connected. ``zone``: a
    connection of :func:`zone_open` to reuse (many families in a row), else one is opened."""
    if zone is not None:
        return _family(zone, home, bsn, on, allowed, max_age_days, now)
    with zone_open(home) as con:
        return _family(con, home, bsn, on, allowed, max_age_days, now)


def _family(
    con: duckdb.DuckDBPyConnection,
    home: Path,
    bsn: str,
    on: date,
    allowed: Iterable[str],
    max_age_days: int,
    now: datetime,
) -> Family:
    roles = _relatives(con, bsn, on)
    dwelling, number = _addresses(con, [bsn], on).get(bsn, ("", ""))
    residents = _residents(con, dwelling, on) if dwelling else []
    persons = _persons(con, sorted({bsn, *roles, *residents}))
    sheltered = any(persons[r].secret for r in residents if r in persons)
    strangers = [r for r in residents if r != bsn and r not in roles]
    institution = len(residents) >= INSTITUTION_MIN and 2 * len(strangers) > len(residents)
    for resident in [] if institution else residents:
        person = persons.get(resident)
        alive = person is not None and (person.deceased is None or person.deceased > on)
        if resident != bsn and alive and not sheltered:
            roles.setdefault(resident, "huisgenoot")
    brp_key = domain_key(Workspace(home).keys, "brp")
    members: list[Member] = []
    for person_bsn, role in [(bsn, "zelf"), *roles.items()]:
        person = persons.get(person_bsn)
        deceased = person.deceased if person and person.deceased and person.deceased <= on else None
        if deceased is not None and role not in {"zelf", "ouder"}:
            continue
        members.append(
            Member(
                bsn=person_bsn,
                pseudonym=pseudonym(brp_key, person_bsn),
                role=role,
                registered=person is not None,
                name=person.name if person else "",
                birth_date=person.birth if person else None,
                deceased=deceased,
                lives_at_address=person_bsn in residents,
                secret=bool(person and person.secret),
            )
        )
    members.sort(key=lambda m: (ROLES.index(m.role), m.birth_date or date.min, m.bsn))
    hidden = sheltered or members[0].secret
    family = Family(
        person=members[0],
        on=on,
        members=members,
        address="" if hidden or not dwelling else _address_text(con, dwelling, number),
        address_hidden=hidden,
        institution=institution,
        sources=_source_states(con, allowed, now=now, max_age_days=max_age_days),
    )
    family.register_delivered = _delivered(con, "ingeschrevenpersoon")
    family.register_stale = family.register_delivered is None or (
        now - family.register_delivered > timedelta(days=max_age_days)
    )
    living = [m.bsn for m in members if m.deceased is None]
    found: dict[str, set[str]] = {}
    for domain, source in family.sources.items():
        if source.state != "geen_registratie":
            continue
        if domain == "betrokkenheid":
            for who, involvement in _involvements(con, living, on):
                family.involvements.setdefault(who, []).append(involvement)
                found.setdefault(who, set()).add(domain)
            continue
        for who, service in _services(con, home, domain, living, on):
            family.services.setdefault(who, []).append(service)
            found.setdefault(who, set()).add(domain)
    for member in members:
        family.states[member.bsn] = {
            domain: ("geregistreerd" if domain in found.get(member.bsn, set()) else source.state)
            for domain, source in family.sources.items()
        }
    return family
