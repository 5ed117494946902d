"""The alternative the household derivation is measured against: a straightforward pandas job.

The same rules as ``meedoen_data.households.derivation`` (its module docstring states them),
written the way a data analyst would in pandas: read the three BRP tables of the activity's
store into data frames, then merges, ``isin`` and ``groupby``. It derives only the household
membership and types (``household_person``: person, household, type, role), not the integrated
household table (background, services per year, stacking) that ``household_build`` also writes;
household ids are made the same way (``md5(address || '|' || key)``, first 20 characters) so
that both results can be compared person by person.

    python -m benchmarks.pandas_households STORE.duckdb OUT.duckdb YYYY-MM-DD

Prints one line of JSON: households by type, persons placed, and seconds to read, derive and
write.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from meedoen_data.households.derivation import Plan, Rules


def read_inputs(store: Path) -> dict[str, pd.DataFrame]:
    """The BRP tables of an activity's store, whole, as data frames (only the columns used)."""
    columns = {
        "ingeschrevenpersoon": "person_pseudonym, datumoverlijden, geboortejaar, geboortemaand",
        "verblijfplaats": "person_pseudonym, address_pseudonym, datumvan_maand, datumtot_maand",
        "relatie": (
            "person_pseudonym, related_person_pseudonym, soortrelatie, soortverbintenis, "
            "datumingang_maand, datumeinde_maand"
        ),
    }
    with duckdb.connect(str(store), read_only=True) as con:
        return {
            name: con.sql(f"SELECT {cols} FROM source.{name}").df()
            for name, cols in columns.items()
        }


def _first_per_both(pairs: pd.DataFrame) -> pd.DataFrame:
    """Rows that come first for their ``a`` (ordered by ``b``) and for their ``b`` (by ``a``):
    one partner per person when the register has more than one."""
    first_a = ~pairs.sort_values(["a", "b"]).duplicated("a")
    first_b = ~pairs.sort_values(["b", "a"]).duplicated("b")
    return pairs[first_a.reindex(pairs.index) & first_b.reindex(pairs.index)]


def _pair_isin(
    pairs: pd.DataFrame, other: pd.DataFrame, left: list[str], right: list[str]
) -> pd.Series:
    """Whether each row's (left columns) occurs among ``other``'s (right columns)."""
    keys = pd.MultiIndex.from_frame(other[right].set_axis(left, axis=1))
    return pd.Series(pd.MultiIndex.from_frame(pairs[left]).isin(keys), index=pairs.index)


