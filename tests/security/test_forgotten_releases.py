"""Issue 15 (continued): earlier releases that later releases forgot.

**A new delivery.** The attack: the analyst published households by wijk x household type with
strict rules (a minimum frequency of 60), which hid every (wijk, household type) cell below 60
households and the cells that protect them. Then a new delivery of the BRP came in — one person
living alone moved away — and the households of the same peildatum were built again. The same
table published now with the floor's rules was checked against nothing: the rebuilt households
no longer matched the first release's published values (the gemeente total was one household
off), so the first release was left out entirely, the cells it hid included, and the second
release published them at the same value. Together the two releases told what the first one
withheld. A linked table (eenouders by buurt, whose wijk subtotals are cells of the first) did
the same; and a plain re-release under the floor's own rules, after the one institution closed,
published the eenouders the first release had hidden to protect that institution — the hidden
part of the first release's row minus the eenouders gave the institution cell back.

Now what an earlier release hid stays hidden by identity whatever the rebuilt values are: a
release whose rules would publish such a cell is refused naming the cell and the earlier
publication. An earlier release that no longer matches describes other data, so it cannot be
optimised and audited together with the new one (no known values, no fixed pattern): instead
every cell it hid, secondary ones too, is protected in the new release as if unsafe, so that
what its hidden cells added up to cannot be narrowed down by the new release either.

**Rounded tables.** The attack: controlled rounding rounds each cell to a neighbouring multiple
of 5, and each table was rounded on its own: the eenouders of a buurt (37) were 40 in the table
buurt x household type and 35 in the table of eenouders by buurt — so 36 to 39, where one
rounded table leaves 31 to 44 — and the gemeente total came out as 11,350 in one table and
11,345 in another. Rounded releases skipped the earlier releases altogether.

Now a rounded release publishes every cell it shares with an earlier rounded release on the
same households (the same table, or a linked one; withdrawn, or made on households built again,
too) with the value that release gave it, or is refused naming the cell, both values and the
earlier publication. The same table again, and a linked table that rounds alike, still pass."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from meedoen.publications.models import Publication
from meedoen_data.disclosure import Rules, household_table, publication_audit
from meedoen_data.disclosure.publish import PublishedTable
from meedoen_data.intake import ingest_directory
from meedoen_data.synth import synth_municipality
from tests.helpers import demo_copy, meedoen_as, passwords
from tests.security.publishing import built, households_build, publish

STRICT = {"min_frequency": 60}


def redelivered(
    home: Path, tmp_path: Path, analyst: Any, activity_id: int, *, institution: bool = False
) -> None:
    """A new delivery of the BRP's addresses, loaded through the intake gate, and the
    households of the same peildatum built again: the fixture's municipality where one person
    living alone moved away (or, with ``institution``, everyone living in the institution)."""
    sources = tmp_path / "sources"
    synth_municipality(gemeente="GM0784", out=sources, persons=800)
    delivery = tmp_path / "delivery"
    delivery.mkdir()
    lines = (sources / "verblijfplaats.csv").read_text().splitlines(keepends=True)
    # Current addresses (no end date), by the number of people living there.
    current = [i for i, line in enumerate(lines) if line.rstrip("\n").endswith(",")]
    living = Counter(lines[i].split(",")[2] for i in current)
    if institution:
        gone = {i for i in current if living[lines[i].split(",")[2]] >= 10}
    else:
        gone = {max(i for i in current if living[lines[i].split(",")[2]] == 1)}
    assert gone
    kept = [line for i, line in enumerate(lines) if i not in gone]
    (delivery / "verblijfplaats.csv").write_text("".join(kept))
    report = ingest_directory(home=home, directory=delivery, user="test")
    assert {f.status for f in report.files} == {"loaded"}, report.files
    households_build(analyst, activity_id)


def values(table: PublishedTable) -> dict[tuple[str, ...], float | None]:
    return {tuple(c.labels[d] for d in table.dimensions): c.value for c in table.cells}


@pytest.mark.django_db
def test_a_new_delivery_does_not_release_what_an_earlier_release_hid(  # type: ignore[no-untyped-def]
    home, tmp_path, analyst, officer
) -> None:
    activity_id = built(analyst, officer)
    first = publish(activity_id, analyst, "wijkcode", "household_type", **STRICT)
    before = values(first.release.tables[0])
    hidden = {key for key, value in before.items() if value is None}
    assert hidden
    redelivered(home, tmp_path, analyst, activity_id)

    # The floor's rules would publish what the strict release hid: refused, naming the cell.
    with pytest.raises(ValidationError) as refused:
        publish(activity_id, analyst, "wijkcode", "household_type")
    message = " ".join(refused.value.messages)
    assert "release refused: cell wijkcode=" in message, message
    assert f"was hidden in publication {first.publication_id}" in message, message
    named = message.split("cell wijkcode=", 1)[1].split(" was hidden", 1)[0]
    wijk, kind = named.split(", household_type=")
    assert (wijk, kind) in hidden
    assert Publication.objects.count() == 1

    # The strict rules again: every cell the first release hid stays hidden.
    again = publish(activity_id, analyst, "wijkcode", "household_type", **STRICT)
    after = values(again.release.tables[0])
    assert after != before, "the households were built again from other data"
    assert all(after[key] is None for key in hidden if key in after), sorted(
        key for key in hidden if after.get(key) is not None
    )


@pytest.mark.django_db
def test_a_new_delivery_keeps_the_secondary_suppressions_of_the_floor(  # type: ignore[no-untyped-def]
    home, tmp_path, analyst, officer
) -> None:
    """The floor's rules both times. The first release hid the one institution (a primary
    cell) and, to protect it, the eenouders (secondary): the row's hidden part (eenouders plus
    institution) was known. Then the institution closed. Built again, nothing in the table is
    unsafe, and the eenouders published now gave the institution cell back: the hidden part of
    the first release's row minus the eenouders. Now the eenouders stay hidden, and uncertain by
    at least the protection level (10): so does what the institution cell was."""
    activity_id = built(analyst, officer)
    first = publish(activity_id, analyst, "wijkcode", "household_type").release.tables[0]
    flags = {tuple(c.labels[d] for d in first.dimensions): c.flag for c in first.cells}
    assert flags["Totaal", "institutioneel"] == "primary"
    assert flags["Totaal", "eenouder"] == "secondary"
    redelivered(home, tmp_path, analyst, activity_id, institution=True)
    again = publish(activity_id, analyst, "wijkcode", "household_type").release.tables[0]
    shown = values(again)
    assert shown["Totaal", "Totaal"] != values(first)["Totaal", "Totaal"]
    hidden = [key for key, flag in flags.items() if flag is not None]
    assert all(shown[key] is None for key in hidden if key in shown), sorted(
        key for key in hidden if shown.get(key) is not None
    )
    # What an attacker makes of the eenouders from the second release.
    table = household_table(
        home=home, activity_id=activity_id, rowvar="wijkcode", colvar="household_type"
    ).table
    secret = {key for key, value in shown.items() if value is None}
    audit = publication_audit([table], {table.name: secret}, {table.name: set()}, Rules())
    low, high = audit.intervals[(("household_type", "eenouder"),)]
    assert high - low >= 10, (low, high)


@pytest.mark.django_db
def test_a_new_delivery_does_not_free_the_cells_of_a_linked_table(  # type: ignore[no-untyped-def]
    home, tmp_path, analyst, officer
) -> None:
    activity_id = built(analyst, officer)
    first = publish(activity_id, analyst, "wijkcode", "household_type", **STRICT)
    redelivered(home, tmp_path, analyst, activity_id)
    # Eenouders by buurt: its wijk subtotals are the (wijk, eenouder) cells hidden above.
    with pytest.raises(ValidationError) as refused:
        publish(activity_id, analyst, "buurtcode", where=[("household_type", "eenouder")])
    message = " ".join(refused.value.messages)
    assert "release refused: cell buurtcode=" in message, message
    assert "household_type=eenouder" in message
    assert f"was hidden in publication {first.publication_id}" in message
    assert Publication.objects.count() == 1


# -- Rounded tables -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo workspace once (several wijken and buurten); each test rounds on its own copy."""
    home = tmp_path_factory.mktemp("rounding") / "demo"
    result = demo_copy(Path(home))
    return {"home": home, "activity": str(result["activity"]["id"]), **passwords(result)}


