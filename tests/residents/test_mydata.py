"""What meedoen holds about one resident (issue 22, ``/mijn/``), read on the generator's world
against its source files and truth: a resident with debt help, a partner at the address with
Wmo of their own, children with youth care, an early-warning signal linked by name and a
food-bank record linked by the linkage engine; plus a move planted before the intake. Nothing of
the partner's or the children's services may reach the resident's result, and the partner's
own read shows their services, not the resident's."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from meedoen_data.activity_store import activity_key_create, store_prepare
from meedoen_data.bsn import bsn_from_index
from meedoen_data.casework import PersonNotFound, person_pseudonym
from meedoen_data.casework.family import address_format
from meedoen_data.intake import ingest_directory
from meedoen_data.linkage import link_partner, linkage_path
from meedoen_data.linkage.signals import link_signals
from meedoen_data.residents import ResidentData, resident_data_read
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import Workspace, workspace_init

ON = date(2025, 1, 1)
FOOD_BANK, SIGNALS = 1, 2  # the activities: food-bank linkage, signal linkage


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _pick(sources: Path) -> dict[str, Any]:
    """From the source files and the truth: a resident with services of their own, signals and a
    food-bank record (truth), children at the address (truth/family) and a formal partner at the
    same address who has allocations of their own."""
    con = duckdb.connect()
    for name in (
        "toewijzing",
        "inkomensvoorziening",
        "schuldhulptraject",
        "verblijfplaats",
        "relatie",
        "ingeschrevenpersoon",
    ):
        con.read_csv(str(sources / f"{name}.csv"), all_varchar=True).create_view(name)
    for name in ("signal", "partner_voedselbank", "family"):
        path = sources / "truth" / f"{name}.csv"
        con.read_csv(str(path), all_varchar=True).create_view(f"truth_{name}")
    row = con.execute(
        """
        WITH here AS (
            SELECT burgerservicenummer b, adresseerbaarobjectidentificatie a, datumvan
            FROM verblijfplaats WHERE datumvan <= '2025-01-01'
              AND (datumtot IS NULL OR datumtot > '2025-01-01')),
        partner AS (
            SELECT r.burgerservicenummer b, r.gerelateerde_burgerservicenummer p
            FROM relatie r JOIN here h1 ON h1.b = r.burgerservicenummer
            JOIN here h2 ON h2.b = r.gerelateerde_burgerservicenummer AND h2.a = h1.a
            WHERE r.soortrelatie = 'partner' AND r.datumeinde IS NULL
              AND r.gerelateerde_burgerservicenummer IN (SELECT burgerservicenummer FROM toewijzing)
              AND r.burgerservicenummer NOT IN (SELECT burgerservicenummer FROM toewijzing)),
        kids AS (
            SELECT gerelateerde_burgerservicenummer b FROM truth_family
            WHERE rol = 'ouder' AND woont_op_adres = '1'
              AND burgerservicenummer IN (SELECT burgerservicenummer FROM toewijzing))
        SELECT p.b, p.p, h.datumvan, i.datumgeboorte FROM partner p
        JOIN here h ON h.b = p.b JOIN ingeschrevenpersoon i ON i.burgerservicenummer = p.b
        WHERE p.b IN (SELECT b FROM kids)
          AND p.b IN (SELECT burgerservicenummer FROM truth_signal)
          AND p.b IN (SELECT burgerservicenummer FROM truth_partner_voedselbank)
          AND (p.b IN (SELECT burgerservicenummer FROM schuldhulptraject)
               OR p.b IN (SELECT burgerservicenummer FROM inkomensvoorziening))
          AND h.datumvan::DATE > i.datumgeboorte::DATE + 30
        ORDER BY p.b LIMIT 1
        """
    ).fetchone()
    assert row is not None, "the generator's world has no such resident"
    con.close()
    return {
        "bsn": row[0],
        "partner": row[1],
        "since": date.fromisoformat(row[2]),
        "born": date.fromisoformat(row[3]),
    }


def _plant_move(sources: Path, bsn: str, since: date, born: date) -> tuple[str, str]:
    """An earlier address of the resident (until the current one starts): another dwelling."""
    addresses = _rows(sources / "nummeraanduiding.csv")
    current = next(
        r for r in _rows(sources / "verblijfplaats.csv") if r["burgerservicenummer"] == bsn
    )
    other = next(
        a
        for a in addresses
        if a["adresseerbaarobjectidentificatie"] != current["adresseerbaarobjectidentificatie"]
    )
    start = max(born, since - timedelta(days=3 * 365))
    with (sources / "verblijfplaats.csv").open("a", encoding="utf-8", newline="") as f:
        f.write(
            f'"{bsn}","{other["adresseerbaarobjectidentificatie"]}",'
            f'"{other["identificatie"]}",{start.isoformat()},{since.isoformat()}\n'
        )
    return other["adresseerbaarobjectidentificatie"], other["identificatie"]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("residents")
    sources, home = root / "sources", root / "home"
    synth_municipality(gemeente="GM0784", out=sources, seed=5, persons=3000, with_truth=True)
    picked = _pick(sources)
    _plant_move(sources, picked["bsn"], picked["since"], picked["born"])
    workspace_init(home=home)
    report = ingest_directory(home=home, directory=sources, user="test")
    assert {f.status for f in report.files} == {"loaded"}
    activity_key_create(home=home, activity_id=FOOD_BANK)
    store_prepare(home=home, activity_id=FOOD_BANK, sources=["brp", "partner-voedselbank"])
    link_partner(home=home, activity_id=FOOD_BANK, source="voedselbank")
    link_signals(home=home, activity_id=SIGNALS)
    return {"home": home, "sources": sources, **picked}


def read(world: dict[str, Any], bsn: str, **kwargs: Any) -> ResidentData:
    return resident_data_read(home=world["home"], bsn=bsn, on=ON, **kwargs)


def source(world: dict[str, Any], table: str) -> list[dict[str, str]]:
    return _rows(world["sources"] / f"{table}.csv")


def truth(world: dict[str, Any], name: str) -> list[dict[str, str]]:
    return _rows(world["sources"] / "truth" / f"{name}.csv")


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def _address_texts(world: dict[str, Any]) -> dict[str, str]:
    return {
        a["identificatie"]: address_format(
            a["openbareruimtenaam"],
            int(a["huisnummer"]),
            a["huisletter"],
            a["huisnummertoevoeging"],
            a["postcode"],
            a["woonplaatsnaam"],
        )
        for a in source(world, "nummeraanduiding")
    }


def _living_at(world: dict[str, Any], day: date) -> dict[str, str]:
    """BSN -> dwelling on ``day`` per the BRP's verblijfplaats (the latest start wins)."""
    where: dict[str, tuple[date, str]] = {}
    for r in source(world, "verblijfplaats"):
        since, until = date.fromisoformat(r["datumvan"]), _date(r["datumtot"])
        if since <= day and (until is None or until > day):
            b = r["burgerservicenummer"]
            if b not in where or since >= where[b][0]:
                where[b] = (since, r["adresseerbaarobjectidentificatie"])
    return {b: a for b, (_, a) in where.items()}


