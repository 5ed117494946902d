"""Every page of every role, as the demo shows it (issue 17): signed in as each role, the test
follows every link inside the app from the start page (breadth first) and checks each page it
reaches: it opens (200), it is Dutch — no English sentence or label of the translation
catalogue in its text — it shows labels, not the codes of the label registry, and the page does
not scroll sideways at 1280 px. Each kind of page (its address with the numbers taken out) also
passes axe-core's WCAG 2.1 AA checks at 1280 and at 375 px, once.

Text in ``code``, ``pre``, ``kbd``, ``samp`` and form fields is left out: a pseudonym, a query or
a command is shown as it is on purpose."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from meedoen.web.labels import REGISTRY
from tests.browser.conftest import DemoServer, axe_violations, fits
from tests.browser.test_web import sign_in
from tests.helpers import ROLE_IDS
from tests.test_translations import entries

pytestmark = pytest.mark.browser

#: Pages a role may reach at most (the demo has a few dozen per role), and pages of one kind
#: (e.g. review cases: the first few stand for the rest).
MAX_PAGES = 60
PER_KIND = 3
#: Links not followed: signing out, downloads, the API, static files.
SKIP = re.compile(r"^/(uitloggen|i18n|static|api|admin)(/|$)")
#: The visible text of the page without code, commands and form values.
VISIBLE_TEXT = """() => {
  const skip = new Set(['CODE', 'PRE', 'KBD', 'SAMP', 'SCRIPT', 'STYLE', 'TEXTAREA', 'SELECT',
                        'OPTION', 'TEMPLATE']);
  const out = [];
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { out.push(node.textContent); return; }
    if (node.nodeType !== Node.ELEMENT_NODE || skip.has(node.tagName)) return;
    if (node.hidden || getComputedStyle(node).display === 'none') return;
    for (const child of node.childNodes) walk(child);
  };
  walk(document.body);
  return out.join(' ').replace(/\\s+/g, ' ');
}"""


def _fragments(msgid: str) -> list[str]:
    """The literal parts of a catalogue string, without placeholders and markup."""
    text = re.sub(r"<[^>]+>|%\([a-z_]+\)[sd]|%[sd]|\{\{[^}]*\}\}|\{[a-z_]*\}", "|", msgid)
    return [part.strip(" .,:;()") for part in text.split("|") if part.strip(" .,:;()")]


def english_in_the_catalogue() -> tuple[list[str], list[str]]:
    """Sentences (two words or more) and capitalised single words of the catalogue's English
    that its Dutch does not contain itself: seeing one on a Dutch page means a string was not
    translated, or never went through the catalogue."""
    translated = [(msgid, msgstr) for msgid, msgstr, _ in entries() if msgid and msgstr]
    dutch = " ".join(msgstr for _, msgstr in translated)
    sentences: set[str] = set()
    words: set[str] = set()
    for msgid, msgstr in translated:
        if msgid == msgstr:
            continue
        for part in _fragments(msgid):
            if part in dutch:
                continue
            if " " in part and len(part) >= 12:
                sentences.add(part)
            elif re.fullmatch(r"[A-Z][a-z]{3,}", part) and not re.search(rf"\b{part}\b", dutch):
                words.add(part)
    return sorted(sentences), sorted(words)


SENTENCES, WORDS = english_in_the_catalogue()
WORD = re.compile(r"\b(" + "|".join(map(re.escape, WORDS)) + r")\b")
#: Codes the label registry turns into words (``paar_met_kinderen``, ``household.build``, a build
#: step's ``reference_person``): none may be shown as text. Not the roles: the demo's user names
#: are the role codes (``privacy_officer``), and a user name is shown as it is where it is
#: evidence (the audit log, the list of accounts).
CODES = sorted(
    {
        code
        for kind, codes in REGISTRY.items()
        if kind != "role"
        for code in codes
        if re.search(r"[_.]", code)
    }
)
CODE = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, CODES)) + r")(?![\w.])")


def problems_of(text: str) -> list[str]:
    found = [f"English: {s!r}" for s in SENTENCES if s in text]
    found += [f"English word: {w!r}" for w in sorted(set(WORD.findall(text)))]
    found += [f"code: {c!r}" for c in sorted(set(CODE.findall(text)))]
    return found


def kind_of(path: str) -> str:
    """The kind of a page: its path with the numbers and tokens taken out."""
    return re.sub(r"/[0-9]+(?=/)|/[A-Za-z0-9_-]{20,}(?=/)", "/N", urlsplit(path).path)


def links(page, origin: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.evaluate(
        """() => [...document.querySelectorAll('a[href]')]
            .filter(a => !a.hasAttribute('download'))
            .map(a => a.href)"""
    )
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.match(parts.path):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def test_the_catalogue_checks_would_catch_what_issue_17_found() -> None:
    """The detector itself: the English and the codes the issue saw on Dutch pages."""
    assert problems_of("Status: klaar. Stap 3 van 8: Personen per huishouden") == []
    assert "English word: 'Engine'" in problems_of("Engine: DuckDB")
    assert any("household.build" in p for p in problems_of("Handeling household.build door"))
    assert any("paar_met_kinderen" in p for p in problems_of("type paar_met_kinderen 12"))
    english = (
        "This page follows the build by itself and shows the summary when it is done; you may "
        "also leave it and come back later."
    )
    assert any(p.startswith("English:") for p in problems_of(f"Voortgang. {english} Vernieuwen"))


@pytest.fixture(scope="module")
def checked_kinds() -> set[str]:
    return set()


@pytest.mark.parametrize("username", ROLE_IDS)
def test_every_page_of_every_role_is_dutch_without_codes_and_fits(
    axe_page, demo_server: DemoServer, username: str, checked_kinds: set[str]
) -> None:  # type: ignore[no-untyped-def]
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, demo_server, username)
    origin = demo_server.url.rstrip("/")
    queue, seen, failures = deque(["/"]), {"/"}, []
    per_kind: dict[str, int] = {"/": 1}
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(origin + path)
        visited += 1
        if response is None or response.status != 200:
            failures.append(f"{path}: status {response.status if response else None}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        failures += [f"{path}: {p}" for p in problems_of(page.evaluate(VISIBLE_TEXT))]
        if not fits(page):
            failures.append(f"{path}: the page scrolls sideways at 1280 px")
        kind = kind_of(path)
        if kind not in checked_kinds:
            checked_kinds.add(kind)
            for width in (1280, 375):
                page.set_viewport_size({"width": width, "height": 800})
                violations = axe_violations(page)
                if violations:
                    failures.append(f"{path} at {width} px: axe {[v['id'] for v in violations]}")
            page.set_viewport_size({"width": 1280, "height": 800})
        for link in links(page, origin):
            if link in seen or per_kind.get(kind_of(link), 0) >= PER_KIND:
                continue
            seen.add(link)
            per_kind[kind_of(link)] = per_kind.get(kind_of(link), 0) + 1
            queue.append(link)
    assert visited >= 2, f"{username} reached no page from the start page"
    assert failures == [], "\n".join(failures)
