"""Record linkage: our engine (Splink 5 on DuckDB) against recordlinkage's ECM classifier.

    .venv/bin/python -m benchmarks.linkage                # FEBRL4, then 100,000 synthetic persons
    PERSONS=24300 .venv/bin/python -m benchmarks.linkage  # another size for the Dutch part

Two data sets, both engines on each, in the same run:

- **FEBRL4** (5,000 + 5,000 records, 5,000 true links; ``benchmarks/febrl.py``): our
  :class:`~meedoen_data.linkage.model.Model` for its columns through ``train_and_predict``, best
  candidate per A record, threshold from ``threshold_choose``; against recordlinkage's own
  pipeline (the same blocking keys, binary comparisons, ``ECMClassifier``).
- **A synthetic Dutch food-bank file** (``meedoen synth --gemeente GM0363 --persons PERSONS
  --with-truth``): the product path — ``workspace_init``, ``ingest_directory``, the activity's key
  and store, then ``link_partner`` (timed; a fresh linkage file for every run) — and
  recordlinkage on the same CSV files (register persons with their current address; blocking on
  birth date, postcode + house number, surname + birth year; binary comparisons; ECM; the best
  match per record). Both are compared with ``truth/partner_voedselbank.csv`` by
  :func:`truth_quality`, overall and per error kind.

Figures are medians over ``REPEAT`` runs (default 3) of each engine, interleaved; quality is that
of the last run (both engines are deterministic). The time ratio is ours / recordlinkage (below
1: ours is faster). ``BENCH_TMP`` chooses the scratch folder.
"""

from __future__ import annotations

import csv
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from tests.helpers import meedoen

from benchmarks import febrl

GEMEENTE = "GM0363"
SOURCE = "voedselbank"
ACTIVITY = 1
NONE = "(no error)"
ALL = "all records"


# --- quality against the generator's truth ---------------------------------------------------


@dataclass
class KindQuality:
    """Links of one group of partner records against the truth."""

    kind: str
    records: int = 0
    #: Records whose person is in the register (all but kind ``outside_municipality``).
    with_person: int = 0
    links: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.correct / self.with_person if self.with_person else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.links if self.links else None

    @property
    def wrong(self) -> int:
        return self.links - self.correct


def truth_read(path: Path) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """``truth/partner_*.csv``: klantnummer → (true BSN or None, error kinds)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["klantnummer"]: (
                row["burgerservicenummer"] or None,
                tuple(kind for kind in (row["errors"] or "").split(";") if kind),
            )
            for row in csv.DictReader(handle)
        }


def truth_quality(
    links: Mapping[str, str | None],
    truth: Mapping[str, tuple[str | None, Iterable[str]]],
) -> list[KindQuality]:
    """Precision and recall of ``links`` (klantnummer → linked BSN, None or absent: not linked)
    against ``truth`` (see :func:`truth_read`): first all records, then records without errors,
    then every error kind (a record with several kinds counts in each), largest first.

    recall = correct links / records whose person is in the register; precision = correct links
    / links made. Every link of a record without a true person is wrong."""
    groups: dict[str, KindQuality] = {}
    for klantnummer, (bsn, kinds) in truth.items():
        linked = links.get(klantnummer)
        names = [ALL, *(list(kinds) or [NONE])]
        for name in names:
            q = groups.setdefault(name, KindQuality(name))
            q.records += 1
            q.with_person += bsn is not None
            q.links += linked is not None
            q.correct += linked is not None and linked == bsn
    head = [groups.pop(name) for name in (ALL, NONE) if name in groups]
    return head + sorted(groups.values(), key=lambda q: (-q.records, q.kind))


# --- the Dutch file through the product -------------------------------------------------------


def product_prepare(source: Path, home: Path) -> dict[str, float]:
    """A workspace with the synthetic files ingested and activity 1's key and store; seconds."""
    from meedoen_data.activity_store import activity_key_create, store_prepare
    from meedoen_data.intake import ingest_directory
    from meedoen_data.workspace import workspace_init

    seconds = {}
    started = time.perf_counter()
    workspace_init(home=home)
    ingest_directory(home=home, directory=source, user="bench")
    seconds["init + ingest"] = time.perf_counter() - started
    started = time.perf_counter()
    activity_key_create(home=home, activity_id=ACTIVITY)
    store_prepare(home=home, activity_id=ACTIVITY, sources=["brp", f"partner-{SOURCE}"])
    seconds["activity store"] = time.perf_counter() - started
    return seconds


