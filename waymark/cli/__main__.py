"""`python -m waymark.cli` runs the `waymark` command."""

import sys

from waymark.cli import main

sys.exit(main())
