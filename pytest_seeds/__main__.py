"""``python -m pytest_seeds``: the ``pytest-seeds`` command (see :mod:`pytest_seeds.cli`)."""

import sys

from pytest_seeds.cli import main

sys.exit(main())
