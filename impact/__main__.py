"""`python -m impact …`: the command line (see impact/cli.py)."""

import sys

from impact.cli import main

sys.exit(main())
