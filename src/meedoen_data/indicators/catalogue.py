"""Reading and checking the indicator catalogue (docs/indicators.md).

The catalogue is TOML: the product's own file beside this module plus an installation's
additions in ``HOME/indicators/*.toml``. Everything is checked when it is read, and a problem
names the file, the indicator and the field: a computation never meets an unknown column, an
operator outside the closed list or a value of the wrong type. Conditions name columns and
operators from closed lists and hold values; they are never SQL (:mod:`.compute` binds the
values and quotes the names).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from meedoen_data.contract import SPECS

#: The product's catalogue.
BUILT_IN = Path(__file__).with_name("catalogue.toml")
VERSION = 1

#: Positieve Gezondheid's six dimensions (Huber), by the code the catalogue uses.
DIMENSIONS: dict[str, str] = {
    "lichaamsfuncties": "Lichaamsfuncties",
    "mentaal_welbevinden": "Mentaal welbevinden",
    "zingeving": "Zingeving",
    "kwaliteit_van_leven": "Kwaliteit van leven",
    "meedoen": "Meedoen",
    "dagelijks_functioneren": "Dagelijks functioneren",
}
#: The aspects of the dimension "meedoen": every one must have an indicator (with data or not).
MEEDOEN_ASPECTS = (
    "sociale contacten",
    "serieus genomen worden",
    "samen leuke dingen doen",
    "steun van anderen",
    "erbij horen",
    "zinvolle dingen doen",
    "interesse in de maatschappij",
)
STATUSES = ("register", "panel", "geen_data")
UNITS = ("huishouden", "persoon", "respondent")
DIRECTIONS = ("hoger_beter", "hoger_slechter", "neutraal")
LEVELS = ("gemeente", "wijk", "buurt")
OPERATORS = ("=", "<>", ">", ">=", "<", "<=")

#: Columns a register indicator may name: the household at the peildatum
#: (``household.household``) and its services in the year up to it (``household.household_year``,
#: period 0), see docs/households.md. A test checks them against a real build.
HOUSEHOLD_COLUMNS = (
    "household_type",
    "size",
    "children",
    "youngest_child_age",
    "reference_person_age",
    "opleidingsniveau",
    "migratieachtergrond",
    "woningbezit",
)
YEAR_COLUMNS = (
    *(f"wmo_{n:02d}" for n in range(1, 19)),
    "jeugd_zonder_verblijf",
    "jeugd_met_verblijf",
    "jeugdbescherming",
    "jeugdreclassering",
    "participatiewet",
    "participatiewet_maanden",
    "ioaw",
    "ioaz",
    "bijzondere_bijstand",
    "schuldhulp",
    "schuldhulp_gestart",
    "vroegsignalen",
    "besteedbaar_inkomen",
    "ww",
    "ao",
    "huurtoeslag",
)
#: Columns made from others: members with any Wmo provision, with any youth care.
DERIVED_COLUMNS = ("wmo", "jeugd")
COLUMNS = (*HOUSEHOLD_COLUMNS, *YEAR_COLUMNS, *DERIVED_COLUMNS)
#: The resident panel's items an indicator may average (0-10).
PANEL_ITEMS = tuple(c for c in SPECS["inwonerspanel"].column_names if c.startswith("meedoen_"))

_REQUIRED = ("id", "naam", "vraag", "uitleg", "dimensie", "aspect", "eenheid", "richting")
_KNOWN = {
    *_REQUIRED,
    "niveaus",
    "status",
    "bronnen",
    "tabellen",
    "grondslag",
    "teller",
    "noemer",
    "schaal",
    "item",
    "nodig",
}


class CatalogueError(ValueError):
    """The catalogue (or an installation's addition) is not valid; the message says where."""


@dataclass(frozen=True)
class Condition:
    """One condition on a household: ``column operator value``; or a linked partner record
    (``linked``: the partner file's name); or at least ``at_least`` of ``any_of``."""

    column: str = ""
    operator: str = ""
    value: str | int | float | None = None
    linked: str = ""
    at_least: int = 0
    any_of: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    question: str
    explanation: str  # plain Dutch (B1), shown beside the figure
    dimension: str  # a key of DIMENSIONS
    aspect: str
    unit: str  # huishouden, persoon or respondent
    direction: str  # hoger_beter, hoger_slechter or neutraal
    levels: tuple[str, ...]
    status: str  # register, panel or geen_data
    sources: tuple[str, ...]  # source domains (brp, wmo, …, partner-voedselbank, inwonerspanel)
    legal_basis: str
    numerator: tuple[Condition, ...] = ()  # register: all must hold
    denominator: tuple[Condition, ...] = ()  # register: all must hold (empty: every household)
    scale: int = 100  # 100: a percentage; 1000: per 1,000
    item: str = ""  # panel: the panel's column
    needed: str = ""  # geen_data: what would give it data
    origin: str = ""  # the file it came from

    @property
    def has_data(self) -> bool:
        return self.status != "geen_data"


@dataclass(frozen=True)
class Catalogue:
    indicators: tuple[Indicator, ...]

    def get(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)

    def by_dimension(self) -> dict[str, list[Indicator]]:
        grouped: dict[str, list[Indicator]] = {key: [] for key in DIMENSIONS}
        for indicator in self.indicators:
            grouped[indicator.dimension].append(indicator)
        return grouped


def catalogue_load(*, home: Path | None = None) -> Catalogue:
    """The product's catalogue plus the installation's additions in ``home/indicators/``
    (files in name order). CatalogueError names the file, the indicator and what is wrong; an
    addition may not reuse an id."""
    files = [BUILT_IN]
    if home is not None and (home / "indicators").is_dir():
        files += sorted((home / "indicators").glob("*.toml"))
    # Read again only when a file changed: pages label every release by its indicator's name.
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    if stamp in _READ:
        return _READ[stamp]
    catalogue = _load(files)
    _READ.clear()
    _READ[stamp] = catalogue
    return catalogue


#: The last catalogue read, by its files' names, times and sizes.
_READ: dict[tuple[tuple[str, int, int], ...], Catalogue] = {}


def _load(files: list[Path]) -> Catalogue:
    indicators: list[Indicator] = []
    seen: dict[str, str] = {}
    for path in files:
        for indicator in _read(path):
            if indicator.id in seen:
                earlier = seen[indicator.id]
                raise CatalogueError(
                    f"{path.name}: indicator {indicator.id!r} exists already (in {earlier})"
                )
            seen[indicator.id] = path.name
            indicators.append(indicator)
    return Catalogue(tuple(indicators))


def _read(path: Path) -> list[Indicator]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path.name}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: not valid TOML ({exc})") from None
    if data.get("versie", VERSION) != VERSION:
        raise CatalogueError(f"{path.name}: versie must be {VERSION}, not {data.get('versie')!r}")
    unknown = set(data) - {"versie", "indicator"}
    if unknown:
        raise CatalogueError(f"{path.name}: unknown key {', '.join(sorted(unknown))}")
    entries = data.get("indicator", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"{path.name}: indicator must be a list ([[indicator]])")
    return [
        _indicator(entry, f"{path.name}, indicator {n}", path.name)
        for n, entry in enumerate(entries, start=1)
    ]


