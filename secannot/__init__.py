"""secannot: which proteins a cell secretes, and what they mean in a tumour.

The package keeps imports light on purpose: ``secannot --version`` must start in
well under half a second, so numpy, requests and friends are imported by the
modules that need them, never here.
"""

__version__ = "0.1.0"
TOOL_NAME = "secannot"
