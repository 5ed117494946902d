"""The source data contract (v1) of DESIGN.md: tables, columns, types, code lists, privacy roles.

This is the single declaration of the contract. The synthetic generator writes exactly these
columns, the intake gate validates and loads by it, and docs/sources/ is generated from it
(`contract_markdown`; a test keeps the docs in step).

Privacy roles decide where a value goes at the gate (DESIGN.md, privacy model points 1 and 2):

- ``person``: a BSN; the analytics store gets the domain's keyed pseudonym, the vault the BSN;
- ``address``: a BAG identification; the analytics store gets an address pseudonym;
- ``identifier``: names, exact dates of birth, postcodes and house numbers, and dates that can
  be a date of birth (a newborn's first address, a parent-child relation); vault only, with
  coarse analysis variables derived for the analytics store (birth year and month, postcode-4,
  year-month ``YYYYMM`` of those dates);
- ``analysis``: everything else, loaded as typed values.

Free text is where identifiers slip through: a case worker types "BSN 573687304, Jurre de Vries"
into a reason column, and a typed value would carry it into the analytics store and on into
activity stores. So the contract has no unchecked free text: a column of type ``text`` with role
``analysis`` must say what the gate does with it (:attr:`Column.free_text`), and columns that
are really codes are declared as ``code`` (a closed list) or ``pattern`` (a short format that
leaves no room for a name, a BSN or an address). :func:`free_text_problems` checks the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CONTRACT_VERSION = "1"

ColumnType = Literal[
    "bsn", "text", "date", "code", "int", "decimal", "flag", "bag", "postcode", "pattern"
]
Role = Literal["person", "address", "identifier", "analysis"]
#: What the intake gate does with a free-text analysis column:
#: ``scan`` — the value is loaded, but a row whose value holds an identifier (a BSN, a name known
#: to the register, a date, a postcode or street address, an e-mail address, a phone number) goes
#: to quarantine; ``drop`` — the column is not loaded at all.
FreeText = Literal["", "scan", "drop"]
LoadMode = Literal["replace", "append"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    role: Role = "analysis"
    codes: tuple[str, ...] = ()
    pattern: str = ""  # regular expression for type "pattern" (whole value)
    description: str = ""
    #: Required for a ``text`` column with role ``analysis``: ``scan`` or ``drop``.
    free_text: FreeText = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # no two rows may share it; appends replace rows with the same key
    load_mode: LoadMode
    domain: str  # pseudonym domain; "by_wet" for toewijzing, "" for anonymous tables
    date_order: tuple[tuple[str, str], ...] = ()  # (start, end): end may not precede start
    derived: tuple[tuple[str, str], ...] = field(default=())  # (source column, derivation)
    #: Columns holding the source's own record numbers (an allocation's number, a signal's id):
    #: activity stores get a pseudonym of them per activity, never the number itself.
    record_numbers: tuple[str, ...] = ()
    #: Checks across columns: (column, SQL condition over the typed values ``t_<column>`` that
    #: holds for a wrong row, reason). Written here, never from input.
    row_rules: tuple[tuple[str, str, str], ...] = ()
    #: Case work shows this table's rows as delivered (a professional's name beside their part
    #: and dates): the vault keeps every column of a row, not only its identifiers, because the
    #: analytics store's row cannot be joined back to the vault's.
    vault_whole: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


#: Code lists used by the generator (and, with issue #4, by validation).
WMO_PRODUCTCATEGORIEEN: dict[str, str] = {
    "01": "Hulp bij het huishouden",
    "02": "Begeleiding",
    "03": "Persoonlijke verzorging",
    "04": "Kortdurend verblijf",
    "05": "Woondiensten",
    "06": "Overige ondersteuning gericht op het individu of huishouden",
    "07": "Dagbesteding",
    "08": "Vervoerdiensten",
    "09": "Overige groepsgerichte ondersteuning",
    "10": "Overige maatwerkarrangementen",
    "11": "Rolstoelen",
    "12": "Vervoervoorzieningen",
    "13": "Woonvoorzieningen",
    "14": "Overige hulpmiddelen",
    "15": "Beschermd wonen",
    "16": "Opvang",
    "17": "Spoedopvang",
    "18": "Overige beschermd wonen en opvang",
}
JEUGD_PRODUCTCATEGORIEEN: dict[str, str] = {
    "40": "Persoonlijke verzorging",
    "41": "Dagbehandeling",
    "42": "Vervoerdiensten",
    "43": "Jeugdhulp verblijf (incl. behandeling)",
    "44": "Jeugdhulp verblijf (excl. behandeling)",
    "45": "Jeugdhulp ambulant",
    "46": "Jeugdhulp crisis",
    "47": "Jeugdreclassering",
    "48": "Jeugdbescherming",
    "49": "Activiteiten in het preventief justitieel kader",
    "50": "Maatwerkarrangementen jeugd",
}
#: COD327 "type verwijzer" of iJw/iWmo.
VERWIJZERS: dict[str, str] = {
    "01": "Gemeente",
    "02": "Huisarts",
    "03": "Jeugdarts",
    "04": "Gecertificeerde instelling",
    "05": "Medisch specialist",
    "06": "Zelfverwijzer of geen verwijzer",
    "07": "Onbekend (alleen jeugdhulp gestart voor 2015)",
    "08": "Rechter, Raad voor de Kinderbescherming of Officier van Justitie",
}
SIGNAALPARTNERS: tuple[str, ...] = ("HUUR", "ENERGIE", "WATER", "ZORGVERZEKERAAR", "CAK")
SOORTRELATIE = ("ouder", "kind", "partner")
GESLACHT = ("M", "V", "O")
NAAMGEBRUIK = ("E", "N", "P", "V")
WETTEN_TOEWIJZING = ("WMO", "JEUGDWET")
WETTEN_INKOMEN = ("PARTICIPATIEWET", "IOAW", "IOAZ", "BIJZONDERE_BIJSTAND")
LEVERINGSVORM = ("ZIN", "PGB")
OPLEIDING = ("laag", "middelbaar", "hoog")
MIGRATIE = ("geen", "westers", "niet-westers")
WONINGBEZIT = ("koop", "huur_corporatie", "huur_overig")
#: Why a debt-help trajectory ended, after the reasons of the NVVK / CBS debt-help monitor.
#: A closed list, so that no free text (and no name or BSN typed into it) reaches analytics.
UITSTROOMREDENEN: dict[str, str] = {
    "schuldenvrij": "schulden afgelost of kwijtgescholden",
    "schuldregeling": "naar een minnelijke of wettelijke schuldregeling",
    "stabilisatie": "stabiele situatie, begeleiding afgesloten",
    "doorverwezen": "naar een andere organisatie",
    "afgebroken": "voortijdig beëindigd",
    "verhuisd": "naar een andere gemeente",
    "overleden": "",
    "overig": "een andere reden",
}
#: Record numbers of a source (an allocation's number, a signal's id, a respondent's id): letters,
#: digits and ``. _ / -``, no spaces, at most 40 characters — room for a number, not for a note.
RECORD_NUMBER = r"[A-Za-z0-9][A-Za-z0-9._/-]{0,39}"
#: CBS area codes: a gemeente (GM + 4 digits), wijk (WK + 6) or buurt (BU + 8).
AREA_CODE = r"GM\d{4}|WK\d{6}|BU\d{8}"
AREA_LEVELS: dict[str, str] = {"gemeente": "GM", "wijk": "WK", "buurt": "BU"}
#: An area's outline: a GeoJSON Polygon or MultiPolygon geometry object and nothing else
#: (no properties, no text): brackets, commas and numbers of at most 7 digits before the point,
#: so that no name, address or BSN fits in it.
GEOJSON = (
    r'\{\s*"type"\s*:\s*"(Multi)?Polygon"\s*,\s*"coordinates"\s*:\s*'
    r"(?:[\[\],\s]|-?[0-9]{1,7}(?:\.[0-9]{1,12})?[\],\s])+\s*\}"
)
#: BRP "indicatie geheim" (Haal Centraal BRP ``indicatieGeheim``): 0 no secrecy, 1-7 the kinds
#: of secrecy the BRP knows (no supply to third parties, churches, ...). Any non-zero value means
#: the person asked for their data not to be shared: case work never shows their address.
INDICATIE_GEHEIM = tuple(str(n) for n in range(8))
#: A Dutch phone number: ten digits starting with 0 (``0161 234 567``, ``013-1234567``), or +31
#: and nine digits (``+31 13 123 4567``, ``+31 (0)13 1234567``), with single spaces or dashes
#: between the digits. A pattern, so that a note cannot fit in it.
PHONE = r"(?:0|\+31[ -]?(?:\(0\)[ -]?)?)[1-9](?:[ -]?[0-9]){8}"
#: An e-mail address and nothing else: a local part of letters, digits and ``. _ % + -``, an
#: ``@`` and a domain with at least one dot.
EMAIL = r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}"
#: An AGB code (Vektis): eight digits.
AGB_CODE = r"\d{8}"
#: Who a professional involved with a person is (their part, not their job title).
ROLLEN_BETROKKENHEID: dict[str, str] = {
    "regievoerder": "coordinates the support around the person or household",
    "casusregisseur": "case director (e.g. of a wijkteam)",
    "hulpverlener": "gives care or support",
    "jeugdbeschermer": "family guardian of a gecertificeerde instelling (child protection)",
    "jeugdreclasseerder": "youth probation officer",
    "bewindvoerder": "manages the person's money (beschermingsbewind)",
    "schuldhulpverlener": "debt-help worker",
    "overig": "another part",
}
#: A user name in meedoen (Django's user names: letters, digits and ``@ . + - _``).
USER_NAME = r"[A-Za-z0-9._@+-]{1,150}"
#: A team's short code, e.g. ``wijkteam-noord``: letters, digits, ``_`` and ``-``, no spaces, no
#: dots or ``@`` (so neither an e-mail address nor ``j.devries`` fits), at most 40 characters.
TEAM_CODE = r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}"


def _bsn(name: str = "burgerservicenummer", required: bool = True, description: str = "") -> Column:
    return Column(name, "bsn", required=required, role="person", description=description)


def _name_columns() -> tuple[Column, ...]:
    return (
        Column("geslachtsnaam", "text", role="identifier", description="surname"),
        Column("voorvoegsel", "text", role="identifier", description="tussenvoegsel"),
        Column("voornamen", "text", role="identifier", description="given names"),
    )


SPECS: dict[str, Table] = {
    spec.name: spec
    for spec in (
        Table(
            "ingeschrevenpersoon",
            "Persons in the BRP (Haal Centraal BRP).",
            (
                _bsn(),
                Column(
                    "geslachtsnaam", "text", required=True, role="identifier", description="surname"
                ),
                Column("voorvoegsel", "text", role="identifier", description="tussenvoegsel"),
                Column("voornamen", "text", role="identifier", description="given names"),
                Column(
                    "datumgeboorte",
                    "date",
                    required=True,
                    role="identifier",
                    description="date of birth; the analytics store gets year and month",
                ),
                Column("geslachtsaanduiding", "code", codes=GESLACHT),
                Column("datumoverlijden", "date", description="date of death"),
                Column("aanduidingnaamgebruik", "code", codes=NAAMGEBRUIK),
                Column(
                    "geboorteland",
                    "text",
                    description="country of birth (name)",
                    free_text="scan",
                ),
                Column(
                    "indicatiegeheim",
                    "code",
                    codes=INDICATIE_GEHEIM,
                    role="identifier",
                    description="BRP secrecy indication 0-7 (contract v2, optional); non-zero: "
                    "the person's address is never shown. Vault only: who lives at a secret "
                    "address (a shelter) is itself to be protected, and analyses do not need it",
                ),
            ),
            key=("burgerservicenummer",),
            load_mode="replace",
            domain="brp",
            date_order=(("datumgeboorte", "datumoverlijden"),),
            derived=(("datumgeboorte", "year_month"),),
        ),
        Table(
            "verblijfplaats",
            "Address history of persons (BRP).",
            (
                _bsn(),
                Column("adresseerbaarobjectidentificatie", "bag", required=True, role="address"),
                Column("nummeraanduidingidentificatie", "bag", role="identifier"),
                Column(
                    "datumvan",
                    "date",
                    required=True,
                    role="identifier",
                    description="start; for a newborn the date of birth",
                ),
                Column("datumtot", "date", role="identifier"),
            ),
            key=("burgerservicenummer", "adresseerbaarobjectidentificatie", "datumvan"),
            load_mode="replace",
            domain="brp",
            date_order=(("datumvan", "datumtot"),),
            derived=(("datumvan", "month"), ("datumtot", "month")),
        ),
        Table(
            "relatie",
            "Parents, children and formal partners (BRP).",
            (
                _bsn(),
                _bsn("gerelateerde_burgerservicenummer", description="BSN of the related person"),
                Column("soortrelatie", "code", required=True, codes=SOORTRELATIE),
                Column(
                    "soortverbintenis",
                    "code",
                    codes=("H", "P"),
                    description="H marriage, P registered partnership (partners only)",
                ),
                Column(
                    "datumingang",
                    "date",
                    role="identifier",
                    description="start; for parents and children the child's birth date",
                ),
                Column("datumeinde", "date", role="identifier"),
            ),
            key=(
                "burgerservicenummer",
                "gerelateerde_burgerservicenummer",
                "soortrelatie",
                "datumingang",
            ),
            load_mode="replace",
            domain="brp",
            date_order=(("datumingang", "datumeinde"),),
            derived=(("datumingang", "month"), ("datumeinde", "month")),
        ),
        Table(
            "nummeraanduiding",
            "Addresses (BAG) with their buurt, wijk and gemeente.",
            (
                Column("identificatie", "bag", required=True, role="identifier"),
                Column("adresseerbaarobjectidentificatie", "bag", required=True, role="address"),
                Column(
                    "postcode",
                    "postcode",
                    role="identifier",
                    description="postcode; the analytics store gets postcode-4",
                ),
                Column("huisnummer", "int", role="identifier"),
                Column("huisletter", "text", role="identifier"),
                Column("huisnummertoevoeging", "text", role="identifier"),
                Column("openbareruimtenaam", "text", role="identifier"),
                Column("woonplaatsnaam", "text", role="identifier"),
                Column("buurtcode", "pattern", pattern=r"BU\d{8}"),
                Column("wijkcode", "pattern", pattern=r"WK\d{6}"),
                Column("gemeentecode", "pattern", pattern=r"GM\d{4}"),
            ),
            key=("identificatie",),
            load_mode="replace",
            domain="",
            derived=(("postcode", "postcode4"),),
        ),
        Table(
            "toewijzing",
            "Wmo and Jeugdwet allocations (iWmo/iJw).",
            (
                Column(
                    "toewijzingnummer",
                    "pattern",
                    required=True,
                    pattern=RECORD_NUMBER,
                    description="the allocation's number",
                ),
                _bsn(),
                Column("wet", "code", required=True, codes=WETTEN_TOEWIJZING),
                Column(
                    "productcategorie",
                    "code",
                    required=True,
                    codes=tuple(WMO_PRODUCTCATEGORIEEN) + tuple(JEUGD_PRODUCTCATEGORIEEN),
                    description="WMO020 or JZ020 category",
                ),
                Column(
                    "productcode",
                    "pattern",
                    pattern=r"[A-Za-z0-9]{1,5}",
                    description="iWmo/iJw product code (at most 5 letters or digits)",
                ),
                Column("datumtoewijzing", "date"),
                Column("datumstarttoewijzing", "date", required=True),
                Column("datumeindetoewijzing", "date"),
                Column("omvang", "int"),
                Column(
                    "eenheid",
                    "pattern",
                    pattern=r"[0-9]{1,2}",
                    description="iWmo/iJw unit code (WJ756, e.g. 04 hour)",
                ),
                Column(
                    "frequentie",
                    "pattern",
                    pattern=r"[0-9]{1,2}",
                    description="iWmo/iJw frequency code (WJ757, e.g. 2 per week)",
                ),
                Column("leveringsvorm", "code", codes=LEVERINGSVORM),
                Column("aanbieder", "pattern", pattern=r"\d{8}", description="AGB code"),
                Column(
                    "soortverwijzer", "code", codes=tuple(VERWIJZERS), description="COD327 referrer"
                ),
            ),
            key=("toewijzingnummer",),
            load_mode="append",
            domain="by_wet",
            record_numbers=("toewijzingnummer",),
            date_order=(
                ("datumstarttoewijzing", "datumeindetoewijzing"),
                ("datumtoewijzing", "datumstarttoewijzing"),
            ),
        ),
        Table(
            "inkomensvoorziening",
            "Social assistance and related benefits.",
            (
                _bsn(),
                Column("wet", "code", required=True, codes=WETTEN_INKOMEN),
                Column(
                    "code",
                    "pattern",
                    pattern=r"[A-Za-z][A-Za-z0-9_]{0,9}",
                    description="the municipality's code of the regulation (e.g. ABB)",
                ),
                Column("ingangsdatum", "date", required=True),
                Column("einddatum", "date"),
                Column("bedrag", "decimal"),
            ),
            key=("burgerservicenummer", "wet", "ingangsdatum"),
            load_mode="append",
            domain="participatie",
            date_order=(("ingangsdatum", "einddatum"),),
        ),
        Table(
            "schuldhulptraject",
            "Debt-help trajectories (Wgs).",
            (
                _bsn(),
                Column("startdatum", "date", required=True),
                Column("einddatum", "date"),
                Column("totaalschuldbedragbijaanvangschuld", "decimal"),
                Column("crisisinterventie", "flag"),
                Column(
                    "uitstroomreden",
                    "code",
                    codes=tuple(UITSTROOMREDENEN),
                    description="why the trajectory ended (a closed list, not free text)",
                ),
            ),
            key=("burgerservicenummer", "startdatum"),
            load_mode="append",
            domain="schulden",
            date_order=(("startdatum", "einddatum"),),
        ),
        Table(
            "vroegsignaal",
            "Early-warning signals of payment arrears (Wgs).",
            (
                Column(
                    "signaalid",
                    "pattern",
                    required=True,
                    pattern=RECORD_NUMBER,
                    description="the signal's id",
                ),
                Column("signaalpartner", "code", required=True, codes=SIGNAALPARTNERS),
                _bsn(required=False, description="BSN when the partner knows it"),
                *_name_columns(),
                Column("postcode", "postcode", role="identifier"),
                Column("huisnummer", "int", role="identifier"),
                Column("huisnummertoevoeging", "text", role="identifier"),
                Column(
                    "geboortedatum",
                    "date",
                    role="identifier",
                    description="birth date when the partner knows it (contract v2, optional)",
                ),
                Column("bedrag", "decimal"),
                Column("ontstaansdatum", "date"),
                Column("signaaldatum", "date", required=True),
                Column("crisissignaal", "flag"),
            ),
            key=("signaalid",),
            load_mode="append",
            domain="signalen",
            # Debt-help workers read a signal whole with the person it names (and the linkage
            # needs the signal's id beside the names): the vault keeps every column.
            vault_whole=True,
            record_numbers=("signaalid",),
            date_order=(("ontstaansdatum", "signaaldatum"),),
            derived=(("postcode", "postcode4"),),
        ),
        Table(
            "cbs_persoon",
            "CBS-style background per person.",
            (
                _bsn(),
                Column("opleidingsniveau", "code", codes=OPLEIDING),
                Column("migratieachtergrond", "code", codes=MIGRATIE),
            ),
            key=("burgerservicenummer",),
            load_mode="replace",
            domain="cbs",
        ),
        Table(
            "cbs_inkomen",
            "CBS-style income and benefits per person and year.",
            (
                _bsn(),
                Column("jaar", "int", required=True),
                Column("besteedbaar_huishoudinkomen", "decimal"),
                Column("ww", "int"),
                Column("ao", "int"),
                Column("huurtoeslag", "int"),
                Column("woningbezit", "code", codes=WONINGBEZIT),
            ),
            key=("burgerservicenummer", "jaar"),
            load_mode="append",
            domain="cbs",
        ),
        Table(
            "inwonerspanel",
            "Anonymous resident panel, one row per respondent.",
            (
                Column(
                    "respondent_id",
                    "pattern",
                    required=True,
                    pattern=RECORD_NUMBER,
                    description="the respondent's number",
                ),
                Column("wijkcode", "pattern", pattern=r"WK\d{6}"),
                Column("weging", "decimal"),
                Column(
                    "leeftijdsklasse",
                    "pattern",
                    pattern=r"[0-9]{1,3}(-[0-9]{1,3}|\+)",
                    description="age class, e.g. 18-34 or 75+",
                ),
                *(
                    Column(item, "int", description="0-10")
                    for item in (
                        "meedoen_contact_met_anderen",
                        "meedoen_serieus_genomen",
                        "meedoen_samen_dingen_doen",
                        "meedoen_ergens_bij_horen",
                        "meedoen_zinvolle_dingen_doen",
                        "meedoen_interesse_in_maatschappij",
                    )
                ),
            ),
            key=("respondent_id",),
            load_mode="replace",
            domain="",
            record_numbers=("respondent_id",),
        ),
        Table(
            "gebied",
            "Areas (CBS Wijk- en Buurtkaart): the names shown next to gemeente, wijk and buurt "
            "codes. Optional; without it pages show the codes.",
            (
                Column(
                    "code",
                    "pattern",
                    required=True,
                    pattern=AREA_CODE,
                    description="GM + 4, WK + 6 or BU + 8 digits, as CBS",
                ),
                Column(
                    "naam",
                    "text",
                    required=True,
                    free_text="scan",
                    description="the area's name, e.g. Rijen-Centrum",
                ),
                Column("niveau", "code", required=True, codes=tuple(AREA_LEVELS)),
                Column(
                    "bovenliggend",
                    "pattern",
                    pattern=AREA_CODE,
                    description="the area it lies in (a buurt's wijk, a wijk's gemeente)",
                ),
                Column(
                    "geometrie",
                    "pattern",
                    pattern=GEOJSON,
                    description="the outline for the map: a GeoJSON Polygon or MultiPolygon "
                    "geometry in RD New (EPSG:28992) or WGS84 (CBS's wijk- en buurtkaart)",
                ),
            ),
            key=("code",),
            load_mode="replace",
            domain="",
            row_rules=(
                (
                    "niveau",
                    "left(t_code, 2) <> CASE t_niveau WHEN 'gemeente' THEN 'GM' "
                    "WHEN 'wijk' THEN 'WK' ELSE 'BU' END",
                    "niveau does not match the code (GM is a gemeente, WK a wijk, BU a buurt)",
                ),
                (
                    "bovenliggend",
                    "t_bovenliggend IS NOT NULL AND left(t_code, 2) || left(t_bovenliggend, 2) "
                    "NOT IN ('WKGM', 'BUWK')",
                    "bovenliggend is not the level above the code (a buurt lies in a wijk, "
                    "a wijk in a gemeente)",
                ),
            ),
        ),
        Table(
            "aanbieder",
            "Providers of Wmo and youth care (contract v2, optional): whom to call about an "
            "allocation's `aanbieder`. An organisation's contact details, not a person's, and no "
            "person data (no pseudonym domain): the phone number and e-mail address are the "
            "columns' purpose, so they are declared as strict patterns (a phone number or e-mail "
            "address *in free text* elsewhere is still quarantined); the name is free text, "
            "scanned: a provider named after a person (a one-person practice, `Praktijk J. de "
            "Vries`) holds a name and goes to quarantine like any identifier in free text.",
            (
                Column(
                    "agbcode",
                    "pattern",
                    required=True,
                    pattern=AGB_CODE,
                    description="AGB code (8 digits), as in toewijzing.aanbieder",
                ),
                Column(
                    "naam",
                    "text",
                    free_text="scan",
                    description="the organisation's name, e.g. Zorggroep De Linde",
                ),
                Column(
                    "telefoon",
                    "pattern",
                    pattern=PHONE,
                    description="the organisation's phone number (10 digits from 0, or +31)",
                ),
                Column(
                    "email",
                    "pattern",
                    pattern=EMAIL,
                    description="the organisation's e-mail address",
                ),
            ),
            key=("agbcode",),
            load_mode="replace",
            domain="",
        ),
        Table(
            "betrokkenheid",
            "Who is involved with a person (contract v2, optional): the professionals a case "
            "worker can call. The professional's name and contact details identify a "
            "professional, and the organisation's name can be a person's (a bewindvoerder "
            "working alone): vault only. The analytics store gets the pseudonym, the part "
            "(`rol`) and the dates. The source system delivers its current state.",
            (
                _bsn(),
                Column(
                    "organisatie",
                    "text",
                    role="identifier",
                    description="the organisation's name (vault only: it can be a person's)",
                ),
                Column(
                    "professional",
                    "text",
                    role="identifier",
                    description="the professional's name (vault only)",
                ),
                Column(
                    "rol",
                    "code",
                    required=True,
                    codes=tuple(ROLLEN_BETROKKENHEID),
                    description="the professional's part",
                ),
                Column(
                    "contact",
                    "pattern",
                    role="identifier",
                    pattern=f"(?:{PHONE})|(?:{EMAIL})",
                    description="the professional's phone number or e-mail address (vault only)",
                ),
                Column("startdatum", "date", required=True),
                Column("laatstecontact", "date", description="date of the last contact"),
            ),
            key=("burgerservicenummer", "organisatie", "rol", "startdatum"),
            load_mode="replace",
            domain="betrokkenheid",
            date_order=(("startdatum", "laatstecontact"),),
            vault_whole=True,
        ),
        Table(
            "casus",
            "A case worker's caseload from the case-management system (contract v2, "
            "optional). The worker's user name in meedoen identifies an employee: vault only "
            "(case work reads it there); the team is a short code. The source system delivers "
            "its current state.",
            (
                Column(
                    "casusnummer",
                    "pattern",
                    required=True,
                    pattern=RECORD_NUMBER,
                    description="the case's number, e.g. C2024-000123",
                ),
                _bsn(),
                Column(
                    "medewerker",
                    "pattern",
                    role="identifier",
                    pattern=USER_NAME,
                    description="the case worker's user name in meedoen (vault only)",
                ),
                Column(
                    "team",
                    "pattern",
                    pattern=TEAM_CODE,
                    description="the team's short code, e.g. wijkteam-noord",
                ),
                Column("startdatum", "date", required=True),
                Column("einddatum", "date"),
            ),
            key=("casusnummer",),
            load_mode="replace",
            domain="casus",
            record_numbers=("casusnummer",),
            vault_whole=True,
            date_order=(("startdatum", "einddatum"),),
        ),
    )
}


def partner_spec(name: str) -> Table:
    """The contract of a partner file (no BSN), e.g. a food bank's client list."""
    return Table(
        name,
        f"Partner file {name!r}: clients known by name, birth date and address.",
        (
            Column("klantnummer", "text", required=True, role="identifier"),
            *_name_columns(),
            Column("datumgeboorte", "date", role="identifier"),
            Column("postcode", "postcode", role="identifier"),
            Column("huisnummer", "int", role="identifier"),
            Column("huisnummertoevoeging", "text", role="identifier"),
            Column("datuminschrijving", "date"),
            Column("datumuitschrijving", "date"),
            Column("aantal_personen", "int"),
        ),
        key=("klantnummer",),
        load_mode="replace",
        domain=f"partner-{name}",
        date_order=(("datuminschrijving", "datumuitschrijving"),),
        derived=(
            ("datumgeboorte", "year_month"),
            ("postcode", "postcode4"),
            ("klantnummer", "record_pseudonym"),
        ),
    )


def free_text_problems(specs: list[Table] | None = None) -> list[str]:
    """Columns of the contract that would carry unchecked free text into analytics: a ``text``
    analysis column without a ``free_text`` decision, or a decision on a column that is not free
    text. Empty for a sound contract (checked when this module is imported, and by a test)."""
    problems = []
    for spec in specs if specs is not None else [*SPECS.values(), partner_spec("partner")]:
        for column in spec.columns:
            name = f"{spec.name}.{column.name}"
            free = column.type == "text" and column.role == "analysis"
            if free and not column.free_text:
                problems.append(f"{name}: free text without a decision (free_text scan or drop)")
            if column.free_text and not free:
                problems.append(f"{name}: free_text is only for text columns with role analysis")
    return problems


if _problems := free_text_problems():  # pragma: no cover - a broken contract never imports
    raise ValueError("; ".join(_problems))

#: Column names per table, in order (what the generator writes).
TABLES: dict[str, tuple[str, ...]] = {name: spec.column_names for name, spec in SPECS.items()}
PARTNER_FILE_COLUMNS: tuple[str, ...] = partner_spec("partner").column_names
