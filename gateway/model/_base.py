"""The base class every canonical model shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["CanonicalModel"]


class CanonicalModel(BaseModel):
    """Frozen, strict-shaped pydantic model: unknown fields are refused, instances are immutable.

    Identifier *content* is never validated here (a wrong NHS number must be representable so that
    conformance can report it); only the *shape* of the data is.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
