"""Conformance: the rule engine, profiles, reports and the built-in rule packs.

The built-in packs register through the ``ecm_gateway`` entry points exactly like a third party's
(``conformance = "conformance:plugin"``); their rules are imported only when a pack is first used.
"""

from conformance.packs import PACKS
from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="conformance", rule_packs=PACKS)
