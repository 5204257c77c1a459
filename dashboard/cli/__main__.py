"""`python -m dashboard.cli` runs the `fieldops` command."""

import sys

from dashboard.cli.main import main

sys.exit(main())
