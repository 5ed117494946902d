"""`meedoen demo` as a newcomer runs it: it serves, and a printed demo user can sign in."""

from __future__ import annotations

import http.cookiejar
import json
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from tests.helpers import cli_env, free_port


def test_demo_serves_and_a_demo_user_signs_in(tmp_path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "meedoen",
            "demo",
            "--json",
            "--port",
            str(port),
            "--home",
            str(tmp_path / "demo"),
        ],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # the JSON document ends with a line "}"
            lines.append(line)
            if line.rstrip() == "}":
                break
        demo = json.loads("".join(lines))
        base = demo["url"].rstrip("/")
        assert base == f"http://127.0.0.1:{port}"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 30
        while True:
            try:
                login_page = opener.open(base + "/inloggen/", timeout=2).read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "demo did not start serving"
                time.sleep(0.2)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
        assert token
        user = next(u for u in demo["users"] if u["role"] == "privacy_officer")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": user["username"],
                "password": user["password"],
            }
        ).encode()
        start = opener.open(urllib.request.Request(base + "/inloggen/", data=form)).read()
        assert "Functionaris gegevensbescherming" in start.decode()
    finally:
        process.terminate()
        process.wait(timeout=10)
