"""``python -m sim``: the same as the ``negsim`` command."""

import sys

from sim.cli.main import main

sys.exit(main())
