"""The vendored CIN census XSDs, loaded once per census year.

Each ``schemas/cin-census/CIN_schema_<year>.xsd`` is parsed through the hardened parser and, in memory only,
given three global element declarations — ``Child`` (of ``childtype``), ``Header`` (of ``headertype``) and
``Children`` (of ``childrentype``) — so that one ``<Child>`` or ``<Header>``, or the ``<Children>`` read so far,
can be validated by itself while the file streams. Those declarations use the types the ``Message`` element
already uses, so a child valid here is valid inside a message; and since the schema has no identity
constraints (``xs:key``/``xs:unique``) and no ``xs:ID``/``xs:IDREF``, ``<Children>`` is valid exactly when every
``<Child>`` in it is, with nothing else there but white space, comments and processing instructions.

lxml's :class:`~lxml.etree.XMLSchema` gives the fast yes/no; :mod:`xmlschema` (built from the same in-memory
text with every resource access refused, ``allow="none"``) explains the children that fail. Neither ever
looks at a document's ``xsi:schemaLocation``. The code lists (enumerations with their DfE descriptions)
come from the same files, so the mapping, the writer and the synthetic generator agree with the schema.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Final

from lxml import etree

from adapters._xml import offline_xmlschema, parse_hardened
from adapters.cin_census.census import SUPPORTED_YEARS, census_label
from gateway import ConfigurationError
from gateway.resources import data_dir

__all__ = ["CensusSchema", "code_years", "element_years", "known_codes", "schema_for", "schema_path"]

logger = logging.getLogger(__name__)

XS: Final = "http://www.w3.org/2001/XMLSchema"
_XS_ELEMENT: Final = f"{{{XS}}}element"
_XS_SIMPLE: Final = f"{{{XS}}}simpleType"
_XS_ENUM: Final = f"{{{XS}}}enumeration"
_XS_DOC: Final = f"{{{XS}}}documentation"


def schema_path(year: int) -> Path:
    """The vendored XSD of census ``year`` (end year, 2017..2026)."""
    if year not in SUPPORTED_YEARS:
        raise ConfigurationError(f"no CIN census schema is vendored for census year {year}")
    path = data_dir("schemas") / "cin-census" / f"CIN_schema_{year}.xsd"
    if not path.is_file():
        raise ConfigurationError(f"the vendored CIN census schema {path.name} is missing from this installation")
    return path


def _enumerations(simple_type: etree._Element) -> dict[str, str]:
    codes: dict[str, str] = {}
    for enum in simple_type.iter(_XS_ENUM):
        doc = enum.find(f".//{_XS_DOC}")
        codes[str(enum.get("value"))] = (doc.text or "").strip() if doc is not None else ""
    return codes


def _code_lists(root: etree._Element) -> dict[str, dict[str, str]]:
    """Element name -> {code: DfE description} for every element whose type is an enumeration."""
    named = {str(t.get("name")): _enumerations(t) for t in root.iterchildren(_XS_SIMPLE)}
    lists: dict[str, dict[str, str]] = {}
    for element in root.iter(_XS_ELEMENT):
        name = element.get("name")
        if name is None:
            continue
        type_name = element.get("type")
        if type_name is not None and named.get(type_name):
            lists[name] = named[type_name]
            continue
        inline = element.find(_XS_SIMPLE)
        if inline is not None and (codes := _enumerations(inline)):
            lists[name] = codes
    return lists


@dataclass(frozen=True, eq=False)
class CensusSchema:
    """One census year's schema: validators, code lists and the shape facts the reader needs."""

    year: int
    source_text: bytes = field(repr=False)
    """The XSD with the three extra global declarations, as serialised bytes."""
    validator: etree.XMLSchema = field(repr=False)
    """lxml's validator; validates a ``Child``, ``Header`` or ``Children`` element by itself (and a whole
    ``Message``)."""
    codes: dict[str, dict[str, str]] = field(repr=False)
    element_names: frozenset[str] = field(repr=False)

    @property
    def label(self) -> str:
        return census_label(self.year)

    @property
    def uses_sex(self) -> bool:
        """True from 2024-25: ``Sex`` M/F/U instead of ``GenderCurrent`` 1/2/0/9."""
        return "Sex" in self.codes

    @property
    def has_cin_plan_dates(self) -> bool:
        """True from 2021-22."""
        return "CINPlanDates" in self.element_names

    @property
    def yes_no_codes(self) -> tuple[str, ...]:
        """The yes/no values the schema accepts (``0``/``1`` only from 2024-25)."""
        return tuple(self.codes["ReferralNFA"])

    @cached_property
    def explainer(self) -> Any:
        """The :mod:`xmlschema` schema built from the same text (loaded on first failure only)."""
        return offline_xmlschema(self.source_text, f"CIN census {self.label}")


def _load(year: int) -> CensusSchema:
    root = parse_hardened(schema_path(year).read_bytes())
    names = frozenset(str(e.get("name")) for e in root.iter(_XS_ELEMENT) if e.get("name"))
    codes = _code_lists(root)
    etree.SubElement(root, _XS_ELEMENT, name="Child", type="childtype")
    etree.SubElement(root, _XS_ELEMENT, name="Header", type="headertype")
    etree.SubElement(root, _XS_ELEMENT, name="Children", type="childrentype")
    try:
        validator = etree.XMLSchema(root)
    except etree.XMLSchemaParseError as exc:
        raise ConfigurationError(f"the vendored CIN census schema for {census_label(year)} does not load") from exc
    logger.debug("loaded CIN census schema", extra={"census_year": census_label(year)})
    return CensusSchema(
        year=year,
        source_text=etree.tostring(root, encoding="utf-8"),
        validator=validator,
        codes=codes,
        element_names=names,
    )


@cache
def schema_for(year: int) -> CensusSchema:
    """The (cached) schema of census ``year`` (end year, 2017..2026)."""
    return _load(year)


@cache
def element_years(name: str) -> tuple[int, ...]:
    """The census years whose schema declares an element called ``name`` (for "wrong year?" hints)."""
    return tuple(year for year in SUPPORTED_YEARS if name in schema_for(year).element_names)


@cache
def known_codes(name: str) -> frozenset[str]:
    """Every code any census year's schema has for element ``name`` (a code may be named in messages)."""
    return frozenset(code for year in SUPPORTED_YEARS for code in schema_for(year).codes.get(name, ()))


@cache
def code_years(name: str, code: str) -> tuple[int, ...]:
    """The census years whose schema has ``code`` for element ``name`` (for "wrong year?" hints)."""
    return tuple(year for year in SUPPORTED_YEARS if code in schema_for(year).codes.get(name, ()))
