"""The canonical child/assessment model (pydantic v2, frozen). ``gateway`` re-exports everything here."""

from gateway.model.caf import CafAction, CafAssessment, CafDomain, CafDomains, Consent
from gateway.model.case import (
    Assessment,
    AssessmentKind,
    ChildProtectionPlan,
    CinEpisode,
    CinPlan,
    Involvement,
    LookedAfterEpisode,
    MissingEpisode,
    Review,
    Section47Enquiry,
    SensitiveCategory,
)
from gateway.model.envelope import Envelope
from gateway.model.issue import Issue, Severity
from gateway.model.lineage import FieldSource, Lineage, LineageRow, SourceLocation
from gateway.model.message import SCHEMA_VERSION, CanonicalMessage, ChildRecord
from gateway.model.person import (
    Address,
    Carer,
    Child,
    Coding,
    ContactDetail,
    LocalId,
    Organisation,
    PersonName,
    Practitioner,
    Sex,
)

__all__ = [
    "SCHEMA_VERSION",
    "Address",
    "Assessment",
    "AssessmentKind",
    "CafAction",
    "CafAssessment",
    "CafDomain",
    "CafDomains",
    "CanonicalMessage",
    "Carer",
    "Child",
    "ChildProtectionPlan",
    "ChildRecord",
    "CinEpisode",
    "CinPlan",
    "Coding",
    "Consent",
    "ContactDetail",
    "Envelope",
    "FieldSource",
    "Involvement",
    "Issue",
    "Lineage",
    "LineageRow",
    "LocalId",
    "LookedAfterEpisode",
    "MissingEpisode",
    "Organisation",
    "PersonName",
    "Practitioner",
    "Review",
    "Section47Enquiry",
    "SensitiveCategory",
    "Severity",
    "Sex",
    "SourceLocation",
]
