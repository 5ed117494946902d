"""`meedoen dashboard publish` on the demo municipality (issue 18): every register indicator
released as a disclosure-controlled table, safe to run again, refused for other roles; and an
attack on everything released for the peildatum together — dashboard tables and a table of
`meedoen table` — narrows no unsafe hidden cell below its protection level."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from meedoen_data.disclosure.audit import publication_audit
from meedoen_data.disclosure.household import household_table
from meedoen_data.disclosure.publish import rules_from_json
from meedoen_data.disclosure.rules import primary_cells
from meedoen_data.disclosure.series import release_cells
from meedoen_data.indicators import catalogue_load
from tests.helpers import demo_copy, meedoen_as, passwords

PEILDATUM = "2025-01-01"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("dashboard") / "home"
    result = demo_copy(Path(home))
    return {
        "home": str(home),
        "activity": str(result["activity"]["id"]),
        "passwords": passwords(result),
    }


def publish(demo: dict[str, Any], username: str = "analyst") -> Any:
    return meedoen_as(
        username,
        demo["passwords"][username],
        "dashboard",
        "publish",
        "--activity",
        demo["activity"],
        "--peildatum",
        PEILDATUM,
        "--home",
        demo["home"],
        "--json",
    )


@pytest.fixture(scope="module")
def released(demo: dict[str, Any]) -> dict[str, Any]:
    # A table of meedoen table first: the dashboard's tables share its cells (households per
    # wijk) and must be protected together with it.
    first = meedoen_as(
        "analyst",
        demo["passwords"]["analyst"],
        "table",
        "wijkcode",
        "household_type",
        "--activity",
        demo["activity"],
        "--home",
        demo["home"],
        "--format",
        "json",
    )
    assert first.returncode == 0, first.stderr
    result = publish(demo)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_register_indicator_is_released_or_refused_with_a_reason(
    released: dict[str, Any],
) -> None:
    rows = {r["indicator"]: r for r in released["indicators"]}
    with_data = [i.id for i in catalogue_load().indicators if i.has_data]
    assert sorted(rows) == sorted(with_data)
    # The resident panel: every meedoen item per wijk (the demo's wijken have enough answers).
    panel = [r for r in rows.values() if r["indicator"].startswith("panel_")]
    assert len(panel) == 6 and all(r["status"] == "published" and r["hidden"] == 0 for r in panel)
    published = [r for r in rows.values() if r["status"] == "published"]
    assert len(published) >= 12
    assert all(r["publication"] and r["level"] in ("buurt", "wijk") for r in published)
    assert rows["bijstand"]["level"] == "buurt" and rows["voedselbank"]["level"] == "wijk"
    # The demo's activity does not cover the early signals: refused, saying why.
    assert rows["vroegsignalen"]["status"] == "refused"
    assert "does not cover signalen" in rows["vroegsignalen"]["reason"]
    assert all(r["reason"] for r in rows.values() if r["status"] == "refused")


def test_running_it_again_releases_nothing_new(demo: dict[str, Any], released: Any) -> None:
    again = publish(demo)
    assert again.returncode == 0, again.stderr
    before = {r["indicator"]: r for r in released["indicators"]}
    for row in json.loads(again.stdout)["indicators"]:
        if before[row["indicator"]]["status"] == "refused":
            assert row["status"] == "refused"
        else:
            assert row["status"] == "unchanged"
            assert row["publication"] == before[row["indicator"]]["publication"]


def test_only_analysts_release(demo: dict[str, Any]) -> None:
    refused = publish(demo, "policy_maker")
    assert refused.returncode == 2 and "analyst" in refused.stderr.lower()


def test_the_food_bank_segments_recover_the_planted_clusters(
    demo: dict[str, Any], released: Any
) -> None:
    """`meedoen segment --k auto` (issue 19): the segments of the food bank's households agree
    with the five client profiles the generator planted (adjusted Rand index >= 0.8, against
    the truth it wrote per client); every household of the group is in the activity's
    segment.membership; the profile tables are released or refused with a reason; the run is
    logged with the group's persons as its subjects. Runs before the attack below, so that the
    attack covers the profile tables too."""
    import csv

    import duckdb
    from sklearn.metrics import adjusted_rand_score

    from meedoen_data.activity_store import activity_pseudonyms, store_path
    from meedoen_data.workspace import Workspace

    home = Path(demo["home"])
    args = ("segment", "--activity", demo["activity"], "--group", "voedselbank")
    args += ("--peildatum", PEILDATUM, "--home", demo["home"], "--json")
    result = meedoen_as("analyst", demo["passwords"]["analyst"], *args)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["chosen_by"] == "bic" and 4 <= found["k"] <= 7, found["fits"]
    [chosen] = [f for f in found["fits"] if f["k"] == found["k"]]
    assert chosen["stability"] > 0.8, found["fits"]
    assert {t["status"] for t in found["tables"]} <= {"published", "unchanged", "refused"}
    assert any(t["status"] == "published" for t in found["tables"])
    [truth_file] = home.glob("sources/*/truth/partner_voedselbank.csv")
    with truth_file.open(newline="") as f:
        clients = [r for r in csv.DictReader(f) if r["burgerservicenummer"]]
    bsns = [r["burgerservicenummer"] for r in clients]
    pseudonyms = activity_pseudonyms(home=home, activity_id=int(demo["activity"]), bsns=bsns)
    profile_of = dict(zip(pseudonyms, (r["profile"] for r in clients), strict=True))
    con = duckdb.connect(str(store_path(Workspace(home), int(demo["activity"]))), read_only=True)
    try:
        members = con.execute(
            "SELECT m.household_id, m.segment, list(p.person_pseudonym) FROM segment.membership m "
            "JOIN household.household_person p USING (household_id, peildatum) "
            "WHERE m.run_id = ? GROUP BY ALL",
            [found["store_run"]],
        ).fetchall()
        group = con.execute(
            "SELECT count(DISTINCT household_id) FROM link.partner_link "
            "WHERE source = 'voedselbank' AND household_id IS NOT NULL"
        ).fetchone()
    finally:
        con.close()
    assert group is not None and len(members) >= 0.95 * group[0]
    planted, segments = [], []
    for _household, segment, persons in members:
        profiles = {profile_of[p] for p in persons if p in profile_of}
        if len(profiles) == 1:
            planted.append(profiles.pop())
            segments.append(segment)
    assert len(planted) >= 0.9 * len(members)
    assert adjusted_rand_score(planted, segments) >= 0.8
    with sqlite3.connect(home / "web.sqlite3") as db:
        logged = db.execute(
            "SELECT count(*) FROM audits_processingrecord WHERE name = 'segment.run'"
        ).fetchone()
    assert logged is not None and logged[0] == 1


def test_an_attack_on_everything_released_for_the_peildatum_finds_no_unsafe_cell(
    demo: dict[str, Any], released: Any
) -> None:
    """All releases of the peildatum at once, as an attacker holds them: one linear programme
    over every table, cells with the same meaning (households per wijk) one unknown."""
    home = Path(demo["home"])
    with sqlite3.connect(home / "web.sqlite3") as db:
        stored = db.execute(
            "SELECT id, definition, content FROM publications_publication "
            "WHERE withdrawn_at IS NULL"
        ).fetchall()
    indicators = catalogue_load().indicators
    tables, hidden, unsafe = [], {}, {}
    rules = None
    for pk, definition, content in stored:
        d, c = json.loads(definition), json.loads(content)
        if d.get("peildatum") != PEILDATUM or d.get("amount"):  # not the panel's estimates
            continue
        table = household_table(
            home=home,
            activity_id=int(d["activity"]),
            rowvar=d["rowvar"],
            colvar=d["colvar"],
            where=[tuple(p) for p in d["where"]],
            peildatum=date.fromisoformat(d["peildatum"]),
            indicators=indicators,
        ).table
        table = replace(table, name=str(pk))
        cells = release_cells(c["tables"][0]["cells"], [dim.name for dim in table.dimensions])
        hidden[str(pk)] = {key for key, cell in cells.items() if cell["value"] is None}
        rules = rules_from_json(c["rules"])
        unsafe[str(pk)] = set(primary_cells(table, rules))
        tables.append(table)
    assert len(tables) >= 13 and rules is not None
    assert all(unsafe[name] <= hidden[name] for name in unsafe)
    audit = publication_audit(tables, hidden, unsafe, rules)
    assert audit.linear_programmes > 0
    assert audit.safe, audit.exposures[:3]


def test_a_broken_catalogue_addition_stops_indicator_tables_only(
    demo: dict[str, Any], released: Any
) -> None:
    """An installation's catalogue file with a mistake refuses tables of indicators, naming the
    file, and leaves every other table alone."""
    addition = Path(demo["home"]) / "indicators" / "kapot.toml"
    addition.parent.mkdir(exist_ok=True)
    addition.write_text('versie = 1\n[[indicator]]\nid = "x"\n', encoding="utf-8")
    try:
        common = ("--activity", demo["activity"], "--home", demo["home"], "--format", "json")
        plain = meedoen_as(
            "analyst", demo["passwords"]["analyst"], "table", "wijkcode", "size", *common
        )
        assert plain.returncode == 0, plain.stderr
        indicator = meedoen_as(
            "analyst", demo["passwords"]["analyst"], "table", "wijkcode", "ind_ww", *common
        )
        assert indicator.returncode == 2 and "kapot.toml" in indicator.stderr
    finally:
        addition.unlink()


def test_a_federation_bundle_holds_the_released_figures_and_combines(
    demo: dict[str, Any], released: Any, tmp_path: Path
) -> None:
    """`meedoen federation export` writes the released gemeente and wijk figures, signed; a
    second organisation's bundle (made here with its own key) combines with it into regional
    figures, x where a part was withheld, and as a reference file the dashboard reads."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from meedoen_data.federation import bundle_sign

    home = demo["home"]
    ours = tmp_path / "ours.json"
    result = meedoen_as(
        "analyst",
        demo["passwords"]["analyst"],
        "federation",
        "export",
        "--peildatum",
        PEILDATUM,
        "--organisation",
        "Gemeente Gilze en Rijen",
        "--to",
        str(ours),
        "--home",
        home,
        "--json",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    bundle = json.loads(ours.read_text())["bundle"]
    assert summary["gemeente"] == bundle["gemeente"] == "GM0784"
    assert len(summary["fingerprint"]) == 64
    # The bijstand numbers are the released cells of its publication.
    bijstand = next(i for i in bundle["indicators"] if i["id"] == "bijstand")
    with sqlite3.connect(Path(home) / "web.sqlite3") as db:
        [content] = db.execute(
            "SELECT content FROM publications_publication WHERE id = ?",
            [bijstand["publication"]],
        ).fetchone()
    cells = {
        (c["buurtcode"], c["ind_bijstand"]): c["value"]
        for c in json.loads(content)["tables"][0]["cells"]
    }
    total = next(c for c in bijstand["cells"] if c["area"] == "GM0784")
    assert total["numerator"] == cells[("Totaal", "1")]
    assert total["denominator"] == cells[("Totaal", "Totaal")] - cells.get(
        ("Totaal", "onbekend"), 0
    )
    # Another organisation: its own key, one indicator withheld.
    theirs = json.loads(json.dumps(bundle))
    theirs.update(gemeente="GM0826", organisation="Gemeente Oosterhout")
    for indicator in theirs["indicators"]:
        for cell in indicator["cells"]:
            cell["area"] = cell["area"].replace("0784", "0826")
    withheld = theirs["indicators"][0]
    withheld["cells"][0]["numerator"] = None
    other = tmp_path / "theirs.json"
    other.write_text(json.dumps(bundle_sign(theirs, Ed25519PrivateKey.generate())))
    regional = tmp_path / "regio.csv"
    combined = meedoen_as(
        "analyst",
        demo["passwords"]["analyst"],
        "federation",
        "combine",
        str(ours),
        str(other),
        "--area",
        "RGregio",
        "--name",
        "Regio",
        "--references",
        str(regional),
        "--home",
        home,
        "--json",
    )
    assert combined.returncode == 0, combined.stderr
    rows = {r["indicator"]: r for r in json.loads(combined.stdout)["indicators"]}
    assert rows["bijstand"]["numerator"] == 2 * total["numerator"]
    assert rows[withheld["id"]]["value"] is None
    assert "bijstand,RGregio,Regio,2025-01-01," in regional.read_text()
    # A changed bundle is refused, exit 2, naming the file.
    forged = json.loads(other.read_text())
    forged["bundle"]["indicators"][1]["cells"][0]["numerator"] = 1
    other.write_text(json.dumps(forged))
    refused = meedoen_as(
        "analyst",
        demo["passwords"]["analyst"],
        "federation",
        "combine",
        str(ours),
        str(other),
        "--home",
        home,
    )
    assert refused.returncode == 2 and "theirs.json" in refused.stderr


def test_the_food_bank_group_beside_all_households(demo: dict[str, Any], released: Any) -> None:
    """`meedoen compare` (issue 19): every released share equals the count made here from the
    activity's store; the generator's planted clients (renting with housing benefit, bijstand)
    stand out; a re-run releases nothing new; another role is refused."""
    import duckdb

    from meedoen_data.activity_store import store_path
    from meedoen_data.workspace import Workspace

    args = ("compare", "--activity", demo["activity"], "--group", "voedselbank")
    args += ("--peildatum", PEILDATUM, "--home", demo["home"], "--json")
    result = meedoen_as("analyst", demo["passwords"]["analyst"], *args)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    con = duckdb.connect(
        str(store_path(Workspace(Path(demo["home"])), int(demo["activity"]))), read_only=True
    )
    try:
        truth = dict(
            con.execute(
                "SELECT household_type, count(*) FROM household.household h "
                "WHERE peildatum = ? AND EXISTS (SELECT 1 FROM link.partner_link l "
                "JOIN household.household_member m ON m.person_id = l.person_id "
                "AND m.peildatum = h.peildatum WHERE l.source = 'voedselbank' "
                "AND m.household_id = h.household_id) GROUP BY 1",
                [PEILDATUM],
            ).fetchall()
        )
        [(income_sum, income_known)] = con.execute(
            "SELECT sum(greatest(besteedbaar_inkomen, 0)), count(besteedbaar_inkomen) "
            "FROM household.household h WHERE peildatum = ? AND EXISTS (SELECT 1 FROM "
            "link.partner_link l JOIN household.household_member m ON m.person_id = l.person_id "
            "AND m.peildatum = h.peildatum WHERE l.source = 'voedselbank' "
            "AND m.household_id = h.household_id)",
            [PEILDATUM],
        ).fetchall()
    finally:
        con.close()
    assert found["group_households"] == sum(truth.values())
    # The group's mean income, from the released sum and counts, is the store's.
    assert found["income_mean"]["group"] == pytest.approx(float(income_sum) / income_known)
    assert found["income_mean"]["population"] > 2 * found["income_mean"]["group"]
    types = [r for r in found["rows"] if r["characteristic"] == "household_type"]
    shown = [r for r in types if r["group"] is not None and r["population"] is not None]
    assert shown
    for row in shown:
        assert row["group"] == truth.get(row["category"], 0), row
        assert row["group_share"] == pytest.approx(row["group"] / found["group_households"])
    rows = {(r["characteristic"], r["category"]): r for r in found["rows"]}
    for planted in (("huurtoeslag", "1"), ("ind_bijstand", "1")):
        assert rows[planted]["stands_out"] and rows[planted]["ratio"] > 2, rows[planted]
    # How long the households have been clients: within the 95% interval of the truth, made
    # here from the food bank's own file and the generator's record of who each client is.
    truth_bands = duration_truth(Path(demo["home"]))
    n = sum(truth_bands.values())
    assert set(found["duration"]) == {"tot_6", "6_12", "12_plus"}
    for band, count in found["duration"].items():
        assert count is not None, band
        share, expected = count / found["group_households"], truth_bands[band] / n
        assert abs(share - expected) <= 1.96 * (expected * (1 - expected) / n) ** 0.5, band
    again = meedoen_as("analyst", demo["passwords"]["analyst"], *args)
    assert {t["status"] for t in json.loads(again.stdout)["tables"]} <= {"unchanged", "refused"}
    refused = meedoen_as("policy_maker", demo["passwords"]["policy_maker"], *args)
    assert refused.returncode == 2 and "analyst" in refused.stderr.lower()


def duration_truth(home: Path) -> dict[str, int]:
    """Households per duration as client at the peildatum, from the food bank's file (months
    from enrolment to leaving or the peildatum, the household's longest record) and the
    generator's truth of each client's household."""
    import csv

    [source] = home.glob("sources/*/voedselbank.csv")
    [truth] = home.glob("sources/*/truth/partner_voedselbank.csv")
    with truth.open(newline="") as f:
        household_of = {r["klantnummer"]: r["household_id"] for r in csv.DictReader(f)}
    peil = date.fromisoformat(PEILDATUM)
    longest: dict[str, int] = {}
    with source.open(newline="") as f:
        for record in csv.DictReader(f):
            household = household_of.get(record["klantnummer"])
            if not household or not record["datuminschrijving"]:
                continue
            start = date.fromisoformat(record["datuminschrijving"])
            end = min(date.fromisoformat(record["datumuitschrijving"] or PEILDATUM), peil)
            months = (end.year * 12 + end.month) - (start.year * 12 + start.month)
            longest[household] = max(months, longest.get(household, months))
    bands = {"tot_6": 0, "6_12": 0, "12_plus": 0}
    for months in longest.values():
        bands["tot_6" if months < 6 else "6_12" if months < 12 else "12_plus"] += 1
    return bands


def test_a_group_the_municipality_defines_itself_is_compared_too(
    demo: dict[str, Any], released: Any
) -> None:
    """A group defined by the registers (issue 19: "households with bijstand and youth care"),
    added to the catalogue by the installation (HOME/indicators/), is compared like the food
    bank's clients; its size is the count made here from the activity's store."""
    import duckdb

    from meedoen_data.activity_store import store_path
    from meedoen_data.workspace import Workspace

    home = Path(demo["home"])
    (home / "indicators").mkdir(exist_ok=True)
    (home / "indicators" / "doelgroepen.toml").write_text(
        """
[[indicator]]
id = "bijstand_en_jeugdhulp"
naam = "Huishoudens met bijstand en jeugdhulp"
vraag = "Hoeveel huishoudens krijgen bijstand en jeugdhulp tegelijk?"
uitleg = "Een doelgroep van de gemeente zelf."
dimensie = "meedoen"
aspect = "zinvolle dingen doen"
eenheid = "huishouden"
richting = "hoger_slechter"
niveaus = ["gemeente"]
status = "register"
bronnen = ["brp", "jeugd", "participatie"]
grondslag = "Participatiewet art. 7; Jeugdwet art. 7.4.0"
teller = [
  { kolom = "participatiewet", is = ">", waarde = 0 },
  { kolom = "jeugd", is = ">", waarde = 0 },
]
""",
        encoding="utf-8",
    )
    try:
        args = ("compare", "--activity", demo["activity"], "--group", "bijstand_en_jeugdhulp")
        args += ("--peildatum", PEILDATUM, "--home", demo["home"], "--json")
        result = meedoen_as("analyst", demo["passwords"]["analyst"], *args)
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout)
        con = duckdb.connect(
            str(store_path(Workspace(home), int(demo["activity"]))), read_only=True
        )
        try:
            [(expected,)] = con.execute(
                "SELECT count(*) FROM household.household_year WHERE peildatum = ? AND period = 0 "
                "AND participatiewet > 0 AND jeugd_zonder_verblijf + jeugd_met_verblijf "
                "+ jeugdbescherming + jeugdreclassering > 0",
                [PEILDATUM],
            ).fetchall()
        finally:
            con.close()
        assert found["group_households"] == expected > 0
        types = [r for r in found["rows"] if r["characteristic"] == "household_type"]
        assert types and sum(r["group"] or 0 for r in types) <= expected
        assert found["duration"] == {}  # not a partner file's clients
    finally:
        (home / "indicators" / "doelgroepen.toml").unlink()