# --- 1. registration ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bsn", "mover"])
def test_registration_and_address_history_equal_the_brp(world: dict[str, Any], who: str) -> None:
    if who == "mover":  # a move the generator made itself, besides the planted one
        counts: dict[str, int] = {}
        for r in source(world, "verblijfplaats"):
            counts[r["burgerservicenummer"]] = counts.get(r["burgerservicenummer"], 0) + 1
        bsn = min(b for b, n in counts.items() if n >= 2 and b != world["bsn"])
    else:
        bsn = world["bsn"]
    data = read(world, bsn)
    person = next(
        p for p in source(world, "ingeschrevenpersoon") if p["burgerservicenummer"] == bsn
    )
    name = " ".join(
        p for p in (person["voornamen"], person["voorvoegsel"], person["geslachtsnaam"]) if p
    )
    assert data.registration.name == name
    assert data.registration.birth_date == date.fromisoformat(person["datumgeboorte"])
    texts = _address_texts(world)
    rows = sorted(
        (
            date.fromisoformat(r["datumvan"]),
            _date(r["datumtot"]),
            texts[r["nummeraanduidingidentificatie"]],
        )
        for r in source(world, "verblijfplaats")
        if r["burgerservicenummer"] == bsn
    )
    assert len(rows) >= 2
    assert [(a.since, a.until, a.address) for a in data.registration.addresses] == rows
    [current] = [a for a in data.registration.addresses if a.current]
    assert data.registration.address == current.address != ""
    assert current.since is not None and current.since <= ON
    assert {s.table: s.delivered for s in data.registration.sources} == {
        "ingeschrevenpersoon": True,
        "verblijfplaats": True,
        "nummeraanduiding": True,
    }
    assert all(s.delivered_at is not None and s.name for s in data.registration.sources)


