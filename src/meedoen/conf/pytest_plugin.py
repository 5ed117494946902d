"""Loaded by pytest before Django (``-p meedoen.conf.pytest_plugin`` in pyproject.toml):
selects the ``ci`` environment unless MEEDOEN_ENVIRONMENT is already set, and points the web
app at a throw-away workspace folder (tests that need a real workspace make their own)."""

import os
import tempfile

os.environ.setdefault("MEEDOEN_ENVIRONMENT", "ci")
os.environ.setdefault("MEEDOEN_HOME", tempfile.mkdtemp(prefix="meedoen-tests-"))
