"""The unit that travels: one canonical message holding child records, issues and lineage."""

from __future__ import annotations

from typing import Final, Literal

from gateway.model._base import CanonicalModel
from gateway.model.caf import CafAssessment, Consent
from gateway.model.case import (
    Assessment,
    ChildProtectionPlan,
    CinEpisode,
    CinPlan,
    Involvement,
    LookedAfterEpisode,
    MissingEpisode,
    Review,
    Section47Enquiry,
)
from gateway.model.envelope import Envelope
from gateway.model.issue import Issue
from gateway.model.lineage import Lineage
from gateway.model.looked_after import (
    Adoption,
    AdoptionDecision,
    CareLeaver,
    LookedAfterOutcomes,
    PreviousPermanence,
    UascStatus,
)
from gateway.model.person import Carer, Child

__all__ = ["SCHEMA_VERSION", "CanonicalMessage", "ChildRecord"]

SCHEMA_VERSION: Final = "1.1"
"""Version of the canonical model. Minor: fields added; major: fields changed or removed.

1.0: the first version. 1.1: a child record's UASC status, outcomes after a year in care, care leaver,
adoption, adoption decisions and previous permanence orders (the rest of the children looked after return).
A message of an earlier minor version is still read (every 1.0 message is a valid 1.1 message)."""


class ChildRecord(CanonicalModel):
    """Everything a message says about one child, with the lineage of every field that was set."""

    child: Child
    carers: tuple[Carer, ...] = ()
    involvements: tuple[Involvement, ...] = ()
    consents: tuple[Consent, ...] = ()
    """Consents behind sensitive involvements and information sharing (CAF consents live on the CAF)."""
    cin_episodes: tuple[CinEpisode, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    section47_enquiries: tuple[Section47Enquiry, ...] = ()
    child_protection_plans: tuple[ChildProtectionPlan, ...] = ()
    cin_plans: tuple[CinPlan, ...] = ()
    looked_after_episodes: tuple[LookedAfterEpisode, ...] = ()
    reviews: tuple[Review, ...] = ()
    missing_episodes: tuple[MissingEpisode, ...] = ()
    uasc: UascStatus | None = None
    """Set when the child is, or was during the period reported, an unaccompanied asylum-seeking child."""
    looked_after_outcomes: LookedAfterOutcomes | None = None
    """Outcomes (health, convictions, substance misuse, SDQ) after 12 months or more continuously in care."""
    care_leaver: CareLeaver | None = None
    """The young person's situation as a care leaver: contact, activity, accommodation."""
    adoption: Adoption | None = None
    """The child's adoption from care."""
    adoption_decisions: tuple[AdoptionDecision, ...] = ()
    """Decisions that the child should be placed for adoption (and their reversals), oldest first as sent."""
    previous_permanence: tuple[PreviousPermanence, ...] = ()
    """Permanence arrangements (adoption, special guardianship ...) the child had before coming into care."""
    caf_assessments: tuple[CafAssessment, ...] = ()
    purge: bool = False
    """The supplier asks for this child's record to be purged (DfE CSC API ``purge`` flag)."""
    lineage: Lineage = Lineage()


class CanonicalMessage(CanonicalModel):
    """A received message in canonical form: its envelope, child records and every issue found so far."""

    schema_version: Literal["1.0", "1.1"] = SCHEMA_VERSION
    """The canonical model version the message was written in (the gateway writes the latest)."""
    envelope: Envelope
    records: tuple[ChildRecord, ...] = ()
    issues: tuple[Issue, ...] = ()

    def has_errors(self) -> bool:
        """True when any issue has severity ``error``."""
        return any(issue.severity == "error" for issue in self.issues)
