"""Early-warning signals at municipal scale: a month of 10,000 signals linked to persons and
triaged, against a municipality of 250,000 persons (target: linking + triage in at most 60 s).

    make bench-signals            # PERSONS=250000 SIGNALS=10000 RUNS=3

A synthetic municipality (GM0772, PERSONS persons, seed 1) is generated with its truth. Its
signals span two years, a few hundred a month; so a month is added: heads of private households
that have no signal yet are drawn (from ``truth/household`` and the register's files) and signal
by the partners in their shares (``calibration.VROEGSIGNAAL_PARTNER_SHARES``; one to three
signals per household, as the generator does) in December 2024, until the delivered file holds
SIGNALS signals dated in that month. They are written as the partners write them: the BSN only
from health insurers and the CAK, the birth date from them and housing corporations (day and
month swapped in 2% of the latter's), name and address with the generator's identity noise
(:func:`meedoen_data.synth.signals.identity_noise`), and their truth appended to
``truth/signal``. Everything is loaded through the intake gate. Then, RUNS times each (medians):

- **link**: :func:`link_signals` of every delivered signal, with a fresh linkage file each run
  (no earlier links or review decisions to keep);
- **triage**: :func:`signals_read` of the month (``on`` 2025-01-01, ``since`` 2024-12-01) and
  :func:`triage` with the default rules for every household, as the debt-help work list does;
- **exact SQL**: what a municipality would otherwise do, in its best honest configuration: a
  deterministic match in DuckDB on the same vault — by BSN where the partner sent one, else the
  register persons living at the signal's postcode and house number on the latest signal date
  whose surname (normalised by the same macros, :data:`SQL_MACROS`: core without tussenvoegsel,
  or glued) is the signal's, keeping only those whose first initial and (where sent) birth date
  agree; linked when exactly one person remains.

Both are compared with the truth: linked by BSN or automatically (for the exact match: exactly)
to the signal's household (right) or another (wrong); awaiting review (meedoen only), the
person proposed living in the signal's household or not; or not linked (unmatched; for the
exact match also: several persons fit). ``BENCH_TMP`` chooses the scratch folder. Writes
``benchmarks/results/signals.md``.
"""

from __future__ import annotations

import csv
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from meedoen_data.casework import zone_open
from meedoen_data.intake import ingest_directory
from meedoen_data.linkage import linkage_path
from meedoen_data.linkage.normalise import SQL_MACROS, swapped_date
from meedoen_data.linkage.signals import link_signals
from meedoen_data.signals import rules_load, signals_read, triage
from meedoen_data.synth import synth_municipality
from meedoen_data.synth.calibration import VROEGSIGNAAL_PARTNER_SHARES
from meedoen_data.synth.signals import (
    BIRTH_DATE_PARTNERS,
    DAY_MONTH_SWAP,
    DAY_MONTH_SWAP_SHARE,
    identity_noise,
)
from meedoen_data.workspace import Workspace, workspace_init

PERSONS = int(os.environ.get("PERSONS", "250000"))
SIGNALS = int(os.environ.get("SIGNALS", "10000"))
RUNS = int(os.environ.get("RUNS", "3"))
GEMEENTE = "GM0772"  # Eindhoven: about 240,000 inhabitants
SEED = 1
ACTIVITY = 1
MONTH = (date(2024, 12, 1), date(2024, 12, 31))
ON = date(2025, 1, 1)
TARGET_SECONDS = 60.0
BSN_PARTNERS = ("ZORGVERZEKERAAR", "CAK")
#: right / wrong: linked by BSN or automatically to the true household or another one; awaiting
#: review with a person proposed in the true household (``pending_right``) or not
#: (``pending_other``: another household or no person); not linked.
OUTCOMES = ("right", "wrong", "pending_right", "pending_other", "unmatched")
RESULTS = Path(__file__).parent / "results" / "signals.md"


# --- a month of signals -------------------------------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    """Rows at the end of a CSV file, in the order of its header."""
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writerows(rows)


