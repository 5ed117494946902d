"""Finding (issue 15, low): files of the workspace were readable by every account on the server.

The attack: on the demo server, another (unprivileged) account listed the workspace and read
`HOME/sources/GM0784/*.csv` — the synthetic register with BSNs, names, birth dates and
addresses, written 0644 in 0755 folders — and `HOME/logs/meedoen.log` (0644 in a 0750 folder):
whatever a process wrote got the umask's 0644, and only a few files were tightened afterwards.

Now meedoen's processes run with umask 077, and the workspace's own files and folders get
explicit modes (sources, logs and rotated logs, the manifest, uploads): after a demo and a served
session, no file in HOME is readable, and no folder searchable, by group or others."""

from __future__ import annotations

import logging
import os
import re
import stat
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from meedoen.utils.logs import PrivateRotatingFileHandler
from tests.helpers import meedoen_json, served_port


def too_open(home: Path) -> list[str]:
    """Files readable or writable, folders listable or searchable, by group or others."""
    found = []
    for root, folders, files in os.walk(home):
        for name in folders + files:
            path = Path(root) / name
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode & 0o077:
                found.append(f"{oct(mode)} {path.relative_to(home)}")
    mode = stat.S_IMODE(home.stat().st_mode)
    if mode & 0o077:
        found.append(f"{oct(mode)} HOME")
    return sorted(found)


def session(port: int, username: str, password: str) -> urllib.request.OpenerDirector:
    """Sign in through the login form, as a browser does."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/inloggen/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page[:500]
    form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    request = urllib.request.Request(
        f"{base}/inloggen/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/inloggen/"},
    )
    with opener.open(request) as response:
        assert "/inloggen/" not in response.geturl(), "sign-in failed"
    return opener


def test_nothing_in_the_workspace_is_open_to_others(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    demo = meedoen_json("demo", "--no-serve", "--home", str(home))
    assert (home / "sources" / "GM0784" / "ingeschrevenpersoon.csv").is_file()
    passwords = {user["username"]: user["password"] for user in demo["users"]}
    with served_port(home) as (port, _server):
        opener = session(port, "analyst", passwords["analyst"])
        for url in ("/", "/inlezen/", "/verwerkingen/"):
            assert opener.open(f"http://127.0.0.1:{port}{url}").status == 200, url
    assert (home / "logs" / "meedoen.log").is_file()
    assert too_open(home) == []


def test_log_files_are_private_also_when_rotated(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "meedoen.log"
    path.parent.mkdir(mode=0o700)
    previous = os.umask(0o022)  # the umask of a process that forgot to set one
    try:
        handler = PrivateRotatingFileHandler(str(path), maxBytes=200, backupCount=2)
        logger = logging.getLogger("tests.security.rotation")
        logger.addHandler(handler)
        try:
            for number in range(40):
                logger.warning("line %d of the log, long enough to rotate it soon", number)
        finally:
            logger.removeHandler(handler)
            handler.close()
    finally:
        os.umask(previous)
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["meedoen.log", "meedoen.log.1", "meedoen.log.2"]
    assert too_open(path.parent) == []
