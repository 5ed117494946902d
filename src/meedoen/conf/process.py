"""What the web process does to itself before it serves, under any WSGI server.

``meedoen serve`` (waitress) and a WSGI server given ``meedoen.conf.wsgi`` both run
:func:`process_private` when the application is loaded."""

from __future__ import annotations

import os
import tempfile

from django.conf import settings


def process_private() -> None:
    """Keep what the process writes to itself: files 0600 and folders 0700 (umask 077), and
    temporary files — a server's buffers of request bodies, Django's uploads — in the vault's
    ``tmp`` folder rather than /tmp (Python's temporary folder and ``TMPDIR``)."""
    os.umask(0o077)
    scratch = settings.WORKSPACE.vault_dir / "tmp"
    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(scratch, 0o700)
    tempfile.tempdir = str(scratch)
    os.environ.update(TMPDIR=str(scratch))  # and for anything that reads TMPDIR
