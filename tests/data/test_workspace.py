import json
import stat

import duckdb
import pytest

from meedoen_data.workspace import (
    SOURCE_DOMAINS,
    Workspace,
    WorkspaceError,
    resolve_home,
    workspace_init,
    workspace_status,
)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_the_documented_layout(tmp_path) -> None:
    home = tmp_path / "ws"
    report = workspace_init(home=home)
    assert report.was_new
    workspace = Workspace(home)
    assert workspace.manifest()["format"] == 1
    assert mode(home) == 0o700
    assert mode(workspace.vault_dir) == 0o700
    assert mode(workspace.analytics_path) == 0o600
    assert workspace.keys.names() == sorted(
        ["web-secret", "audit-chain", *(f"pseudonym-{d}" for d in SOURCE_DOMAINS)]
    )
    for name in workspace.keys.names():
        assert mode(workspace.keys.path(name)) == 0o600
    with duckdb.connect(str(workspace.analytics_path), read_only=True) as con:
        assert con.execute("SELECT value FROM meta.workspace WHERE key='format'").fetchone() == (
            "1",
        )


def test_init_again_keeps_keys_and_reports_nothing_new(tmp_path) -> None:
    workspace_init(home=tmp_path / "ws")
    key_before = Workspace(tmp_path / "ws").keys.read("pseudonym-brp")
    again = workspace_init(home=tmp_path / "ws")
    assert not again.was_new
    assert again.created == []
    assert Workspace(tmp_path / "ws").keys.read("pseudonym-brp") == key_before


def test_init_completes_a_workspace_with_a_missing_part(tmp_path) -> None:
    workspace_init(home=tmp_path)
    Workspace(tmp_path).keys.path("pseudonym-cbs").unlink()
    report = workspace_init(home=tmp_path)
    assert report.created == ["keys/pseudonym-cbs.key"]


def test_init_refuses_a_non_empty_foreign_folder(tmp_path) -> None:
    (tmp_path / "thesis.docx").write_text("mine")
    with pytest.raises(WorkspaceError, match="not a meedoen workspace"):
        workspace_init(home=tmp_path)
    assert not (tmp_path / "keys").exists()


def test_init_refuses_a_workspace_of_another_format(tmp_path) -> None:
    workspace_init(home=tmp_path)
    (tmp_path / "workspace.json").write_text(json.dumps({"format": 99}))
    with pytest.raises(WorkspaceError, match="format 99"):
        workspace_init(home=tmp_path)


def test_status_counts_analytics_tables(tmp_path) -> None:
    workspace_init(home=tmp_path)
    with duckdb.connect(str(Workspace(tmp_path).analytics_path)) as con:
        con.execute("CREATE TABLE person (person_id VARCHAR)")
    status = workspace_status(home=tmp_path)
    assert status.analytics_tables == 1
    assert status.vault_present


def test_resolve_home_order(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MEEDOEN_HOME", str(tmp_path / "env"))
    assert resolve_home(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_home(None) == tmp_path / "env"
    monkeypatch.delenv("MEEDOEN_HOME")
    monkeypatch.chdir(tmp_path)
    assert resolve_home(None) == tmp_path / "meedoen-data"
