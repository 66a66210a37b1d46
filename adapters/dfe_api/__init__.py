"""The ``dfe-csc-api-json`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from adapters.dfe_api.reader import DfeApiReader
from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="dfe-csc-api-json", readers=(DfeApiReader(),))
