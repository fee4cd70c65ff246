"""UniProtKB access: accession syntax, entry parsing, an on-disk cache and a REST client.

Importing this package is cheap; ``requests`` is loaded only when a
:class:`UniProtClient` first talks to the network.
"""

from secannot.uniprot.accessions import (
    Accession,
    AccessionSyntaxError,
    IdLine,
    is_accession,
    normalize,
    parse_accession,
    read_id_list,
)
from secannot.uniprot.cache import UniProtCache, default_cache_dir
from secannot.uniprot.client import (
    ProgressCallback,
    Resolution,
    Status,
    UniProtClient,
    UniProtConfig,
)
from secannot.uniprot.entry import EntryFormatError, UniProtEntry, parse_entry

__all__ = [
    "Accession",
    "AccessionSyntaxError",
    "EntryFormatError",
    "IdLine",
    "ProgressCallback",
    "Resolution",
    "Status",
    "UniProtCache",
    "UniProtClient",
    "UniProtConfig",
    "UniProtEntry",
    "default_cache_dir",
    "is_accession",
    "normalize",
    "parse_accession",
    "parse_entry",
    "read_id_list",
]