# --- 2. household ------------------------------------------------------------------------


def test_household_is_the_people_at_the_address_on_the_day(world: dict[str, Any]) -> None:
    bsn = world["bsn"]
    data = read(world, bsn)
    living = _living_at(world, ON)
    persons = {p["burgerservicenummer"]: p for p in source(world, "ingeschrevenpersoon")}
    there = sorted(b for b, a in living.items() if a == living[bsn] and b != bsn)
    want = sorted(
        (
            " ".join(
                x
                for x in (
                    persons[b]["voornamen"],
                    persons[b]["voorvoegsel"],
                    persons[b]["geslachtsnaam"],
                )
                if x
            ),
            int(persons[b]["datumgeboorte"][:4]),
        )
        for b in there
    )
    assert sorted((m.name, m.birth_year) for m in data.household.members) == want
    roles = {m.name: m.role for m in data.household.members}
    partner = persons[world["partner"]]
    assert roles[f"{partner['voornamen']} {partner['geslachtsnaam']}".replace("  ", " ")] == (
        "partner"
    )
    kids = {
        r["gerelateerde_burgerservicenummer"]
        for r in source(world, "relatie")
        if r["burgerservicenummer"] == bsn
        and r["soortrelatie"] == "kind"
        and r["gerelateerde_burgerservicenummer"] in there
    }
    assert kids and sorted(r for r in roles.values() if r == "kind") == ["kind"] * len(kids)
    assert data.household.delivered and not data.household.others_not_listed
    assert data.household.address == data.registration.address
    # Of the others only role, name and birth year: no BSN, no date of birth, no pseudonym.
    text = json.dumps(data.as_json())
    for other in there:
        assert other not in text and persons[other]["datumgeboorte"] not in text
        assert person_pseudonym(home=world["home"], bsn=other) not in text
    # ... but the audit log's subjects are everyone shown.
    assert set(data.subjects) == {
        person_pseudonym(home=world["home"], bsn=b) for b in [bsn, *there]
    }


def test_household_of_residents_with_relatives_elsewhere(world: dict[str, Any]) -> None:
    """Residents whose parent, child or partner lives at another address: only the people at
    the resident's own address are the household, each in their BRP relation to the resident."""
    living = _living_at(world, ON)
    persons = {p["burgerservicenummer"]: p for p in source(world, "ingeschrevenpersoon")}
    relations: dict[tuple[str, str], str] = {}
    for r in source(world, "relatie"):
        ended = r["datumeinde"] and date.fromisoformat(r["datumeinde"]) <= ON
        if not ended:
            relations[(r["burgerservicenummer"], r["gerelateerde_burgerservicenummer"])] = r[
                "soortrelatie"
            ]
    elsewhere = sorted(
        {
            a
            for a, b in relations
            if a in living and b in living and living[a] != living[b] and a in persons
        }
    )
    assert len(elsewhere) >= 20
    for bsn in elsewhere[:20]:
        data = read(world, bsn)
        there = [b for b, at in living.items() if at == living[bsn] and b != bsn]
        want = {
            (_name(persons[b]), int(persons[b]["datumgeboorte"][:4])) for b in there if b in persons
        }
        shown = {(m.name, m.birth_year) for m in data.household.members}
        if data.household.others_not_listed:
            assert shown < want, bsn
        else:
            assert shown == want, bsn
        roles = {m.name: m.role for m in data.household.members}
        for b in there:
            kind = relations.get((bsn, b))
            if kind is not None and _name(persons[b]) in roles:
                assert roles[_name(persons[b])] == kind, (bsn, b)


def _name(person: dict[str, str]) -> str:
    parts = (person["voornamen"], person["voorvoegsel"], person["geslachtsnaam"])
    return " ".join(p for p in parts if p)


# --- 3. services ---------------------------------------------------------------------------