@pytest.fixture
def copy(demo: dict[str, Any], tmp_path: Path) -> str:
    target = tmp_path / "demo"
    shutil.copytree(demo["home"], target)
    return str(target)


def rounded(demo: dict[str, Any], home: str, *args: str) -> Any:
    """`meedoen table ARGS --rounding --format json` as the demo analyst."""
    return meedoen_as(
        "analyst", demo["analyst"], "table", *args, "--rounding", "--format", "json",
        "--activity", demo["activity"], "--home", home,
    )  # fmt: skip


def cells(result: Any) -> dict[tuple[str, ...], float]:
    assert result.returncode == 0, result.stderr
    table = json.loads(result.stdout)["tables"][0]
    return {tuple(c[d] for d in table["dimensions"]): c["value"] for c in table["cells"]}


def test_a_linked_rounded_table_cannot_round_a_shared_cell_otherwise(
    demo: dict[str, Any], copy: str
) -> None:
    first = rounded(demo, copy, "buurtcode", "household_type")
    number = json.loads(first.stdout)["publication"]
    by_type = cells(first)
    # Eenouders by buurt: every cell is a cell of the first table.
    linked = rounded(demo, copy, "buurtcode", "--where", "household_type=eenouder")
    assert linked.returncode == 2, linked.stdout
    message = linked.stderr
    assert "release refused: cell buurtcode=" in message, message
    assert "household_type=eenouder was published as " in message
    assert f"in publication {number} and would be " in message
    assert "together the two narrow it down to " in message
    code = message.split("cell buurtcode=", 1)[1].split(",", 1)[0]
    before = message.split("was published as ", 1)[1].split(" ", 1)[0]
    assert float(before) == by_type[code, "eenouder"]
    # A linked table that rounds every shared cell alike passes (households by buurt), and so
    # does the same table again: the same values.
    assert cells(rounded(demo, copy, "buurtcode")) == {
        (code,): value for (code, kind), value in by_type.items() if kind == "Totaal"
    }
    assert cells(rounded(demo, copy, "buurtcode", "household_type")) == by_type