def _heads_without_signals(sources: Path) -> list[tuple[Any, ...]]:
    """Heads of private households without a signal: BSN, household, name, birth date, sex,
    address and the last formal partner's surname and tussenvoegsel, ordered by BSN."""
    con = duckdb.connect()
    try:
        for name in ("ingeschrevenpersoon", "nummeraanduiding", "relatie"):
            con.read_csv(str(sources / f"{name}.csv"), all_varchar=True).create_view(name)
        for name in ("household", "signal"):
            path = sources / "truth" / f"{name}.csv"
            con.read_csv(str(path), all_varchar=True).create_view(f"truth_{name}")
        return con.execute(
            """
            WITH spouse AS (
                SELECT r.burgerservicenummer AS bsn,
                       arg_max({'sur': q.geslachtsnaam, 'pre': q.voorvoegsel},
                               coalesce(r.datumingang, '')) AS name
                FROM relatie r JOIN ingeschrevenpersoon q
                  ON q.burgerservicenummer = r.gerelateerde_burgerservicenummer
                WHERE r.soortrelatie = 'partner' GROUP BY 1
            )
            SELECT h.burgerservicenummer, h.household_id, p.geslachtsnaam, p.voorvoegsel,
                   p.voornamen, p.datumgeboorte, p.geslachtsaanduiding, a.postcode,
                   a.huisnummer, coalesce(a.huisletter, '') || coalesce(a.huisnummertoevoeging, ''),
                   s.name.sur, s.name.pre
            FROM truth_household h
            JOIN ingeschrevenpersoon p USING (burgerservicenummer)
            JOIN nummeraanduiding a
              ON a.adresseerbaarobjectidentificatie = h.adresseerbaarobjectidentificatie
            LEFT JOIN spouse s ON s.bsn = h.burgerservicenummer
            WHERE h.role = 'head' AND h.household_type <> 'institutioneel'
              AND h.household_id NOT IN (SELECT household_id FROM truth_signal)
            ORDER BY h.burgerservicenummer
            """
        ).fetchall()
    finally:
        con.close()


def add_month(sources: Path, rng: np.random.Generator) -> tuple[int, int]:
    """Append signals dated in :data:`MONTH` to ``vroegsignaal.csv`` (and their truth) until it
    holds :data:`SIGNALS` of them. Returns (signals of the month before, signals added)."""
    signals = _csv_rows(sources / "vroegsignaal.csv")
    first, last = (d.isoformat() for d in MONTH)
    before = sum(first <= s["signaaldatum"] <= last for s in signals)
    need = max(0, SIGNALS - before)
    heads = _heads_without_signals(sources)
    order = rng.permutation(len(heads))
    per_household = 1 + (rng.random(len(heads)) < 0.4) + (rng.random(len(heads)) < 0.15)
    about: list[int] = []
    for k in order:
        about.extend([int(k)] * int(per_household[k]))
        if len(about) >= need:
            break
    if len(about) < need:
        raise SystemExit(f"only {len(about):,} signals possible; PERSONS is too small")
    about = about[:need]
    n = len(about)
    names = list(VROEGSIGNAAL_PARTNER_SHARES)
    shares = np.array([VROEGSIGNAAL_PARTNER_SHARES[p] for p in names])
    partner = np.array(names)[rng.choice(len(names), n, p=shares / shares.sum())]
    day = rng.integers(0, (MONTH[1] - MONTH[0]).days + 1, n)
    arrears_days = rng.integers(30, 121, n)
    amount = np.round(100 + rng.gamma(1.5, 600.0, n), 2)
    crisis = rng.random(n) < 0.03
    swap = (rng.random(n) < DAY_MONTH_SWAP_SHARE) & (partner == "HUUR")
    rows = [heads[k] for k in about]
    identity: dict[str, list[Any]] = {
        "geslachtsnaam": [r[2] for r in rows],
        "voorvoegsel": [r[3] or None for r in rows],
        "voornamen": [r[4] or None for r in rows],
        "postcode": [r[7] for r in rows],
        "huisnummer": [int(r[8]) for r in rows],
        "huisnummertoevoeging": [r[9] or None for r in rows],
    }
    spouse: list[tuple[str, str | None] | None] = [
        (str(r[10]), r[11] or None) if r[6] == "V" and r[10] else None for r in rows
    ]
    noisy, noise = identity_noise(rng, partner, identity, spouse)
    out, truth = [], []
    for i, row in enumerate(rows):
        bsn, household, born = row[0], row[1], date.fromisoformat(row[5])
        kinds = str(noise[i])
        if swap[i] and (other := swapped_date(born)) is not None:
            born, kinds = other, ";".join(filter(None, (DAY_MONTH_SWAP, kinds)))
        signal_day = MONTH[0] + timedelta(days=int(day[i]))
        sid = f"M{i:010d}"
        out.append(
            {
                "signaalid": sid,
                "signaalpartner": str(partner[i]),
                "burgerservicenummer": bsn if partner[i] in BSN_PARTNERS else "",
                **{c: "" if v[i] is None else str(v[i]) for c, v in noisy.items()},
                "geboortedatum": born.isoformat() if partner[i] in BIRTH_DATE_PARTNERS else "",
                "bedrag": f"{amount[i]:.2f}",
                "ontstaansdatum": (signal_day - timedelta(days=int(arrears_days[i]))).isoformat(),
                "signaaldatum": signal_day.isoformat(),
                "crisissignaal": "J" if crisis[i] else "N",
            }
        )
        truth.append(
            {
                "signaalid": sid,
                "burgerservicenummer": bsn,
                "household_id": household,
                "planted": "false",
                "noise": kinds,
            }
        )
    _append(sources / "vroegsignaal.csv", out)
    _append(sources / "truth" / "signal.csv", truth)
    return before, n