@dataclass
class Run:
    seconds: float
    links: dict[str, str | None] = field(default_factory=dict)
    pairs: int = 0
    notes: list[str] = field(default_factory=list)


def product_link(home: Path, encoded: Any = None) -> Run:
    """One timed ``link_partner`` (on a fresh linkage file), its links read from that file;
    ``encoded``: a :class:`~meedoen_data.linkage.link.Encoded` file instead of clear text."""
    from meedoen_data.linkage import link_partner, linkage_path
    from meedoen_data.workspace import Workspace

    path = linkage_path(Workspace(home), ACTIVITY)
    path.unlink(missing_ok=True)
    path.with_suffix(".duckdb.wal").unlink(missing_ok=True)
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    report = link_partner(
        home=home,
        activity_id=ACTIVITY,
        source=SOURCE,
        encoded=encoded,
        progress=lambda step, number, total: marks.append((step, time.perf_counter())),
    )
    seconds = time.perf_counter() - started
    ends = [at for _, at in marks[1:]] + [started + seconds]
    steps = [(name, end - at) for (name, at), end in zip(marks, ends, strict=True)]
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT klantnummer, bsn FROM link WHERE run_id = ? AND source = ?",
            [report.run_id, SOURCE],
        ).fetchall()
    run = Run(seconds, {str(k): (str(b) if b is not None else None) for k, b in rows})
    run.pairs = report.pairs_scored
    choice = report.threshold
    if choice is not None:
        run.notes.append(
            f"threshold {choice.threshold} (estimated precision {choice.precision:.4f}, "
            f"recall {choice.recall:.4f}); statuses "
            + ", ".join(f"{s} {n:,}" for s, n in report.by_status.items())
        )
    if marks:
        run.notes.append(
            f"{report.register:,} register persons; steps "
            + ", ".join(f"{name} {s:.2f} s" for name, s in steps)
            + f" (opening {marks[0][1] - started:.2f} s)"
        )
    return run


# --- the Dutch file through recordlinkage ----------------------------------------------------


def dutch_frames(source: Path) -> dict[str, pd.DataFrame]:
    """The CSV files recordlinkage needs, read as text (untimed: ours reads the ingested vault)."""
    names = ("voedselbank", "ingeschrevenpersoon", "verblijfplaats", "nummeraanduiding")
    return {name: pd.read_csv(source / f"{name}.csv", dtype=str) for name in names}


def _surname(prefix: pd.Series, name: pd.Series) -> pd.Series:
    """Prefix and name glued, cleaned (``van der Zee``, ``Zee`` + ``van der`` → ``vanderzee``)."""
    from recordlinkage.preprocessing import clean

    glued = prefix.fillna("") + " " + name.fillna("")
    return clean(glued, strip_accents="unicode").str.replace(" ", "", regex=False)


def _features(frame: pd.DataFrame, prefix: str, name: str, given: str) -> pd.DataFrame:
    from recordlinkage.preprocessing import clean

    out = pd.DataFrame(index=frame.index)
    out["surname"] = _surname(frame[prefix], frame[name]).replace("", pd.NA)
    first = clean(frame[given].fillna(""), strip_accents="unicode").str.split(" ").str[0]
    out["first_name"] = first.replace("", pd.NA)
    out["first_initial"] = out["first_name"].str[:1]
    out["birth_date"] = frame["datumgeboorte"]
    out["birth_year"] = frame["datumgeboorte"].str[:4]
    postcode = frame["postcode"].str.replace(" ", "", regex=False).str.upper()
    out["postcode"] = postcode
    out["house"] = postcode + " " + frame["huisnummer"]
    return out


