"""The CAF store (eCAF): versioned CAF forms shared only under consent, with a FHIR export.

Importing this package pulls in SQLAlchemy; ``import gateway`` does not.
"""

from gateway.caf.fhir import caf_bundle, export_caf
from gateway.caf.store import CafStore, CafSummary, StoredCaf

__all__ = ["CafStore", "CafSummary", "StoredCaf", "caf_bundle", "export_caf"]
