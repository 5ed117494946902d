"""The source data contract (v1) of DESIGN.md: which tables exist and their columns, in order.

This is the single declaration of the contract's shape. The synthetic generator writes exactly
these columns; the intake gate (issue #4) extends each table with types, required flags and code
lists.
"""

from __future__ import annotations

CONTRACT_VERSION = "1"

TABLES: dict[str, tuple[str, ...]] = {
    "ingeschrevenpersoon": (
        "burgerservicenummer",
        "geslachtsnaam",
        "voorvoegsel",
        "voornamen",
        "datumgeboorte",
        "geslachtsaanduiding",
        "datumoverlijden",
        "aanduidingnaamgebruik",
        "geboorteland",
    ),
    "verblijfplaats": (
        "burgerservicenummer",
        "adresseerbaarobjectidentificatie",
        "nummeraanduidingidentificatie",
        "datumvan",
        "datumtot",
    ),
    "relatie": (
        "burgerservicenummer",
        "gerelateerde_burgerservicenummer",
        "soortrelatie",
        "soortverbintenis",
        "datumingang",
        "datumeinde",
    ),
    "nummeraanduiding": (
        "identificatie",
        "adresseerbaarobjectidentificatie",
        "postcode",
        "huisnummer",
        "huisletter",
        "huisnummertoevoeging",
        "openbareruimtenaam",
        "woonplaatsnaam",
        "buurtcode",
        "wijkcode",
        "gemeentecode",
    ),
    "toewijzing": (
        "toewijzingnummer",
        "burgerservicenummer",
        "wet",
        "productcategorie",
        "productcode",
        "datumtoewijzing",
        "datumstarttoewijzing",
        "datumeindetoewijzing",
        "omvang",
        "eenheid",
        "frequentie",
        "leveringsvorm",
        "aanbieder",
        "soortverwijzer",
    ),
    "inkomensvoorziening": (
        "burgerservicenummer",
        "wet",
        "code",
        "ingangsdatum",
        "einddatum",
        "bedrag",
    ),
    "schuldhulptraject": (
        "burgerservicenummer",
        "startdatum",
        "einddatum",
        "totaalschuldbedragbijaanvangschuld",
        "crisisinterventie",
        "uitstroomreden",
    ),
    "vroegsignaal": (
        "signaalid",
        "signaalpartner",
        "burgerservicenummer",
        "geslachtsnaam",
        "voorvoegsel",
        "voornamen",
        "postcode",
        "huisnummer",
        "huisnummertoevoeging",
        "bedrag",
        "ontstaansdatum",
        "signaaldatum",
        "crisissignaal",
    ),
    "cbs_persoon": ("burgerservicenummer", "opleidingsniveau", "migratieachtergrond"),
    "cbs_inkomen": (
        "burgerservicenummer",
        "jaar",
        "besteedbaar_huishoudinkomen",
        "ww",
        "ao",
        "huurtoeslag",
        "woningbezit",
    ),
    "inwonerspanel": (
        "respondent_id",
        "wijkcode",
        "weging",
        "leeftijdsklasse",
        # The Meedoen aspects of Positieve Gezondheid, each 0-10.
        "meedoen_contact_met_anderen",
        "meedoen_serieus_genomen",
        "meedoen_samen_dingen_doen",
        "meedoen_ergens_bij_horen",
        "meedoen_zinvolle_dingen_doen",
        "meedoen_interesse_in_maatschappij",
    ),
}

#: Partner files have no BSN; their shape is shared, the file name is the partner's.
PARTNER_FILE_COLUMNS: tuple[str, ...] = (
    "klantnummer",
    "geslachtsnaam",
    "voorvoegsel",
    "voornamen",
    "datumgeboorte",
    "postcode",
    "huisnummer",
    "huisnummertoevoeging",
    "datuminschrijving",
    "datumuitschrijving",
    "aantal_personen",
)

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
