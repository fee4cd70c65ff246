"""secannot: which proteins a cell secretes, and what they mean in a tumour.

The package keeps imports light on purpose: ``secannot --version`` must start in
well under half a second, so numpy, requests and friends are imported by the
modules that need them, never here.  The Python API (``secannot.read_fasta``,
``predict``, ``annotate``, ``to_pandas``, the row classes and
``SkippedRecordsWarning``) lives in :mod:`secannot.api` and is
loaded on first use.
"""

__version__ = "0.1.0"
TOOL_NAME = "secannot"

_API = ("read_fasta", "predict", "annotate", "to_pandas", "Prediction", "Annotation", "FastaRecord", "SkippedRecordsWarning")
__all__ = ["TOOL_NAME", "__version__", *_API]


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})  # notebooks complete the lazy API names too


def __getattr__(name: str):
    if name in _API:
        from secannot import api  # the top layer, loaded lazily: see docs/architecture.md

        return getattr(api, name)
    raise AttributeError(f"module 'secannot' has no attribute {name!r}")
