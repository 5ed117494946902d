"""Attacks on the table variables issue 19 added (an analyst, or anyone with the CLI's
`meedoen table`): the variable's name carries a partner file's name (`duur_SOURCE`) or a
segmentation run's id (`seg_RUN`) into SQL.

- A quote in the name to break out of the identifier or the bound value: refused before any SQL
  runs with it, nothing published.
- `duur_` over a table of the store that is not a linked partner file (the population register's
  `ingeschrevenpersoon`): refused by name — it would otherwise read another source as if it
  were a client file.
- `seg_` of a run that does not exist: refused.
- The partner file of a table at the clients' start (`at_start`, `meedoen compare --at-start`)
  with a quote in it, or a register table instead of a linked file: refused the same way."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from meedoen.activities.actors import Actor
from meedoen.audits.trace import TraceContext
from meedoen.publications.models import Publication
from meedoen.publications.services import table_publish
from tests.security.publishing import PEILDATUM, built

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rowvar", "refusal"),
    [
        ('duur_voedselbank" WHERE 1=1; --', "no linked partner file"),
        ("duur_ingeschrevenpersoon", "no linked partner file"),
        ("seg_' OR '1'='1", "no segmentation run"),
        ("seg_doesnotexist", "no segmentation run"),
    ],
)
def test_a_crafted_variable_is_refused_and_nothing_published(
    home, analyst, officer, rowvar: str, refusal: str
) -> None:  # type: ignore[no-untyped-def]
    activity = built(analyst, officer)
    with pytest.raises(ValidationError, match=refusal):
        table_publish(
            activity_id=activity,
            rowvar=rowvar,
            actor=Actor(analyst.username, analyst),
            trace=TraceContext.start(),
            channel="cli",
            peildatum=PEILDATUM,
        )
    assert not Publication.objects.exists()


@pytest.mark.parametrize(
    "partner", ['voedselbank" WHERE 1=1; --', "ingeschrevenpersoon", "' OR '1'='1"]
)
def test_a_crafted_partner_of_a_table_at_the_start_is_refused(
    home, analyst, officer, partner: str
) -> None:  # type: ignore[no-untyped-def]
    activity = built(analyst, officer)
    with pytest.raises(ValidationError, match="no linked partner file"):
        table_publish(
            activity_id=activity,
            rowvar="household_type",
            actor=Actor(analyst.username, analyst),
            trace=TraceContext.start(),
            channel="cli",
            peildatum=PEILDATUM,
            at_start=partner,
        )
    assert not Publication.objects.exists()