def derive(
    frames: dict[str, pd.DataFrame], peildatum: date, rules: Rules | None = None
) -> pd.DataFrame:
    """household_person (person_pseudonym, household_id, household_type, role) at the peildatum."""
    rules = rules or Rules()
    plan = Plan(peildatum, frozenset(), rules)
    month, index = plan.reference_month, plan.age_index

    # 1. Residents: alive at the peildatum, with the address taken up last in the reference month.
    persons = frames["ingeschrevenpersoon"]
    died = pd.to_datetime(persons["datumoverlijden"])
    persons = persons[died.isna() | (died >= pd.Timestamp(peildatum))]
    birth = persons["geboortejaar"] * 12 + persons["geboortemaand"].fillna(7) - 1
    persons = pd.DataFrame({"person_id": persons["person_pseudonym"], "age": (index - birth) // 12})
    stays = frames["verblijfplaats"]
    stays = stays[
        (stays["datumvan_maand"] <= month)
        & (stays["datumtot_maand"].isna() | (stays["datumtot_maand"] > month))
    ]
    stays = stays.sort_values(
        ["person_pseudonym", "datumvan_maand", "address_pseudonym"], ascending=[True, False, True]
    ).drop_duplicates("person_pseudonym")
    stays = stays.rename(
        columns={"person_pseudonym": "person_id", "address_pseudonym": "address_id"}
    )
    person_at = persons.merge(stays[["person_id", "address_id"]], on="person_id")
    residence = person_at.set_index("person_id")["address_id"]

    # 2. Relations: partnerships active in the reference month, parent/child in both directions.
    rel = frames["relatie"]
    partners = rel[
        (rel["soortrelatie"] == "partner")
        & rel["soortverbintenis"].isin(["H", "P"])
        & rel["related_person_pseudonym"].notna()
        & (rel["person_pseudonym"] != rel["related_person_pseudonym"])
        & (rel["datumingang_maand"].isna() | (rel["datumingang_maand"] <= month))
        & (rel["datumeinde_maand"].isna() | (rel["datumeinde_maand"] > month))
    ]
    x, y = partners["person_pseudonym"], partners["related_person_pseudonym"]
    partner_at = pd.DataFrame(
        {"a": np.where(x < y, x, y), "b": np.where(x < y, y, x)}
    ).drop_duplicates()
    kind = rel[rel["soortrelatie"] == "kind"]
    ouder = rel[rel["soortrelatie"] == "ouder"]
    parent_of = pd.concat(
        [
            pd.DataFrame(
                {
                    "parent_id": kind["person_pseudonym"],
                    "child_id": kind["related_person_pseudonym"],
                }
            ),
            pd.DataFrame(
                {
                    "parent_id": ouder["related_person_pseudonym"],
                    "child_id": ouder["person_pseudonym"],
                }
            ),
        ],
        ignore_index=True,
    ).dropna()
    parent_of = parent_of[parent_of["parent_id"] != parent_of["child_id"]].drop_duplicates()

    # Relations between two residents of the same address.
    where_a, where_b = partner_at["a"].map(residence), partner_at["b"].map(residence)
    co_partner = partner_at.assign(address_id=where_a)[where_a.notna() & (where_a == where_b)]
    where_p, where_c = parent_of["parent_id"].map(residence), parent_of["child_id"].map(residence)
    co_parent = parent_of.assign(address_id=where_p)[where_p.notna() & (where_p == where_c)]

    # 3. Institutional addresses: many residents, fewer than half with family at the address.
    residents = person_at.groupby("address_id").size()
    related = pd.concat(
        [
            co_partner[["address_id", "a"]].set_axis(["address_id", "person_id"], axis=1),
            co_partner[["address_id", "b"]].set_axis(["address_id", "person_id"], axis=1),
            co_parent[["address_id", "parent_id"]].set_axis(["address_id", "person_id"], axis=1),
            co_parent[["address_id", "child_id"]].set_axis(["address_id", "person_id"], axis=1),
        ]
    ).drop_duplicates()
    with_family = related.groupby("address_id").size().reindex(residents.index, fill_value=0)
    institutions = residents.index[
        (residents >= rules.institution_min) & (2 * with_family < residents)
    ]
    in_institution = person_at["address_id"].isin(institutions)
    private = person_at[~in_institution]

    # 4a. Married or registered partners living together.
    registered = _first_per_both(co_partner[~co_partner["address_id"].isin(institutions)])
    registered_ids = pd.concat([registered["a"], registered["b"]])

    # 4b. Children: a parent at the address, no child of their own there, no partner there.
    status = private.copy()
    status["registered"] = status["person_id"].isin(registered_ids)
    status["has_child_here"] = status["person_id"].isin(co_parent["parent_id"])
    status["is_child"] = (
        status["person_id"].isin(co_parent["child_id"])
        & ~status["has_child_here"]
        & ~status["registered"]
    )
    candidate = status[
        ~status["registered"] & ~status["is_child"] & (status["age"] >= rules.adult_age)
    ]

    # 4c. Two adult candidates who are both parents of a child at the address.
    parents = co_parent[co_parent["parent_id"].isin(candidate["person_id"])]
    both = parents.merge(parents, on="child_id", suffixes=("", "_y"))
    both = both[both["parent_id"] < both["parent_id_y"]]
    parent_couple = _first_per_both(
        pd.DataFrame(
            {"address_id": both["address_id"], "a": both["parent_id"], "b": both["parent_id_y"]}
        ).drop_duplicates()
    )

    # 4d. Exactly two candidates left at an address: a likely unmarried couple, unless the age
    # gap is too large or they are parent and child or siblings.
    left = candidate[
        ~candidate["person_id"].isin(pd.concat([parent_couple["a"], parent_couple["b"]]))
    ]
    grouped = left.groupby("address_id").agg(
        n=("person_id", "size"),
        a=("person_id", "min"),
        b=("person_id", "max"),
        oldest=("age", "max"),
        youngest=("age", "min"),
    )
    pairs = grouped[grouped["n"] == 2].reset_index()
    pairs["gap"] = pairs["oldest"] - pairs["youngest"]
    parent_child = _pair_isin(pairs, parent_of, ["a", "b"], ["parent_id", "child_id"]) | _pair_isin(
        pairs, parent_of, ["b", "a"], ["parent_id", "child_id"]
    )
    parents_of_a = pairs[["a", "b"]].merge(parent_of, left_on="a", right_on="child_id")
    siblings = parents_of_a[["a", "b", "parent_id"]].merge(
        parent_of, left_on=["parent_id", "b"], right_on=["parent_id", "child_id"]
    )[["a", "b"]]
    sibling = _pair_isin(pairs, siblings, ["a", "b"], ["a", "b"])
    cohabiting = pairs[(pairs["gap"] < rules.cohabit_max_age_gap) & ~parent_child & ~sibling]

    couple = pd.concat(
        [
            registered[["address_id", "a", "b"]],
            parent_couple[["address_id", "a", "b"]],
            cohabiting[["address_id", "a", "b"]],
        ],
        ignore_index=True,
    )
    couple_ids = pd.concat([couple["a"], couple["b"]])

    # 4e. Single parents: candidates outside a couple with a child at the address.
    child_ids = status.loc[status["is_child"], "person_id"]
    parents_of_children = co_parent.loc[co_parent["child_id"].isin(child_ids), "parent_id"]
    single = candidate[
        candidate["person_id"].isin(parents_of_children) & ~candidate["person_id"].isin(couple_ids)
    ]
    nucleus_adult = pd.concat(
        [
            pd.DataFrame(
                {
                    "address_id": couple["address_id"],
                    "nucleus_id": couple["a"],
                    "person_id": couple["a"],
                }
            ),
            pd.DataFrame(
                {
                    "address_id": couple["address_id"],
                    "nucleus_id": couple["a"],
                    "person_id": couple["b"],
                }
            ),
        ],
        ignore_index=True,
    ).assign(role="partner")
    nucleus_adult = pd.concat(
        [
            nucleus_adult,
            pd.DataFrame(
                {
                    "address_id": single["address_id"],
                    "nucleus_id": single["person_id"],
                    "person_id": single["person_id"],
                    "role": "ouder",
                }
            ),
        ],
        ignore_index=True,
    )

    # 4f. Children join their parent's nucleus; relatives of a nucleus member join it too.
    kids = status.loc[status["is_child"], ["address_id", "person_id"]].merge(
        co_parent[["parent_id", "child_id"]], left_on="person_id", right_on="child_id"
    )
    kids = kids.merge(
        nucleus_adult[["person_id", "nucleus_id"]].rename(columns={"person_id": "parent_id"}),
        on="parent_id",
    )
    nucleus_child = (
        kids.groupby(["address_id", "person_id"], as_index=False)["nucleus_id"]
        .min()
        .assign(role="kind")
    )
    nucleus_member = pd.concat([nucleus_adult, nucleus_child], ignore_index=True)

    relations = pd.concat(
        [
            partner_at.set_axis(["x", "y"], axis=1),
            partner_at[["b", "a"]].set_axis(["x", "y"], axis=1),
            parent_of.set_axis(["x", "y"], axis=1),
            parent_of[["child_id", "parent_id"]].set_axis(["x", "y"], axis=1),
        ],
        ignore_index=True,
    )
    outside = private[~private["person_id"].isin(nucleus_member["person_id"])]
    near = outside[["address_id", "person_id"]].merge(relations, left_on="person_id", right_on="x")
    near = near.merge(
        nucleus_member[["address_id", "person_id", "nucleus_id"]].rename(
            columns={"person_id": "y"}
        ),
        on=["address_id", "y"],
    )
    related_member = (
        near.groupby(["address_id", "person_id"], as_index=False)["nucleus_id"]
        .min()
        .assign(role="lid")
    )

    placed = pd.concat([nucleus_member["person_id"], related_member["person_id"]])
    rest = private[~private["person_id"].isin(placed)]
    membership = pd.concat(
        [
            nucleus_member.rename(columns={"nucleus_id": "hh_key"})[
                ["address_id", "hh_key", "person_id", "role"]
            ],
            related_member.rename(columns={"nucleus_id": "hh_key"})[
                ["address_id", "hh_key", "person_id", "role"]
            ],
            rest[["address_id", "person_id"]].assign(hh_key="overig", role="bewoner"),
            person_at.loc[in_institution, ["address_id", "person_id"]].assign(
                hh_key="instelling", role="bewoner"
            ),
        ],
        ignore_index=True,
    )

    # 5. Types.
    membership["is_kind"] = membership["role"] == "kind"
    membership["is_partner"] = membership["role"] == "partner"
    membership["is_ouder"] = membership["role"] == "ouder"
    core = membership.groupby(["address_id", "hh_key"], as_index=False).agg(
        size=("person_id", "size"),
        children=("is_kind", "sum"),
        partners=("is_partner", "sum"),
        single_parents=("is_ouder", "sum"),
    )
    core["household_type"] = np.select(
        [
            core["hh_key"] == "instelling",
            (core["partners"] == 2) & (core["children"] > 0),
            core["partners"] == 2,
            core["single_parents"] == 1,
            core["size"] == 1,
        ],
        ["institutioneel", "paar_met_kinderen", "paar_zonder_kinderen", "eenouder", "eenpersoons"],
        default="overig",
    )
    core["household_id"] = [
        hashlib.md5(f"{a}|{k}".encode()).hexdigest()[:20]
        for a, k in zip(core["address_id"], core["hh_key"], strict=True)
    ]
    out = membership.merge(
        core[["address_id", "hh_key", "household_id", "household_type"]],
        on=["address_id", "hh_key"],
    )
    return out.rename(columns={"person_id": "person_pseudonym"})[
        ["person_pseudonym", "household_id", "household_type", "role"]
    ]


def main(store: Path, target: Path, peildatum: date) -> dict[str, object]:
    started = time.perf_counter()
    frames = read_inputs(store)
    read = time.perf_counter()
    household_person = derive(frames, peildatum)
    derived = time.perf_counter()
    with duckdb.connect(str(target)) as con:
        con.register("frame_out", household_person)
        con.execute("CREATE OR REPLACE TABLE household_person AS SELECT * FROM frame_out")
    written = time.perf_counter()
    by_type = household_person.drop_duplicates("household_id")["household_type"].value_counts()
    return {
        "households": int(by_type.sum()),
        "persons": len(household_person),
        "by_type": {str(k): int(v) for k, v in sorted(by_type.items())},
        "read": read - started,
        "derive": derived - read,
        "write": written - derived,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), date.fromisoformat(sys.argv[3]))))
