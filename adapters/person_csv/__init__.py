"""The ``person-csv`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="person-csv")
