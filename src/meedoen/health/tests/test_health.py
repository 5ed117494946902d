import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_each_check_without_login(client: Client, settings, tmp_path) -> None:
    from meedoen_data.workspace import Workspace, workspace_init

    workspace_init(home=tmp_path)
    settings.MEEDOEN_HOME = tmp_path
    settings.WORKSPACE = Workspace(tmp_path)
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "workspace"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_health_is_503_without_workspace(client: Client, settings, tmp_path) -> None:
    from meedoen_data.workspace import Workspace

    settings.WORKSPACE = Workspace(tmp_path / "missing")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["workspace"]["ok"] is False
    assert str(tmp_path) not in response.content.decode()


def test_security_headers(client: Client) -> None:
    response = client.get("/inloggen/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
