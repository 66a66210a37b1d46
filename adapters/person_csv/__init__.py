"""The ``person-csv`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from adapters.person_csv.reader import PersonCsvReader
from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="person-csv", readers=(PersonCsvReader(),))
