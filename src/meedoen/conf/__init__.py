"""Django settings: one module (``settings``), with defaults per environment (``env``).

``MEEDOEN_ENVIRONMENT`` picks the environment (local, dev, ci, production); an environment only
changes defaults, every value can still be set by its own environment variable.
"""
