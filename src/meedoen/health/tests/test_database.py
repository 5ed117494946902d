import os

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_ci_runs_the_django_tests_on_postgresql() -> None:
    """CI runs with DATABASE_URL pointing at PostgreSQL (scripts/check sets it)."""
    if os.environ.get("CI") != "true" and not os.environ.get("DATABASE_URL"):
        pytest.skip("local run without PostgreSQL")
    assert connection.vendor == "postgresql"
