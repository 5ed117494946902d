"""Branding per installation (issue 17): the organisation's name, logo and theme, from files on
the server; a configured file that cannot be served stops the start."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from meedoen.web.branding import branding_check

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">'
    b'<rect width="32" height="32"/></svg>'
)


def test_without_branding_pages_show_meedoen_and_its_own_logo(client: Client, settings) -> None:
    settings.MEEDOEN_ORGANISATION = settings.MEEDOEN_LOGO = settings.MEEDOEN_THEME_CSS = ""
    html = client.get("/inloggen/").content.decode()
    assert "<title>Inloggen · meedoen</title>" in html
    assert 'src="/static/meedoen/img/logo.svg"' in html and "/huisstijl/" not in html
    logo = client.get("/huisstijl/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/svg+xml"
    theme = client.get("/huisstijl/thema.css")
    assert theme.status_code == 200 and theme["Content-Type"] == "text/css"


def test_the_installation_s_name_logo_and_theme(client: Client, settings, tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_bytes(SVG)
    (tmp_path / "thema.css").write_text(
        ".meedoen-theme { --basis-color-accent-1-color-default: #b5121b; }"
    )
    settings.MEEDOEN_ORGANISATION = "Gemeente Voorbeeldstad"
    settings.MEEDOEN_LOGO = str(tmp_path / "logo.svg")
    settings.MEEDOEN_THEME_CSS = str(tmp_path / "thema.css")
    html = client.get("/inloggen/").content.decode()  # before signing in too
    assert "<title>Inloggen · meedoen · Gemeente Voorbeeldstad</title>" in html
    assert '<span class="meedoen-brand__organisation">Gemeente Voorbeeldstad</span>' in html
    assert 'src="/huisstijl/logo/"' in html
    assert '<link rel="stylesheet" href="/huisstijl/thema.css">' in html
    logo = client.get("/huisstijl/logo/")
    assert logo["Content-Type"] == "image/svg+xml" and b"".join(logo.streaming_content) == SVG
    theme = client.get("/huisstijl/thema.css")
    assert b"#b5121b" in b"".join(theme.streaming_content)
    assert theme["Content-Type"] == "text/css; charset=utf-8"
    assert branding_check() == []


def test_a_logo_or_theme_that_cannot_be_served_is_an_error(settings, tmp_path: Path) -> None:
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    settings.MEEDOEN_LOGO = str(tmp_path / "logo.gif")
    settings.MEEDOEN_THEME_CSS = str(tmp_path / "bestaat-niet.css")
    errors = {error.id: error.msg for error in branding_check()}
    assert set(errors) == {"meedoen.E101", "meedoen.E102"}
    assert "use a .png or .svg file" in errors["meedoen.E101"]
    assert "bestaat-niet.css: there is no such file" in errors["meedoen.E102"]
