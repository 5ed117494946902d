"""The table builder's tests use the attack tests' small municipality (800 persons) and
accounts."""

from tests.security.conftest import (  # noqa: F401  (fixtures)
    PASSWORD,
    analyst,
    home,
    ingested,
    make_user,
    officer,
)
