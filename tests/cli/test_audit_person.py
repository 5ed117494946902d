"""A person's processing records, looked up by BSN or by any of their pseudonyms, are exactly the
operations that touched them (issue 16: "the same set of operations before and after" the move
from a record per person to subject sets, ADR 0011/0012).

The truth comes from the demo's own data, not from the log: the source files a BSN appears in
(each loaded file is an ``intake.load``), the activity's store, its households and its linkage
(read with the activity's pseudonym of that BSN). The log must name those operations for the
person — no more, no fewer — in the export in the standard's shape and in ``audit list``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from meedoen_data.activity_store import activity_pseudonyms, store_path
from meedoen_data.contract import SPECS
from meedoen_data.intake.pseudonyms import domain_key, pseudonym
from meedoen_data.workspace import Workspace
from tests.helpers import demo_copy, meedoen, meedoen_as, meedoen_json, passwords

ACTIVITY = 1
Operation = tuple[str, str, str]  # (name, data subject type, source file or "")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("person") / "home"
    result = demo_copy(Path(home))
    outreach = result["debt_help"]["operational"]["worklist"]["outreach"]
    return {"home": home, "passwords": passwords(result), "outreach": set(outreach["persons"])}


def _rows(home: Path) -> dict[str, list[dict[str, str]]]:
    folder = next((home / "sources").iterdir())
    return {
        path.stem: list(csv.DictReader(path.open(encoding="utf-8")))
        for path in sorted(folder.glob("*.csv"))
    }


def truth(home: Path, bsn: str) -> set[Operation]:
    """What touched this person, from the data: the files they are in (per pseudonym type,
    as the intake logs them), every analysis activity's store, households and linkage, and the
    signals of the debt workers' work list that name them."""
    expected: set[Operation] = set()
    for table, rows in _rows(home).items():
        spec = SPECS.get(table)
        persons = [c.name for c in spec.columns if c.role == "person"] if spec else []
        for row in rows:
            if any(row.get(column) == bsn for column in persons):
                assert spec is not None
                kind = f"pseudonym-{spec.domain}"
                if spec.domain == "by_wet":
                    kind = "pseudonym-wmo" if row["wet"] == "WMO" else "pseudonym-jeugd"
                expected.add(("intake.load", kind, f"{table}.csv"))
    workspace = Workspace(home)
    for store in sorted((home / "activities").glob("activity-*.duckdb")):
        expected |= _in_store(home, int(store.stem.removeprefix("activity-")), bsn)
    # The debt workers' work list (an operational activity): its signals linked in the identity
    # zone, logged by the BRP pseudonym of every person a linked signal names.
    for path in sorted((workspace.vault_dir / "linkage").glob("activity-*.duckdb")):
        con = duckdb.connect(str(path), read_only=True)
        try:
            named = con.execute(
                "SELECT 1 FROM link l WHERE l.source = 'vroegsignaal' AND l.bsn = ? "
                "AND l.status IN ('bsn', 'auto', 'accepted') AND l.run_id = (SELECT "
                "arg_max(run_id, started_at) FROM run WHERE source = 'vroegsignaal') LIMIT 1",
                [bsn],
            ).fetchone()
        finally:
            con.close()
        activity_id = int(path.stem.removeprefix("activity-"))
        if named and not store_path(workspace, activity_id).exists():
            expected.add(("signals.link", "pseudonym-brp", ""))
    return expected


