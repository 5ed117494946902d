"""Finding (issue 15, medium): anyone could make the server store a request body in /tmp.

The attack: without signing in, the attacker sent a slow POST of 6.9 MB — a multipart "upload"
full of BSNs and names — to `meedoen serve`. Waitress buffered the body in an unlinked temporary
file in /tmp, readable through `/proc/PID/fd` while the request lasted; then Django's CSRF check
parsed the multipart body (reading `request.POST`) and wrote its file part to the vault's upload
folder, all before anyone asked who was sending it. Bodies were limited only by waitress's
default of 1 GB.

Now request bodies are capped (waitress's `max_request_body_size` and Django's middleware,
`MEEDOEN_MAX_REQUEST_BYTES`), waitress's buffers live in the vault's tmp folder, and any
body over 256 KiB (an upload) is accepted only from a signed-in analyst: everyone else gets 403
before any middleware reads the body."""

from __future__ import annotations

import os
import socket
import time
from contextlib import suppress
from pathlib import Path

import pytest
from django.test import Client

from meedoen.accounts.roles import Role
from meedoen_data.workspace import workspace_init
from tests.helpers import meedoen, served_port

pytestmark = pytest.mark.django_db

BOUNDARY = "----meedoen-attack"
IDENTIFIERS = b"111222333,Jurre,Bakker,1980-05-17,4811AB,12\n"


def multipart(size: int) -> bytes:
    """A multipart body with one file part of ``size`` bytes of identifiers."""
    content = (IDENTIFIERS * (size // len(IDENTIFIERS) + 1))[:size]
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="ingeschrevenpersoon.csv"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + content
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


@pytest.fixture
def workspace(tmp_path: Path, settings):  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    workspace = workspace_init(home=home).workspace
    settings.MEEDOEN_HOME, settings.WORKSPACE = home, workspace
    settings.FILE_UPLOAD_TEMP_DIR = str(workspace.vault_dir / "uploads")
    return workspace


def post(client: Client, body: bytes, url: str = "/inlezen/"):  # type: ignore[no-untyped-def]
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def nothing_written(workspace) -> bool:  # type: ignore[no-untyped-def]
    """The upload handler creates the vault's upload folder for the first file it writes."""
    vault = workspace.vault_dir
    return not (vault / "uploads").exists() and not list(vault.glob("upload-*"))


def attacker() -> Client:
    """An anonymous client with the CSRF cookie the login page hands out: with it, Django's
    CSRF check reads request.POST (parsing the body) to look for the token, as for a browser."""
    client = Client(enforce_csrf_checks=True)
    assert client.get("/inloggen/").status_code == 200
    assert "csrftoken" in client.cookies
    return client


def test_an_anonymous_upload_is_refused_before_it_is_parsed(workspace) -> None:  # type: ignore[no-untyped-def]
    client = attacker()
    response = post(client, multipart(3_000_000))  # above the in-memory limit: to disk
    assert response.status_code == 403
    assert nothing_written(workspace)
    assert b"111222333" not in response.content


def test_a_large_anonymous_form_is_refused(workspace) -> None:  # type: ignore[no-untyped-def]
    client = attacker()
    response = client.post(
        "/inloggen/", "username=" + "x" * 300_000, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 403
    small = client.get("/inloggen/")
    assert small.status_code == 200  # the login page itself is unaffected


@pytest.mark.parametrize(
    "role", [Role.COUNCIL_MEMBER, Role.ADMINISTRATOR, Role.PRIVACY_OFFICER, Role.CASE_WORKER]
)
def test_a_signed_in_non_analyst_upload_is_refused(  # type: ignore[no-untyped-def]
    workspace, make_user, role: Role
) -> None:
    client = attacker()
    client.force_login(make_user(role))
    for url in ("/inlezen/", "/koppelingen/"):
        response = post(client, multipart(3_000_000), url)
        assert response.status_code == 403, url
    assert nothing_written(workspace)


def test_an_analyst_upload_over_the_cap_gets_413(workspace, make_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_REQUEST_BYTES = 1_000_000
    client = attacker()
    client.force_login(make_user(Role.ANALYST))
    response = post(client, multipart(1_500_000))
    assert response.status_code == 413
    assert "976" in response.content.decode()  # the limit, in the user's language
    assert nothing_written(workspace)


def test_django_caps_what_it_parses() -> None:
    from django.conf import settings

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 256 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES <= 25
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.FILE_UPLOAD_TEMP_DIR.endswith(os.path.join("vault", "uploads"))
    middleware = settings.MIDDLEWARE
    limit = middleware.index("meedoen.utils.middleware.RequestBodyLimitMiddleware")
    # Right after the user is known (authentication, then the session limit that may sign a
    # too old session out), before anything parses a body.
    assert middleware[limit - 2 : limit] == [
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "meedoen.utils.middleware.SessionLimitMiddleware",
    ]


def open_files(pid: int) -> list[str]:
    out = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with suppress(OSError):  # closed in the meantime
            out.append(os.readlink(fd))
    return out


def headers(port: int, length: int) -> bytes:
    return (
        f"POST /inlezen/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n"
        # Any well-formed CSRF cookie makes Django's CSRF check look for the token in the body.
        f"Cookie: csrftoken={'a' * 32}\r\n\r\n"
    ).encode()


def test_the_server_buffers_in_the_vault_and_caps_bodies(tmp_path: Path) -> None:
    home = tmp_path / "served"
    assert meedoen("init", "--home", str(home)).returncode == 0
    body = multipart(6_900_000)
    with served_port(home, MEEDOEN_MAX_REQUEST_BYTES="8MB") as (port, server):
        # The slow anonymous POST: half the body, then look at the server's open files.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(headers(port, len(body)))
            sock.sendall(body[: len(body) // 2])
            deadline = time.monotonic() + 10
            buffers: list[str] = []
            while not buffers and time.monotonic() < deadline:
                buffers = [f for f in open_files(server.pid) if f.endswith("(deleted)")]
                time.sleep(0.05)
            assert buffers, "waitress kept the body in memory: the test saw no buffer file"
            folders = {Path(f.removesuffix(" (deleted)")).parent for f in buffers}
            assert folders == {home / "vault" / "tmp"}, folders  # not /tmp
            sock.sendall(body[len(body) // 2 :])
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
        assert not (home / "vault" / "uploads").exists()
        # Over the cap: waitress answers 413 after the headers, before reading any body.
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(headers(port, 9_000_000))
            assert sock.recv(65536).startswith(b"HTTP/1.1 413")
