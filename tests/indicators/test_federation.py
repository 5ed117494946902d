"""The federated roll-up and reference figures in the data package (issue 18): bundles signed and
checked, regional numbers only where every part was released, and reference files whose
problems name file, row and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from meedoen_data.audit_checkpoint import key_fingerprint
from meedoen_data.federation import (
    Combined,
    FederationError,
    Part,
    bundle_make,
    bundle_read,
    bundle_sign,
    bundles_combine,
    combination_check,
    combined_references,
)
from meedoen_data.indicators import catalogue_load
from meedoen_data.indicators.references import (
    BUILT_IN,
    ReferenceFileError,
    references_load,
    references_read,
    references_write,
)


def bundle(
    gemeente: str, cells: dict[str, tuple[Any, Any]], peildatum: str = "2025-01-01"
) -> dict[str, Any]:
    return bundle_make(
        organisation=f"Gemeente {gemeente}",
        gemeente=gemeente,
        peildatum=peildatum,
        indicators=[
            {
                "id": indicator,
                "name": indicator.capitalize(),
                "scale": 100,
                "publication": 1,
                "cells": [{"area": gemeente, "numerator": n, "denominator": d}],
            }
            for indicator, (n, d) in cells.items()
        ],
    )


def write(path: Path, contents: dict[str, Any], key: Ed25519PrivateKey | None = None) -> Path:
    path.write_text(json.dumps(bundle_sign(contents, key or Ed25519PrivateKey.generate())))
    return path


def test_regional_numbers_are_sums_where_every_part_was_released(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", bundle("GM0784", {"bijstand": (441, 11348), "ww": (150, 11348)}))
    b = write(
        tmp_path / "b.json", bundle("GM0826", {"bijstand": (882, 22696), "ww": (None, 22696)})
    )
    c = write(tmp_path / "c.json", bundle("GM0855", {"bijstand": (100, 5000)}))
    combined = {x.indicator: x for x in bundles_combine([bundle_read(p) for p in (a, b, c)])}
    bijstand = combined["bijstand"]
    assert (bijstand.numerator, bijstand.denominator) == (1423, 39044)
    assert bijstand.value == pytest.approx(100 * 1423 / 39044)
    # ww: GM0826 withheld its numerator, GM0855 did not release ww at all: x, saying why.
    ww = combined["ww"]
    assert ww.numerator is None and ww.value is None
    assert ww.missing == ("Gemeente GM0855",)
    refs = combined_references(
        list(combined.values()), area="RGtest", name="Regio", period="2025-01-01", bundles=["a"]
    )
    assert [r.indicator for r in refs] == ["bijstand"]


def test_a_changed_bundle_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", bundle("GM0784", {"bijstand": (441, 11348)}))
    signed = json.loads(path.read_text())
    signed["bundle"]["indicators"][0]["cells"][0]["numerator"] = 9  # a forged figure
    path.write_text(json.dumps(signed))
    with pytest.raises(FederationError, match="changed after it was signed"):
        bundle_read(path)


def test_only_trusted_keys_when_a_list_is_given(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    path = write(tmp_path / "a.json", bundle("GM0784", {"bijstand": (441, 11348)}), key)
    assert bundle_read(path, trusted={key_fingerprint(key.public_key())}).bundle["gemeente"]
    with pytest.raises(FederationError, match="not in the list of trusted keys"):
        bundle_read(path, trusted={"0" * 64})


def test_bundles_that_do_not_belong_together_are_refused(tmp_path: Path) -> None:
    a = bundle_read(write(tmp_path / "a.json", bundle("GM0784", {"bijstand": (1, 2)})))
    later = bundle_read(
        write(tmp_path / "b.json", bundle("GM0826", {"bijstand": (1, 2)}, "2026-01-01"))
    )
    same = bundle_read(write(tmp_path / "c.json", bundle("GM0784", {"bijstand": (1, 2)})))
    with pytest.raises(FederationError, match="different peildata"):
        bundles_combine([a, later])
    with pytest.raises(FederationError, match="both of gemeente GM0784"):
        bundles_combine([a, same])
    with pytest.raises(FederationError, match="at least two"):
        bundles_combine([a])
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(FederationError, match="not a meedoen federation bundle"):
        bundle_read(tmp_path / "x.json")


def test_the_check_refuses_a_number_that_is_not_the_sum_of_released_parts() -> None:
    parts = (Part("A", "GM0001", 5, 100), Part("B", "GM0002", None, 100))
    with pytest.raises(FederationError, match="not the sum of released parts"):
        combination_check([Combined("x", "X", 100, parts, (), 12, 200)])
    combination_check([Combined("x", "X", 100, parts, (), None, 200)])


def test_the_shipped_reference_figures_are_valid() -> None:
    catalogue = catalogue_load()
    references = references_load(catalogue=catalogue)
    assert references and all(r.source for r in references)
    national = [r for r in references if r.area == "NL01"]
    assert {r.indicator for r in national} <= {i.id for i in catalogue.indicators}
    assert BUILT_IN.exists()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("onbekend,NL01,Nederland,2024,5.0,CBS,", "row 2, column indicator"),
        ("bijstand,NL1,Nederland,2024,5.0,CBS,", "row 2, column gebied"),
        ("bijstand,NL01,Nederland,24,5.0,CBS,", "row 2, column periode"),
        ('bijstand,NL01,Nederland,2024,"5,0",CBS,', "row 2, column waarde"),
        ("bijstand,NL01,Nederland,2024,5.0,,", "row 2, column bron: empty"),
        ("bijstand,NL01,Nederland,2024,5.0,CBS,a,b", "row 2: 8 fields"),
    ],
)
def test_a_bad_reference_row_names_file_row_and_column(
    tmp_path: Path, row: str, problem: str
) -> None:
    path = tmp_path / "ref.csv"
    path.write_text(
        "indicator,gebied,gebiedsnaam,periode,waarde,bron,toelichting\n" + row + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceFileError) as refused:
        references_read(path, known={"bijstand"})
    assert str(path) in str(refused.value) and problem in str(refused.value)


def test_an_installation_adds_reference_files(tmp_path: Path) -> None:
    (tmp_path / "referenties").mkdir()
    regional = references_read(BUILT_IN, known={"bijstand"})
    references_write(tmp_path / "referenties" / "regio.csv", regional)
    found = references_load(catalogue=catalogue_load(), home=tmp_path)
    assert len(found) == 2 * len(regional)
