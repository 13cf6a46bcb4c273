"""``python -m skphys.cli``: the same as the ``skphys`` command."""

import sys

from . import main

sys.exit(main())
