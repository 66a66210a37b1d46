"""The published ``ics-xml`` schema (``schemas/ics-xml/ics-exchange-1.1.xsd``), loaded once, locally only.

lxml's :class:`~lxml.etree.XMLSchema` gives the fast yes/no for each ``<Child>`` (and for the ``<Header>``
and the message skeleton); :mod:`xmlschema`, built from the same text with every resource access refused
(``allow="none"``), explains the elements that fail. Neither ever looks at a document's
``xsi:schemaLocation``. The code lists (enumerations with their descriptions) are read from the same file,
so the reader, the writer, the synthetic generator and the supplier guide agree with the schema.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Final

from lxml import etree

from adapters._xml import offline_xmlschema, parse_hardened
from gateway import ConfigurationError
from gateway.resources import data_dir

__all__ = [
    "FORMAT_ID",
    "NAMESPACE",
    "SCHEMA_FILE",
    "SCHEMA_VERSION",
    "IcsSchema",
    "ics_schema",
    "qualified",
    "schema_path",
]

logger = logging.getLogger(__name__)

FORMAT_ID: Final = "ics-xml"
NAMESPACE: Final = "urn:ecm-gateway:ics:1"
"""The namespace names the major version; the root's ``schemaVersion`` attribute the exact one."""
SCHEMA_VERSION: Final = "1.1"
"""The version the gateway writes (it reads every version the schema accepts: 1.0 and 1.1)."""
SCHEMA_FILE: Final = "ics-exchange-1.1.xsd"

_XS: Final = "{http://www.w3.org/2001/XMLSchema}"


def qualified(local_name: str) -> str:
    """``Child`` -> ``{urn:ecm-gateway:ics:1}Child`` (lxml's Clark notation)."""
    return f"{{{NAMESPACE}}}{local_name}"


def schema_path() -> Path:
    """The vendored XSD."""
    path = data_dir("schemas") / "ics-xml" / SCHEMA_FILE
    if not path.is_file():
        raise ConfigurationError(f"the ics-xml schema {SCHEMA_FILE} is missing from this installation")
    return path


def _code_lists(root: etree._Element) -> dict[str, dict[str, str]]:
    """Simple-type name -> {code: description} for every enumerated simple type."""
    lists: dict[str, dict[str, str]] = {}
    for simple_type in root.iterchildren(f"{_XS}simpleType"):
        codes: dict[str, str] = {}
        for enum in simple_type.iter(f"{_XS}enumeration"):
            doc = enum.find(f".//{_XS}documentation")
            codes[str(enum.get("value"))] = " ".join((doc.text or "").split()) if doc is not None else ""
        if codes:
            lists[str(simple_type.get("name"))] = codes
    return lists


@dataclass(frozen=True, eq=False)
class IcsSchema:
    """The compiled schema, its source text and its code lists."""

    source_text: bytes = field(repr=False)
    code_lists: dict[str, dict[str, str]] = field(repr=False)
    """Simple-type name (``EthnicityCodeType``, ``SexType`` ...) -> {code: description}."""
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @property
    def validator(self) -> etree.XMLSchema:
        """lxml validator of an ``IcsExchange``, a ``Header`` or a ``Child`` (all three are global elements).

        One per thread: an lxml validator keeps its error log on the instance.
        """
        validator: etree.XMLSchema | None = getattr(self._local, "validator", None)
        if validator is None:
            validator = self._local.validator = _compile(self.source_text)
        return validator

    def codes(self, type_name: str) -> tuple[str, ...]:
        """The codes of one enumerated type, in schema order."""
        return tuple(self.code_lists[type_name])

    @property
    def versions(self) -> tuple[str, ...]:
        """The ``schemaVersion`` values a document may declare (every minor version of this major one)."""
        return self.codes("SchemaVersionType")

    @cached_property
    def explainer(self) -> Any:
        """The :mod:`xmlschema` schema built from the same text (loaded on the first failure only)."""
        return offline_xmlschema(self.source_text, "ics-xml")


def _compile(text: bytes) -> etree.XMLSchema:
    try:
        return etree.XMLSchema(parse_hardened(text))
    except etree.XMLSchemaParseError as exc:
        raise ConfigurationError(f"the vendored ics-xml schema {SCHEMA_FILE} does not load") from exc


@cache
def ics_schema() -> IcsSchema:
    """The (cached) ics-xml schema."""
    text = schema_path().read_bytes()
    schema = IcsSchema(source_text=text, code_lists=_code_lists(parse_hardened(text)))
    schema.validator  # noqa: B018 - compile now, so a broken installation fails on first use, not mid-file
    logger.debug("loaded ics-xml schema", extra={"schema": SCHEMA_FILE})
    return schema
