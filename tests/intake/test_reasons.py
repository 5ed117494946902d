"""Every message the gate writes about a row or a file is recognised by
:mod:`meedoen_data.intake.reasons` (a stable code and its values), so that pages can say it in
Dutch (issue 17). The messages are made by the gate itself, from files that fail in each way."""

from __future__ import annotations

from meedoen_data.contract import TABLES
from meedoen_data.intake import IntakeLimits, ingest_directory, quarantine_show
from meedoen_data.intake.reasons import OTHER, file_reason, row_reason, rule_reasons
from tests.intake.conftest import PERSON_HEADER, person_rows, valid_bsns


def _reasons(home, folder, **kwargs) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    report = ingest_directory(home=home, directory=folder, user="t", max_reject_share=1, **kwargs)
    found = []
    for result in report.files:
        found.append(("file", result.message))
        for shown in quarantine_show(home=home, batch_id=result.batch_id):
            found.append(("row", shown["reason"]))
    return found


def test_every_row_reason_has_a_code(home, delivery) -> None:
    a, b = valid_bsns(2, offset=10)
    persons = [
        *person_rows(3),
        "123456789,X,,A,1980-01-01,V,,E,",  # not a BSN
        f"{a},,,A,1980-01-01,V,,E,",  # required value missing
        f"{b},Y,,A,1980-13-01,Q,,E,",  # not a date; code not in its list (shown)
        f"{b},Z,,A,1980-01-01,VROUWELIJK,,E,",  # duplicate key; a value too long to show
    ]
    debts = "\n".join(
        [
            ",".join(TABLES["schuldhulptraject"]),
            f"{a},2024-01-01,2023-01-01,12a,X,schuldenvrij",  # date order, amount, flag
            f"{a},2024-02-01,,100,J,{valid_bsns(1)[0]}",  # a BSN where a code belongs
        ]
    )
    allocations = (
        ",".join(TABLES["toewijzing"])
        + "\n"
        + (f"T1,{a},WMO,01,ABCDEFGH,2024-01-01,2024-01-01,,veel,1,2,ZIN,12345678,01")
    )
    addresses = (
        ",".join(TABLES["nummeraanduiding"])
        + "\n"
        + ("123,0784010000000001,12AB,1,,,Kerkstraat,Rijen,BU07840000,WK078400,GM0784")
    )
    panel = ",".join(TABLES["inwonerspanel"][:4]) + "\nR1,WK078400,1,18-34\n"
    areas = "code,naam,niveau,bovenliggend\nWK078400,Jansen0 Anna,buurt,BU07840000\n"
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *persons]))
    for name, text in (
        ("schuldhulptraject.csv", debts),
        ("toewijzing.csv", allocations),
        ("nummeraanduiding.csv", addresses),
        ("inwonerspanel.csv", panel),
        ("gebied.csv", areas),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    found = _reasons(home, folder)
    rows = [text for kind, text in found if kind == "row"]
    codes = {row_reason(text).code for text in rows}
    assert OTHER not in codes, [t for t in rows if row_reason(t).code == OTHER]
    assert {
        "bsn",
        "required",
        "date",
        "code_not_listed",
        "value_not_listed",
        "duplicate_key",
        "date_order",
        "amount",
        "flag",
        "whole_number",
        "pattern",
        "bag",
        "postcode",
        "free_text",
        "area_level",
        "area_parent",
    } <= codes
    holding = [row_reason(t) for t in rows if "it holds" in t]
    assert holding and all(r.kinds == ("BSN",) for r in holding)
    files = {file_reason(text).code for kind, text in found if kind == "file"}
    assert files <= {"loaded", "loaded_quarantined"} and OTHER not in files
    assert all(row_reason(reason).code != OTHER for reason in rule_reasons())


def test_every_file_message_has_a_code(home, delivery) -> None:
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *person_rows(2)]))
    (folder / "onbekend.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "relatie.csv").write_text("burgerservicenummer\n1\n", encoding="utf-8")
    (folder / "cbs_persoon.csv").write_text("", encoding="utf-8")
    (folder / "gebied.csv").write_text("code,naam,niveau,code\n", encoding="utf-8")
    (folder / "schuldhulptraject.parquet").write_bytes(b"not parquet")
    (folder / "inwonerspanel.csv").write_text("respondent_id\n", encoding="utf-8")
    messages = [text for kind, text in _reasons(home, folder) if kind == "file"]
    again = [text for kind, text in _reasons(home, folder) if kind == "file"]
    rows = "\n".join([PERSON_HEADER, *person_rows(3, offset=50)])
    other = delivery("ingeschrevenpersoon.csv", rows)
    big = [
        text
        for kind, text in _reasons(home, other, limits=IntakeLimits(file_rows=1))
        if kind == "file"
    ]
    codes = [file_reason(text).code for text in messages + again + big]
    assert OTHER not in codes, [t for t in messages + again + big if file_reason(t).code == OTHER]
    assert {
        "loaded",
        "unknown_table",
        "column_missing",
        "no_header",
        "column_twice",
        "unreadable_parquet",
        "no_rows",
        "unchanged",
        "rows_over",
    } <= set(codes)
    assert file_reason(
        "x.csv: 30 of 40 rows (75.0%) fail the checks, more than the 5% allowed; the whole "
        "file is rejected and its failing rows are in quarantine"
    ).params == {"file": "x.csv", "bad": "30", "rows": "40", "share": "75.0", "allowed": "5"}
