"""The ``cin-census-xml`` format adapter (registered through the ``ecm_gateway`` entry points).

Reads DfE Children in Need census XML for census years 2016-17 to 2025-26 against the matching vendored
schema (``schemas/cin-census/``), streaming, into canonical records with lineage; writes canonical records
back as a schema-valid census file for a chosen year. Schemas load on first use, not on import. The
mapping modules also run compiled when a current build of them exists (:mod:`adapters._native`).
"""

from adapters._native import prefer_current

prefer_current(__name__)  # before its modules are imported: the compiled ones run only if current

from adapters.cin_census.reader import CinCensusReader  # noqa: E402
from adapters.cin_census.writer import CinCensusWriter  # noqa: E402
from gateway import Plugin  # noqa: E402

__all__ = ["CinCensusReader", "CinCensusWriter", "plugin"]

plugin = Plugin(name="cin-census-xml", readers=(CinCensusReader(),), writers=(CinCensusWriter(),))
