"""Foundation benchmarks: how fast the CLI starts, a workspace is created and pages are served.

Run with `make bench` (or `.venv/bin/python -m benchmarks.run`). Prints one table of medians,
each with a ratio against its baseline measured in the same run:

- CLI start-up (`meedoen --help`) against a bare `python -c pass`: the price of our imports,
  paid by every script that calls meedoen.
- `meedoen init` on a new folder against the same start-up: what creating a workspace adds.
- Web requests through `meedoen serve` (waitress, SQLite workspace) against `/health/`, a
  request that touches the database and the workspace: a static file (WhiteNoise), and the
  start page of a signed-in analyst.

The machine is shared and noisy: compare ratios, not absolute times across runs.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.helpers import cli_env, free_port

RUNS_PROCESS = 7
RUNS_HTTP = 200


def median_ms(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, env=cli_env())


def main() -> None:
    rows: list[tuple[str, float, str, float]] = []
    python = sys.executable

    bare = median_ms(lambda: run(python, "-c", "pass"), RUNS_PROCESS)
    cli_help = median_ms(lambda: run(python, "-m", "meedoen", "--help"), RUNS_PROCESS)
    rows.append(("meedoen --help", cli_help, "python -c pass", bare))

    with tempfile.TemporaryDirectory() as scratch:
        counter = iter(range(1000))
        init = median_ms(
            lambda: run(python, "-m", "meedoen", "init", "--home", f"{scratch}/{next(counter)}"),
            RUNS_PROCESS,
        )
        rows.append(("meedoen init (new folder)", init, "meedoen --help", cli_help))

        home = Path(scratch) / "web"
        demo = subprocess.run(
            [python, "-m", "meedoen", "demo", "--no-serve", "--json", "--home", str(home)],
            check=True,
            capture_output=True,
            text=True,
            env=cli_env(),
        )
        password = {u["username"]: u["password"] for u in json.loads(demo.stdout)["users"]}
        port = free_port()
        server = subprocess.Popen(
            [python, "-m", "meedoen", "serve", "--home", str(home), "--port", str(port)],
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/health/", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.1)
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            login_html = opener.open(base + "/inloggen/").read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_html)
            assert token, "no CSRF token on the login page"
            form = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "username": "analyst",
                    "password": password["analyst"],
                }
            ).encode()
            opener.open(urllib.request.Request(base + "/inloggen/", data=form)).read()

            health = median_ms(lambda: opener.open(base + "/health/").read(), RUNS_HTTP)
            css = median_ms(
                lambda: opener.open(base + "/static/meedoen/css/meedoen.css").read(), RUNS_HTTP
            )
            start = median_ms(lambda: opener.open(base + "/").read(), RUNS_HTTP)
            rows.append(("GET /static/…/meedoen.css", css, "GET /health/", health))
            rows.append(("GET / (analyst start page)", start, "GET /health/", health))
        finally:
            server.terminate()
            server.wait(timeout=10)

    width = max(len(r[0]) for r in rows) + 2
    print(f"{'measurement':<{width}}{'median ms':>10}  {'baseline':<18}{'median ms':>10}  ratio")
    for name, value, baseline, base_value in rows:
        ratio = value / base_value if base_value else float("nan")
        print(f"{name:<{width}}{value:>10.1f}  {baseline:<18}{base_value:>10.1f}  {ratio:5.2f}x")


if __name__ == "__main__":
    main()
