"""The main menu per role: it shows only what the role may open (checked against the documented
permission matrix and by opening every link), marks where the user is, and pages inside a
section lead back up through breadcrumbs."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from meedoen.accounts.roles import Role
from meedoen.accounts.tests.test_permission_matrix import ALLOWED, matrix
from meedoen.residents.services import resident_account_bind
from meedoen.web.navigation import SECTIONS, menu_for, section_of, sections_for

pytestmark = pytest.mark.django_db


def test_every_section_is_open_to_exactly_its_roles_in_the_permission_matrix() -> None:
    documented = {url: roles for method, url, roles in matrix() if method == "GET"}
    for section in SECTIONS:
        url = reverse(section.url_name)
        assert url in documented, f"{url} is not in docs/users/permissions.md"
        allowed = {role for role, cell in documented[url].items() if cell == ALLOWED}
        assert set(section.roles) == allowed - {"anonymous"}, section.url_name


def test_a_path_belongs_to_the_section_with_the_longest_prefix() -> None:
    assert section_of(path="/", role=Role.ANALYST).url_name == "portals:start"
    assert section_of(path="/verwerkingen/7/", role=Role.ANALYST).url_name == (
        "activities:register"
    )
    assert section_of(path="/koppelingen/beoordelen/3/", role=Role.ANALYST).url_name == (
        "linkages:runs"
    )
    # A section the role does not have is never "where you are".
    assert section_of(path="/logboek/", role=Role.ANALYST) is None
    assert section_of(path="/onbekend/", role=Role.ANALYST) is None


def test_the_menu_marks_the_current_page_and_the_active_section() -> None:
    items = {str(i.label): i for i in menu_for(role=Role.ANALYST, path="/huishoudens/4/")}
    assert items["Huishoudens"].active and not items["Huishoudens"].current
    assert not items["Start"].active
    on_list = {str(i.label): i for i in menu_for(role=Role.ANALYST, path="/huishoudens/")}
    assert on_list["Huishoudens"].current


@pytest.mark.parametrize("role", [r for r in Role.values])
def test_every_role_sees_its_menu_and_every_link_opens(role: str, make_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    user = make_user(role)
    if role == Role.RESIDENT:  # bound to a person, as DigiD or the demo binds a resident
        resident_account_bind(bsn="111222333", via="demo", username=user.username)
    client.force_login(user)
    page = client.get("/", follow=True).content.decode()
    menu = re.search(r'<nav class="utrecht-nav-bar meedoen-nav[^"]*".*?</nav>', page, re.S)
    assert menu is not None, "no main menu on the start page"
    links = re.findall(r'href="([^"]+)"', menu.group())
    assert links == [reverse(s.url_name) for s in sections_for(role=role)]
    start = "/mijn/" if role == Role.RESIDENT else "/"
    assert f'href="{start}" aria-current="page"' in menu.group()
    for link in links:
        assert client.get(link).status_code == 200, (role, link)


def test_a_page_inside_a_section_has_breadcrumbs_back_up(make_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_user(Role.ANALYST))
    page = client.get(reverse("activities:request")).content.decode()
    crumbs = re.search(r'<nav class="utrecht-breadcrumb-nav.*?</nav>', page, re.S)
    assert crumbs is not None
    assert re.findall(r'href="([^"]+)"', crumbs.group()) == ["/", "/verwerkingen/"]
    assert "Verwerkingen" in crumbs.group() or "Verwerkingsactiviteiten" in crumbs.group()
    # The section's own page has no breadcrumbs: the menu already says where you are.
    assert "utrecht-breadcrumb-nav" not in client.get("/verwerkingen/").content.decode()
