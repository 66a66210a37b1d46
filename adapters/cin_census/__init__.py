"""The ``cin-census-xml`` format adapter (registered through the ``ecm_gateway`` entry points).

Reads DfE Children in Need census XML for census years 2016-17 to 2025-26 against the matching vendored
schema (``schemas/cin-census/``), streaming, into canonical records with lineage; writes canonical records
back as a schema-valid census file for a chosen year. Schemas load on first use, not on import.
"""

from adapters.cin_census.reader import CinCensusReader
from adapters.cin_census.writer import CinCensusWriter
from gateway import Plugin

__all__ = ["CinCensusReader", "CinCensusWriter", "plugin"]

plugin = Plugin(name="cin-census-xml", readers=(CinCensusReader(),), writers=(CinCensusWriter(),))
