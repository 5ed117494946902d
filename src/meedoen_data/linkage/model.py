"""The Fellegi-Sunter model for Dutch partner files: comparisons, blocking and training (Splink).

Both sides are tables with the columns of :data:`FEATURES` (see :mod:`inputs`): partner records
on one side, register persons on the other. Comparisons (levels from strong to weak; Splink
estimates an m- and u-probability per level, so the weights are learnt, not set by hand):

- **surname**: same core (tussenvoegsel dropped, term-frequency adjusted: ``Jansen`` weighs
  less than ``Wijffels``); same with the tussenvoegsel glued (``Vanderberg``); the surname of the
  person's (last) partner — a married woman may give her partner's name (aanduiding
  naamgebruik); Jaro-Winkler >= 0.92 (typos); similar to the partner's surname or >= 0.8; else.
- **first name**: same first name (term-frequency adjusted); Jaro-Winkler >= 0.9; same initials
  where one side only has initials (``J.F.``, or ``J.`` for ``Jan Frans``: the initials as far
  as given); same first initial; else.
- **birth date**: same; day and month swapped; one digit different; same year; else; missing
  is neutral (weight 0).
- **address**: same address including huisletter/toevoeging; same postcode and house number;
  an earlier address of the person (address history); same postcode (term-frequency
  adjusted); else.

Blocking (pairs that are scored at all) keeps recall without comparing every record with 17.9
million persons: any address of the person's history, birth date + first initial, swapped
birth date + first initial, surname core + birth year. A record found by none of them cannot be
linked; docs/linkage.md lists what that costs.

:data:`ENCODED` is the same model on Bloom-filter encodings (``meedoen encode``): Dice
similarity of the name filters and keyed hashes for dates and addresses.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any

import sqlglot
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator

from meedoen_data.linkage.clk import dice_bits_sql

#: Columns both sides of a clear-text linkage have (besides ``unique_id``).
FEATURES = (
    "surname_core",
    "surname_full",
    "partner_surname_core",
    "partner_surname_full",
    "first_name",
    "initials",
    "first_initial",
    "birth_date",
    "birth_date_swapped",
    "birth_year",
    "address_key",
    "house_key",
    "postcode",
    "house_history",
)
#: Columns both sides of an encoded linkage have (see :mod:`meedoen_data.linkage.clk`).
ENCODED_FEATURES = (
    "surname_core_bf",
    "surname_full_bf",
    "partner_surname_core_bf",
    "first_name_bf",
    "initials_h",
    "first_initial_h",
    "birth_date_h",
    "birth_date_swapped_h",
    "birth_year_h",
    "birth_month_day_h",
    "address_h",
    "house_h",
    "postcode_h",
    "house_history_h",
)
JW = "jaro_winkler_similarity"
#: Register persons scored in one go (see :func:`train_and_predict`).
CHUNK_ROWS = 4_000_000


def _level(sql: str, label: str, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if tf is not None:
        level.update({"tf_adjustment_column": tf, "tf_adjustment_weight": 1.0})
    return level


def _null(column: str) -> dict[str, Any]:
    return {
        "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
        "label_for_charts": "missing",
        "is_null_level": True,
    }


ELSE = {"sql_condition": "ELSE", "label_for_charts": "different"}


def _comparison(name: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {"output_column_name": name, "comparison_levels": levels}


def _either(template: str) -> str:
    """``template`` with (l, r) and with (r, l): the partner's name may be on either side."""
    return f"({template.format(x='l', y='r')}) OR ({template.format(x='r', y='l')})"


