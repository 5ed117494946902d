"""Surprising indicators, at group level only: which characteristics and signal patterns are
followed more often by debt help — to propose or retire triage rules, never to score anyone.

Read from an *analysis* activity's store (pseudonymised; its signals linked with
``meedoen signals link`` and its households built with ``meedoen build``), one **unit per
household** that received signals:

- its **first signal month** ``m0`` (the first month with a signal in the store) and its
  *episode*: the signals of ``m0`` and the two months after;
- the **outcome** ``schuldhulp_12m``: a member starts a debt-help trajectory in the 12 months
  after ``m0`` (a household with a trajectory open at ``m0`` is left out: it is already in
  help); only households whose 12 months are observed (``m0`` at least 12 months before the
  newest signal) count;
- **candidate indicators** (yes/no): the episode's partners, several partners (*meervoudig*),
  one partner in consecutive months (*herhaald*), a crisis signal, the episode's total amount
  in four bands, the household type, the reference person's age band, bijstand / Wmo / youth
  care of a member at ``m0`` — and every **pair** of them;
- the **protected characteristic** migration background (of the household's reference person)
  is never a candidate: it is only used to check whether a candidate mainly singles out a group.

Per candidate: the outcome rate inside the group and among the other households, the **lift**
(risk ratio) with a confidence interval — on the **training period** (the earlier first-signal
months) with a Bonferroni correction for the number of candidates tested, then again on the
**hold-out period** (the later months, never looked at while choosing). A candidate is
*validated* when both lower bounds lie above 1. Disclosure: a candidate is reported only when
each cell of its 2x2 table (inside or outside the group, outcome or not) holds at least the
activity's minimum frequency; counts are shown rounded to 5; rates and lifts are computed from
the exact counts of those cells.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import duckdb
import numpy as np
import numpy.typing as npt

from meedoen_data.activity_store import store_path
from meedoen_data.signals.retention import retention_cutoff
from meedoen_data.workspace import Workspace

__all__ = ["OUTCOMES", "Candidate", "Discovery", "Units", "discover", "units_read"]

B = npt.NDArray[np.bool_]
OUTCOMES = {
    "schuldhulp_12m": "a member starts a debt-help trajectory within 12 months after the "
    "household's first signal"
}
HORIZON_MONTHS = 12
EPISODE_MONTHS = 3
PARTNERS = ("HUUR", "ENERGIE", "WATER", "ZORGVERZEKERAAR", "CAK")
#: Candidate indicators and what they mean. Ids before ":" name a group whose members exclude
#: each other (no pair within a group is tried).
FEATURES: dict[str, str] = {
    **{f"partner:{p}": f"a signal from {p}" for p in PARTNERS},
    "patroon:meervoudig": "signals from several partners",
    "patroon:herhaald": "one partner in consecutive months",
    "patroon:crisis": "a crisis signal",
    "bedrag:<100": "total amount under EUR 100",
    "bedrag:100-250": "total amount EUR 100-250",
    "bedrag:250-1000": "total amount EUR 250-1,000",
    "bedrag:>=1000": "total amount EUR 1,000 or more",
    "huishouden:eenpersoons": "one-person household",
    "huishouden:paar_zonder_kinderen": "couple without children",
    "huishouden:paar_met_kinderen": "couple with children",
    "huishouden:eenouder": "single-parent household",
    "leeftijd:<27": "reference person under 27",
    "leeftijd:27-44": "reference person 27-44",
    "leeftijd:45-64": "reference person 45-64",
    "leeftijd:65+": "reference person 65 or older",
    "voorziening:bijstand": "bijstand (Participatiewet) at the first signal",
    "voorziening:wmo": "Wmo support at the first signal",
    "voorziening:jeugd": "youth care at the first signal",
}
PROTECTED = "migratieachtergrond"


class DiscoveryError(Exception):
    """The store lacks what discovery needs (linked signals, households, debt help)."""


@dataclass
class Units:
    """One row per household: its first-signal month (``year*12 + month-1``), the outcome,
    the candidate features and the protected characteristic (None: unknown)."""

    month: npt.NDArray[np.int64]
    outcome: B
    features: dict[str, B]
    protected: npt.NDArray[np.float64]  # 1.0 migration background, 0.0 none, nan unknown
    #: The activity pseudonyms of the members of these households: whose data was used.
    subjects: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.month.shape[0])


@dataclass(frozen=True)
class Stat:
    n: int  # rounded to 5 when reported
    events: int  # rounded to 5 when reported
    rate: float
    rest_rate: float
    lift: float
    low: float
    high: float


@dataclass(frozen=True)
class Fairness:
    #: Share with a migration background inside the group / among all households (None: one
    #: part of the group is under the minimum frequency; the warning still says what it means).
    share_in_group: float | None
    share_overall: float
    ratio: float | None
    #: Lift inside the households with and without a migration background (None: too few).
    lift_with: float | None
    lift_without: float | None
    #: The candidate mainly singles out the protected group: over-represented by half or more,
    #: or no lift left among households without a migration background.
    warning: bool


@dataclass(frozen=True)
class Candidate:
    features: tuple[str, ...]
    label: str
    train: Stat
    holdout: Stat | None  # None: too few in the hold-out period to report
    validated: bool
    fairness: Fairness | None


@dataclass
class Discovery:
    outcome: str
    units: int  # households with an observed outcome (rounded to 5)
    events: int
    base_rate: float
    train_months: tuple[int, int]  # first and last first-signal month (year*12 + month - 1)
    holdout_months: tuple[int, int]
    tested: int
    withheld: int  # candidates with a cell under the minimum frequency
    z_train: float
    min_frequency: int
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def validated(self) -> list[Candidate]:
        return [c for c in self.candidates if c.validated]


def month_text(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


#: A YYYYMM value as a month number (year * 12 + month - 1).
_YM = "CREATE OR REPLACE TEMP MACRO ym(v) AS (v // 100 * 12 + v % 100 - 1)"


def units_read(*, home: Path, activity_id: int) -> Units:
    """The households of the activity's store that received signals (see the module). After a
    retention run deleted signals without a follow-up, only households whose first signal is
    after its cut-off count: before it, what is left is only what led to help."""
    path = store_path(Workspace(home), activity_id)
    if not path.exists():
        raise DiscoveryError(f"activity {activity_id} has no store yet: build it first")
    cutoff = retention_cutoff(home=home)
    since = None
    if cutoff is not None:  # the first whole month after the cut-off
        since = cutoff.year * 12 + cutoff.month - 1 + (cutoff.day > 1)
    con = duckdb.connect(str(path), read_only=True)
    try:
        present = {
            f"{schema}.{name}"
            for schema, name in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
                "SELECT schema_name, view_name FROM duckdb_views()"
            ).fetchall()
        }
        needed = {
            "source.vroegsignaal": "the early-warning signals (source signalen)",
            "source.schuldhulptraject": "debt-help trajectories (source schulden)",
            "link.record": "linked signals: run meedoen signals link --activity ID",
            "household.household_person": "households: run meedoen build --activity ID",
        }
        missing = [why for table, why in needed.items() if table not in present]
        if missing:
            raise DiscoveryError("the activity's store lacks " + "; ".join(missing))
        units = _units(con, present, since)
    finally:
        con.close()
    if cutoff is not None and len(units) == 0:
        raise DiscoveryError(
            f"signals without a follow-up dated before {cutoff} were deleted (retention), so "
            "the older signals left are only those that led to help: learning from them would "
            "overstate every pattern. No household has its first signal after that date with "
            "12 months observed since; discovery needs a retention period longer than the "
            "outcome's 12 months (MEEDOEN_SIGNALS_RETENTION_DAYS: the privacy officer's and "
            "the legal adviser's decision)"
        )
    return units


def _units(con: duckdb.DuckDBPyConnection, present: set[str], since: int | None) -> Units:
    con.execute(_YM)
    con.execute(
        """
        CREATE TEMP TABLE sig AS
        SELECT r.household_id, s.signaalpartner AS partner, s.bedrag,
               coalesce(s.crisissignaal, 'N') = 'J' AS crisis,
               ym(s.signaaldatum_maand) AS month
        FROM source.vroegsignaal s
        JOIN link.record r ON r.record_id = s.signaalid AND r.source = 'vroegsignaal'
        JOIN (SELECT arg_max(run_id, started_at) AS run_id FROM link.run
              WHERE source = 'vroegsignaal') last ON last.run_id = r.run_id
        WHERE r.household_id IS NOT NULL AND r.review_status IN ('bsn', 'auto', 'accepted')
        """
    )
    con.execute(
        "CREATE TEMP TABLE first AS SELECT household_id, min(month) AS m0 FROM sig GROUP BY 1"
    )
    newest = con.execute("SELECT max(month) FROM sig").fetchall()[0][0]
    if newest is None:
        raise DiscoveryError("no linked signal belongs to a household of the store")
    con.execute(
        "CREATE TEMP TABLE member AS SELECT household_id, person_pseudonym, peildatum "
        "FROM household.household_person "
        "WHERE peildatum = (SELECT max(peildatum) FROM household.household_person)"
    )
    con.execute(
        """
        CREATE TEMP TABLE help AS
        SELECT m.household_id, ym(t.startdatum_maand) AS start, ym(t.einddatum_maand) AS stop
        FROM source.schuldhulptraject t JOIN member m ON m.person_pseudonym = t.person_pseudonym
        """
    )
    con.execute(
        "CREATE TEMP TABLE service (household_id VARCHAR, kind VARCHAR, start BIGINT, stop BIGINT)"
    )
    if "source.inkomensvoorziening" in present:
        con.execute(
            "INSERT INTO service SELECT m.household_id, 'bijstand', ym(i.ingangsdatum_maand), "
            "ym(i.einddatum_maand) FROM source.inkomensvoorziening i "
            "JOIN member m ON m.person_pseudonym = i.person_pseudonym "
            "WHERE i.wet = 'PARTICIPATIEWET'"
        )
    if "source.toewijzing" in present:
        con.execute(
            "INSERT INTO service SELECT m.household_id, "
            "CASE WHEN t.wet = 'WMO' THEN 'wmo' ELSE 'jeugd' END, "
            "ym(t.datumstarttoewijzing_maand), ym(t.datumeindetoewijzing_maand) "
            "FROM source.toewijzing t JOIN member m ON m.person_pseudonym = t.person_pseudonym"
        )
    con.execute(
        "CREATE TEMP TABLE background (household_id VARCHAR, household_type VARCHAR, "
        "reference_person_age INTEGER, migratieachtergrond VARCHAR)"
    )
    if "household.household" in present:
        con.execute(
            "INSERT INTO background SELECT h.household_id, h.household_type, "
            "h.reference_person_age, h.migratieachtergrond FROM household.household h "
            "WHERE h.peildatum = (SELECT max(peildatum) FROM member)"
        )
    rows = con.execute(
        """
        WITH within AS (
            SELECT s.*, f.m0 FROM first f JOIN sig s ON s.household_id = f.household_id
             AND s.month < f.m0 + $episode
        ),
        repeated AS (
            SELECT DISTINCT a.household_id FROM within a JOIN within b
              ON b.household_id = a.household_id AND b.partner = a.partner
             AND b.month = a.month + 1
        ),
        episode AS (
            SELECT w.household_id, w.m0,
                   list(DISTINCT w.partner) AS partners,
                   sum(coalesce(w.bedrag, 0)) AS amount,
                   bool_or(w.crisis) AS crisis,
                   count(DISTINCT w.partner) AS n_partners,
                   bool_or(r.household_id IS NOT NULL) AS repeated
            FROM within w LEFT JOIN repeated r ON r.household_id = w.household_id
            GROUP BY 1, 2
        )
        SELECT e.household_id, e.m0, e.partners, e.amount, e.crisis, e.n_partners, e.repeated,
               EXISTS (SELECT 1 FROM help h WHERE h.household_id = e.household_id
                       AND h.start > e.m0 AND h.start <= e.m0 + $horizon) AS outcome,
               EXISTS (SELECT 1 FROM help h WHERE h.household_id = e.household_id
                       AND h.start <= e.m0 AND (h.stop IS NULL OR h.stop >= e.m0)) AS in_help,
               list(DISTINCT v.kind) FILTER (WHERE v.kind IS NOT NULL) AS kinds,
               any_value(b.household_type), any_value(b.reference_person_age),
               any_value(b.migratieachtergrond)
        FROM episode e
        LEFT JOIN service v ON v.household_id = e.household_id AND v.start <= e.m0
             AND (v.stop IS NULL OR v.stop >= e.m0)
        LEFT JOIN background b ON b.household_id = e.household_id
        WHERE e.m0 + $horizon <= $newest AND ($since IS NULL OR e.m0 >= $since)
        GROUP BY e.household_id, e.m0, e.partners, e.amount, e.crisis, e.n_partners, e.repeated
        ORDER BY e.m0, e.household_id
        """,
        {"newest": newest, "episode": EPISODE_MONTHS, "horizon": HORIZON_MONTHS, "since": since},
    ).fetchall()
    rows = [r for r in rows if not r[8]]  # already in debt help at the first signal
    n = len(rows)
    con.execute("CREATE TEMP TABLE unit (household_id VARCHAR)")
    if rows:
        con.executemany("INSERT INTO unit VALUES (?)", [[r[0]] for r in rows])
    subjects = [
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT m.person_pseudonym FROM member m JOIN unit u USING (household_id) "
            "ORDER BY 1"
        ).fetchall()
    ]
    features = {name: np.zeros(n, dtype=bool) for name in FEATURES}
    month = np.zeros(n, dtype=np.int64)
    outcome = np.zeros(n, dtype=bool)
    protected = np.full(n, np.nan)
    for i, row in enumerate(rows):
        _, m0, partners, amount, crisis, n_partners, repeated, out, _, kinds, kind, age, mig = row
        month[i], outcome[i] = m0, bool(out)
        for p in partners or []:
            if f"partner:{p}" in features:
                features[f"partner:{p}"][i] = True
        features["patroon:meervoudig"][i] = n_partners > 1
        features["patroon:herhaald"][i] = bool(repeated)
        features["patroon:crisis"][i] = bool(crisis)
        value = float(amount or 0)
        band = "<100" if value < 100 else "100-250" if value < 250 else "250-1000"
        features[f"bedrag:{'>=1000' if value >= 1000 else band}"][i] = True
        if f"huishouden:{kind}" in features:
            features[f"huishouden:{kind}"][i] = True
        if age is not None:
            group = "<27" if age < 27 else "27-44" if age < 45 else "45-64" if age < 65 else "65+"
            features[f"leeftijd:{group}"][i] = True
        for k in kinds or []:
            features[f"voorziening:{k}"][i] = True
        if mig is not None:
            protected[i] = 0.0 if mig == "geen" else 1.0
    return Units(month, outcome, features, protected, subjects)


def _round5(value: int) -> int:
    return int(5 * round(value / 5))


def _stat(inside: B, outcome: B, z: float) -> tuple[int, int, int, int, float, float, float]:
    """(n in, events in, n out, events out, lift, low, high) with a log risk-ratio interval."""
    n1, a = int(inside.sum()), int((inside & outcome).sum())
    n0, c = int((~inside).sum()), int((~inside & outcome).sum())
    if min(a, c) == 0 or n1 == a or n0 == c:
        return n1, a, n0, c, math.nan, math.nan, math.nan
    lift = (a / n1) / (c / n0)
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
    return n1, a, n0, c, lift, lift * math.exp(-z * se), lift * math.exp(z * se)


def _published(n1: int, a: int, n0: int, c: int, lift: float, low: float, high: float) -> Stat:
    """What is released of a group: counts rounded to 5, rates to whole per cents and ratios to
    one decimal — an exact rate beside a rounded count would give the exact count back."""
    return Stat(
        _round5(n1),
        _round5(a),
        round(a / n1, 2),
        round(c / n0, 2),
        round(lift, 1),
        round(low, 1),
        round(high, 1),
    )


def _parts_safe(units: Units, combo: tuple[str, ...], period: B, floor: int) -> bool:
    """A pair is released beside each of its features alone: the difference of the two (those
    with one feature but not the other) must pass the frequency rule too, or subtracting one
    release from the other would publish a group under the minimum."""
    if len(combo) < 2:
        return True
    y = units.outcome[period]
    for first, second in (combo, combo[::-1]):
        part = (units.features[first] & ~units.features[second])[period]
        n1, a = int(part.sum()), int((part & y).sum())
        if n1 > 0 and min(a, n1 - a) < floor:
            return False
    return True


def _safe(n1: int, a: int, n0: int, c: int, floor: int) -> bool:
    return min(a, n1 - a, c, n0 - c) >= floor


def _fairness(
    inside: B, outcome: B, protected: npt.NDArray[np.float64], z: float, floor: int
) -> Fairness | None:
    known = ~np.isnan(protected)
    if known.sum() == 0 or (inside & known).sum() == 0:
        return None
    flag = protected == 1.0
    share_in = float((inside & flag).sum() / (inside & known).sum())
    share_all = float((flag & known).sum() / known.sum())
    ratio = share_in / share_all if share_all else math.nan
    lifts = []
    for stratum in (flag & known, ~flag & known):
        n1, a, n0, c, lift, _, _ = _stat(inside[stratum], outcome[stratum], z)
        lifts.append(lift if _safe(n1, a, n0, c, floor) and not math.isnan(lift) else None)
    without = lifts[1]
    warning = (not math.isnan(ratio) and ratio >= 1.5) or (without is not None and without <= 1.0)
    # The shares are published only when both parts of the group pass the frequency rule: a
    # share of 2 in 30 would tell how many households of the group have a migration background.
    counts = (int((inside & flag).sum()), int((inside & known & ~flag).sum()))
    shown = min(counts) >= floor
    return Fairness(
        round(share_in, 2) if shown else None,
        round(share_all, 2),
        round(ratio, 1) if shown else None,
        None if lifts[0] is None else round(lifts[0], 1),
        None if without is None else round(without, 1),
        warning,
    )


def discover(
    units: Units,
    *,
    outcome: str = "schuldhulp_12m",
    holdout_share: float = 1 / 3,
    min_frequency: int = 10,
    max_order: int = 2,
    alpha: float = 0.05,
) -> Discovery:
    """Candidate indicators of the outcome among ``units`` (see the module): the later
    ``holdout_share`` of first-signal months is the hold-out period."""
    if len(units) == 0:
        raise DiscoveryError(
            "no household has a first signal at least 12 months before the newest signal: "
            "nothing to learn from yet"
        )
    months = np.unique(units.month)
    cut = months[max(1, min(len(months) - 1, round(len(months) * (1 - holdout_share))))]
    train, hold = units.month < cut, units.month >= cut
    if not hold.any() or not train.any():
        raise DiscoveryError("too few months of signals to keep a hold-out period apart")
    names = [name for name in FEATURES if units.features[name][train].sum() >= min_frequency]
    combos: list[tuple[str, ...]] = [(name,) for name in names]
    if max_order >= 2:
        for a, b in itertools.combinations(names, 2):
            if a.split(":")[0] == b.split(":")[0]:
                continue
            both = units.features[a] & units.features[b]
            if both[train].sum() >= min_frequency:
                combos.append((a, b))
    z_train = NormalDist().inv_cdf(1 - alpha / (2 * max(1, len(combos))))
    z_hold = NormalDist().inv_cdf(1 - alpha / 2)
    result = Discovery(
        outcome=outcome,
        units=_round5(len(units)),
        events=_round5(int(units.outcome.sum())),
        base_rate=float(units.outcome.mean()),
        train_months=(int(months[0]), int(cut - 1)),
        holdout_months=(int(cut), int(months[-1])),
        tested=len(combos),
        withheld=0,
        z_train=z_train,
        min_frequency=min_frequency,
    )
    y = units.outcome
    for combo in combos:
        inside = np.logical_and.reduce([units.features[f] for f in combo])
        n1, events, n0, c, lift, low, high = _stat(inside[train], y[train], z_train)
        if not _safe(n1, events, n0, c, min_frequency) or not _parts_safe(
            units, combo, train, min_frequency
        ):
            result.withheld += 1
            continue
        if math.isnan(lift) or lift <= 1.0:
            continue  # only what is followed *more* often by debt help is a candidate
        train_stat = _published(n1, events, n0, c, lift, low, high)
        hn1, ha, hn0, hc, hlift, hlow, hhigh = _stat(inside[hold], y[hold], z_hold)
        holdout = None
        if (
            _safe(hn1, ha, hn0, hc, min_frequency)
            and _parts_safe(units, combo, hold, min_frequency)
            and not math.isnan(hlift)
        ):
            holdout = _published(hn1, ha, hn0, hc, hlift, hlow, hhigh)
        validated = low > 1.0 and holdout is not None and hlow > 1.0
        result.candidates.append(
            Candidate(
                combo,
                " and ".join(FEATURES[f] for f in combo),
                train_stat,
                holdout,
                validated,
                _fairness(inside, y, units.protected, z_hold, min_frequency),
            )
        )
    result.candidates.sort(key=lambda c: (not c.validated, -c.train.low, c.features))
    return result
