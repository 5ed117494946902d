"""WSGI entry point: ``meedoen serve`` uses it with waitress; a production server can too."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meedoen.conf.settings")

application = get_wsgi_application()