# --- the measurements ------------------------------------------------------------------------


def link_once(home: Path) -> tuple[float, dict[str, int], dict[str, tuple[str | None, str]]]:
    """:func:`link_signals` on a fresh linkage file: seconds, counts per status, and per
    signal the person linked (or none) and the status."""
    path = linkage_path(Workspace(home), ACTIVITY)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    report = link_signals(home=home, activity_id=ACTIVITY)
    seconds = time.perf_counter() - started
    con = duckdb.connect(str(path), read_only=True)
    try:
        links = {
            str(k): (None if b is None else str(b), str(s))
            for k, b, s in con.execute(
                "SELECT klantnummer, bsn, status FROM link WHERE run_id = ?", [report.run_id]
            ).fetchall()
        }
    finally:
        con.close()
    return seconds, dict(report.by_status), links


def triage_once(home: Path) -> tuple[float, int, int, Counter[str]]:
    """The month's work list: seconds, households, signals on them, households per priority."""
    started = time.perf_counter()
    rules = rules_load()
    read = signals_read(home=home, activity_id=ACTIVITY, on=ON, since=MONTH[0])
    priority = Counter(
        triage(rules, h.signals, in_debt_help=h.in_debt_help).rule.priority for h in read.households
    )
    seconds = time.perf_counter() - started
    return seconds, len(read.households), sum(len(h.signals) for h in read.households), priority


EXACT_SQL = """
CREATE OR REPLACE TEMP TABLE exact_register AS
SELECT i.burgerservicenummer AS bsn,
       nl_surname_core(i.voorvoegsel, i.geslachtsnaam) AS surname_core,
       nl_surname_full(i.voorvoegsel, i.geslachtsnaam) AS surname_full,
       left(nl_initials(i.voornamen), 1) AS initial, i.datumgeboorte AS born,
       nl_postcode(n.postcode) AS postcode, n.huisnummer
FROM vault.identity.ingeschrevenpersoon i
JOIN vault.identity.verblijfplaats v USING (burgerservicenummer)
JOIN vault.identity.nummeraanduiding n ON n.identificatie = v.nummeraanduidingidentificatie
WHERE (v.datumvan IS NULL OR v.datumvan <= $on) AND (v.datumtot IS NULL OR v.datumtot > $on);
CREATE OR REPLACE TEMP TABLE exact_signal AS
SELECT signaalid, burgerservicenummer AS bsn,
       nl_surname_core(voorvoegsel, geslachtsnaam) AS surname_core,
       nl_surname_full(voorvoegsel, geslachtsnaam) AS surname_full,
       left(nl_initials(voornamen), 1) AS initial, geboortedatum AS born,
       nl_postcode(postcode) AS postcode, huisnummer
FROM vault.identity.vroegsignaal;
CREATE OR REPLACE TEMP TABLE exact_link AS
WITH fits AS (
    SELECT s.signaalid, count(DISTINCT r.bsn) AS persons, any_value(r.bsn) AS bsn
    FROM exact_signal s
    JOIN exact_register r ON r.postcode = s.postcode AND r.huisnummer = s.huisnummer
    WHERE s.bsn IS NULL
      AND (r.surname_core = s.surname_core OR r.surname_full = s.surname_full)
      AND (s.initial IS NULL OR r.initial = s.initial)
      AND (s.born IS NULL OR r.born = s.born)
    GROUP BY 1
)
SELECT s.signaalid,
       CASE WHEN s.bsn IS NOT NULL THEN k.burgerservicenummer WHEN f.persons = 1 THEN f.bsn END
           AS bsn,
       CASE WHEN s.bsn IS NOT NULL AND k.burgerservicenummer IS NOT NULL THEN 'bsn'
            WHEN s.bsn IS NOT NULL THEN 'unmatched'
            WHEN f.persons = 1 THEN 'exact'
            WHEN f.persons > 1 THEN 'ambiguous'
            ELSE 'unmatched' END AS status
FROM exact_signal s
LEFT JOIN fits f USING (signaalid)
LEFT JOIN vault.identity.ingeschrevenpersoon k ON k.burgerservicenummer = s.bsn;
"""