def dutch_recordlinkage(frames: dict[str, pd.DataFrame]) -> Run:
    """recordlinkage on the food-bank file against the register's persons at their current
    address; timed from the DataFrames to one BSN (or none) per record."""
    import recordlinkage

    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        partner = frames["voedselbank"].set_index("klantnummer")
        on = max(
            partner["datuminschrijving"].dropna().max(),
            partner["datumuitschrijving"].dropna().max(),
        )
        persons = frames["ingeschrevenpersoon"]
        persons = persons[persons["datumoverlijden"].isna() | (persons["datumoverlijden"] >= on)]
        stays = frames["verblijfplaats"]
        stays = stays[stays["datumvan"].isna() | (stays["datumvan"] <= on)]
        current = (
            stays.sort_values(["burgerservicenummer", "datumvan"], na_position="first")
            .drop_duplicates("burgerservicenummer", keep="last")
            .merge(
                frames["nummeraanduiding"][["identificatie", "postcode", "huisnummer"]],
                left_on="nummeraanduidingidentificatie",
                right_on="identificatie",
            )[["burgerservicenummer", "postcode", "huisnummer"]]
        )
        register = persons.merge(current, on="burgerservicenummer", how="left").set_index(
            "burgerservicenummer"
        )
        a = _features(partner, "voorvoegsel", "geslachtsnaam", "voornamen")
        b = _features(register, "voorvoegsel", "geslachtsnaam", "voornamen")
        indexer = recordlinkage.Index()
        indexer.block("birth_date")
        indexer.block("house")
        indexer.block(["surname", "birth_year"])
        pairs = indexer.index(a, b)
        compare = recordlinkage.Compare()
        compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="sn")
        compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85, label="fn")
        compare.exact("first_initial", "first_initial", label="initial")
        compare.exact("birth_date", "birth_date", label="birth_date")
        compare.exact("house", "house", label="house")
        compare.exact("postcode", "postcode", label="postcode")
        features = compare.compute(pairs, a, b)
        ecm = recordlinkage.ECMClassifier(binarize=None)
        matches = ecm.fit_predict(features)
        probability = ecm.prob(features.loc[matches])
        best = (
            probability.rename("p")
            .reset_index()
            .sort_values(["p"], ascending=False, kind="stable")
            .drop_duplicates(probability.index.names[0])
        )
    links: dict[str, str | None] = {str(k): None for k in partner.index}
    for record, bsn in zip(best.iloc[:, 0], best.iloc[:, 1], strict=True):
        links[str(record)] = str(bsn)
    run = Run(time.perf_counter() - started, links, len(pairs))
    run.notes.append(
        f"{len(matches):,} pairs classified as matches for {len(best):,} records; "
        f"{len(register):,} register persons"
    )
    run.notes += febrl._warnings(caught)
    return run


# --- the benchmark ----------------------------------------------------------------------------


@dataclass
class Row:
    data: str
    engine: str
    records: int
    pairs: int
    links: int
    precision: float
    recall: float
    f1: float
    seconds: list[float]
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def bench_febrl(repeat: int) -> list[Row]:
    a, b, truth = febrl.febrl4()
    runs: dict[str, list[febrl.Result]] = {}
    for _ in range(repeat):
        for engine in (febrl.ours, febrl.theirs):
            result = engine(a, b, truth)
            runs.setdefault(result.engine, []).append(result)
    rows = []
    for engine, results in runs.items():
        last = results[-1]
        rows.append(
            Row(
                "FEBRL4",
                engine,
                len(a),
                last.pairs,
                len(last.links),
                last.precision,
                last.recall,
                last.f1,
                [r.seconds for r in results],
                last.notes,
            )
        )
    return rows


