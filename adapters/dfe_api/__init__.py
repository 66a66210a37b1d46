"""The ``dfe-csc-api-json`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="dfe-csc-api-json")
