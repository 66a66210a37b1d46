"""The ``cin-census-xml`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="cin-census-xml")
