"""The ``meedoen`` command line. Stable interface: scripts and tests rely on it (DESIGN.md)."""

from meedoen.cli.main import main

__all__ = ["main"]