CLEAR_COMPARISONS: list[ComparisonCreator | dict[str, Any]] = [
    _comparison(
        "surname",
        [
            _null("surname_core"),
            _level("surname_core_l = surname_core_r", "same", "surname_core"),
            _level("surname_full_l = surname_full_r", "same with tussenvoegsel glued"),
            _level(
                _either("surname_core_{x} = partner_surname_core_{y}")
                + " OR "
                + _either("surname_full_{x} = partner_surname_full_{y}"),
                "partner's surname",
            ),
            _level(
                f"{JW}(surname_core_l, surname_core_r) >= 0.92 "
                f"OR {JW}(surname_full_l, surname_full_r) >= 0.92",
                "similar (Jaro-Winkler >= 0.92)",
            ),
            _level(
                _either(f"{JW}(surname_core_{{x}}, partner_surname_core_{{y}}) >= 0.92")
                + f" OR {JW}(surname_core_l, surname_core_r) >= 0.8",
                "similar to partner's surname, or Jaro-Winkler >= 0.8",
            ),
            ELSE,
        ],
    ),
    _comparison(
        "first_name",
        [
            _null("initials"),
            _level("first_name_l = first_name_r", "same", "first_name"),
            _level(f"{JW}(first_name_l, first_name_r) >= 0.9", "similar (Jaro-Winkler >= 0.9)"),
            # One side gave initials only ("J." or "J.F."): they agree when they are the other's
            # initials as far as given (a partner that keeps one initial for "Jan Frans").
            _level(
                "(first_name_l IS NULL AND starts_with(initials_r, initials_l)) "
                "OR (first_name_r IS NULL AND starts_with(initials_l, initials_r))",
                "same initials",
            ),
            _level("first_initial_l = first_initial_r", "same first initial"),
            ELSE,
        ],
    ),
    _comparison(
        "birth_date",
        [
            _null("birth_date"),
            _level("birth_date_l = birth_date_r", "same"),
            _level("birth_date_swapped_l = birth_date_r", "day and month swapped"),
            _level(
                "damerau_levenshtein(strftime(birth_date_l, '%Y%m%d'), "
                "strftime(birth_date_r, '%Y%m%d')) <= 1",
                "one digit different",
            ),
            _level("birth_year_l = birth_year_r", "same year"),
            ELSE,
        ],
    ),
    _comparison(
        "address",
        [
            _null("house_key"),
            _level("address_key_l = address_key_r", "same address"),
            _level("house_key_l = house_key_r", "same postcode and number"),
            _level(
                "list_contains(house_history_r, house_key_l) "
                "OR list_contains(house_history_l, house_key_r)",
                "an earlier address of the person",
            ),
            _level("postcode_l = postcode_r", "same postcode", "postcode"),
            ELSE,
        ],
    ),
]


def _dice(column: str, other: str | None = None, x: str = "l", y: str = "r") -> str:
    """Dice similarity of two Bloom filters, written ``dice(a, b)``; :func:`level_sql` turns it
    into the engine's SQL (BIT strings in DuckDB, arrays of bit positions in Spark)."""
    return f"dice({column}_{x}, {other or column}_{y})"


ENCODED_COMPARISONS: list[ComparisonCreator | dict[str, Any]] = [
    _comparison(
        "surname",
        [
            _null("surname_core_bf"),
            _level(f"{_dice('surname_core_bf')} >= 0.99", "same (Dice >= 0.99)"),
            _level(f"{_dice('surname_full_bf')} >= 0.99", "same with tussenvoegsel glued"),
            _level(
                f"{_dice('surname_core_bf', 'partner_surname_core_bf')} >= 0.99 OR "
                f"{_dice('surname_core_bf', 'partner_surname_core_bf', 'r', 'l')} >= 0.99",
                "partner's surname",
            ),
            _level(
                f"{_dice('surname_core_bf')} >= 0.8 OR {_dice('surname_full_bf')} >= 0.8",
                "similar (Dice >= 0.8)",
            ),
            _level(f"{_dice('surname_core_bf')} >= 0.6", "somewhat similar (Dice >= 0.6)"),
            ELSE,
        ],
    ),
    _comparison(
        "first_name",
        [
            _null("initials_h"),
            _level(f"{_dice('first_name_bf')} >= 0.99", "same"),
            _level(f"{_dice('first_name_bf')} >= 0.8", "similar (Dice >= 0.8)"),
            _level(
                "(first_name_bf_l IS NULL OR first_name_bf_r IS NULL) "
                "AND initials_h_l = initials_h_r",
                "same initials",
            ),
            _level("first_initial_h_l = first_initial_h_r", "same first initial"),
            ELSE,
        ],
    ),
    _comparison(
        "birth_date",
        [
            _null("birth_date_h"),
            _level("birth_date_h_l = birth_date_h_r", "same"),
            _level(
                "birth_date_swapped_h_l = birth_date_h_r "
                "OR birth_date_h_l = birth_date_swapped_h_r",
                "day and month swapped",
            ),
            _level("birth_month_day_h_l = birth_month_day_h_r", "same day and month"),
            _level("birth_year_h_l = birth_year_h_r", "same year"),
            ELSE,
        ],
    ),
    _comparison(
        "address",
        [
            _null("house_h"),
            _level("address_h_l = address_h_r", "same address"),
            _level("house_h_l = house_h_r", "same postcode and number"),
            _level(
                "list_contains(house_history_h_r, house_h_l) "
                "OR list_contains(house_history_h_l, house_h_r)",
                "an earlier address of the person",
            ),
            _level("postcode_h_l = postcode_h_r", "same postcode", "postcode_h"),
            ELSE,
        ],
    ),
]


