from __future__ import annotations

from pathlib import Path

import pytest

from meedoen_data.workspace import Workspace, workspace_init


@pytest.fixture
def workspace(tmp_path: Path, settings) -> Workspace:  # type: ignore[no-untyped-def]
    """A real, fresh workspace that the web app uses for this test."""
    home = tmp_path / "home"
    workspace = workspace_init(home=home).workspace
    settings.MEEDOEN_HOME = home
    settings.WORKSPACE = workspace
    settings.FILE_UPLOAD_TEMP_DIR = str(workspace.vault_dir / "uploads")
    return workspace
