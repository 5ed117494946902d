"""Finding 3 of issue 15: disclosure control switched off by the publisher.

The attack: the analyst ran `meedoen table wijkcode household_type --activity 1 --min-frequency 1
--no-group` and the table went to the council members with cells of a single household — the
rules of disclosure control were options the publisher could simply switch off. Then the same
table, published first with strict rules (cells below 300 hidden), was published again with
weaker ones, and the second release showed the cells the first had hidden: together the two
releases told what the first one withheld. Tables of the same households that share cells
(wijk x household type, then eenouders by buurt with their wijk subtotals) did the same across
tables, and the release audit's refusal — the last line of defence — had never been executed by
any test.

Now the privacy officer sets floors per activity at approval (defaults CBS: 10 units, dominance
(1, 50), p% 10, group rule on); `meedoen table` takes them as its defaults and refuses weaker
options naming the rule, the value asked and the floor. A cell an earlier release of the same or
a linked table hid stays hidden: a release whose rules would publish it is refused naming the
cell and the earlier publication. The audit's refusal is a function of its own
(`publication_check`), executed here on a pattern that leaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from meedoen.activities.floors import floor_make
from meedoen.publications.models import Publication
from meedoen_data.disclosure import (
    Cell,
    Dimension,
    DisclosureError,
    Rules,
    Table,
    primary_cells,
    publication_check,
)
from tests.helpers import demo_copy, meedoen, meedoen_as, passwords
from tests.security.publishing import built, publish

ROWS = ["Totaal", "WK078400", "WK078401", "WK078402", "WK078403"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo workspace once; each test publishes on its own copy."""
    home = tmp_path_factory.mktemp("floor") / "demo"
    result = demo_copy(Path(home))
    return {"home": home, "activity": str(result["activity"]["id"]), **passwords(result)}


