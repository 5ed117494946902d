#!/usr/bin/env python
"""Django's manage.py for developers (makemigrations, makemessages, shell). Users run `meedoen`."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meedoen.conf.settings")
    os.environ.setdefault("MEEDOEN_ENVIRONMENT", "dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