def bench_dutch(persons: int, repeat: int, scratch: Path) -> tuple[list[Row], dict, list[str]]:
    source, home = scratch / "synth", scratch / "home"
    started = time.perf_counter()
    result = meedoen(
        "synth",
        "--gemeente",
        GEMEENTE,
        "--persons",
        str(persons),
        "--out",
        str(source),
        "--with-truth",
    )
    if result.returncode != 0:
        raise SystemExit(f"meedoen synth failed:\n{result.stderr}")
    context = [f"synthetic data generated in {time.perf_counter() - started:.1f} s"]
    prepared = product_prepare(source, home)
    context.append(
        "product set-up (untimed in the table): "
        + ", ".join(f"{step} {s:.1f} s" for step, s in prepared.items())
    )
    from meedoen_data.linkage.clk import encode_file, secret_generate
    from meedoen_data.linkage.link import Encoded

    secret = bytes.fromhex(secret_generate())
    started = time.perf_counter()
    encode_file(source / f"{SOURCE}.csv", scratch / "encoded.csv", secret)
    context.append(f"the partner's meedoen encode: {time.perf_counter() - started:.1f} s")
    encoded = Encoded(scratch / "encoded.csv", secret)
    frames = dutch_frames(source)
    truth = truth_read(source / "truth" / f"partner_{SOURCE}.csv")
    runs: dict[str, list[Run]] = {
        "ours (link_partner)": [],
        "encoded (link_partner)": [],
        "recordlinkage ECM": [],
    }
    for _ in range(repeat):
        runs["ours (link_partner)"].append(product_link(home))
        runs["encoded (link_partner)"].append(product_link(home, encoded))
        runs["recordlinkage ECM"].append(dutch_recordlinkage(frames))
    rows, quality = [], {}
    label = f"{SOURCE} ({persons:,} persons)"
    for engine, engine_runs in runs.items():
        last = engine_runs[-1]
        kinds = truth_quality(last.links, truth)
        quality[engine] = kinds
        overall = kinds[0]
        precision = overall.precision if overall.precision is not None else 1.0
        recall = overall.recall or 0.0
        rows.append(
            Row(
                label,
                engine,
                len(truth),
                last.pairs,
                overall.links,
                precision,
                recall,
                _f1(precision, recall),
                [r.seconds for r in engine_runs],
                last.notes,
            )
        )
    return rows, quality, context


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def report(rows: list[Row], quality: dict[str, list[KindQuality]], context: list[str]) -> None:
    print(
        f"{'data':<30} {'engine':<22} {'records':>8} {'pairs':>9} {'links':>6} {'precision':>9}"
        f" {'recall':>7} {'F1':>7} {'runs':>4} {'median s':>9} {'ours/rl':>8}"
    )
    for row in rows:
        other = [r for r in rows if r.data == row.data and r.engine.startswith("recordlinkage")]
        ratio = f"{row.median / other[0].median:>7.2f}x" if other else f"{'-':>8}"
        print(
            f"{row.data:<30} {row.engine:<22} {row.records:>8,} {row.pairs:>9,} {row.links:>6,}"
            f" {row.precision:>9.4f} {row.recall:>7.4f} {row.f1:>7.4f} {len(row.seconds):>4}"
            f" {row.median:>9.2f} {ratio}"
        )
    print(
        "pairs: FEBRL4 — pairs compared after blocking (the same keys for both); Dutch file — "
        "ours: pairs scored above the 0.001 floor, recordlinkage: pairs compared. ours/rl: "
        "median seconds of ours / recordlinkage (below 1: ours faster)."
    )
    if quality:
        engines = list(quality)
        print("\nper error kind (Dutch file; a record with several kinds counts in each):")
        head = f"{'kind':<22} {'n':>5} {'in register':>11}"
        for engine in engines:
            short = engine.split(" ")[0]
            head += f" | {short + ' links':>12} {'wrong':>5} {'recall':>7} {'precision':>9}"
        print(head)
        for position, kind in enumerate(quality[engines[0]]):
            line = f"{kind.kind:<22} {kind.records:>5,} {kind.with_person:>11,}"
            for engine in engines:
                q = quality[engine][position]
                line += (
                    f" | {q.links:>12,} {q.wrong:>5,} {_share(q.recall):>7}"
                    f" {_share(q.precision):>9}"
                )
            print(line)
    print()
    for line in context:
        print(line)
    for row in rows:
        print(
            f"{row.data}, {row.engine}: runs "
            + ", ".join(f"{s:.2f}" for s in row.seconds)
            + " s"
            + "".join(f"\n    {note}" for note in row.notes)
        )


def main() -> None:
    persons = int(os.environ.get("PERSONS") or 100_000)
    repeat = int(os.environ.get("REPEAT") or 3)
    rows = bench_febrl(repeat)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        dutch, quality, context = bench_dutch(persons, repeat, Path(tmp))
    report(rows + dutch, quality, context)


if __name__ == "__main__":
    main()