def _own_services(world: dict[str, Any], bsn: str) -> dict[str, list[tuple[Any, ...]]]:
    """domain -> (record, category, start, end, provider code, provider name) from the files."""
    names = {a["agbcode"]: a["naam"] for a in source(world, "aanbieder")}
    out: dict[str, list[tuple[Any, ...]]] = {
        "wmo": [],
        "jeugd": [],
        "participatie": [],
        "schulden": [],
    }
    for r in source(world, "toewijzing"):
        if r["burgerservicenummer"] == bsn:
            out["wmo" if r["wet"] == "WMO" else "jeugd"].append(
                (
                    r["toewijzingnummer"],
                    r["productcategorie"],
                    _date(r["datumstarttoewijzing"]),
                    _date(r["datumeindetoewijzing"]),
                    r["aanbieder"],
                    names.get(r["aanbieder"], ""),
                )
            )
    for r in source(world, "inkomensvoorziening"):
        if r["burgerservicenummer"] == bsn:
            out["participatie"].append(
                ("", r["wet"], _date(r["ingangsdatum"]), _date(r["einddatum"]), "", "")
            )
    for r in source(world, "schuldhulptraject"):
        if r["burgerservicenummer"] == bsn:
            out["schulden"].append(
                ("", "WGS", _date(r["startdatum"]), _date(r["einddatum"]), "", "")
            )
    return {d: sorted(rows, key=lambda r: (r[2], r[0], r[1])) for d, rows in out.items()}


def _shown_services(data: ResidentData) -> dict[str, list[tuple[Any, ...]]]:
    return {
        g.domain: sorted(
            (
                (s.record, s.category, s.start, s.end, s.provider_code, s.provider_name)
                for s in g.services
            ),
            key=lambda r: (r[2], r[0], r[1]),
        )
        for g in data.services
    }


def test_services_are_every_row_of_the_residents_own(world: dict[str, Any]) -> None:
    data = read(world, world["bsn"])
    want = _own_services(world, world["bsn"])
    assert _shown_services(data) == want
    assert want["schulden"] or want["participatie"]
    for group in data.services:
        assert group.source.delivered and group.source.delivered_at is not None
        for service in group.services:
            assert service.label and service.current == (
                (service.start is None or service.start <= ON)
                and (service.end is None or service.end >= ON)
            )


def test_a_partners_and_childrens_care_appears_nowhere(world: dict[str, Any]) -> None:
    data = read(world, world["bsn"])
    text = json.dumps(data.as_json())
    own = {r for rows in _own_services(world, world["bsn"]).values() for r in rows}
    living = _living_at(world, ON)
    others = {b for b, a in living.items() if a == living[world["bsn"]] and b != world["bsn"]}
    assert world["partner"] in others
    theirs = [r for r in source(world, "toewijzing") if r["burgerservicenummer"] in others]
    assert any(r["burgerservicenummer"] == world["partner"] and r["wet"] == "WMO" for r in theirs)
    assert any(r["wet"] == "JEUGDWET" for r in theirs)  # a child's youth care
    names = {a["agbcode"]: a["naam"] for a in source(world, "aanbieder")}
    own_providers = {r[4] for r in own} | {r[5] for r in own}
    for r in theirs:
        assert r["toewijzingnummer"] not in text
        for value in (r["aanbieder"], names.get(r["aanbieder"], "")):
            if value and value not in own_providers:
                assert value not in text, value
    shown = {(s.category, s.start) for g in data.services for s in g.services}
    assert not shown & {(r["productcategorie"], _date(r["datumstarttoewijzing"])) for r in theirs}
    # Benefits and debt help of the others neither.
    for table, start in (
        ("inkomensvoorziening", "ingangsdatum"),
        ("schuldhulptraject", "startdatum"),
    ):
        for r in source(world, table):
            if r["burgerservicenummer"] in others:
                assert ("", _date(r[start])) not in {
                    (s.record, s.start) for g in data.services for s in g.services
                }


