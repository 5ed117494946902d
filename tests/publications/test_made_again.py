"""Every release makes every earlier release of its peildatum again from the store (to audit
them together). Within one process a table is made once per state of the store: a study of ~35
tables would otherwise make ~600; a table just released is remembered as made. A build changes
the store, and the next release must see the new values — a stale earlier table would audit
against numbers that are no longer there."""

from __future__ import annotations

import pytest

from meedoen.publications import services
from meedoen.publications.models import Publication
from meedoen.publications.services import _made_again
from tests.security.publishing import built, households_build, publish

pytestmark = pytest.mark.django_db


def _not_again(**_: object) -> None:
    raise AssertionError("the table was made from the store again")


def test_an_earlier_table_is_made_once_until_the_store_changes(  # type: ignore[no-untyped-def]
    home, analyst, officer, monkeypatch
) -> None:
    activity_id = built(analyst, officer)
    published = publish(activity_id, analyst, "wijkcode", "household_type")
    definition = Publication.objects.get(pk=published.publication_id).definition
    # Just released: remembered as made, the store is not read again.
    with monkeypatch.context() as patched:
        patched.setattr(services, "household_table", _not_again)
        first = _made_again(definition)
    assert first is not None and first.cells
    assert _made_again(definition) is first
    # Unfiltered is another table.
    assert _made_again(definition, filtered=False) is not first
    households_build(analyst, activity_id)
    again = _made_again(definition)
    assert again is not None and again is not first
    assert again.cells == first.cells  # the same households, built again
