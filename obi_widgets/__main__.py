"""``python -m obi_widgets``: the ``obi-widgets`` command (see :mod:`obi_widgets.cli`)."""

import sys

from .cli import main

sys.exit(main())
