"""``python -m sim.dashboard [SCENARIO] [--port P] [--host H]``: serve the dashboard."""

import sys

from sim.dashboard.command import main

sys.exit(main())