def _rule(sql: str) -> dict[str, Any]:
    return {"blocking_rule": sql, "sql_dialect": "duckdb"}


@dataclass(frozen=True)
class Model:
    """A linkage model: what is compared, which pairs are scored, how it is trained."""

    name: str
    comparisons: list[ComparisonCreator | dict[str, Any]]
    blocking: list[BlockingRuleCreator | dict[str, Any]]
    #: Rules that almost only pick true matches: they estimate how many matches there are.
    deterministic: list[BlockingRuleCreator | str]
    #: Expectation-maximisation passes; each trains every comparison it does not block on.
    training: list[BlockingRuleCreator | str]
    #: Columns (address, house, house history, postcode) of a comparison named "address",
    #: whose u-probabilities are counted exactly (:func:`address_u`) instead of sampled.
    address: tuple[str, str, str, str] | None = None


CLEAR = Model(
    "clear",
    CLEAR_COMPARISONS,
    blocking=[
        block_on("house_history", arrays_to_explode=["house_history"]),
        block_on("birth_date", "first_initial"),
        _rule("l.birth_date_swapped = r.birth_date AND l.first_initial = r.first_initial"),
        block_on("surname_core", "birth_year"),
    ],
    deterministic=[
        block_on("surname_core", "birth_date"),
        block_on("first_name", "birth_date", "house_key"),
    ],
    # The second pass pairs records sharing a house *and* first name: pairs sharing only a house
    # are mostly family members, from which EM learns that a different birth date is common.
    training=[block_on("birth_date"), block_on("house_key", "first_name")],
    address=("address_key", "house_key", "house_history", "postcode"),
)
ENCODED = Model(
    "encoded",
    ENCODED_COMPARISONS,
    blocking=[
        block_on("house_history_h", arrays_to_explode=["house_history_h"]),
        block_on("birth_date_h", "first_initial_h"),
        _rule("l.birth_date_swapped_h = r.birth_date_h AND l.first_initial_h = r.first_initial_h"),
        block_on("birth_month_day_h", "house_h"),
    ],
    deterministic=[
        block_on("birth_date_h", "house_h"),
        block_on("birth_date_h", "initials_h", "postcode_h"),
    ],
    training=[block_on("birth_date_h"), block_on("house_h", "initials_h")],
    address=("address_h", "house_h", "house_history_h", "postcode_h"),
)
MODELS = {m.name: m for m in (CLEAR, ENCODED)}


ENGINES = ("duckdb", "spark")
_DICE = re.compile(r"\bdice\((\w+), (\w+)\)", re.IGNORECASE)


