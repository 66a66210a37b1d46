"""The ``ssda903-csv`` format adapter (registered through the ``ecm_gateway`` entry points)."""

from adapters.ssda903.reader import Ssda903Reader
from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="ssda903-csv", readers=(Ssda903Reader(),))