@pytest.fixture
def copy(demo: dict[str, Any], tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A copy of the demo workspace for one test."""
    target = tmp_path / "demo"
    shutil.copytree(demo["home"], target)
    return str(target)


def table(demo: dict[str, Any], home: str, *args: str) -> Any:
    """`meedoen table ARGS` as the demo analyst, signed in with her password."""
    return meedoen_as(
        "analyst", demo["analyst"], "table", *args, "--activity", demo["activity"], "--home", home
    )


def published(home: str) -> list[dict[str, Any]]:
    result = meedoen("publication", "list", "--home", home, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_switching_the_rules_off_is_refused(demo: dict[str, Any], copy: str) -> None:
    attack = table(demo, copy, "wijkcode", "household_type", "--min-frequency", "1", "--no-group")
    assert attack.returncode == 2, attack.stdout
    assert "minimum frequency 1 is below the floor 10" in attack.stderr
    assert "group rule on household_type is off; the floor has it on" in attack.stderr
    assert "activity 1" in attack.stderr and "only make them stricter" in attack.stderr
    for option, message in [
        (["--dominance", "1,90"], "dominance rule (1, 90) is weaker than the floor (1, 50)"),
        (["--p-percent", "1"], "p% rule 1 is below the floor 10"),
        (["--protection", "2"], "protection 2 is below the floor 10"),
    ]:
        weaker = table(demo, copy, "wijkcode", "--sum", "besteedbaar_inkomen", *option)
        assert weaker.returncode == 2 and message in weaker.stderr, weaker.stderr
    assert published(copy) == [], "nothing may have been published"
    # Without options the floor applies, and a table of single households shows none.
    safe = table(demo, copy, "wijkcode", "household_type", "--format", "json")
    assert safe.returncode == 0, safe.stderr
    content = json.loads(safe.stdout)
    assert content["rules"]["min_frequency"] == 10
    assert content["rules"]["group"] == {"household_type": []}
    values = [c["value"] for c in content["tables"][0]["cells"]]
    assert all(v is None or v == 0 or v >= 10 for v in values)
    assert None in values


def test_a_weaker_release_of_the_same_table_is_refused_naming_the_cell(
    demo: dict[str, Any], copy: str
) -> None:
    strict = table(
        demo, copy, "wijkcode", "household_type", "--min-frequency", "300", "--format", "json"
    )
    assert strict.returncode == 0, strict.stderr
    first = json.loads(strict.stdout)
    hidden = {
        (c["wijkcode"], c["household_type"])
        for c in first["tables"][0]["cells"]
        if c["value"] is None
    }
    assert ("WK078403", "eenouder") in hidden  # 175 households: safe under the floor of 10
    weaker = table(demo, copy, "wijkcode", "household_type", "--format", "json")
    assert weaker.returncode == 2, weaker.stdout
    message = weaker.stderr
    assert f"was hidden in publication {first['publication']}" in message, message
    assert "release refused: cell wijkcode=" in message
    named = message.split("cell wijkcode=", 1)[1].split(" was hidden", 1)[0]
    wijk, kind = named.split(", household_type=")
    assert (wijk, kind) in hidden
    assert len(published(copy)) == 1
    # The same rules again are a plain re-release: the same cells, nothing more.
    again = table(
        demo, copy, "wijkcode", "household_type", "--min-frequency", "300", "--format", "json"
    )
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert [c["value"] for c in second["tables"][0]["cells"]] == [
        c["value"] for c in first["tables"][0]["cells"]
    ]


def test_a_linked_table_cannot_publish_a_cell_hidden_in_another(
    demo: dict[str, Any], copy: str
) -> None:
    strict = table(
        demo, copy, "wijkcode", "household_type", "--min-frequency", "300", "--format", "json"
    )
    assert strict.returncode == 0, strict.stderr
    number = json.loads(strict.stdout)["publication"]
    # Eenouders by buurt: its wijk subtotals are the cells (wijk, eenouder) hidden above.
    linked = table(demo, copy, "buurtcode", "--where", "household_type=eenouder")
    assert linked.returncode == 2, linked.stdout
    assert "release refused: cell buurtcode=WK0784" in linked.stderr
    assert "household_type=eenouder" in linked.stderr
    assert f"was hidden in publication {number}" in linked.stderr
    assert len(published(copy)) == 1


def test_a_linked_table_keeps_the_cells_hidden_by_the_default_rules(
    demo: dict[str, Any], copy: str
) -> None:
    """Under the floor's own rules the earlier table hid (wijk, eenouder) cells to protect the
    small cells of its rows; eenouders by buurt would have published them as wijk subtotals."""
    first = table(demo, copy, "wijkcode", "household_type", "--format", "json")
    assert first.returncode == 0, first.stderr
    hidden = {
        c["wijkcode"]
        for c in json.loads(first.stdout)["tables"][0]["cells"]
        if c["value"] is None and c["household_type"] == "eenouder" and c["wijkcode"] != "Totaal"
    }
    assert hidden, "the demo's first table hides eenouder cells of some wijken"
    linked = table(
        demo, copy, "buurtcode", "--where", "household_type=eenouder", "--format", "json"
    )
    assert linked.returncode == 0, linked.stderr
    cells = {c["buurtcode"]: c["value"] for c in json.loads(linked.stdout)["tables"][0]["cells"]}
    assert all(cells[wijk] is None for wijk in hidden), {w: cells[w] for w in hidden}


# -- The audit's refusal, executed --------------------------------------------------------------


def test_the_audit_refuses_a_pattern_a_margin_gives_away() -> None:
    """Only the unsafe cell hidden (no secondary suppression): its row total and the other
    published cells of the row give it back exactly; the gate refuses naming the cell."""
    rows = Dimension.flat("wijk", ["W1", "W2"])
    kinds = Dimension.flat("type", ["eenouder", "paar", "alleen"])
    leaves = {
        ("W1", "eenouder"): 3, ("W1", "paar"): 40, ("W1", "alleen"): 57,
        ("W2", "eenouder"): 22, ("W2", "paar"): 35, ("W2", "alleen"): 41,
    }  # fmt: skip
    t = Table.from_leaves("t", [rows, kinds], {k: Cell(v) for k, v in leaves.items()})
    rules = Rules(group={})
    unsafe = {"t": set(primary_cells(t, rules))}
    assert unsafe == {"t": {("W1", "eenouder")}}
    with pytest.raises(DisclosureError) as refused:
        publication_check([t], {"t": {("W1", "eenouder")}}, unsafe, rules)
    message = str(refused.value)
    assert message.startswith("release refused: the audit narrows cell wijk=W1, type=eenouder")
    assert "[3, 3]" in message and "narrower than 10" in message
    # A pattern with the secondary suppressions the optimiser would choose passes the gate.
    safe = {("W1", "eenouder"), ("W1", "paar"), ("W2", "eenouder"), ("W2", "paar")}
    assert publication_check([t], {"t": safe}, unsafe, rules).safe


# -- A floor above the defaults -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_officers_floor_is_the_default_and_the_minimum(home, analyst, officer) -> None:  # type: ignore[no-untyped-def]
    activity_id = built(analyst, officer, floor=floor_make(min_frequency=25, protection=30.0))
    with pytest.raises(ValidationError) as refused:
        publish(activity_id, analyst, "wijkcode", "household_type", min_frequency=10)
    text = " ".join(refused.value.messages)
    assert "minimum frequency 10 is below the floor 25" in text
    assert "protection 25 is below the floor 30" not in text  # protection not asked: the floor's
    assert not Publication.objects.exists()
    release = publish(activity_id, analyst, "wijkcode", "household_type").release
    assert release.rules.min_frequency == 25 and release.rules.protection == 30.0
    shown = [c.value for c in release.tables[0].cells if c.value is not None]
    assert all(v == 0 or v >= 25 for v in shown)