def test_the_food_bank_group_at_the_start_of_its_clients(
    demo: dict[str, Any], released: Any
) -> None:
    """`meedoen compare --at-start` (issue 19: "at the moment each client started, as the study
    did"): with households built on 1 January 2023 and 2024, each client who started in 2023 or
    2024 is counted in the household it had at the build before its start; the released counts
    equal those made here in Python from the store's links, records and builds. Characteristics
    whose source holds nothing for those years are refused, not counted as "no"."""
    import duckdb

    from meedoen_data.activity_store import store_path
    from meedoen_data.workspace import Workspace

    for year in (2023, 2024):
        built = meedoen_as(
            "analyst",
            demo["passwords"]["analyst"],
            *("build", "--activity", demo["activity"], "--peildatum", f"{year}-01-01"),
            *("--home", demo["home"], "--json"),
        )
        assert built.returncode == 0, built.stderr
    args = ("compare", "--activity", demo["activity"], "--group", "voedselbank", "--at-start")
    args += ("--peildatum", PEILDATUM, "--home", demo["home"], "--json")
    result = meedoen_as("analyst", demo["passwords"]["analyst"], *args)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)

    con = duckdb.connect(
        str(store_path(Workspace(Path(demo["home"])), int(demo["activity"]))), read_only=True
    )
    try:
        starts: dict[str, int] = {}
        for person, month in con.execute(
            "SELECT l.person_id, r.datuminschrijving_maand FROM link.partner_link l "
            "JOIN source.voedselbank r ON r.record_pseudonym = l.record_id "
            "WHERE l.source = 'voedselbank' AND r.datuminschrijving_maand IS NOT NULL"
        ).fetchall():
            starts[person] = min(month, starts.get(person, month))
        builds = sorted(
            r[0]
            for r in con.execute("SELECT DISTINCT peildatum FROM household.household").fetchall()
        )
        member = {
            (person, day): household
            for person, day, household in con.execute(
                "SELECT person_id, peildatum, household_id FROM household.household_member"
            ).fetchall()
        }
        kind = {
            (household, day): t
            for household, day, t in con.execute(
                "SELECT household_id, peildatum, household_type FROM household.household"
            ).fetchall()
        }
    finally:
        con.close()
    counted: set[tuple[str, date]] = set()
    clients = 0
    for person, month in starts.items():
        if month > 202501:
            continue
        clients += 1
        start = date(month // 100, month % 100, 1)
        earlier = [b for b in builds if b <= start]
        if (
            not earlier
            or (start.year * 12 + start.month) - (earlier[-1].year * 12 + earlier[-1].month) >= 12
        ):
            continue
        household = member.get((person, earlier[-1]))
        if household is not None:
            counted.add((household, earlier[-1]))
    truth: dict[str, int] = {}
    for key in counted:
        truth[kind[key]] = truth.get(kind[key], 0) + 1

    assert found["at_start"] == "voedselbank"
    assert found["start_coverage"]["clients"] == clients
    assert 0 < found["group_households"] == len(counted) < clients
    types = [r for r in found["rows"] if r["characteristic"] == "household_type"]
    shown = [r for r in types if r["group"] is not None and r["population"] is not None]
    assert shown
    for row in shown:
        assert row["group"] == truth.get(row["category"], 0), row
        assert row["group_share"] == pytest.approx(row["group"] / found["group_households"])
        assert row["difference"] == pytest.approx(row["group_share"] - row["population_share"])
    # The demo's sources hold housing, income and benefits for 2024 only: refused at the start.
    at_start = {t["characteristic"]: t for t in found["tables"] if t["at_start"]}
    for characteristic in ("woningbezit", "huurtoeslag", "inkomensdeciel", "ww", "ao"):
        assert at_start[characteristic]["status"] == "refused", characteristic
        assert "have no" in at_start[characteristic]["reason"], characteristic
    assert at_start["household_type"]["status"] == "published"
    assert {r["characteristic"] for r in found["rows"]} >= {"household_type", "ind_bijstand"}
    assert "woningbezit" not in {r["characteristic"] for r in found["rows"]}
    again = meedoen_as("analyst", demo["passwords"]["analyst"], *args)
    assert {t["status"] for t in json.loads(again.stdout)["tables"]} <= {"unchanged", "refused"}