def exact_once(home: Path) -> tuple[float, dict[str, int], dict[str, tuple[str | None, str]]]:
    """The deterministic exact match in SQL (see the module): seconds, counts per status, and
    per signal the person linked (or none) and the status."""
    started = time.perf_counter()
    with zone_open(home) as con:
        con.execute(SQL_MACROS)
        latest = con.execute("SELECT max(signaaldatum) FROM vault.identity.vroegsignaal")
        on = latest.fetchall()[0][0]
        for statement in filter(str.strip, EXACT_SQL.split(";")):
            con.execute(statement, {"on": on} if "$on" in statement else None)
        rows = con.execute("SELECT signaalid, bsn, status FROM exact_link").fetchall()
    seconds = time.perf_counter() - started
    links = {str(k): (None if b is None else str(b), str(s)) for k, b, s in rows}
    return seconds, dict(Counter(s for _, s in links.values())), links


def outcome(
    link: tuple[str | None, str] | None, household: str, households: Mapping[str, str]
) -> str:
    """One of :data:`OUTCOMES` for one signal."""
    if link is None:
        return "unmatched"
    bsn, status = link
    right = bsn is not None and households.get(bsn) == household
    if bsn is not None and status in {"bsn", "auto", "accepted", "exact"}:
        return "right" if right else "wrong"
    if status == "pending":
        return "pending_right" if right else "pending_other"
    return "unmatched"


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _tally(
    links: Mapping[str, tuple[str | None, str]],
    truth: Mapping[str, dict[str, str]],
    households: Mapping[str, str],
    keep: Callable[[str], bool],
) -> Counter[str]:
    return Counter(
        outcome(links.get(sid), row["household_id"], households)
        for sid, row in truth.items()
        if keep(sid)
    )


def _row(label: str, method: str, tally: Counter[str]) -> str:
    n = sum(tally.values())
    cells = " | ".join(f"{tally[o]:,} ({100 * tally[o] / n:.1f}%)" for o in OUTCOMES)
    return f"| {label} | {method} | {cells} |"


