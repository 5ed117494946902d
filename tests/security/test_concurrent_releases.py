"""Two releases at the same moment (found while closing finding 3 of issue 15).

The attack: a release is checked against every release recorded before it, so a weaker release
of a table is refused once the strict one is published. Started at the same moment — two
analysts, or one analyst in two terminals — both releases read the list of earlier releases
while it was still empty, both passed, and together they showed the cells the strict one hid.

Now the releases of one activity are made one at a time (a lock per activity in the
workspace): the second waits until the first is recorded and is then refused, naming the cell.
The first release is held inside its disclosure protection here, so the second certainly
starts while the first is still being made. Both threads use the test's database connection (as
Django's live-server tests do), so they see each other's records without committing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from meedoen.publications import services
from meedoen.publications.models import Publication
from tests.security.publishing import built, publish

pytestmark = pytest.mark.django_db


def test_a_weaker_release_started_during_a_strict_one_is_refused(  # type: ignore[no-untyped-def]
    home, analyst, officer, monkeypatch
) -> None:
    activity_id = built(analyst, officer)
    # Which cells the strict rules hide and the floor's rules show: the attack needs one.
    strict = {"min_frequency": 60}
    protect = services.publication_protect
    inside, go = threading.Event(), threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        if not inside.is_set():  # the first release waits inside its protection
            inside.set()
            assert go.wait(60)
        return protect(*args, **kwargs)

    monkeypatch.setattr(services, "publication_protect", held)
    outcome: dict[str, Any] = {}
    shared = connections["default"]

    def release(name: str, **rules: Any) -> None:
        shared.inc_thread_sharing()
        connections["default"] = shared
        try:
            outcome[name] = publish(activity_id, analyst, "wijkcode", "household_type", **rules)
        except ValidationError as exc:
            outcome[name] = exc
        finally:
            shared.dec_thread_sharing()

    first = threading.Thread(target=release, args=("strict",), kwargs=strict)
    first.start()
    assert inside.wait(60)
    second = threading.Thread(target=release, args=("weaker",))
    second.start()
    second.join(3)  # without the lock the weaker release is made and recorded by now
    go.set()
    first.join(60)
    second.join(60)

    made = outcome["strict"]
    assert not isinstance(made, Exception), made
    hidden = [c for c in made.release.tables[0].cells if c.value is None]
    assert hidden, "the strict rules hide cells"
    refused = outcome["weaker"]
    assert isinstance(refused, ValidationError), (
        "the weaker release was published beside the strict one"
    )
    message = " ".join(refused.messages)
    assert "release refused: cell wijkcode=" in message, message
    assert f"was hidden in publication {made.publication_id}" in message, message
    assert list(Publication.objects.values_list("pk", flat=True)) == [made.publication_id]
