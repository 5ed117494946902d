"""A real `meedoen demo` workspace served by `meedoen serve`, driven by headless Chromium.

Chromium comes from Debian (/usr/bin/chromium, installed by `make test`); Playwright only
drives it and downloads nothing. axe-core comes from npm (node_modules/, `make test`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO, demo_copy, served

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class DemoServer:
    url: str
    passwords: dict[str, str]
    home: Path


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    home = tmp_path_factory.mktemp("browser") / "home"
    demo = demo_copy(Path(home))
    with served(home) as url:
        yield DemoServer(url, {user["username"]: user["password"] for user in demo["users"]}, home)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser profile that keeps the site's Content-Security-Policy in force."""
    context = browser.new_context(locale="nl-NL")
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh profile where axe-core may be injected (CSP bypassed for the injection only)."""
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    yield context.new_page()
    context.close()


def axe_violations(page) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Run axe-core on the current page for WCAG 2.0/2.1 A and AA; return the violations."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make test` (npm ci installs it)")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


#: Where the browser tests leave the screenshots the user guides show (docs/users/img/), when
#: SCREENSHOTS=1 is set: `SCREENSHOTS=1 .venv/bin/pytest tests/browser` refreshes them.
SCREENSHOTS = REPO / "docs" / "users" / "img"


def screenshot(page, name: str, *, full_page: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Save the page (``full_page=False``: what the window shows) as docs/users/img/NAME.png
    for the guides (only with SCREENSHOTS=1)."""
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    """No horizontal overflow of the page (its own scroll containers may scroll)."""
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )
