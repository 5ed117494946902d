"""WSGI entry point: ``meedoen serve`` uses it with waitress; another WSGI server can too, but
caps request bodies only in the app (waitress refuses a body over ``MEEDOEN_MAX_REQUEST_BYTES``
before reading it: give any other server or the proxy the same limit, docs/admin/install.md).

Loading it makes the process private (:func:`meedoen.conf.process.process_private`: umask 077,
temporary files in the vault)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meedoen.conf.settings")

application = get_wsgi_application()

from meedoen.conf.process import process_private  # noqa: E402  (needs the settings loaded)

process_private()
