"""Where Django puts uploads too large to keep in memory: inside the identity vault.

Source files hold identifiers (BSN, names, birth dates), so even Django's temporary upload files
stay in ``FILE_UPLOAD_TEMP_DIR`` (``HOME/vault/uploads``, mode 0700), never in /tmp.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


def upload_folder_ensure() -> Path:
    """Create ``FILE_UPLOAD_TEMP_DIR`` (owner only) when it is missing; never the vault itself."""
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR)
    folder.mkdir(mode=0o700, exist_ok=True)  # FileNotFoundError when the vault does not exist
    os.chmod(folder, 0o700)
    return folder


class VaultTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler, but the folder is created first: the CSRF check parses a POST (and
    writes its large files) before any view runs, so a view cannot do it in time."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        upload_folder_ensure()
        super().new_file(*args, **kwargs)
