"""Allow ``python -m secannot``."""

import sys

from secannot.cli import main

sys.exit(main())
