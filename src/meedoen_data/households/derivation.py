"""The household derivation and the integrated household table, written once as SQL.

Every step is one SELECT in DuckDB's dialect that reads the activity's source tables (by their
bare names: ``verblijfplaats``, ``relatie``, …) and earlier steps. The DuckDB engine runs them as
written; the Spark engine runs the same statements transpiled by sqlglot (see ``engines.py``).
The only values spliced into the SQL are constants computed here from a validated
:class:`datetime.date` and integer rule parameters, never user text.

The rules (docs/households.md explains them for analysts, with their error shares):

1. **Residents.** Persons alive at the peildatum with an address in the reference month: the
   month of the day before the peildatum (the analytics store keeps address dates as months; for
   a peildatum on the 1st this is exactly "the evening before"). If a person has two addresses in
   that month, the one taken up last counts.
2. **Relations** active in the reference month: marriages and registered partnerships (H/P) and
   parent/child relations, read in both directions.
3. **Institutional addresses**: at least ``institution_min`` residents (default 10) of whom fewer
   than half have a partner, parent or child at the same address. All their residents form one
   institutional household.
4. At every other address, in the order CBS uses (partner before parent before child):
   a. married or registered partners living together form a couple;
   b. a *child* is a resident with a parent at the address, no child of their own there and no
      partner there;
   c. two adults (18+) who are not partners or children there and who are both parents of a
      child at the address form a couple (unmarried parents);
   d. if exactly two such adults remain at the address, they form a likely unmarried couple when
      their ages differ by less than ``cohabit_max_age_gap`` years (default 16, as CBS) and they
      are neither parent and child nor siblings (a common parent);
   e. an adult who is not in a couple and has a child at the address is a single parent;
   f. children join the family nucleus of their parent; other residents with a partner, parent or
      child in a nucleus join it as members (a grandparent); the remaining residents of the
      address form one household of their own (one person: eenpersoons; more: overig), so that
      a single parent and a lodger are two households.
5. **Type**: couple with children → paar_met_kinderen, without → paar_zonder_kinderen, single
   parent → eenouder; then eenpersoons, overig, institutioneel.

Services are counted in months: an activity's store holds the month ``YYYYMM`` of every date of
an allocation, a benefit, a debt-help trajectory and a signal (``<date>_maand``,
:mod:`meedoen_data.categories`), and a period counts the months from :func:`first_month` of its
start up to that of its end. For a peildatum on the 1st of a month this is exactly the count by
days; on another day an event in the peildatum's month counts as before it, as a move does.
Deaths: the store holds their year, which tells who was alive on a peildatum of 1 January; any
other peildatum needs the day of death (:func:`meedoen_data.categories.household_detail`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from meedoen_data.contract import JEUGD_PRODUCTCATEGORIEEN, VERWIJZERS, WMO_PRODUCTCATEGORIEEN

#: Years of history before the peildatum in ``household_year`` (period 0 = the year up to it).
HISTORY_YEARS = 5

#: Youth care kinds (CBS Jeugdmonitor) by JZ020 category; every other category is "zonder".
JEUGD_MET_VERBLIJF = ("43", "44")
JEUGDRECLASSERING = ("47",)
JEUGDBESCHERMING = ("48",)

#: The tables a build writes (schema ``household`` of the activity's store).
OUTPUTS = ("household", "household_person", "household_year", "household_stacking")


@dataclass(frozen=True)
class Rules:
    """Parameters of the documented rules (docs/households.md)."""

    institution_min: int = 10
    cohabit_max_age_gap: int = 16
    adult_age: int = 18


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    keep: bool = False  # an output table (the others are intermediate)


@dataclass(frozen=True)
class Plan:
    peildatum: date
    domains: frozenset[str]
    rules: Rules = field(default_factory=Rules)

    @property
    def reference_month(self) -> int:
        """yyyymm of the day before the peildatum (how address months are compared)."""
        day = self.peildatum - timedelta(days=1)
        return day.year * 100 + day.month

    @property
    def age_index(self) -> int:
        """Months since year 0 of the peildatum's month: ages are whole years reached in that
        month (the store keeps birth year and month, not the day)."""
        return self.peildatum.year * 12 + self.peildatum.month - 1

    @property
    def new_year(self) -> bool:
        """A peildatum on 1 January: the year of death tells who was alive on it."""
        return (self.peildatum.month, self.peildatum.day) == (1, 1)

    def has(self, domain: str) -> bool:
        return domain in self.domains


def periods(peildatum: date) -> list[tuple[int, date, date, int, int]]:
    """(period, start, end, month start, month end) for the year up to the peildatum and the
    years before: the days start ≤ day < end, and the months ``YYYYMM`` month start ≤ month <
    month end by which services are counted (:func:`first_month` of start and end)."""
    out = []
    for k in range(HISTORY_YEARS):
        start, end = _years_before(peildatum, k + 1), _years_before(peildatum, k)
        out.append((k, start, end, first_month(start), first_month(end)))
    return out


def period_months(peildatum: date) -> list[tuple[int, int]]:
    """(period, month ``YYYYMM``) for the twelve months of every period."""
    out = []
    for k, _, _, month, _ in periods(peildatum):
        for _ in range(12):
            out.append((k, month))
            month = _next_month(month)
    return out


def first_month(day: date) -> int:
    """The first month ``YYYYMM`` counted from ``day`` on: its own month when ``day`` is the 1st,
    else the next one (the month of the day before, plus one), as address months are read."""
    before = day - timedelta(days=1)
    return _next_month(before.year * 100 + before.month)


def _next_month(month: int) -> int:
    year, number = divmod(month, 100)
    return (year + 1) * 100 + 1 if number == 12 else month + 1


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _date(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _flag(plan: Plan, domain: str, expression: str) -> str:
    """The expression when the activity covers the domain, else NULL (not 0: unknown)."""
    return expression if plan.has(domain) else "CAST(NULL AS INTEGER)"


def _code_column(prefix: str, code: str) -> str:
    return f"{prefix}_{code}"


def wmo_columns() -> list[str]:
    return [_code_column("wmo", code) for code in WMO_PRODUCTCATEGORIEEN]


def verwijzer_columns() -> list[str]:
    return [_code_column("jeugd_verwijzer", code) for code in VERWIJZERS]


def steps(plan: Plan) -> list[Step]:
    """The derivation for one peildatum, in order."""
    return [*_household_steps(plan), *_table_steps(plan)]


def _household_steps(plan: Plan) -> list[Step]:
    r, m, idx = plan.rules, plan.reference_month, plan.age_index
    peil = _date(plan.peildatum)
    birth = "p.geboortejaar * 12 + coalesce(p.geboortemaand, 7) - 1"
    if plan.new_year:  # the year of death suffices (the store's default)
        alive = f"p.datumoverlijden_jaar IS NULL OR p.datumoverlijden_jaar >= {plan.peildatum.year}"
    else:  # the day of death, approved finer
        alive = f"p.datumoverlijden IS NULL OR p.datumoverlijden >= {peil}"
    return [
        Step(
            "person_at",
            f"""
            SELECT p.person_pseudonym AS person_id, a.address_pseudonym AS address_id,
                   p.geslachtsaanduiding AS sex, {birth} AS birth_index,
                   CAST(floor(({idx} - ({birth})) / 12) AS INTEGER) AS age
            FROM ingeschrevenpersoon p
            JOIN (
                SELECT person_pseudonym, address_pseudonym,
                       row_number() OVER (PARTITION BY person_pseudonym
                                          ORDER BY datumvan_maand DESC, address_pseudonym) AS rn
                FROM verblijfplaats
                WHERE datumvan_maand <= {m}
                  AND (datumtot_maand IS NULL OR datumtot_maand > {m})
            ) a ON a.person_pseudonym = p.person_pseudonym AND a.rn = 1
            WHERE {alive}
            """,
        ),
        Step(
            "partner_at",
            f"""
            SELECT DISTINCT least(person_pseudonym, related_person_pseudonym) AS a,
                            greatest(person_pseudonym, related_person_pseudonym) AS b
            FROM relatie
            WHERE soortrelatie = 'partner' AND soortverbintenis IN ('H', 'P')
              AND related_person_pseudonym IS NOT NULL
              AND person_pseudonym <> related_person_pseudonym
              AND (datumingang_maand IS NULL OR datumingang_maand <= {m})
              AND (datumeinde_maand IS NULL OR datumeinde_maand > {m})
            """,
        ),
        Step(
            "parent_of",
            """
            SELECT DISTINCT parent_id, child_id FROM (
                SELECT person_pseudonym AS parent_id, related_person_pseudonym AS child_id
                FROM relatie WHERE soortrelatie = 'kind'
                UNION ALL
                SELECT related_person_pseudonym AS parent_id, person_pseudonym AS child_id
                FROM relatie WHERE soortrelatie = 'ouder'
            ) r
            WHERE parent_id IS NOT NULL AND child_id IS NOT NULL AND parent_id <> child_id
            """,
        ),
        Step(
            "co_partner",
            """
            SELECT pa.address_id, r.a, r.b
            FROM partner_at r
            JOIN person_at pa ON pa.person_id = r.a
            JOIN person_at pb ON pb.person_id = r.b AND pb.address_id = pa.address_id
            """,
        ),
        Step(
            "co_parent",
            """
            SELECT pp.address_id, r.parent_id, r.child_id
            FROM parent_of r
            JOIN person_at pp ON pp.person_id = r.parent_id
            JOIN person_at pc ON pc.person_id = r.child_id AND pc.address_id = pp.address_id
            """,
        ),
        Step(
            "institution",
            f"""
            SELECT c.address_id
            FROM (SELECT address_id, count(*) AS n FROM person_at GROUP BY address_id) c
            LEFT JOIN (
                SELECT address_id, count(DISTINCT person_id) AS k FROM (
                    SELECT address_id, a AS person_id FROM co_partner
                    UNION ALL SELECT address_id, b FROM co_partner
                    UNION ALL SELECT address_id, parent_id FROM co_parent
                    UNION ALL SELECT address_id, child_id FROM co_parent
                ) x GROUP BY address_id
            ) r ON r.address_id = c.address_id
            WHERE c.n >= {r.institution_min} AND 2 * coalesce(r.k, 0) < c.n
            """,
        ),
        Step(
            "private_person",
            """
            SELECT p.* FROM person_at p
            LEFT JOIN institution i ON i.address_id = p.address_id
            WHERE i.address_id IS NULL
            """,
        ),
        Step(
            "registered_couple",
            """
            SELECT address_id, a, b FROM (
                SELECT c.*,
                       row_number() OVER (PARTITION BY a ORDER BY b) AS ra,
                       row_number() OVER (PARTITION BY b ORDER BY a) AS rb
                FROM co_partner c
                LEFT JOIN institution i ON i.address_id = c.address_id
                WHERE i.address_id IS NULL
            ) x WHERE ra = 1 AND rb = 1
            """,
        ),
        Step(
            "person_status",
            """
            SELECT p.person_id, p.address_id, p.age,
                   (rc.person_id IS NOT NULL) AS registered,
                   (kid.child_id IS NOT NULL AND par.parent_id IS NULL
                    AND rc.person_id IS NULL) AS is_child,
                   (par.parent_id IS NOT NULL) AS has_child_here
            FROM private_person p
            LEFT JOIN (SELECT a AS person_id FROM registered_couple
                       UNION ALL SELECT b FROM registered_couple) rc
                   ON rc.person_id = p.person_id
            LEFT JOIN (SELECT DISTINCT child_id FROM co_parent) kid ON kid.child_id = p.person_id
            LEFT JOIN (SELECT DISTINCT parent_id FROM co_parent) par
                   ON par.parent_id = p.person_id
            """,
        ),
        Step(
            "candidate",
            f"""
            SELECT person_id, address_id, age, has_child_here FROM person_status
            WHERE NOT registered AND NOT is_child AND age >= {r.adult_age}
            """,
        ),
        Step(
            "parent_couple",
            """
            SELECT address_id, a, b FROM (
                SELECT x.*,
                       row_number() OVER (PARTITION BY a ORDER BY b) AS ra,
                       row_number() OVER (PARTITION BY b ORDER BY a) AS rb
                FROM (
                    SELECT DISTINCT x.address_id, x.parent_id AS a, y.parent_id AS b
                    FROM co_parent x
                    JOIN co_parent y ON y.child_id = x.child_id AND x.parent_id < y.parent_id
                    JOIN candidate cx ON cx.person_id = x.parent_id
                    JOIN candidate cy ON cy.person_id = y.parent_id
                ) x
            ) z WHERE ra = 1 AND rb = 1
            """,
        ),
        Step(
            "cohabiting_pair",
            """
            SELECT c.address_id, min(c.person_id) AS a, max(c.person_id) AS b,
                   max(c.age) - min(c.age) AS gap
            FROM candidate c
            LEFT JOIN (SELECT a AS person_id FROM parent_couple
                       UNION ALL SELECT b FROM parent_couple) pc ON pc.person_id = c.person_id
            WHERE pc.person_id IS NULL
            GROUP BY c.address_id
            HAVING count(*) = 2
            """,
        ),
        Step(
            "cohabiting_couple",
            f"""
            SELECT pair.address_id, pair.a, pair.b
            FROM cohabiting_pair pair
            LEFT JOIN parent_of down ON down.parent_id = pair.a AND down.child_id = pair.b
            LEFT JOIN parent_of up ON up.parent_id = pair.b AND up.child_id = pair.a
            LEFT JOIN (
                SELECT DISTINCT x.child_id AS a, y.child_id AS b
                FROM parent_of x JOIN parent_of y ON y.parent_id = x.parent_id
                JOIN cohabiting_pair q ON q.a = x.child_id AND q.b = y.child_id
            ) sib ON sib.a = pair.a AND sib.b = pair.b
            WHERE pair.gap < {r.cohabit_max_age_gap}
              AND down.parent_id IS NULL AND up.parent_id IS NULL AND sib.a IS NULL
            """,
        ),
        Step(
            "couple",
            """
            SELECT address_id, a, b, 'partnerschap' AS basis FROM registered_couple
            UNION ALL SELECT address_id, a, b, 'gezamenlijk_kind' FROM parent_couple
            UNION ALL SELECT address_id, a, b, 'samenwonend' FROM cohabiting_couple
            """,
        ),
        Step(
            "couple_person",
            """
            SELECT address_id, a AS person_id FROM couple UNION ALL SELECT address_id, b FROM couple
            """,
        ),
        Step(
            "nucleus_adult",
            """
            SELECT address_id, a AS nucleus_id, a AS person_id, 'partner' AS role, basis
            FROM couple
            UNION ALL
            SELECT address_id, a, b, 'partner', basis FROM couple
            UNION ALL
            SELECT c.address_id, c.person_id, c.person_id, 'ouder', NULL
            FROM candidate c
            JOIN (SELECT DISTINCT cp.parent_id FROM co_parent cp
                  JOIN person_status s ON s.person_id = cp.child_id AND s.is_child) kids
              ON kids.parent_id = c.person_id
            LEFT JOIN couple_person cpl ON cpl.person_id = c.person_id
            WHERE cpl.person_id IS NULL
            """,
        ),
        Step(
            "nucleus_child",
            """
            SELECT s.address_id, min(n.nucleus_id) AS nucleus_id, s.person_id
            FROM person_status s
            JOIN co_parent cp ON cp.child_id = s.person_id
            JOIN nucleus_adult n ON n.person_id = cp.parent_id
            WHERE s.is_child
            GROUP BY s.address_id, s.person_id
            """,
        ),
        Step(
            "nucleus_member",
            """
            SELECT address_id, nucleus_id, person_id, role, basis FROM nucleus_adult
            UNION ALL
            SELECT address_id, nucleus_id, person_id, 'kind', NULL FROM nucleus_child
            """,
        ),
        Step(
            "related_member",
            """
            SELECT p.address_id, min(n.nucleus_id) AS nucleus_id, p.person_id
            FROM private_person p
            JOIN (
                SELECT a AS x, b AS y FROM partner_at UNION ALL SELECT b, a FROM partner_at
                UNION ALL SELECT parent_id, child_id FROM parent_of
                UNION ALL SELECT child_id, parent_id FROM parent_of
            ) rel ON rel.x = p.person_id
            JOIN nucleus_member n ON n.person_id = rel.y AND n.address_id = p.address_id
            LEFT JOIN nucleus_member self ON self.person_id = p.person_id
            WHERE self.person_id IS NULL
            GROUP BY p.address_id, p.person_id
            """,
        ),
        Step(
            "membership",
            """
            SELECT address_id, nucleus_id AS hh_key, person_id, role FROM nucleus_member
            UNION ALL
            SELECT address_id, nucleus_id, person_id, 'lid' FROM related_member
            UNION ALL
            SELECT p.address_id, 'overig', p.person_id, 'bewoner'
            FROM private_person p
            LEFT JOIN (SELECT person_id FROM nucleus_member
                       UNION ALL SELECT person_id FROM related_member) placed
                   ON placed.person_id = p.person_id
            WHERE placed.person_id IS NULL
            UNION ALL
            SELECT p.address_id, 'instelling', p.person_id, 'bewoner'
            FROM person_at p JOIN institution i ON i.address_id = p.address_id
            """,
        ),
        Step(
            "household_core",
            """
            SELECT substr(md5(m.address_id || '|' || m.hh_key), 1, 20) AS household_id,
                   m.address_id, m.hh_key,
                   count(*) AS size,
                   sum(CASE WHEN m.role = 'kind' THEN 1 ELSE 0 END) AS children,
                   sum(CASE WHEN m.role = 'partner' THEN 1 ELSE 0 END) AS partners,
                   sum(CASE WHEN m.role = 'ouder' THEN 1 ELSE 0 END) AS single_parents,
                   max(CASE WHEN m.hh_key = 'instelling' THEN 1 ELSE 0 END) AS institutional
            FROM membership m
            GROUP BY m.address_id, m.hh_key
            """,
        ),
        Step(
            "household_typed",
            """
            SELECT h.*,
                   CASE WHEN institutional = 1 THEN 'institutioneel'
                        WHEN partners = 2 AND children > 0 THEN 'paar_met_kinderen'
                        WHEN partners = 2 THEN 'paar_zonder_kinderen'
                        WHEN single_parents = 1 THEN 'eenouder'
                        WHEN size = 1 THEN 'eenpersoons'
                        ELSE 'overig' END AS household_type
            FROM household_core h
            """,
        ),
        Step(
            "household_person",
            f"""
            SELECT m.person_id AS person_pseudonym, h.household_id, h.household_type,
                   m.role, p.age, {peil} AS peildatum
            FROM membership m
            JOIN household_typed h ON h.address_id = m.address_id AND h.hh_key = m.hh_key
            JOIN person_at p ON p.person_id = m.person_id
            """,
            keep=True,
        ),
    ]


def _table_steps(plan: Plan) -> list[Step]:
    peil = _date(plan.peildatum)
    income_year = plan.peildatum.year - 1
    parent_ages = """
        SELECT hp.household_id, hp.person_pseudonym,
               CAST(floor((min(c.birth_index) - p.birth_index) / 12) AS INTEGER) AS age_first
        FROM household_person hp
        JOIN person_birth p ON p.person_id = hp.person_pseudonym
        JOIN parent_of po ON po.parent_id = hp.person_pseudonym
        JOIN person_birth c ON c.person_id = po.child_id
        WHERE hp.role IN ('partner', 'ouder')
        GROUP BY hp.household_id, hp.person_pseudonym, p.birth_index
    """
    return [
        Step(
            "person_birth",
            """
            SELECT person_pseudonym AS person_id,
                   geboortejaar * 12 + coalesce(geboortemaand, 7) - 1 AS birth_index
            FROM ingeschrevenpersoon WHERE geboortejaar IS NOT NULL
            """,
        ),
        Step(
            "reference_person",
            """
            SELECT household_id, person_pseudonym, age FROM (
                SELECT hp.*, row_number() OVER (
                    PARTITION BY household_id
                    ORDER BY CASE WHEN role IN ('partner', 'ouder') THEN 0 ELSE 1 END,
                             age DESC, person_pseudonym) AS rn
                FROM household_person hp WHERE household_type <> 'institutioneel'
            ) x WHERE rn = 1
            """,
        ),
        Step("parent_first_child", parent_ages),
        Step(
            "location",
            """
            SELECT address_pseudonym AS address_id, min(buurtcode) AS buurtcode,
                   min(wijkcode) AS wijkcode, min(gemeentecode) AS gemeentecode
            FROM nummeraanduiding GROUP BY address_pseudonym
            """,
        ),
        Step(
            "household_background",
            f"""
            SELECT hp.household_id,
                   {
                _flag(
                    plan,
                    "cbs",
                    "max(CASE cp.opleidingsniveau WHEN 'hoog' THEN 3 "
                    "WHEN 'middelbaar' THEN 2 WHEN 'laag' THEN 1 END)",
                )
            } AS education_rank,
                   max(ci.besteedbaar_huishoudinkomen) AS besteedbaar_inkomen,
                   {_flag(plan, "cbs", "max(CASE WHEN ci.ww > 0 THEN 1 ELSE 0 END)")} AS ww,
                   {_flag(plan, "cbs", "max(CASE WHEN ci.ao > 0 THEN 1 ELSE 0 END)")} AS ao,
                   {_flag(plan, "cbs", "max(CASE WHEN ci.huurtoeslag > 0 THEN 1 ELSE 0 END)")}
                       AS huurtoeslag
            FROM household_person hp
            LEFT JOIN cbs_persoon cp ON cp.person_pseudonym = hp.person_pseudonym
            LEFT JOIN cbs_inkomen ci ON ci.person_pseudonym = hp.person_pseudonym
                                    AND ci.jaar = {income_year}
            GROUP BY hp.household_id
            """,
        ),
        Step(
            "household",
            f"""
            SELECT h.household_id, {peil} AS peildatum, h.household_type,
                   CAST(h.size AS INTEGER) AS size, CAST(h.children AS INTEGER) AS children,
                   kids.youngest_child_age,
                   rp.age AS reference_person_age,
                   pa.age_first AS reference_person_age_first_child,
                   pb.age_first AS partner_age_first_child,
                   h.address_id AS address_pseudonym, loc.buurtcode, loc.wijkcode,
                   loc.gemeentecode,
                   CASE bg.education_rank WHEN 3 THEN 'hoog' WHEN 2 THEN 'middelbaar'
                        WHEN 1 THEN 'laag' END AS opleidingsniveau,
                   cp.migratieachtergrond,
                   bg.besteedbaar_inkomen, bg.ww, bg.ao, bg.huurtoeslag,
                   ci.woningbezit
            FROM household_typed h
            LEFT JOIN (SELECT household_id, min(age) AS youngest_child_age
                       FROM household_person WHERE role = 'kind' GROUP BY household_id) kids
                   ON kids.household_id = h.household_id
            LEFT JOIN reference_person rp ON rp.household_id = h.household_id
            LEFT JOIN parent_first_child pa ON pa.household_id = h.household_id
                   AND pa.person_pseudonym = rp.person_pseudonym
            LEFT JOIN (
                SELECT f.household_id, min(f.age_first) AS age_first
                FROM parent_first_child f JOIN reference_person r
                     ON r.household_id = f.household_id
                    AND r.person_pseudonym <> f.person_pseudonym
                GROUP BY f.household_id
            ) pb ON pb.household_id = h.household_id
            LEFT JOIN location loc ON loc.address_id = h.address_id
            LEFT JOIN household_background bg ON bg.household_id = h.household_id
            LEFT JOIN cbs_persoon cp ON cp.person_pseudonym = rp.person_pseudonym
            LEFT JOIN cbs_inkomen ci ON ci.person_pseudonym = rp.person_pseudonym
                                    AND ci.jaar = {income_year}
            """,
            keep=True,
        ),
        *_year_steps(plan),
    ]


def _overlap(start: str, end: str) -> str:
    """Months ``start`` to ``end`` (``YYYYMM``; end NULL: open) overlap the period ``per``."""
    return f"{start} < per.month_end AND ({end} IS NULL OR {end} >= per.month_start)"


def _count(condition: str, what: str = "hp.person_pseudonym") -> str:
    return f"count(DISTINCT CASE WHEN {condition} THEN {what} END)"


def _year_columns(plan: Plan) -> list[tuple[str, str, str]]:
    """(column, aggregate step, domain) of every service column of ``household_year``."""
    columns = [(c, "care", "wmo") for c in wmo_columns()]
    columns += [
        (c, "care", "jeugd")
        for c in (
            "jeugd_zonder_verblijf",
            "jeugd_met_verblijf",
            "jeugdbescherming",
            "jeugdreclassering",
            *verwijzer_columns(),
        )
    ]
    columns += [
        (c, "benefit", "participatie")
        for c in (
            "participatiewet",
            "participatiewet_maanden",
            "ioaw",
            "ioaz",
            "bijzondere_bijstand",
        )
    ]
    columns += [("schuldhulp", "debt", "schulden"), ("schuldhulp_gestart", "debt", "schulden")]
    columns += [("vroegsignalen", "signal", "signalen")]
    return columns


def _year_steps(plan: Plan) -> list[Step]:
    peil = _date(plan.peildatum)
    youth = "t.wet = 'JEUGDWET'"

    def kind(codes: tuple[str, ...], negate: bool = False) -> str:
        inside = ", ".join(f"'{c}'" for c in codes)
        return f"{youth} AND t.productcategorie {'NOT ' if negate else ''}IN ({inside})"

    special = JEUGD_MET_VERBLIJF + JEUGDBESCHERMING + JEUGDRECLASSERING
    assert set(special) <= set(JEUGD_PRODUCTCATEGORIEEN)
    # (column, condition on one allocation): counted once per person and period.
    care = [
        (_code_column("wmo", code), f"t.wet = 'WMO' AND t.productcategorie = '{code}'")
        for code in WMO_PRODUCTCATEGORIEEN
    ]
    care += [
        ("jeugd_zonder_verblijf", kind(special, negate=True)),
        ("jeugd_met_verblijf", kind(JEUGD_MET_VERBLIJF)),
        ("jeugdbescherming", kind(JEUGDBESCHERMING)),
        ("jeugdreclassering", kind(JEUGDRECLASSERING)),
    ]
    care += [
        (_code_column("jeugd_verwijzer", code), f"{youth} AND t.soortverwijzer = '{code}'")
        for code in VERWIJZERS
    ]
    person_flags = ",\n".join(
        f"max(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {column}" for column, condition in care
    )
    household_sums = ",\n".join(f"sum({column}) AS {column}" for column, _ in care)

    def law(name: str) -> str:
        return f"max(CASE WHEN b.wet = '{name}' THEN 1 ELSE 0 END)"

    final = []
    for column, step, domain in _year_columns(plan):
        value = f"coalesce({step}.{column}, 0)" if plan.has(domain) else "NULL"
        final.append(f"CAST({value} AS INTEGER) AS {column}")
    return [
        Step(
            "care_person_year",
            f"""
            SELECT hp.household_id, per.period, hp.person_pseudonym,
                   {person_flags}
            FROM toewijzing t
            JOIN household_person hp ON hp.person_pseudonym = t.person_pseudonym
            JOIN period per
              ON {_overlap("t.datumstarttoewijzing_maand", "t.datumeindetoewijzing_maand")}
            GROUP BY hp.household_id, per.period, hp.person_pseudonym
            """,
        ),
        Step(
            "care_year",
            f"""
            SELECT household_id, period, {household_sums}
            FROM care_person_year GROUP BY household_id, period
            """,
        ),
        Step(
            "benefit_year",
            f"""
            SELECT hp.household_id, per.period,
                   {law("PARTICIPATIEWET")} AS participatiewet,
                   {law("IOAW")} AS ioaw,
                   {law("IOAZ")} AS ioaz,
                   {law("BIJZONDERE_BIJSTAND")} AS bijzondere_bijstand,
                   count(DISTINCT CASE WHEN b.wet = 'PARTICIPATIEWET'
                                        AND b.ingangsdatum_maand <= pm.month
                                        AND (b.einddatum_maand IS NULL
                                             OR b.einddatum_maand >= pm.month)
                                       THEN pm.month END) AS participatiewet_maanden
            FROM inkomensvoorziening b
            JOIN household_person hp ON hp.person_pseudonym = b.person_pseudonym
            JOIN period per ON {_overlap("b.ingangsdatum_maand", "b.einddatum_maand")}
            JOIN period_month pm ON pm.period = per.period
            GROUP BY hp.household_id, per.period
            """,
        ),
        Step(
            "debt_year",
            f"""
            SELECT hp.household_id, per.period,
                   count(DISTINCT hp.person_pseudonym) AS schuldhulp,
                   {_count("s.startdatum_maand >= per.month_start")} AS schuldhulp_gestart
            FROM schuldhulptraject s
            JOIN household_person hp ON hp.person_pseudonym = s.person_pseudonym
            JOIN period per ON {_overlap("s.startdatum_maand", "s.einddatum_maand")}
            GROUP BY hp.household_id, per.period
            """,
        ),
        Step(
            "signal_year",
            """
            SELECT hp.household_id, per.period, count(DISTINCT v.signaalid) AS vroegsignalen
            FROM vroegsignaal v
            JOIN household_person hp ON hp.person_pseudonym = v.person_pseudonym
            JOIN period per ON v.signaaldatum_maand >= per.month_start
                           AND v.signaaldatum_maand < per.month_end
            GROUP BY hp.household_id, per.period
            """,
        ),
        Step(
            "income_year",
            """
            SELECT hp.household_id, per.period,
                   max(ci.besteedbaar_huishoudinkomen) AS besteedbaar_inkomen,
                   max(CASE WHEN ci.ww > 0 THEN 1 ELSE 0 END) AS ww,
                   max(CASE WHEN ci.ao > 0 THEN 1 ELSE 0 END) AS ao,
                   max(CASE WHEN ci.huurtoeslag > 0 THEN 1 ELSE 0 END) AS huurtoeslag
            FROM cbs_inkomen ci
            JOIN household_person hp ON hp.person_pseudonym = ci.person_pseudonym
            JOIN period per ON ci.jaar = year(per.period_start)
            GROUP BY hp.household_id, per.period
            """,
        ),
        Step(
            "household_year",
            f"""
            SELECT h.household_id, {peil} AS peildatum, per.period,
                   per.period_start, per.period_end,
                   {", ".join(final)},
                   income.besteedbaar_inkomen, CAST(income.ww AS INTEGER) AS ww,
                   CAST(income.ao AS INTEGER) AS ao,
                   CAST(income.huurtoeslag AS INTEGER) AS huurtoeslag
            FROM household_typed h
            CROSS JOIN period per
            LEFT JOIN care_year care
                   ON care.household_id = h.household_id AND care.period = per.period
            LEFT JOIN benefit_year benefit
                   ON benefit.household_id = h.household_id AND benefit.period = per.period
            LEFT JOIN debt_year debt
                   ON debt.household_id = h.household_id AND debt.period = per.period
            LEFT JOIN signal_year signal
                   ON signal.household_id = h.household_id AND signal.period = per.period
            LEFT JOIN income_year income
                   ON income.household_id = h.household_id AND income.period = per.period
            """,
            keep=True,
        ),
        Step("household_stacking", _stacking_sql(plan), keep=True),
    ]


def _stacking_sql(plan: Plan) -> str:
    """Households by the combination of Jeugdwet, Wmo and Participatiewet in the year up to the
    peildatum (as CBS publishes "stapeling"), with how many of them had debt help."""
    peil = _date(plan.peildatum)
    if not (plan.has("jeugd") and plan.has("wmo") and plan.has("participatie")):
        return (
            f"SELECT {peil} AS peildatum, 'n.v.t.' AS combinatie, 0 AS jeugd, 0 AS wmo, "
            "0 AS participatiewet, 0 AS households, 0 AS with_schuldhulp WHERE 1 = 0"
        )
    wmo_any = " + ".join(f"y.{col}" for col in wmo_columns())
    jeugd_any = (
        "y.jeugd_zonder_verblijf + y.jeugd_met_verblijf + y.jeugdbescherming + y.jeugdreclassering"
    )
    debt = "CASE WHEN y.schuldhulp > 0 THEN 1 ELSE 0 END" if plan.has("schulden") else "NULL"
    return f"""
        SELECT {peil} AS peildatum, combo.combinatie, combo.jeugd, combo.wmo,
               combo.participatiewet,
               count(f.household_id) AS households,
               {"sum(f.debt)" if plan.has("schulden") else "CAST(NULL AS BIGINT)"}
                   AS with_schuldhulp
        FROM (
            SELECT * FROM (VALUES
                ('geen', 0, 0, 0), ('alleen Jeugdwet', 1, 0, 0), ('alleen Wmo', 0, 1, 0),
                ('alleen Participatiewet', 0, 0, 1), ('Jeugdwet en Wmo', 1, 1, 0),
                ('Jeugdwet en Participatiewet', 1, 0, 1),
                ('Wmo en Participatiewet', 0, 1, 1),
                ('Jeugdwet, Wmo en Participatiewet', 1, 1, 1)
            ) AS v(combinatie, jeugd, wmo, participatiewet)
        ) combo
        LEFT JOIN (
            SELECT y.household_id,
                   CASE WHEN {jeugd_any} > 0 THEN 1 ELSE 0 END AS jeugd,
                   CASE WHEN {wmo_any} > 0 THEN 1 ELSE 0 END AS wmo,
                   CASE WHEN y.participatiewet > 0 THEN 1 ELSE 0 END AS participatiewet,
                   {debt} AS debt
            FROM household_year y WHERE y.period = 0
        ) f ON f.jeugd = combo.jeugd AND f.wmo = combo.wmo
           AND f.participatiewet = combo.participatiewet
        GROUP BY combo.combinatie, combo.jeugd, combo.wmo, combo.participatiewet
    """