def test_the_partner_gets_their_own_services_not_the_residents(world: dict[str, Any]) -> None:
    mine = read(world, world["bsn"])
    theirs = read(world, world["partner"])
    assert _shown_services(theirs) == _own_services(world, world["partner"])
    assert _shown_services(theirs)["wmo"]
    assert not _shown_services(mine)["wmo"]
    own_debt = _own_services(world, world["bsn"])["schulden"]
    if not _own_services(world, world["partner"])["schulden"]:
        assert own_debt and not _shown_services(theirs)["schulden"]
    # The same household, seen from the partner: the resident is their partner.
    roles = {m.name: m.role for m in theirs.household.members}
    assert roles[mine.registration.name] == "partner"


# --- 4. signals ----------------------------------------------------------------------------


def _signal_links(world: dict[str, Any]) -> dict[str, tuple[str | None, str]]:
    path = linkage_path(Workspace(world["home"]), SIGNALS)
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            str(k): (b, str(s))
            for k, b, s in con.execute(
                "SELECT klantnummer, bsn, status FROM link WHERE run_id = (SELECT arg_max(run_id, "
                "started_at) FROM run WHERE source = 'vroegsignaal')"
            ).fetchall()
        }
    finally:
        con.close()


@pytest.mark.parametrize("who", ["bsn", "partner"])
def test_signals_are_those_linked_to_the_resident(world: dict[str, Any], who: str) -> None:
    bsn = world[who]
    data = read(world, bsn)
    rows = {r["signaalid"]: r for r in source(world, "vroegsignaal")}
    links = _signal_links(world)
    want = {
        sid
        for sid, r in rows.items()
        if r["burgerservicenummer"] == bsn
        or (
            not r["burgerservicenummer"]
            and links.get(sid, (None, ""))[0] == bsn
            and links[sid][1] in {"auto", "accepted"}
        )
    }
    shown = {s.signal_id: s for s in data.signals.signals}
    assert set(shown) == want
    true_owner = {r["signaalid"]: r["burgerservicenummer"] for r in truth(world, "signal")}
    assert all(true_owner[sid] == bsn for sid in shown)  # never someone else's signal
    if who == "bsn":
        assert any(s.linked_by == "linkage" for s in shown.values())
        assert {sid for sid, b in true_owner.items() if b == bsn} <= set(shown)
    for sid, signal in shown.items():
        row = rows[sid]
        assert (signal.partner, signal.month, str(signal.amount)) == (
            row["signaalpartner"],
            row["signaaldatum"][:7],
            row["bedrag"],
        )
        assert signal.partner_name and signal.label
        assert signal.linked_by == ("bsn" if row["burgerservicenummer"] else "linkage")
        assert signal.activity_ids == (() if row["burgerservicenummer"] else (SIGNALS,))
    # Signals of the others at the address are not the resident's.
    others = {r["signaalid"] for r in truth(world, "signal") if r["burgerservicenummer"] != bsn}
    assert not others & set(shown)
    assert data.signals.source.delivered and not data.signals.links_unreadable


def test_a_link_awaiting_review_is_no_link(world: dict[str, Any]) -> None:
    """A signal the engine linked provisionally (``pending``: a reviewer must decide) is not
    shown to the person it may be about: a guess is not what meedoen holds about them."""
    pending = [(sid, b) for sid, (b, status) in _signal_links(world).items()
               if status == "pending" and b is not None]  # fmt: skip
    assert pending
    for sid, bsn in pending:
        assert sid not in {s.signal_id for s in read(world, bsn).signals.signals}


def test_without_the_signal_linkage_only_signals_with_the_bsn(world: dict[str, Any]) -> None:
    data = read(world, world["bsn"], activity_ids=[FOOD_BANK])
    assert all(s.linked_by == "bsn" for s in data.signals.signals)
    full = read(world, world["bsn"])
    assert len(full.signals.signals) > len(data.signals.signals)


# --- 5. partner files -------------------------------------------------------------------


