"""The case-work tables of contract v2 at the gate: they load from the generator without
quarantined rows, the professionals' names and contacts and the case workers' user names stay
in the vault, and wrong values go to quarantine with file, row and column."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from meedoen_data.contract import TABLES
from meedoen_data.intake import ingest_directory, quarantine_show
from meedoen_data.synth import synth_municipality
from meedoen_data.workspace import workspace_init
from tests.intake.conftest import PERSON_HEADER, person_rows, valid_bsns, vault_rows

NEW_TABLES = ("aanbieder", "betrokkenheid", "casus")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("casework")
    synth_municipality(gemeente="GM0784", out=root / "src", persons=4000, seed=5)
    workspace_init(home=root / "home")
    report = ingest_directory(home=root / "home", directory=root / "src", user="t")
    by_table = {f.table: f for f in report.files}
    for table in (*NEW_TABLES, "ingeschrevenpersoon"):
        assert by_table[table].status == "loaded", by_table[table].message
        assert by_table[table].rows_quarantined == 0
        assert by_table[table].rows_loaded > 0
    return root / "src", root / "home"


def test_the_new_tables_land_under_their_own_domains(loaded) -> None:
    _, home = loaded
    keys = {p.name for p in (home / "keys").iterdir()}
    assert {"pseudonym-betrokkenheid.key", "pseudonym-casus.key"} <= keys
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        columns = {
            table: [r[0] for r in con.execute(f"DESCRIBE analytics.source.{table}").fetchall()]
            for table in NEW_TABLES
        }
        brp = {
            r[0]
            for r in con.execute(
                "SELECT person_pseudonym FROM source.ingeschrevenpersoon"
            ).fetchall()
        }
        cases = {r[0] for r in con.execute("SELECT person_pseudonym FROM source.casus").fetchall()}
        analysed = [
            r[0] for r in con.execute("DESCRIBE analytics.source.ingeschrevenpersoon").fetchall()
        ]
    with duckdb.connect(str(home / "vault" / "vault.duckdb"), read_only=True) as vault:
        secret = vault.execute(
            "SELECT count(*) FROM identity.ingeschrevenpersoon WHERE indicatiegeheim <> '0'"
        ).fetchone()
    assert columns["betrokkenheid"] == [
        "person_pseudonym",
        "rol",
        "startdatum",
        "laatstecontact",
        "batch_id",
    ]
    assert columns["casus"] == [
        "casusnummer",
        "person_pseudonym",
        "team",
        "startdatum",
        "einddatum",
        "batch_id",
    ]
    assert columns["aanbieder"] == ["agbcode", "naam", "telefoon", "email", "batch_id"]
    assert cases and not cases & brp  # another domain, another pseudonym
    assert secret and secret[0] > 0
    assert "indicatiegeheim" not in analysed  # who lives at a secret address: vault only


def test_professionals_and_case_workers_never_reach_analytics(loaded) -> None:
    src, home = loaded
    con = duckdb.connect()

    def csv(name: str) -> str:
        return f"read_csv('{src / name}.csv', all_varchar = true)"

    con.execute(f"""CREATE TABLE secret AS
        SELECT professional AS value FROM {csv("betrokkenheid")}
        UNION SELECT contact FROM {csv("betrokkenheid")}
        UNION SELECT organisatie FROM {csv("betrokkenheid")}
        UNION SELECT medewerker FROM {csv("casus")}
        -- a provider's name is public (aanbieder.naam) also when a professional works there
        EXCEPT SELECT naam FROM {csv("aanbieder")}""")
    assert con.execute("SELECT count(*) FROM secret").fetchone()[0] > 50
    con.execute(f"ATTACH '{home / 'analytics.duckdb'}' AS a (READ_ONLY)")
    columns = con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = 'a'"
    ).fetchall()
    found = []
    for schema, table, column in columns:
        hits = con.execute(
            f'SELECT count(*) FROM a."{schema}"."{table}" t JOIN secret s '
            f'ON CAST(t."{column}" AS VARCHAR) = s.value'
        ).fetchone()
        if hits and hits[0]:
            found.append((table, column, hits[0]))
    con.close()
    assert found == []
    in_vault = vault_rows(home, "SELECT count(*) FROM identity.betrokkenheid")
    assert in_vault[0][0] > 0


def _reasons(home: Path, result) -> set[tuple[int, str, str]]:
    rows = quarantine_show(home=home, batch_id=result.batch_id)
    return {(r["row_number"], r["column_name"], result.file) for r in rows}


def test_wrong_phone_email_role_and_secrecy_go_to_quarantine(home, delivery) -> None:
    a, b = valid_bsns(2)
    folder = delivery(
        "aanbieder.csv",
        "\n".join(
            [
                ",".join(TABLES["aanbieder"]),
                "98000011,Zorggroep De Linde,013 123 4567,info@delinde.nl",
                "98000012,Jeugdhulp Oost,bel Jan 0612,info@oost.nl",
                "98000013,Jeugdhulp West,+31 13 123 4567,info at west",
                "98000014,Jeugdhulp Noord,06-12345678,noord@jeugdhulp.nl",
            ]
        ),
    )
    (folder / "betrokkenheid.csv").write_text(
        "\n".join(
            [
                ",".join(TABLES["betrokkenheid"]),
                f"{a},Wijkteam Noord,Anna de Vries,regievoerder,06-12345678,2024-01-01,2024-12-01",
                f"{a},Wijkteam Noord,Anna de Vries,buurvrouw,06-12345678,2024-01-01,2024-12-01",
                f"{b},Wijkteam Zuid,Piet Jansen,hulpverlener,bel maandag,2024-01-01,2024-12-01",
                f"{b},Wijkteam Zuid,Piet Jansen,regievoerder,,2024-06-01,2024-02-01",
            ]
        )
    )
    rows = person_rows(3)
    rows[1] = rows[1] + ",0"
    rows[2] = rows[2] + ",9"
    rows[0] = rows[0] + ",7"
    (folder / "ingeschrevenpersoon.csv").write_text(
        "\n".join([PERSON_HEADER + ",indicatiegeheim", *rows])
    )
    (folder / "casus.csv").write_text(
        "\n".join(
            [
                ",".join(TABLES["casus"]),
                f"C2024-000001,{a},casemanager,wijkteam-noord,2024-01-01,",
                f"C2024-000002,{b},case manager,wijkteam-noord,2024-01-01,",
                f"C2024-000003,{b},casemanager,wijkteam noord J. Jansen,2024-01-01,",
            ]
        )
    )
    report = ingest_directory(home=home, user="t", directory=folder, max_reject_share=1)
    files = {f.table: f for f in report.files}
    assert _reasons(home, files["aanbieder"]) == {
        (2, "telefoon", "aanbieder.csv"),
        (3, "email", "aanbieder.csv"),
    }
    assert files["aanbieder"].rows_loaded == 2
    assert _reasons(home, files["betrokkenheid"]) == {
        (2, "rol", "betrokkenheid.csv"),
        (3, "contact", "betrokkenheid.csv"),
        (4, "laatstecontact", "betrokkenheid.csv"),
    }
    assert _reasons(home, files["ingeschrevenpersoon"]) == {
        (3, "indicatiegeheim", "ingeschrevenpersoon.csv")
    }
    assert _reasons(home, files["casus"]) == {
        (2, "medewerker", "casus.csv"),
        (3, "team", "casus.csv"),
    }
    shown = quarantine_show(home=home, batch_id=files["aanbieder"].batch_id)
    assert all("pattern" in r["reason"] for r in shown)


def test_a_provider_named_after_a_person_is_quarantined(home, delivery) -> None:
    a, b = valid_bsns(2)
    people = [
        f"{a},Bakker,,Anna Maria,1980-05-01,V,,E,Nederland",
        f"{b},Smit,,Jan,1981-05-01,M,,E,",
    ]
    folder = delivery("ingeschrevenpersoon.csv", "\n".join([PERSON_HEADER, *people]))
    (folder / "aanbieder.csv").write_text(
        "\n".join(
            [
                ",".join(TABLES["aanbieder"]),
                "98000011,Zorggroep De Linde,013 123 4567,info@delinde.nl",
                "98000012,Praktijk A. Bakker,013 123 4567,praktijk@example.nl",
            ]
        )
    )
    report = ingest_directory(home=home, user="t", directory=folder, max_reject_share=1)
    result = {f.table: f for f in report.files}["aanbieder"]
    assert (result.rows_loaded, result.rows_quarantined) == (1, 1)
    assert _reasons(home, result) == {(2, "naam", "aanbieder.csv")}
