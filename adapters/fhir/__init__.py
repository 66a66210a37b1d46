"""The ``fhir-r4-json`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="fhir-r4-json")