def test_the_food_bank_record_linked_to_the_resident(world: dict[str, Any]) -> None:
    bsn = world["bsn"]
    data = read(world, bsn)
    files = data.partner_files
    assert [s.table for s in files.sources] == ["voedselbank"] and files.delivered
    records = {r["klantnummer"]: r for r in source(world, "voedselbank")}
    planted = [
        r["klantnummer"]
        for r in truth(world, "partner_voedselbank")
        if r["burgerservicenummer"] == bsn
    ]
    assert planted
    [record] = files.records
    row = records[planted[0]]
    assert (record.since, record.until) == (
        _date(row["datuminschrijving"]),
        _date(row["datumuitschrijving"]),
    )
    assert record.fields == tuple(c for c, v in row.items() if v)
    assert record.status == "auto" and record.activity_ids == (FOOD_BANK,)
    assert record.source.delivered_at is not None and record.linked_at is not None
    assert planted[0] not in json.dumps(data.as_json())  # the partner's number: not shown
    # The partner has no record of their own: nothing shown, though the household has one.
    partner = read(world, world["partner"])
    owners = {r["burgerservicenummer"] for r in truth(world, "partner_voedselbank")}
    assert (world["partner"] in owners) == bool(partner.partner_files.records)


# --- reading, not writing; what is missing ---------------------------------------------------


def _fingerprint(home: Path) -> dict[str, str]:
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


def test_the_read_writes_nothing_and_gives_plain_json(world: dict[str, Any]) -> None:
    before = _fingerprint(world["home"])
    data = read(world, world["bsn"])
    assert _fingerprint(world["home"]) == before
    plain = data.as_json()
    assert json.loads(json.dumps(plain)) == plain
    assert plain["on"] == "2025-01-01" and "subjects" not in plain
    assert plain["registration"]["birth_date"] == data.registration.birth_date.isoformat()
    assert set(plain) == {"on", "registration", "household", "services", "signals", "partner_files"}


@pytest.fixture
def busy_linkage(world: dict[str, Any]) -> Iterator[None]:
    """Another process holds the signal linkage file open for writing (a linkage running)."""
    path = linkage_path(Workspace(world["home"]), SIGNALS)
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); "
        "sys.stdin.read()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "open"
        yield
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(timeout=30)


def test_a_linkage_file_in_use_is_named_not_an_error(
    world: dict[str, Any], busy_linkage: None
) -> None:
    data = read(world, world["bsn"])
    assert data.signals.links_unreadable == (SIGNALS,)
    assert all(s.linked_by == "bsn" for s in data.signals.signals)
    assert data.partner_files.records  # the food bank's file was read


def test_sources_not_delivered_are_flagged(world: dict[str, Any], tmp_path: Path) -> None:
    """Only the BRP, the BAG and youth-care allocations delivered: Wmo (no Wmo row in the
    allocations), benefits, debt help, signals and partner files say so."""
    part = tmp_path / "part"
    part.mkdir()
    for table in ("ingeschrevenpersoon", "verblijfplaats", "relatie", "nummeraanduiding"):
        shutil.copy(world["sources"] / f"{table}.csv", part / f"{table}.csv")
    rows = [r for r in source(world, "toewijzing") if r["wet"] == "JEUGDWET"]
    with (part / "toewijzing.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    home = tmp_path / "home"
    workspace_init(home=home)
    ingest_directory(home=home, directory=part, user="test")
    data = resident_data_read(home=home, bsn=world["bsn"], on=ON)
    delivered = {g.domain: g.source.delivered for g in data.services}
    assert delivered == {"wmo": False, "jeugd": True, "participatie": False, "schulden": False}
    assert all(not g.services for g in data.services)
    assert not data.signals.source.delivered and data.signals.source.delivered_at is None
    assert not data.partner_files.delivered and not data.partner_files.records
    assert data.household.delivered and data.household.members
    assert data.as_json()["partner_files"]["delivered"] is False
    # Only the register of persons: no addresses, no household, still no error.
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(world["sources"] / "ingeschrevenpersoon.csv", bare / "ingeschrevenpersoon.csv")
    workspace_init(home=tmp_path / "home2")
    ingest_directory(home=tmp_path / "home2", directory=bare, user="test")
    only = resident_data_read(home=tmp_path / "home2", bsn=world["bsn"], on=ON)
    assert only.registration.name and only.registration.addresses == ()
    assert not only.household.delivered and only.household.members == ()
    assert {s.table: s.delivered for s in only.registration.sources}["verblijfplaats"] is False


def test_a_bsn_not_in_the_register_is_an_error(world: dict[str, Any]) -> None:
    stranger = f"{int(bsn_from_index(np.array([9_000_000], dtype=np.int64))[0]):09d}"
    with pytest.raises(PersonNotFound):
        read(world, stranger)
    with pytest.raises(ValueError, match="11-proef"):
        read(world, "123456789")
