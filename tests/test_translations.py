"""The Dutch UI is complete: every string has a translation, none is marked fuzzy."""

from __future__ import annotations

import re

from tests.helpers import REPO

PO = REPO / "src" / "meedoen" / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def entries() -> list[tuple[str, str, bool]]:
    text = PO.read_text(encoding="utf-8")
    result = []
    for block in text.split("\n\n"):
        fuzzy = "#, fuzzy" in block
        msgid = "".join(re.findall(r'"(.*)"', block.split("msgstr")[0].split("msgid", 1)[-1]))
        msgstr = (
            "".join(re.findall(r'"(.*)"', block.split("msgstr", 1)[-1]))
            if "msgstr" in block
            else ""
        )
        if "msgid" in block:
            result.append((msgid, msgstr, fuzzy))
    return result


def test_every_string_is_translated_to_dutch() -> None:
    missing = [msgid for msgid, msgstr, fuzzy in entries() if msgid and (not msgstr or fuzzy)]
    assert missing == []


def test_templates_use_only_translated_strings() -> None:
    known = {msgid for msgid, _, _ in entries()}
    pattern = re.compile(r'{% translate "([^"]+)"')
    for template in (REPO / "src" / "meedoen" / "templates").rglob("*.html"):
        for string in pattern.findall(template.read_text(encoding="utf-8")):
            assert string in known, f"{template.name}: {string!r} missing from django.po"
