"""The case-work attack tests use the case-work tests' town, accounts and activity."""

from tests.casework.conftest import (  # noqa: F401  (fixtures)
    _english,
    activity_id,
    home,
    people,
    town,
    town_home,
)
