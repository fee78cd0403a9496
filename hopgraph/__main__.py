"""``python -m hopgraph``: the same as the ``hopgraph`` command."""

import sys

from hopgraph.cli.app import main

sys.exit(main())
