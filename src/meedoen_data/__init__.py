"""meedoen_data: the pure data package of meedoen.

Intake, linkage, households, indicators, disclosure control, segmentation and evaluation live
here, usable as a library and from the CLI. This package never imports Django or the web project
(``meedoen``); an import-linter contract in CI enforces that boundary.
"""

__version__ = "0.1.0"
