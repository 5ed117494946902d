"""Log files that only the workspace's owner can read.

``logging.handlers.RotatingFileHandler`` creates its file with the process's umask (0644 on most
systems); a log file of the workspace is 0600 whatever the umask, and so is every rotated file
(``meedoen.log.1`` … keep the mode of the file they were)."""

from __future__ import annotations

import os
from logging.handlers import RotatingFileHandler
from typing import IO, Any


class PrivateRotatingFileHandler(RotatingFileHandler):
    def _open(self) -> IO[Any]:
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)  # also a file an older version created
        return os.fdopen(descriptor, "a", encoding=self.encoding, errors=self.errors)
