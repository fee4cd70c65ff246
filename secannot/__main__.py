"""Allow ``python -m secannot``."""

import sys

from secannot.cli import main

# The guard matters: worker processes (-j) re-import the main module.
if __name__ == "__main__":
    sys.exit(main())
