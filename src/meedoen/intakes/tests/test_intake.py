from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen.intakes.services import MAX_FILES, intake_upload
from meedoen_data.workspace import Workspace

pytestmark = pytest.mark.django_db

URL = "/inlezen/"
HEADER = (
    "burgerservicenummer,geslachtsnaam,voorvoegsel,voornamen,datumgeboorte,"
    "geslachtsaanduiding,datumoverlijden,aanduidingnaamgebruik,geboorteland\n"
)
PERSONS = (HEADER + "111222333,Jansen,,Piet,1980-05-17,M,,E,Nederland\n").encode()


def csv_file(name: str = "ingeschrevenpersoon.csv", content: bytes = PERSONS) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_analyst_sees_form_and_empty_history(client: Client, make_user, workspace) -> None:
    client.force_login(make_user(Role.ANALYST))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Bronbestanden inlezen" in html
    assert "<title>Bronbestanden inlezen" in html
    assert 'type="file"' in html and "multiple" in html and 'accept=".csv,.parquet"' in html
    assert '<label class="utrecht-form-label" for="files">' in html
    assert response.context["history"].available
    assert response.context["history"].rows == []


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ANALYST])
def test_other_roles_are_refused(client: Client, make_user, workspace, role: Role) -> None:
    client.force_login(make_user(role))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"files": [csv_file()]})
    assert response.status_code == 403
    assert not [p for p in workspace.vault_dir.iterdir() if p.name.startswith("upload-")]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ANALYST])
def test_the_service_itself_refuses_other_roles(make_user, workspace, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        intake_upload(user=make_user(role), files=[csv_file()])


def test_anonymous_is_sent_to_login(client: Client, workspace) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")


def test_upload_loads_a_valid_file_and_shows_it_in_the_history(
    client: Client, make_user, workspace: Workspace
) -> None:
    client.force_login(make_user(Role.ANALYST))
    response = client.post(URL, {"files": [csv_file()]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 rijen ingelezen in ingeschrevenpersoon" in html  # the gate's message, in Dutch
    report = response.context["report"]
    assert [(f.file, f.status, f.rows_loaded) for f in report.files] == [
        ("ingeschrevenpersoon.csv", "loaded", 1)
    ]
    batch_id = report.files[0].batch_id
    # The uploads are gone from the vault; nothing but the stores' own folders remains there.
    assert not [p for p in workspace.vault_dir.iterdir() if p.name.startswith("upload-")]
    # The identifiers are not in the page.
    assert "111222333" not in html and "Jansen" not in html

    history = client.get(URL)
    rows = history.context["history"].rows
    assert [(r["batch_id"], r["status"], r["user_name"]) for r in rows] == [
        (batch_id, "loaded", "analyst")
    ]
    assert batch_id in history.content.decode()
    # People by name, not by user name (make_user names the analyst "Analist").
    assert rows[0]["user_label"] == "Analist"
    assert '<td class="utrecht-table__cell">Analist</td>' in history.content.decode()

    again = client.post(URL, {"files": [csv_file()]})
    assert again.context["report"].files[0].status == "unchanged"


def test_rows_that_fail_are_listed_with_row_column_and_reason(
    client: Client, make_user, workspace
) -> None:
    client.force_login(make_user(Role.ANALYST))
    rows = "".join(f"12345{i:02d},Naam{i},,Jan,1980-05-17,M,,E,\n" for i in range(12))
    response = client.post(URL, {"files": [csv_file(content=(HEADER + rows).encode())]})
    assert response.status_code == 200
    result = response.context["report"].files[0]
    assert result.status == "rejected"
    html = response.content.decode()
    assert "geen geldig BSN (9 cijfers, elfproef)" in html
    assert html.count("<code>burgerservicenummer</code>") == 10  # at most 10 shown per file


@pytest.mark.parametrize("name", ["x.txt", "Ingeschrevenpersoon.CSV", "ingeschreven persoon.csv"])
def test_files_with_other_names_are_refused(client: Client, make_user, workspace, name) -> None:
    client.force_login(make_user(Role.ANALYST))
    response = client.post(URL, {"files": [csv_file(name)]})
    assert response.status_code == 200
    assert response.context["report"] is None
    html = response.content.decode()
    assert "Alleen .csv- en .parquet-bestanden met een eenvoudige naam" in html
    assert name in html
    assert response.context["history"].rows == []


def test_a_path_in_the_file_name_never_leaves_the_vault(
    client: Client, make_user, workspace: Workspace, tmp_path: Path
) -> None:
    """Django keeps only the last part of an uploaded file name; whatever arrives is checked."""
    client.force_login(make_user(Role.ANALYST))
    response = client.post(URL, {"files": [csv_file("../evil.csv")]})
    assert response.context["report"].files[0].status == "rejected"
    assert "onbekende tabel evil" in response.content.decode()
    assert not list(tmp_path.rglob("evil.csv"))


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/evil.csv", "x.txt", ".csv", "a.csv.txt"])
def test_the_service_refuses_names_that_are_not_plain(make_user, workspace, name) -> None:
    upload = csv_file()
    upload._name = name  # past Django's own sanitising, as another caller might pass it
    with pytest.raises(ValidationError) as raised:
        intake_upload(user=make_user(Role.ANALYST), files=[upload])
    assert raised.value.code == "file_name"


def test_no_files_or_too_many_files_are_refused(client: Client, make_user, workspace) -> None:
    client.force_login(make_user(Role.ANALYST))
    assert "Kies minstens één bestand." in client.post(URL, {}).content.decode()
    files = [csv_file(f"partner_{i}.csv") for i in range(MAX_FILES + 1)]
    html = client.post(URL, {"files": files}).content.decode()
    assert f"Hoogstens {MAX_FILES} bestanden per keer" in html


def test_the_same_file_twice_is_refused(client: Client, make_user, workspace) -> None:
    client.force_login(make_user(Role.ANALYST))
    html = client.post(URL, {"files": [csv_file(), csv_file()]}).content.decode()
    assert "dubbel gekozen: ingeschrevenpersoon.csv" in html


def test_large_uploads_are_spooled_inside_the_vault(
    client: Client, make_user, workspace: Workspace, settings
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload goes to a temporary file
    uploads = workspace.vault_dir / "uploads"
    assert not uploads.exists()
    client.force_login(make_user(Role.ANALYST))
    response = client.post(URL, {"files": [csv_file()]})
    assert response.context["report"].files[0].rows_loaded == 1
    assert stat.S_IMODE(uploads.stat().st_mode) == 0o700
    assert list(uploads.iterdir()) == []  # Django removed its temporary file


def test_history_says_when_the_store_cannot_be_read(client: Client, make_user, workspace) -> None:
    import duckdb

    client.force_login(make_user(Role.ANALYST))
    holder = duckdb.connect(str(workspace.analytics_path))  # as a running `meedoen ingest` would
    try:
        response = client.get(URL)
    finally:
        holder.close()
    assert response.status_code == 200
    assert not response.context["history"].available
    assert "De werkruimte kan nu niet worden gelezen." in response.content.decode()