def level_sql(sql: str, engine: str) -> str:
    """A comparison level's condition, written in DuckDB's dialect, for ``engine``.

    Splink parses a level in its engine's dialect and does not translate it, so for Spark the
    condition is transpiled by sqlglot, and two functions are mapped to the user-defined
    functions of the jar Splink ships (``jaro_winkler``, ``damerau_levenshtein``). ``dice(a, b)``
    is the Dice similarity of two Bloom filters: BIT strings in DuckDB, arrays of bit positions
    in Spark (which has no bit strings)."""
    if engine == "duckdb":
        return _DICE.sub(lambda m: dice_bits_sql(m[1], m[2]), sql)
    if engine != "spark":
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    spark = str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])
    spark = _DICE.sub(lambda m: dice_positions_sql(m[1], m[2]), spark)
    return spark.replace("JAROWINKLER_SIMILARITY(", "jaro_winkler(")


def dice_positions_sql(left: str, right: str) -> str:
    """Spark SQL for the Dice similarity of two Bloom filters given as arrays of bit positions."""
    total = f"(SIZE({left}) + SIZE({right}))"
    return (
        f"(CASE WHEN {total} = 0 THEN 0.0D "
        f"ELSE 2.0D * SIZE(ARRAY_INTERSECT({left}, {right})) / {total} END)"
    )


def comparisons_for(model: Model, engine: str) -> list[ComparisonCreator | dict[str, Any]]:
    """The model's comparisons with every level's condition in ``engine``'s dialect."""
    out: list[ComparisonCreator | dict[str, Any]] = []
    for comparison in model.comparisons:
        if not isinstance(comparison, dict):
            out.append(comparison)
            continue
        levels = [
            {**level, "sql_condition": level_sql(level["sql_condition"], engine)}
            if level["sql_condition"] != "ELSE"
            else level
            for level in comparison["comparison_levels"]
        ]
        out.append({**comparison, "comparison_levels": levels})
    return out


def model_engine(model_json: dict[str, Any]) -> str:
    """The engine a stored model was estimated on (its levels are in that engine's dialect)."""
    return str(model_json.get("sql_dialect", "duckdb"))


@dataclass
class Trained:
    linker: Linker
    model_json: dict[str, Any]
    #: Splink's table of scored pairs (in the same DuckDB connection).
    predictions: str


def train_and_predict(
    con: Any,
    model: Model,
    left: str,
    right: str,
    *,
    seed: int = 42,
    saved_model: dict[str, Any] | None = None,
) -> Trained:
    """Train ``model`` on tables ``left`` (partner) and ``right`` (register) of ``con`` and
    score every blocked pair, in DuckDB (see :func:`fit_and_score`)."""
    db = DuckDBAPI(connection=con)
    inputs = [
        db.register(left, dataset_display_name="partner"),
        db.register(right, dataset_display_name="register"),
    ]
    rows = int(con.execute(f"SELECT count(*) FROM {right}").fetchall()[0][0])
    exact = address_u(con, model, left, right) if saved_model is None else {}
    linker, predictions = fit_and_score(
        inputs, model, "duckdb", exact=exact, rows=rows, seed=seed, saved_model=saved_model
    )
    return Trained(linker, linker.misc.save_model_to_json(), predictions.physical_name)


