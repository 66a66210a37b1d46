"""The ``ics-xml`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="ics-xml")
