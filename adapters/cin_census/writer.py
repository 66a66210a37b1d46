"""The ``cin-census-xml`` writer: canonical records -> a schema-valid CIN census file for one census year.

Used to deliver data to suppliers in their own format and to generate large synthetic files. Output is
streamed (:meth:`CinCensusWriter.iter_chunks`), one ``<Child>`` at a time, and each child is validated
against the census year's schema before it is written: what the year cannot carry (a code it does not
have, a part missing a required date, CIN plans before 2021-22) is left out and reported as a
``write/...`` issue located in canonical terms, never silently dropped and never invented. Where the
census requires a value the record lacks, only DfE's own "unknown" codes are written: sex ``0`` (pre-2024-25,
"not recorded") or ``U`` for no recorded sex, which is what they mean, and ethnicity ``NOBT`` ("information
not yet obtained"), with a warning. Without an LA code the header has no ``Source``, again with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Final

from lxml import etree

from adapters.cin_census.casework_xml import CaseworkWriter
from adapters.cin_census.census import LAST_YEAR, SUPPORTED_YEARS
from adapters.cin_census.mapper import FORMAT_ID
from adapters.cin_census.schemas import CensusSchema, schema_for
from gateway import ChildRecord, Issue, Severity
from gateway.codes import DFE_ETHNICITY, census_gender_for_sex

__all__ = ["CinCensusWriter", "WrittenDocument"]

_XML_DECLARATION: Final = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_LA_CODE: Final = re.compile(r"[0-9]{3}")


@dataclass(frozen=True, slots=True)
class WrittenDocument:
    """A written file and what could not be carried into it."""

    data: bytes
    issues: tuple[Issue, ...]


def _text(parent: etree._Element, tag: str, value: object) -> None:
    if value is not None:
        etree.SubElement(parent, tag).text = str(value)


class CinCensusWriter:
    """Writes canonical records as CIN census XML for one census year (default: the newest)."""

    format_id = FORMAT_ID
    media_type = "application/xml"

    def __init__(
        self,
        *,
        census_year: int = LAST_YEAR,
        la_code: str | None = None,
        generated_at: datetime | None = None,
        software: str = "ECM Gateway",
    ) -> None:
        """``la_code`` is the header's LEA (default: the first record's first local id's LA code)."""
        if census_year not in SUPPORTED_YEARS:
            raise ValueError(f"census_year must be one of {SUPPORTED_YEARS[0]}..{SUPPORTED_YEARS[-1]}")
        self.census_year = census_year
        self.la_code = la_code
        self.generated_at = generated_at
        self.software = software

    @property
    def schema(self) -> CensusSchema:
        return schema_for(self.census_year)

    def write(self, records: Iterable[ChildRecord]) -> bytes:
        """The file as bytes. What the census year cannot carry is left out (see :meth:`write_document`)."""
        return self.write_document(records).data

    def write_document(self, records: Iterable[ChildRecord]) -> WrittenDocument:
        """The file and the issues for everything left out of it."""
        issues: list[Issue] = []
        data = b"".join(self.iter_chunks(records, issues))
        return WrittenDocument(data, tuple(issues))

    def iter_chunks(self, records: Iterable[ChildRecord], issues: list[Issue] | None = None) -> Iterator[bytes]:
        """Stream the file in chunks (a header, one chunk per child, the end); issues go to ``issues``."""
        sink: list[Issue] = issues if issues is not None else []
        stream = iter(records)
        first = next(stream, None)
        la_code = self.la_code or _first_la_code(first)
        if la_code is None or not _LA_CODE.fullmatch(la_code):
            sink.append(
                Issue(
                    rule="write/missing-value",
                    severity="warning",
                    message="no three-digit LA code for the header: it is written without Source/LEA",
                )
            )
            la_code = None
        yield _XML_DECLARATION + b"<Message>\n" + self._header(la_code) + b"  <Children>\n"
        written = 0
        casework = CaseworkWriter(self.schema, sink)
        for index, record in enumerate(chain((first,), stream) if first is not None else ()):
            chunk = self._child(record, index, la_code, casework, sink)
            if chunk is not None:
                written += 1
                yield chunk
        if written == 0:
            sink.append(
                Issue(
                    rule="write/no-children",
                    severity="error",
                    message="no child could be written: a CIN census file needs at least one Child",
                )
            )
        yield b"  </Children>\n</Message>\n"

    def _header(self, la_code: str | None) -> bytes:
        """The header; without an LA code it has no ``Source`` (the schema allows that, and nothing is invented)."""
        header = etree.Element("Header")
        details = etree.SubElement(header, "CollectionDetails")
        _text(details, "Collection", "CIN")
        _text(details, "Year", self.census_year)
        _text(details, "ReferenceDate", f"{self.census_year}-03-31")
        if la_code is not None:
            source = etree.SubElement(header, "Source")
            _text(source, "SourceLevel", "L")
            _text(source, "LEA", la_code)
            _text(source, "SoftwareCode", self.software)
            _text(source, "Release", "1")
            _text(source, "SerialNo", "001")
            stamp = (self.generated_at or datetime.now(UTC)).replace(microsecond=0, tzinfo=None)
            _text(source, "DateTime", stamp.isoformat())
        etree.indent(header, space="  ", level=1)
        return b"  " + bytes(etree.tostring(header)) + b"\n"

    def _child(
        self, record: ChildRecord, index: int, la_code: str | None, casework: CaseworkWriter, sink: list[Issue]
    ) -> bytes | None:
        pointer = f"/records/{index}"
        local_id = next((i for i in record.child.local_ids if i.la_code == la_code), None) or next(
            iter(record.child.local_ids), None
        )
        if local_id is None:
            sink.append(_issue("write/missing-value", "the child has no LA child id; it is left out", pointer))
            return None
        child = etree.Element("Child")
        self._identifiers(child, record, local_id.la_child_id, pointer, sink)
        self._characteristics(child, record, pointer, sink)
        if not casework.write(child, record, pointer, local_id.la_child_id):
            sink.append(
                _issue(
                    "write/missing-value",
                    "the child has no CIN episode the census can carry (referral date, source and NFA flag are "
                    "required); it is left out",
                    pointer,
                    local_id.la_child_id,
                )
            )
            return None
        if not self.schema.validator.validate(child):
            sink.append(
                _issue(
                    "write/schema",
                    f"the child does not fit the census {self.schema.label} schema "
                    f"({self.schema.validator.error_log.last_error.type_name}); it is left out",
                    pointer,
                    local_id.la_child_id,
                )
            )
            return None
        etree.indent(child, space="  ", level=2)
        return b"    " + bytes(etree.tostring(child)) + b"\n"

    def _identifiers(
        self, child: etree._Element, record: ChildRecord, la_child_id: str, pointer: str, sink: list[Issue]
    ) -> None:
        person = record.child
        node = etree.SubElement(child, "ChildIdentifiers")
        _text(node, "LAchildID", la_child_id)
        _text(node, "UPN", person.upn)
        if person.former_upns:
            _text(node, "FormerUPN", person.former_upns[0])
            if len(person.former_upns) > 1:
                sink.append(
                    _issue("write/left-out", "the census carries one former UPN; the others are left out", pointer)
                )
        _text(node, "UPNunknown", person.upn_unknown_reason)
        _text(node, "PersonBirthDate", person.birth_date)
        _text(node, "ExpectedPersonBirthDate", person.expected_birth_date)
        if self.schema.uses_sex:
            _text(node, "Sex", person.sex or "U")
        else:
            _text(node, "GenderCurrent", census_gender_for_sex(person.sex) if person.sex else "0")
        _text(node, "PersonDeathDate", person.death_date)

    def _characteristics(self, child: etree._Element, record: ChildRecord, pointer: str, sink: list[Issue]) -> None:
        person = record.child
        node = etree.SubElement(child, "ChildCharacteristics")
        ethnicity = person.ethnicity
        codes = self.schema.codes
        if ethnicity is not None and ethnicity.system == DFE_ETHNICITY and ethnicity.code in codes["Ethnicity"]:
            _text(node, "Ethnicity", ethnicity.code)
        else:
            sink.append(
                _issue(
                    "write/defaulted",
                    "the child has no DfE ethnicity code; written as NOBT (information not yet obtained)",
                    f"{pointer}/child/ethnicity",
                    severity="warning",
                )
            )
            _text(node, "Ethnicity", "NOBT")
        disabilities = [code for code in person.disabilities if code in codes["Disability"]]
        if len(disabilities) < len(person.disabilities):
            sink.append(_issue("write/left-out", "disability codes the census does not have are left out", pointer))
        if disabilities:
            group = etree.SubElement(node, "Disabilities")
            for code in disabilities:
                _text(group, "Disability", code)


def _first_la_code(record: ChildRecord | None) -> str | None:
    if record is None or not record.child.local_ids:
        return None
    return record.child.local_ids[0].la_code


def _issue(rule: str, message: str, pointer: str, child: str | None = None, *, severity: Severity = "error") -> Issue:
    return Issue(rule=rule, severity=severity, message=message, canonical_path=pointer, child=child)