def _in_store(home: Path, activity_id: int, bsn: str) -> set[Operation]:
    """What an analysis activity did with the person: its store, households and links."""
    (own,) = activity_pseudonyms(home=home, activity_id=activity_id, bsns=[bsn])
    kind = f"pseudonym-activity-{activity_id}"
    con = duckdb.connect(str(store_path(Workspace(home), activity_id)), read_only=True)
    try:
        in_store = any(
            con.execute(
                f'SELECT 1 FROM "{schema}"."{table}" WHERE "{column}" = ? LIMIT 1',
                [own],
            ).fetchone()
            for schema, table, column in con.execute(
                "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                "WHERE schema_name = 'source' AND column_name IN "
                "('person_pseudonym', 'related_person_pseudonym')"
            ).fetchall()
        )
        in_household = (
            con.execute("SELECT 1 FROM duckdb_tables() WHERE schema_name = 'household'").fetchone()
            and con.execute(
                "SELECT 1 FROM household.household_person WHERE person_pseudonym = ?", [own]
            ).fetchone()
        )
        has_links = con.execute(
            "SELECT 1 FROM duckdb_views() WHERE schema_name = 'link'"
        ).fetchone()
        sources = (
            {
                str(r[0])
                for r in con.execute(
                    "SELECT DISTINCT source FROM link.partner_link WHERE person_id = ?", [own]
                ).fetchall()
            }
            if has_links
            else set()
        )
    finally:
        con.close()
    expected: set[Operation] = set()
    if in_store:
        expected.add(("activity.store.build", kind, ""))
    if in_household:
        expected.add(("household.build", kind, ""))
    if sources - {"vroegsignaal"}:
        expected.add(("partner.link", kind, ""))
    if "vroegsignaal" in sources:
        expected.add(("signals.link", kind, ""))
    return expected


def export(demo: dict[str, Any], *args: str, stdin: str | None = None) -> dict[str, Any]:
    result = meedoen("audit", "export", *args, "--home", str(demo["home"]), stdin=stdin)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def logged(document: dict[str, Any]) -> set[Operation]:
    """The operations the export names (the lookups themselves left out)."""
    out: set[Operation] = set()
    for record in document["records"]:
        attributes = record["attributes"]
        if record["name"].startswith("audit."):
            continue
        source = ""
        if record["name"] == "intake.load":
            source = attributes["meedoen.detail"].split(" -> ")[0]
        out.add((record["name"], attributes["dpl.core.data_subject_id_type"], source))
    return out


