"""Loaded by pytest before Django (``-p meedoen.conf.pytest_plugin`` in pyproject.toml):
selects the ``ci`` environment unless MEEDOEN_ENVIRONMENT is already set."""

import os

os.environ.setdefault("MEEDOEN_ENVIRONMENT", "ci")