def fit_and_score(
    inputs: list[Any],
    model: Model,
    engine: str,
    *,
    exact: dict[str, float],
    rows: int,
    seed: int = 42,
    max_pairs_u: float = 1e6,
    max_pairs_em: float = 5e6,
    recall: float = 0.7,
    floor: float = 0.001,
    saved_model: dict[str, Any] | None = None,
) -> tuple[Linker, Any]:
    """Train ``model`` on Splink tables ``inputs`` (partner, register) and score every blocked
    pair; pairs below probability ``floor`` are dropped. Returns the linker and Splink's table
    of scored pairs. ``exact`` holds the address u-probabilities of :func:`address_u`, ``rows``
    the number of register persons.

    With ``saved_model`` (the JSON of an earlier run on the same engine) nothing is trained:
    the run is reproduced with exactly those parameters."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    if saved_model is not None:
        linker = Linker(inputs, saved_model, log_level=logging.ERROR)
    else:
        settings = SettingsCreator(
            link_type="link_only",
            comparisons=comparisons_for(model, engine),
            blocking_rules_to_generate_predictions=model.blocking,
            retain_intermediate_calculation_columns=True,
        )
        linker = Linker(inputs, settings, log_level=logging.ERROR)
        linker.training.estimate_probability_two_random_records_match(
            model.deterministic, recall=recall
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_u, seed=seed)
        # Splink has no public setter for one comparison's u; its settings object has.
        for comparison in linker._settings_obj.comparisons:
            if comparison.output_column_name == "address":
                for level in comparison.comparison_levels:
                    if not level.is_null_level and level.label_for_charts in exact:
                        level.u_probability = exact[level.label_for_charts]
        for rule in model.training:
            # At register scale a birth-date block has ~500 persons per record: sample it.
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=max_pairs_em
            )
    # Score the register in chunks of at most CHUNK_ROWS persons: at national scale the blocked
    # pairs of all rules at once do not fit in DuckDB's memory (17.9 million persons: 5 chunks).
    chunks = max(1, math.ceil(rows / CHUNK_ROWS)) if engine == "duckdb" else 1
    predictions = linker.inference.predict(
        threshold_match_probability=floor, num_chunks_right=chunks
    )
    return linker, predictions


def address_u(con: Any, model: Model, left: str, right: str) -> dict[str, float]:
    """The u-probabilities of the address levels, counted over all pairs.

    Two random records share an address with a chance of about 1 in the number of addresses
    (8 million nationally): a random sample of a million pairs never sees it, and Splink would
    fall back to a default that undervalues an address match. Counting per key is exact and
    cheap: sum over keys of (partner records with the key) x (register persons with it)."""
    if model.address is None:
        return {}
    a, h, history, pc = model.address

    def pairs(column_l: str, column_r: str, unnest: bool = False) -> str:
        right_key = f"unnest({column_r})" if unnest else column_r
        return (
            f"(SELECT coalesce(sum(x.n * y.n), 0) FROM "
            f"(SELECT {column_l} AS k, count(*) AS n FROM {left} WHERE {h} IS NOT NULL "
            f"GROUP BY 1) x JOIN "
            f"(SELECT k, count(*) AS n FROM (SELECT {right_key} AS k FROM {right} "
            f"WHERE {h} IS NOT NULL) GROUP BY 1) y USING (k))"
        )

    row = con.execute(
        f"SELECT (SELECT count(*) FROM {left} WHERE {h} IS NOT NULL) * "
        f"(SELECT count(*) FROM {right} WHERE {h} IS NOT NULL), "
        f"{pairs(a, a)}, {pairs(h, h)}, {pairs(h, history, unnest=True)}, {pairs(pc, pc)}"
    ).fetchall()[0]
    total, same_address, same_house, in_history, same_postcode = (float(v) for v in row)
    if not total:
        return {}
    # Levels are tested strongest first: each level's pairs exclude the stronger ones.
    exact = {
        "same address": same_address / total,
        "same postcode and number": max(same_house - same_address, 0.0) / total,
        "an earlier address of the person": max(in_history - same_house, 0.0) / total,
        "same postcode": max(same_postcode - same_house, 0.0) / total,
    }
    exact["different"] = max(1.0 - sum(exact.values()), 0.0)
    # A level no random pair reaches still needs a u above zero.
    return {label: max(u, 1e-12) for label, u in exact.items()}


def level_labels(model_json: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Per comparison, the label of each comparison-vector value (``gamma_NAME``)."""
    out: dict[str, dict[int, str]] = {}
    for comparison in model_json["comparisons"]:
        levels = comparison["comparison_levels"]
        labels: dict[int, str] = {}
        value = len([lv for lv in levels if not lv.get("is_null_level")]) - 1
        for level in levels:
            if level.get("is_null_level"):
                labels[-1] = level["label_for_charts"]
            else:
                labels[value] = level["label_for_charts"]
                value -= 1
        out[comparison["output_column_name"]] = labels
    return out
