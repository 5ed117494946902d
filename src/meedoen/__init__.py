"""meedoen: the Django project (web app, API) and the command line.

The pure data work lives in :mod:`meedoen_data`; this package calls it only from services,
selectors and the CLI, never from views (an import contract checks that).
"""

__version__ = "0.1.0"
