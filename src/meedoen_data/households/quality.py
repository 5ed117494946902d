"""How well the derived households match a known truth (the generator's ``truth/household``).

Used by the tests, the benchmark and docs/households.md. Both inputs are tables of
(person, household, type) with the same kind of person ids (the activity's pseudonyms).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb


@dataclass
class Quality:
    persons: int  # residents in the truth
    households: int  # households in the truth
    persons_exact: int  # residents whose derived household has exactly their true members
    households_exact: int  # true households derived with exactly their members
    types_right: int  # true households derived exactly and with their true type
    errors: list[tuple[str, int]] = field(default_factory=list)  # (class, households)

    @property
    def person_share(self) -> float:
        return self.persons_exact / self.persons if self.persons else 0.0

    @property
    def type_share(self) -> float:
        return self.types_right / self.households if self.households else 0.0


def household_quality(con: duckdb.DuckDBPyConnection, *, derived: str, truth: str) -> Quality:
    """Compare two relations (table or view names in ``con``) with columns
    ``person_id, household_id, household_type``."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE q_sets AS
        WITH t AS (SELECT person_id, household_id AS th, household_type AS ttype FROM {truth}),
             d AS (SELECT person_id, household_id AS dh, household_type AS dtype FROM {derived}),
             tsig AS (SELECT th, string_agg(person_id, ',' ORDER BY person_id) AS sig,
                             any_value(ttype) AS ttype, count(*) AS n
                      FROM t GROUP BY th),
             dsig AS (SELECT dh, string_agg(person_id, ',' ORDER BY person_id) AS sig,
                             any_value(dtype) AS dtype
                      FROM d GROUP BY dh)
        SELECT tsig.th, tsig.ttype, tsig.n, dsig.dh, dsig.dtype
        FROM tsig LEFT JOIN dsig ON dsig.sig = tsig.sig
        """
    )
    persons, households, persons_exact, households_exact, types_right = con.execute(
        """
        SELECT sum(n), count(*), sum(CASE WHEN dh IS NOT NULL THEN n ELSE 0 END),
               count(dh), count(CASE WHEN dtype = ttype THEN 1 END)
        FROM q_sets
        """
    ).fetchone() or (0, 0, 0, 0, 0)
    errors = con.execute(
        f"""
        WITH wrong AS (SELECT th, ttype FROM q_sets WHERE dh IS NULL OR dtype <> ttype),
             placed AS (
                 SELECT w.th, w.ttype,
                        string_agg(DISTINCT coalesce(d.household_type, 'not placed'), '+'
                                   ORDER BY coalesce(d.household_type, 'not placed'))
                            AS derived_types
                 FROM wrong w
                 JOIN {truth} t ON t.household_id = w.th
                 LEFT JOIN {derived} d ON d.person_id = t.person_id
                 GROUP BY w.th, w.ttype)
        SELECT ttype || ' -> ' || derived_types, count(*) FROM placed
        GROUP BY ALL ORDER BY 2 DESC, 1
        """
    ).fetchall()
    return Quality(
        int(persons or 0),
        int(households or 0),
        int(persons_exact or 0),
        int(households_exact or 0),
        int(types_right or 0),
        [(str(k), int(n)) for k, n in errors],
    )
