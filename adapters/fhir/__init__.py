"""The ``fhir-r4-json`` format adapter (registered through the ``ecm_gateway`` entry points).

Importing this package is cheap: fhir.resources is imported only when a resource is first validated.
"""

from adapters.fhir.reader import FhirReader
from adapters.fhir.writer import FhirWriter
from gateway import Plugin

__all__ = ["plugin"]

plugin = Plugin(name="fhir-r4-json", readers=(FhirReader(),), writers=(FhirWriter(),))
