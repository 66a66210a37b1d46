"""Reports of a conformance check: JSON, JUnit XML, a self-contained HTML page and a FHIR OperationOutcome.

Every report is a pure function of a :class:`CheckReport` returning bytes. Reports carry rule ids,
severities, messages and locations — never a value from the supplier's file.
"""

from conformance.reports.model import FORMATS, CheckReport, render

__all__ = ["FORMATS", "CheckReport", "render"]