def _indicator(entry: dict[str, Any], where: str, origin: str) -> Indicator:
    if "id" in entry:
        where = f"{origin}, indicator {entry['id']!r}"
    missing = [key for key in _REQUIRED if not entry.get(key)]
    if missing:
        raise CatalogueError(f"{where}: missing {', '.join(missing)}")
    unknown = set(entry) - _KNOWN
    if unknown:
        raise CatalogueError(f"{where}: unknown field {', '.join(sorted(unknown))}")
    for key in _REQUIRED:
        if not isinstance(entry[key], str):
            raise CatalogueError(f"{where}: {key} must be text")
    if not entry["id"].replace("_", "").isalnum() or not entry["id"].islower():
        raise CatalogueError(f"{where}: id must be lower-case letters, digits and _")
    status = entry.get("status", "register")
    _one_of(where, "status", status, STATUSES)
    _one_of(where, "dimensie", entry["dimensie"], tuple(DIMENSIONS))
    _one_of(where, "eenheid", entry["eenheid"], UNITS)
    _one_of(where, "richting", entry["richting"], DIRECTIONS)
    levels = entry.get("niveaus", list(LEVELS))
    if not isinstance(levels, list) or not levels:
        raise CatalogueError(f"{where}: niveaus must be a list of {', '.join(LEVELS)}")
    for level in levels:
        _one_of(where, "niveaus", level, LEVELS)
    numerator = _conditions(entry.get("teller", []), f"{where}, teller")
    denominator = _conditions(entry.get("noemer", []), f"{where}, noemer")
    scale = entry.get("schaal", 100)
    if scale not in (100, 1000):
        raise CatalogueError(f"{where}: schaal must be 100 (a percentage) or 1000 (per 1.000)")
    item, needed = entry.get("item", ""), entry.get("nodig", "")
    if status == "register":
        if not numerator:
            raise CatalogueError(f"{where}: a register indicator needs a teller")
        if entry["eenheid"] == "respondent":
            raise CatalogueError(f"{where}: a register indicator counts households or persons")
    elif numerator or denominator:
        raise CatalogueError(f"{where}: only a register indicator has teller and noemer")
    if status == "panel":
        _one_of(where, "item", item, PANEL_ITEMS)
        if "gemeente" not in levels or "buurt" in levels:
            raise CatalogueError(
                f"{where}: a panel indicator is shown per gemeente and wijk (the panel knows "
                "the wijk of a respondent, not the buurt)"
            )
    elif item:
        raise CatalogueError(f"{where}: only a panel indicator has an item")
    if status == "geen_data" and not needed:
        raise CatalogueError(f"{where}: say in nodig what would give this indicator data")
    sources = entry.get("bronnen", [])
    if status != "geen_data" and not sources:
        raise CatalogueError(f"{where}: name the bronnen (source domains)")
    if status != "geen_data" and not entry.get("grondslag"):
        raise CatalogueError(f"{where}: name the grondslag (legal basis)")
    return Indicator(
        id=entry["id"],
        name=entry["naam"],
        question=entry["vraag"],
        explanation=entry["uitleg"],
        dimension=entry["dimensie"],
        aspect=entry["aspect"],
        unit=entry["eenheid"],
        direction=entry["richting"],
        levels=tuple(levels),
        status=status,
        sources=tuple(str(s) for s in sources),
        legal_basis=str(entry.get("grondslag", "")),
        numerator=numerator,
        denominator=denominator,
        scale=int(scale),
        item=str(item),
        needed=str(needed),
        origin=origin,
    )