def main() -> None:
    scratch = os.environ.get("BENCH_TMP") or None
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        root = Path(folder)
        home, sources = root / "home", root / "sources"
        started = time.perf_counter()
        synth_municipality(
            gemeente=GEMEENTE, out=sources, seed=SEED, persons=PERSONS, with_truth=True
        )
        before, added = add_month(
            sources, np.random.default_rng(np.random.SeedSequence([SEED, 12]))
        )
        made = time.perf_counter() - started
        workspace_init(home=home)
        started = time.perf_counter()
        ingest_directory(home=home, directory=sources, user="bench")
        ingest = time.perf_counter() - started
        truth = {r["signaalid"]: r for r in _csv_rows(sources / "truth" / "signal.csv")}
        households = {
            r["burgerservicenummer"]: r["household_id"]
            for r in _csv_rows(sources / "truth" / "household.csv")
        }
        signals = {r["signaalid"]: r for r in _csv_rows(sources / "vroegsignaal.csv")}
        link_s, triage_s, exact_s = [], [], []
        for _ in range(RUNS):
            seconds, statuses, links = link_once(home)
            link_s.append(seconds)
            seconds, n_households, n_shown, priorities = triage_once(home)
            triage_s.append(seconds)
            seconds, exact_statuses, exact = exact_once(home)
            exact_s.append(seconds)
            load.append(os.getloadavg()[0])
            print(
                f"run {len(link_s)}: link {link_s[-1]:.1f} s, triage {triage_s[-1]:.1f} s, "
                f"exact SQL {seconds:.1f} s",
                flush=True,
            )
    first, last = (d.isoformat() for d in MONTH)

    def everything(sid: str) -> bool:
        return True

    def in_month(sid: str) -> bool:
        return first <= signals[sid]["signaaldatum"] <= last

    month = sum(in_month(s) for s in truth)
    link_m, triage_m, exact_m = _median(link_s), _median(triage_s), _median(exact_s)
    total = link_m + triage_m
    kinds = sorted(
        {k for r in truth.values() for k in r["noise"].split(";") if k},
        key=lambda k: -sum(k in r["noise"].split(";") for r in truth.values()),
    )

    def with_kind(kind: str) -> Callable[[str], bool]:
        if kind == "none":
            return lambda sid: in_month(sid) and not truth[sid]["noise"]
        return lambda sid: in_month(sid) and kind in truth[sid]["noise"].split(";")

    status_text = ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))
    exact_text = ", ".join(f"{k} {v:,}" for k, v in sorted(exact_statuses.items()))
    priority_text = ", ".join(f"{k} {v:,}" for k, v in sorted(priorities.items()))
    lines = [
        "# Early-warning signals: a month linked and triaged",
        "",
        f"Generated by `make bench-signals` on {date.today().isoformat()}, {os.cpu_count()} "
        f"cores: {GEMEENTE} with {PERSONS:,} persons (seed {SEED}), {len(truth):,} signals "
        f"delivered, {month:,} of them dated {first[:7]} ({before:,} from the generator, "
        f"{added:,} added for heads of households without a signal, written with the "
        f"generator's identity noise). Generation {made:.0f} s, ingest {ingest:.0f} s (once). "
        f"Medians of {RUNS} runs; 1-minute load average {load[0]:.1f} at the start, "
        f"{', '.join(f'{x:.1f}' for x in load[1:])} after each run (the machine is shared).",
        "",
        "| step | median s | runs s | result |",
        "|---|---:|---|---|",
        f"| `link_signals`, all {len(truth):,} signals (fresh linkage file) | {link_m:.1f} | "
        f"{', '.join(f'{s:.1f}' for s in link_s)} | {status_text} |",
        f"| triage: `signals_read` {first} .. {ON.isoformat()} + `triage` per household | "
        f"{triage_m:.1f} | {', '.join(f'{s:.1f}' for s in triage_s)} | {n_households:,} "
        f"households, {n_shown:,} signals; {priority_text} |",
        f"| **link + triage** (target {TARGET_SECONDS:.0f} s) | **{total:.1f}** | "
        f"{total / TARGET_SECONDS:.2f}x the target | |",
        f"| exact SQL match (baseline), all signals | {exact_m:.1f} | "
        f"{', '.join(f'{s:.1f}' for s in exact_s)} | {exact_text} |",
        f"| link / exact SQL | {link_m / exact_m:.1f}x | | |",
        "",
        "Accuracy against `truth/signal` (right / wrong: linked by BSN or automatically — for "
        "the exact match: exactly — to the signal's true household or another one; review: "
        "awaiting review, the person proposed in the true household or not (another, or none); "
        "unmatched: not linked, for the exact match including `ambiguous`, several persons "
        "fit):",
        "",
        "| signals | method | right | wrong | review, right proposed | review, other | unmatched |",
        "|---|---|---:|---:|---:|---:|---:|",
        _row(f"all {len(truth):,}", "meedoen", _tally(links, truth, households, everything)),
        _row(f"all {len(truth):,}", "exact SQL", _tally(exact, truth, households, everything)),
        _row(f"{first[:7]}: {month:,}", "meedoen", _tally(links, truth, households, in_month)),
        _row(f"{first[:7]}: {month:,}", "exact SQL", _tally(exact, truth, households, in_month)),
        "",
        f"Per kind of identity noise, signals of {first[:7]} (a signal with several kinds counts "
        "under each; `none`: as the register has them, including those with a BSN):",
        "",
        "| noise | signals | meedoen right | review (right proposed) | unmatched | wrong | "
        "exact SQL right | unmatched | wrong |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ["none", *kinds]:
        ours = _tally(links, truth, households, with_kind(kind))
        theirs = _tally(exact, truth, households, with_kind(kind))
        n = sum(ours.values())
        if not n:
            continue
        lines.append(
            f"| `{kind}` | {n:,} | {100 * ours['right'] / n:.1f}% | "
            f"{ours['pending_right'] + ours['pending_other']:,} ({ours['pending_right']:,}) | "
            f"{ours['unmatched']:,} | {ours['wrong']:,} | {100 * theirs['right'] / n:.1f}% | "
            f"{theirs['unmatched']:,} | {theirs['wrong']:,} |"
        )
    ours_only = theirs_only = 0
    for sid, row in truth.items():
        ours_right = outcome(links.get(sid), row["household_id"], households) == "right"
        theirs_right = outcome(exact.get(sid), row["household_id"], households) == "right"
        ours_only += ours_right and not theirs_right
        theirs_only += theirs_right and not ours_right
    lines += [
        "",
        f"Of all {len(truth):,} signals, {ours_only:,} reach their household (by BSN or "
        f"automatically) with meedoen and not with the exact match; {theirs_only:,} with the "
        "exact match and not with meedoen (there meedoen asks for review).",
        "",
        "The exact match does less: no review band (a signal it cannot place exactly is simply "
        "not linked, and nobody is asked), no similarity — a typo, a partner's surname or a "
        "swapped birth date is a miss —, no address history (not "
        "exercised here: the signals carry the current address), and it cannot tell apart two "
        "persons at one address with the same surname and initial (`ambiguous`).",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
