"""The ``fhir-r4-json`` reader: FHIR R4 (UK Core) Bundles or single resources, as JSON.

The files of one submission form one pool of resources, so references resolve across files (a Patient
in one file, its RelatedPerson in another). Reading is: hardened JSON (:mod:`adapters._json`) ->
fhir.resources R4B validation, resource by resource (:mod:`adapters.fhir.validation`) -> mapping of the
validated JSON to canonical records with lineage (:mod:`adapters.fhir.records`). Mapping reads the JSON,
not the fhir.resources objects, so the costly model is used once, to validate.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from adapters._json import DEFAULT_MAX_BYTES
from adapters.fhir.context import FORMAT_ID
from adapters.fhir.loading import load_files
from adapters.fhir.pool import ResourcePool
from adapters.fhir.records import assemble_records
from gateway import ReadEvent, SourceFile, SubmissionHeader

__all__ = ["FhirReader"]


class FhirReader:
    """Reads FHIR R4 JSON (Patient, RelatedPerson, CareTeam, Encounter, QuestionnaireResponse, Consent)."""

    format_id = FORMAT_ID
    description = "FHIR R4 / UK Core JSON: Patient, RelatedPerson, CareTeam, Encounter, QuestionnaireResponse + Consent"

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._max_bytes = max_bytes

    def sniff(self, name: str, head: bytes) -> bool:
        """A JSON object that names a ``resourceType`` near its start."""
        stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return stripped.startswith(b"{") and b'"resourceType"' in head

    def read(self, files: Sequence[SourceFile]) -> Iterator[ReadEvent]:
        yield SubmissionHeader(format_id=FORMAT_ID, format_version="R4")
        pool = ResourcePool()
        yield from load_files(files, pool, self._max_bytes)
        yield from assemble_records(pool)