def _conditions(raw: object, where: str) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        raise CatalogueError(f"{where}: must be a list of conditions")
    return tuple(_condition(c, f"{where} {n}") for n, c in enumerate(raw, start=1))


def _condition(raw: object, where: str) -> Condition:
    if not isinstance(raw, dict):
        raise CatalogueError(
            f"{where}: a condition is a table, e.g. {{ kolom = ..., is = ..., waarde = ... }}"
        )
    keys = set(raw)
    if keys == {"gekoppeld"}:
        linked = raw["gekoppeld"]
        if not isinstance(linked, str) or not linked.replace("_", "").isalnum():
            raise CatalogueError(f"{where}: gekoppeld names a partner file, e.g. voedselbank")
        return Condition(linked=linked)
    if keys == {"minstens", "van"}:
        at_least, parts = raw["minstens"], raw["van"]
        if not isinstance(parts, list) or not isinstance(at_least, int):
            raise CatalogueError(f"{where}: minstens is a number, van a list of conditions")
        if not 1 <= at_least <= len(parts):
            raise CatalogueError(f"{where}: minstens must lie between 1 and the number in van")
        return Condition(at_least=at_least, any_of=_conditions(parts, f"{where}, van"))
    if keys != {"kolom", "is", "waarde"}:
        raise CatalogueError(
            f"{where}: a condition has kolom, is and waarde; or gekoppeld; or minstens and van"
        )
    _one_of(where, "kolom", raw["kolom"], COLUMNS)
    _one_of(where, "is", raw["is"], OPERATORS)
    value = raw["waarde"]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CatalogueError(f"{where}: waarde must be a number or a text")
    return Condition(column=raw["kolom"], operator=raw["is"], value=value)


def _one_of(where: str, field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise CatalogueError(f"{where}: {field} {value!r} is not one of {', '.join(allowed)}")
