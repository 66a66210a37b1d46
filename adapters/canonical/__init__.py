"""The ``canonical-jsonl`` format: one canonical ``ChildRecord`` per line (what ``ecm-gateway convert`` writes)."""

from adapters.canonical.jsonl import CanonicalJsonlReader, CanonicalJsonlWriter
from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="canonical-jsonl", readers=(CanonicalJsonlReader(),), writers=(CanonicalJsonlWriter(),))
