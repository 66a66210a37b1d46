"""The ``fhir-r4-json`` writer: canonical records -> one FHIR R4 Bundle (JSON), valid for fhir.resources R4B.

The Bundle is of type ``collection`` by default: an exchange document with no server semantics, each
entry with a deterministic ``urn:uuid`` ``fullUrl`` (the same records give byte-identical output).
``FhirWriter(bundle_type="transaction")`` adds ``request`` (POST) entries for loading into a FHIR server.

Resources are built as plain dicts and serialised with orjson; fhir.resources is not used on this path
(it is slow to dump), only in the tests that check the output validates. What each canonical field
becomes is documented in ``docs/formats/fhir-r4-json.md``; fields no FHIR element or gateway extension carries
(CIN episodes, plans, looked-after data, lineage ...) are not written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from adapters.fhir.bundling import BundleBuilder, BundleType
from adapters.fhir.context import FORMAT_ID
from adapters.fhir.export import add_record
from gateway import ChildRecord

__all__ = ["FhirWriter"]


class FhirWriter:
    """Writes canonical records as one FHIR R4 Bundle (UK Core identifier systems)."""

    format_id = FORMAT_ID
    media_type = "application/fhir+json"

    def __init__(self, *, bundle_type: BundleType = "collection") -> None:
        self._bundle_type: BundleType = bundle_type

    def to_bundle(self, records: Iterable[ChildRecord]) -> dict[str, Any]:
        """The Bundle as JSON-ready data."""
        builder = BundleBuilder(self._bundle_type)
        for index, record in enumerate(records):
            add_record(builder, record, index)
        return builder.bundle()

    def write(self, records: Iterable[ChildRecord]) -> bytes:
        return orjson.dumps(self.to_bundle(records))
