"""`meedoen link` on the generator's food-bank file: accuracy against the truth (overall and per
kind of error), the encoded mode beside clear text, stable links across deliveries, clerical
review decisions, households, the command line's refusals, and the audit log."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from meedoen_data.activity_store import activity_key_create, store_path, store_prepare
from meedoen_data.intake import ingest_directory
from meedoen_data.linkage import link_partner, linkage_path
from meedoen_data.linkage.clk import encode_file, secret_generate
from meedoen_data.linkage.link import Encoded, LinkError
from meedoen_data.linkage.quality import Quality, linkage_quality
from meedoen_data.linkage.review import ReviewNotFound, review_case, review_decide, review_items
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init
from tests.helpers import demo_copy, meedoen_as, meedoen_json, passwords

SOURCES = ["brp", "partner-voedselbank"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("linkage") / "home"
    result = demo_copy(Path(home))
    result["home"] = home
    result["passwords"] = passwords(result)
    return result


def as_analyst(demo: dict[str, Any], *args: str) -> Any:
    """`meedoen ARGS --by analyst`, signed in with the demo analyst's password."""
    return meedoen_as("analyst", demo["passwords"]["analyst"], *args)


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A larger municipality (about 450 food-bank records) without Django: enough records of
    every kind of error to measure recall per kind."""
    root = tmp_path_factory.mktemp("town")
    sources, home = root / "sources", root / "home"
    synth_municipality(gemeente="GM0363", out=sources, seed=7, persons=50_000, with_truth=True)
    workspace_init(home=home)
    ingest_directory(home=home, directory=sources, user="test")
    activity_key_create(home=home, activity_id=1)
    store_prepare(home=home, activity_id=1, sources=SOURCES)
    report = link_partner(home=home, activity_id=1, source="voedselbank")
    quality = linkage_quality(
        home=home,
        activity_id=1,
        source="voedselbank",
        truth=sources / "truth" / "partner_voedselbank.csv",
    )
    return {"home": home, "sources": sources, "report": report, "quality": quality}


def _assert_good(quality: Quality) -> None:
    assert quality.overall.precision >= 0.99, quality.overall
    assert quality.overall.recall >= 0.97, quality.overall
    for kind, score in quality.by_error.items():
        assert score.precision >= 0.99, (kind, score)
        assert score.recall >= 0.97, (kind, score)


def test_the_demo_links_the_food_bank(demo: dict[str, Any]) -> None:
    links = demo["activity"]["links"]
    assert links["records"] == 210
    assert links["linked"] >= 195, links


def test_demo_links_match_the_truth(demo: dict[str, Any]) -> None:
    quality = linkage_quality(
        home=Path(demo["home"]),
        activity_id=demo["activity"]["id"],
        source="voedselbank",
        truth=Path(demo["sources"]) / "truth" / "partner_voedselbank.csv",
    )
    _assert_good(quality)


def test_accuracy_per_kind_of_error(town: dict[str, Any]) -> None:
    quality: Quality = town["quality"]
    assert quality.overall.records > 350
    kinds = set(quality.by_error)
    assert {"typo", "tussenvoegsel", "initials", "partner_surname", "day_month_swap"} <= kinds
    assert {"missing_birth_date", "outdated_address", "duplicate", "none"} <= kinds
    assert quality.by_error["outside_municipality"].true_links == 0
    _assert_good(quality)


def test_the_threshold_comes_from_the_estimates(town: dict[str, Any]) -> None:
    choice = town["report"].threshold
    assert choice is not None
    assert 0.5 <= choice.threshold < 1
    assert choice.precision >= 0.99 and choice.recall >= 0.95
    assert [t for t, *_ in choice.curve] == sorted(t for t, *_ in choice.curve)


def test_encoded_mode_is_within_two_points_of_clear_text(town: dict[str, Any]) -> None:
    home, sources = town["home"], town["sources"]
    secret = bytes.fromhex(secret_generate())
    encoded = sources.parent / "voedselbank-encoded.csv"
    encode_file(sources / "voedselbank.csv", encoded, secret)
    text = encoded.read_text(encoding="utf-8")
    with open(sources / "voedselbank.csv", newline="", encoding="utf-8") as f:
        first = next(csv.DictReader(f))
    assert first["geslachtsnaam"] not in text and first["postcode"] not in text
    report = link_partner(
        home=home, activity_id=1, source="voedselbank", encoded=Encoded(encoded, secret)
    )
    assert report.mode == "encoded"
    quality = linkage_quality(
        home=home,
        activity_id=1,
        source="voedselbank",
        truth=sources / "truth" / "partner_voedselbank.csv",
    )
    assert quality.overall.f1 >= town["quality"].overall.f1 - 0.02, quality.overall
    # back to clear text for the other tests of this module
    link_partner(home=home, activity_id=1, source="voedselbank")


def _links(home: Path, activity_id: int) -> dict[str, tuple[str | None, str]]:
    con = duckdb.connect(str(linkage_path(Workspace(home), activity_id)), read_only=True)
    try:
        rows = con.execute(
            "SELECT klantnummer, bsn, status FROM link WHERE run_id = "
            "(SELECT arg_max(run_id, started_at) FROM run)"
        ).fetchall()
    finally:
        con.close()
    return {str(k): (b, str(s)) for k, b, s in rows}


def test_a_run_is_reproducible_from_its_stored_model(town: dict[str, Any]) -> None:
    home = town["home"]
    first = town["report"]
    again = link_partner(home=home, activity_id=1, source="voedselbank", model_from=first.run_id)
    con = duckdb.connect(str(linkage_path(Workspace(home), 1)), read_only=True)
    try:
        scores = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE abs(a.match_probability - "
            "b.match_probability) < 1e-9) FROM link a JOIN link b USING (klantnummer) "
            "WHERE a.run_id = ? AND b.run_id = ? AND a.bsn = b.bsn",
            [first.run_id, again.run_id],
        ).fetchall()[0]
        models = con.execute(
            "SELECT count(DISTINCT model) FROM run WHERE run_id IN (?, ?)",
            [first.run_id, again.run_id],
        ).fetchall()[0][0]
    finally:
        con.close()
    assert scores[0] > 350 and scores[0] == scores[1]
    assert models == 1


def test_links_stay_stable_when_the_evidence_is_unchanged(town: dict[str, Any]) -> None:
    home = town["home"]
    before = _links(home, 1)
    # A threshold no pair reaches: only the earlier links can keep records linked.
    link_partner(home=home, activity_id=1, source="voedselbank", threshold=0.999999999999)
    after = _links(home, 1)
    linked = {k: v for k, v in before.items() if v[1] in {"auto", "accepted"}}
    assert linked and all(after[k][0] == v[0] for k, v in linked.items())


def test_clerical_review_decisions_are_stored_and_reused(town: dict[str, Any]) -> None:
    # Another activity: no earlier links, and a review band that sends most records to review.
    home = town["home"]
    activity_key_create(home=home, activity_id=2)
    store_prepare(home=home, activity_id=2, sources=SOURCES)
    link_partner(home=home, activity_id=2, source="voedselbank", review_band=(0.1, 0.9999999999999))
    items = review_items(home=home, activity_id=2)
    assert len(items) >= 10
    first, second = items[0], items[1]
    case = review_case(home=home, activity_id=2, source="voedselbank", token=first.token)
    assert case.record["geslachtsnaam"] and case.candidates
    best = case.candidates[0]
    assert set(best.comparisons) == {"surname", "first_name", "birth_date", "address"}
    assert all(len(c.person_id) == 32 for c in case.candidates)  # pseudonyms, never BSNs
    accepted = review_decide(
        home=home,
        activity_id=2,
        source="voedselbank",
        token=first.token,
        rank=best.rank,
        decision="accepted",
        decided_by="reviewer",
    )
    assert accepted.status == "accepted" and accepted.person_id == best.person_id
    other = review_case(home=home, activity_id=2, source="voedselbank", token=second.token)
    rejected = review_decide(
        home=home,
        activity_id=2,
        source="voedselbank",
        token=second.token,
        rank=other.candidates[0].rank,
        decision="rejected",
        decided_by="reviewer",
    )
    assert rejected.person_id is None
    remaining = {i.token for i in review_items(home=home, activity_id=2)}
    assert first.token not in remaining
    # A decided record does not open any more, by its token or otherwise.
    with pytest.raises(ReviewNotFound):
        review_case(home=home, activity_id=2, source="voedselbank", token=first.token)
    con = duckdb.connect(str(store_path(Workspace(home), 2)), read_only=True)
    status = con.execute(
        "SELECT review_status, person_id FROM link.partner_link WHERE person_id = ?",
        [best.person_id],
    ).fetchall()
    con.close()
    assert ("accepted", best.person_id) in status
    # The next delivery: the decisions are applied again.
    link_partner(home=home, activity_id=2, source="voedselbank")
    links = _links(home, 2)
    assert links[case.klantnummer][1] == "accepted"
    assert links[other.klantnummer][1] != "accepted"


def test_output_tables_and_views(town: dict[str, Any]) -> None:
    con = duckdb.connect(str(store_path(Workspace(town["home"]), 1)), read_only=True)
    try:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = 'partner_link' "
                "ORDER BY column_index"
            ).fetchall()
        ]
        assert columns == [
            "source",
            "record_id",
            "person_id",
            "household_id",
            "match_probability",
            "review_status",
        ]
        reasons = dict(
            con.execute("SELECT reason, count(*) FROM link.partner_unmatched GROUP BY 1").fetchall()
        )
        runs = con.execute("SELECT count(*), count(DISTINCT model) FROM link.run").fetchall()[0]
        # Record pseudonyms of the link table are those of the activity's copy of the file.
        joined = con.execute(
            "SELECT count(*) FROM link.partner_link l JOIN source.voedselbank v "
            "ON v.record_pseudonym = l.record_id"
        ).fetchall()[0][0]
        linked = con.execute("SELECT count(*) FROM link.partner_link").fetchall()[0][0]
    finally:
        con.close()
    assert reasons and all(reasons.values())
    assert runs[0] >= 2 and runs[1] >= 1
    assert joined == linked > 0


def test_the_demo_links_to_households(demo: dict[str, Any]) -> None:
    con = duckdb.connect(
        str(store_path(Workspace(Path(demo["home"])), demo["activity"]["id"])), read_only=True
    )
    try:
        rows = con.execute(
            "SELECT count(*), count(l.household_id), count(m.household_id) "
            "FROM link.partner_link l LEFT JOIN household.household_member m "
            "ON m.person_id = l.person_id AND m.household_id = l.household_id"
        ).fetchall()[0]
    finally:
        con.close()
    total, with_household, consistent = rows
    assert total >= 195
    assert with_household >= 0.98 * total and consistent == with_household


def test_link_from_the_command_line_keeps_households(demo: dict[str, Any], tmp_path: Path) -> None:
    home, activity = str(demo["home"]), str(demo["activity"]["id"])
    changed = tmp_path / "klanten-december.csv"
    shutil.copy(Path(demo["sources"]) / "voedselbank.csv", changed)
    with changed.open("a", encoding="utf-8") as f:  # a new client: a new delivery
        f.write('"VB9999999","Nieuw",,"Klant",1990-01-01,"5120AA",1,,2024-12-01,,1\n')
    result = as_analyst(
        demo,
        "link",
        str(changed),
        "--source",
        "voedselbank",
        "--activity",
        activity,
        "--json",
        "--home",
        home,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["records"] == 211 and summary["linked"] >= 195
    assert summary["threshold"] and summary["estimated_precision"] > 0.9
    assert summary["household_peildatum"] == "2025-01-01"
    # The store was rebuilt for the new delivery; households and links were carried over.
    query = "SELECT count(*) FROM household.household_member"
    rows = as_analyst(
        demo, "sql", query, "--activity", activity, "--format", "json", "--home", home
    )
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout)["rows"][0][0] > 20_000
    plain = as_analyst(
        demo,
        "link",
        str(changed),
        "--source",
        "voedselbank",
        "--activity",
        activity,
        "--home",
        home,
    )
    assert plain.returncode == 0 and "Records by status" in plain.stdout, plain.stderr


def test_linking_is_logged_for_every_record_and_linked_person(demo: dict[str, Any]) -> None:
    """A linkage is two processing records referencing sets (ADR 0011): the partner's records
    it read, linked or not, and the persons they were linked to; the pseudonym of each finds
    the linkage through the lookup."""
    home = str(demo["home"])
    records = meedoen_json(
        "audit", "list", "--activity", str(demo["activity"]["id"]), "--home", home
    )
    links = [r for r in records if r["name"] == "partner.link"]
    assert links, [r["name"] for r in records][:20]
    trace = links[0]["trace_id"]
    logged = {r["data_subject_id_type"]: r for r in links if r["trace_id"] == trace}
    con = duckdb.connect(
        str(store_path(Workspace(demo["home"]), demo["activity"]["id"])), read_only=True
    )
    try:
        (run,) = con.execute("SELECT arg_max(run_id, started_at) FROM link.run").fetchone() or (
            None,
        )
        rows = con.execute(
            "SELECT record_id, person_id FROM link.record WHERE run_id = ?", [run]
        ).fetchall()
    finally:
        con.close()
    read = sorted({str(r) for r, _ in rows})
    persons = sorted({str(p) for _, p in rows if p is not None})
    activity = demo["activity"]["id"]
    assert logged[f"record-pseudonym-activity-{activity}"]["subject_count"] == len(read) > 100
    assert logged[f"pseudonym-activity-{activity}"]["subject_count"] == len(persons) > 100
    for pseudonym in (read[0], read[-1], persons[0], persons[-1]):
        found = meedoen_json("audit", "list", "--subject", pseudonym, "--home", home)
        assert trace in {r["trace_id"] for r in found}, pseudonym


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("a,b\n1,2\n", [], "not a partner file"),
        (None, ["--source", "onbekend"], "not approved for partner-onbekend"),
        (None, ["--peildatum", "1-1-2025"], "--peildatum must be a date"),
        (None, ["--review-band", "0.9"], "--review-band must be LOW:HIGH"),
        (None, ["--engine", "pandas"], "--engine must be duckdb or spark"),
        (
            "klantnummer,geslachtsnaam,voorvoegsel,voornamen,datumgeboorte,postcode,huisnummer,"
            "huisnummertoevoeging,datuminschrijving,datumuitschrijving,aantal_personen\n"
            "K1,Jansen,,Jan,31-31-1980,5120AA,1,,2024-01-01,,1\n"
            "K2,Bakker,,Piet,1980-01-01,5120AA,2,,2024-01-01,,1\n",
            [],
            "datumgeboorte",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    demo: dict[str, Any], tmp_path: Path, content: str | None, args: list[str], message: str
) -> None:
    path = Path(demo["sources"]) / "voedselbank.csv"
    if content is not None:
        path = tmp_path / "klanten.csv"
        path.write_text(content, encoding="utf-8")
    options = {"--source": "voedselbank", "--activity": str(demo["activity"]["id"])}
    for i in range(0, len(args), 2):
        options[args[i]] = args[i + 1]
    flat = [x for pair in options.items() for x in pair]
    result = as_analyst(demo, "link", str(path), *flat, "--home", str(demo["home"]))
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_a_new_delivery_refreshes_only_its_table_and_keeps_the_links(
    town: dict[str, Any], tmp_path: Path
) -> None:
    home, sources = town["home"], town["sources"]
    store = store_path(Workspace(home), 1)

    def snapshot() -> dict[str, Any]:
        con = duckdb.connect(str(store), read_only=True)
        try:
            return {
                "persons": con.execute(
                    "SELECT count(*), min(person_pseudonym), max(person_pseudonym) "
                    "FROM source.ingeschrevenpersoon"
                ).fetchall(),
                "lineage": dict(
                    con.execute("SELECT table_name, lineage FROM meta.store_table").fetchall()
                ),
                "clients": con.execute("SELECT count(*) FROM source.voedselbank").fetchall(),
                "links": con.execute("SELECT count(*) FROM link.partner_link").fetchall(),
            }
        finally:
            con.close()

    before = snapshot()
    delivery = tmp_path / "klanten.csv"
    lines = (sources / "voedselbank.csv").read_text(encoding="utf-8").splitlines()
    delivery.write_text("\n".join(lines[:-5]) + "\n", encoding="utf-8")  # five clients left
    from meedoen_data.intake import ingest_partner_file

    assert (
        ingest_partner_file(home=home, path=delivery, source="voedselbank", user="test")
        .files[0]
        .status
        == "loaded"
    )
    assert store_prepare(home=home, activity_id=1, sources=SOURCES).status == "built"
    after = snapshot()
    assert after["persons"] == before["persons"]
    assert after["lineage"]["ingeschrevenpersoon"] == before["lineage"]["ingeschrevenpersoon"]
    assert after["lineage"]["voedselbank"] != before["lineage"]["voedselbank"]
    assert after["clients"][0][0] == before["clients"][0][0] - 5
    assert after["links"] == before["links"]  # carried over until the next linkage


@pytest.mark.spark
def test_spark_links_every_record_as_duckdb_does(demo: dict[str, Any], tmp_path: Path) -> None:
    """The same linkage on both engines, each starting from an empty linkage file (no earlier
    links to keep): the same person and status for every record. Probabilities may differ a
    little (u is estimated on a random sample of pairs, which each engine draws its own way)."""
    home = tmp_path / "home"
    shutil.copytree(demo["home"], home)
    activity = demo["activity"]["id"]
    state = linkage_path(Workspace(home), activity)
    links, reports = {}, {}
    for engine in ("duckdb", "spark"):
        state.unlink(missing_ok=True)
        reports[engine] = link_partner(
            home=home, activity_id=activity, source="voedselbank", engine=engine
        )
        con = duckdb.connect(str(state), read_only=True)
        links[engine] = {
            row[0]: row[1:]
            for row in con.execute(
                "SELECT klantnummer, bsn, status, match_probability FROM link"
            ).fetchall()
        }
        con.close()
    duck, spark = reports["duckdb"], reports["spark"]
    assert spark.engine == "spark" and spark.by_status == duck.by_status, spark.by_status
    assert spark.pairs_scored == duck.pairs_scored
    assert {k: v[:2] for k, v in links["spark"].items()} == {
        k: v[:2] for k, v in links["duckdb"].items()
    }
    differences = [
        abs((links["spark"][k][2] or 0) - (p or 0)) for k, (_, _, p) in links["duckdb"].items()
    ]
    assert max(differences) < 0.01, max(differences)
    assert not [p for p in state.parent.iterdir() if ".spark" in p.name]  # exchange removed
    # A run is reproduced on the engine it was estimated on (its comparisons are its SQL).
    with pytest.raises(LinkError, match="--engine spark"):
        link_partner(home=home, activity_id=activity, source="voedselbank", model_from=spark.run_id)