def persons(home: Path, outreach: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
    """BSNs of people who stand for the cases: linked by the food bank, in debt help, in youth
    care, named as someone's relation, and (the first) reached by the demo's debt worker."""
    rows = _rows(home)
    bsns = [r["burgerservicenummer"] for r in rows["ingeschrevenpersoon"]]
    own = dict(
        zip(activity_pseudonyms(home=home, activity_id=ACTIVITY, bsns=bsns), bsns, strict=True)
    )
    con = duckdb.connect(str(store_path(Workspace(home), ACTIVITY)), read_only=True)
    try:
        (linked,) = con.execute("SELECT min(person_id) FROM link.partner_link").fetchone() or ("",)
    finally:
        con.close()
    youth = next(r["burgerservicenummer"] for r in rows["toewijzing"] if r["wet"] != "WMO")
    related = next(
        r["gerelateerde_burgerservicenummer"]
        for r in rows["relatie"]
        if r["gerelateerde_burgerservicenummer"] not in {r["burgerservicenummer"], ""}
    )
    cases = {
        "linked": own[str(linked)],
        "debt": rows["schuldhulptraject"][0]["burgerservicenummer"],
        "youth": youth,
        "related": related,
    }
    brp = domain_key(Workspace(home).keys, "brp")
    contacted = [b for b in bsns if pseudonym(brp, b) in outreach]
    if contacted:
        cases["contacted"] = contacted[0]
    return cases


def test_every_person_finds_exactly_the_operations_that_touched_them(
    demo: dict[str, Any],
) -> None:
    home = demo["home"]
    cases = persons(home, demo["outreach"])
    assert "contacted" in cases  # the demo's outreach touched someone: their log says so
    for case, bsn in cases.items():
        expected = truth(home, bsn)
        document = export(demo, "--bsn", "-", stdin=bsn + "\n")
        # The demo's debt worker registered outreach to some households: logged for their persons.
        if document["person"]["pseudonyms"]["pseudonym-brp"] in demo["outreach"]:
            expected.add(("signals.contact.register", "pseudonym-brp", ""))
        assert logged(document) == expected, case
        assert len(expected) >= 2, (case, expected)
        # Every record names the person by their own pseudonym of the record's type.
        names = document["person"]["pseudonyms"]
        for record in document["records"]:
            attributes = record["attributes"]
            kind = attributes["dpl.core.data_subject_id_type"]
            assert attributes["dpl.core.data_subject_id"] == names[kind], (case, record)
            assert record["status_code"] == "STATUS_CODE_OK"
            assert len(record["trace_id"]) == 32 and len(record["operation_id"]) == 16
        assert "burgerservicenummer" not in json.dumps(document)
        assert bsn not in json.dumps(document)


def test_any_pseudonym_of_the_person_finds_the_same_records(demo: dict[str, Any]) -> None:
    home = demo["home"]
    bsn = persons(home)["linked"]
    by_bsn = export(demo, "--bsn", bsn)
    names = by_bsn["person"]["pseudonyms"]
    for kind in ("pseudonym-brp", f"pseudonym-activity-{ACTIVITY}", "pseudonym-cbs"):
        by_name = export(demo, "--subject", names[kind])
        assert by_name["person"]["pseudonyms"] == names
        assert logged(by_name) == logged(by_bsn), kind
    listed = meedoen_json("audit", "list", "--subject", names["pseudonym-brp"], "--home", str(home))
    assert {r["name"] for r in listed} >= {"partner.link", "household.build", "intake.load"}


def test_a_lookup_is_logged_as_a_processing_of_that_person(demo: dict[str, Any]) -> None:
    home = demo["home"]
    bsn = persons(home)["debt"]
    names = export(demo, "--bsn", bsn)["person"]["pseudonyms"]
    listed = meedoen_json("audit", "list", "--bsn", bsn, "--home", str(home))
    lookups = [r for r in listed if r["name"] in {"audit.person_lookup", "audit.person_export"}]
    assert {r["name"] for r in lookups} == {"audit.person_lookup", "audit.person_export"}
    for record in lookups:
        assert record["data_subject_id"] == names["pseudonym-brp"]
        assert record["processing_activity_id"] == "urn:meedoen:verwerkingsactiviteit:toezicht"


def test_someone_never_delivered_has_no_records(demo: dict[str, Any]) -> None:
    delivered = {r["burgerservicenummer"] for r in _rows(demo["home"])["ingeschrevenpersoon"]}
    stranger = next(
        f"{n:09d}"
        for n in range(100_000_000, 100_100_000)
        if f"{n:09d}" not in delivered and _valid(f"{n:09d}")
    )
    document = export(demo, "--bsn", stranger)
    assert document["person"]["known"] is False
    assert logged(document) == set()


def _valid(bsn: str) -> bool:
    from meedoen_data.bsn import bsn_is_valid

    return bsn_is_valid(bsn)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bsn", "123456789"], "--bsn: not a valid BSN"),
        (["--subject", "0" * 32], "names no person the vault knows"),
        ([], "give --subject or --bsn"),
    ],
)
def test_bad_lookups_are_refused(demo: dict[str, Any], args: list[str], message: str) -> None:
    result = meedoen("audit", "export", *args, "--home", str(demo["home"]))
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_only_the_privacy_officer_and_the_administrator_may_look(demo: dict[str, Any]) -> None:
    bsn = persons(demo["home"])["debt"]
    home = str(demo["home"])
    refused = meedoen_as(
        "analyst", demo["passwords"]["analyst"], "audit", "export", "--bsn", bsn, "--home", home
    )
    assert refused.returncode == 2
    assert "does not hold the privacy_officer or administrator role" in refused.stderr
    assert refused.stdout == ""
    allowed = meedoen_as(
        "privacy_officer",
        demo["passwords"]["privacy_officer"],
        "audit",
        "export",
        "--bsn",
        bsn,
        "--home",
        home,
    )
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout)["records"]
