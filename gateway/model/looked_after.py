"""Looked-after children beyond their episodes of care: asylum-seeking status, outcomes after 12 months in
care, care leavers, adoption and earlier permanence orders. Case information: never leaves for the directory.

These are what the SSDA903 return collects besides episodes, reviews and missing periods (its ``uasc``,
``oc2``, ``oc3``, ``ad1``, ``placed_for_adoption`` and ``previous_permanence`` tables); the DfE CSC API
payload carries some of them too. Codes are the DfE's own, across every collection year from 2016-17;
which codes a given year allows is a conformance question, not a shape one.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from gateway.model._base import CanonicalModel

__all__ = [
    "AdoptersLegalStatus",
    "AdoptersSex",
    "Adoption",
    "AdoptionDecision",
    "AdoptionDecisionReversal",
    "CareLeaver",
    "CareLeaverAccommodation",
    "CareLeaverActivity",
    "CareLeaverContact",
    "LookedAfterOutcomes",
    "PermanenceOrder",
    "PreviousPermanence",
    "SdqReason",
    "UascStatus",
]

SdqReason = Literal["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"]
"""Why there is no Strengths and Difficulties Questionnaire score: ``SDQ1`` the child was under 4 or over
16 at the date of the latest assessment, ``SDQ2`` the carer refused, ``SDQ3`` not possible because of the
severity of the child's disability, ``SDQ4`` another reason, ``SDQ5`` the child or young person refused."""

CareLeaverContact = Literal["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"]
"""Whether the council is in touch with the care leaver around their birthday: ``YES``, ``NO``, ``DIED``
(the young person has died), ``REFU`` (the young person refuses contact), ``NREQ`` (no longer requires
services), ``RHOM`` (returned home to parents or others with parental responsibility for 6 months or more)."""

CareLeaverActivity = Literal[
    "F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"
]  # fmt: skip
"""The care leaver's main activity: ``F`` full-time or ``P`` part-time education, training or employment
(the digit tells which; ``F3``/``P3`` were replaced by ``F4``/``P4``/``F5``/``P5`` in later years),
``G4``-``G6`` not in education, training or employment (illness or disability, pregnancy or parenting,
other reasons), ``0`` no information."""

CareLeaverAccommodation = Literal[
    "B1", "B2", "C1", "C2", "D1", "D2", "E1", "E2", "G1", "G2", "H1", "H2", "K1", "K2", "R1", "R2",
    "S1", "S2", "T1", "T2", "U1", "U2", "V1", "V2", "W1", "W2", "X1", "X2", "Y1", "Y2", "Z1", "Z2", "0",
]  # fmt: skip
"""The care leaver's accommodation: the letter is its type (with parents, community home, semi-independent,
supported lodgings, ... as the DfE lists them), the digit whether it is suitable (``1``) or not (``2``);
``0`` no information."""

AdoptersSex = Literal["M1", "F1", "MM", "FF", "MF"]
"""Sex of the adopters at the date of adoption: ``M1`` one male, ``F1`` one female adopter; ``MM`` two
males, ``FF`` two females, ``MF`` a male and a female adopter."""

AdoptersLegalStatus = Literal["L0", "L11", "L12", "L2", "L3", "L4"]
"""Legal status of the adopters: ``L0`` a single person, ``L11`` a married couple of different sexes,
``L12`` a married couple of the same sex, ``L2`` civil partners, ``L3`` an unmarried couple of different
sexes, ``L4`` an unmarried couple of the same sex."""

AdoptionDecisionReversal = Literal["RD1", "RD2", "RD3", "RD4"]
"""Why the child should no longer be placed for adoption: ``RD1`` the child's needs changed, ``RD2`` the
court did not make a placement order, ``RD3`` no prospective adopters could be found, ``RD4`` another reason."""

PermanenceOrder = Literal["P1", "P2", "P3", "P4", "Z1"]
"""The permanence arrangement the child left before this period of care: ``P1`` adoption, ``P2`` a special
guardianship order, ``P3`` a residence or child arrangements order naming with whom the child lives,
``P4`` an arrangement whose type is not known, ``Z1`` none (or not known whether there was one)."""


class UascStatus(CanonicalModel):
    """The child is, or was during the period reported, an unaccompanied asylum-seeking child (UASC)."""

    ceased_date: date | None = None
    """When the child stopped being an unaccompanied asylum-seeking child (leave to remain granted, turned
    18 ...); ``None`` while the status continues."""


class LookedAfterOutcomes(CanonicalModel):
    """Outcomes for a child looked after continuously for at least 12 months at the end of the year.

    Each yes/no is ``None`` when not recorded (several apply to some ages only).
    """

    sdq_score: int | None = Field(default=None, ge=0, le=40)
    """The total difficulties score (0-40) of the child's Strengths and Difficulties Questionnaire."""
    sdq_reason: SdqReason | None = None
    """Why there is no questionnaire score (see :data:`SdqReason`)."""
    convicted: bool | None = None
    """Convicted, or given a final warning or reprimand (youth caution), during the year."""
    development_assessment_up_to_date: bool | None = None
    """For a child under 5: their development assessments (health promotion checks) are up to date."""
    immunisations_up_to_date: bool | None = None
    """Their immunisations are up to date."""
    dental_check: bool | None = None
    """Their teeth were checked by a dentist during the year."""
    health_assessment_up_to_date: bool | None = None
    """Their annual health assessment is up to date."""
    substance_misuse: bool | None = None
    """Identified as having a substance misuse problem during the year."""
    substance_misuse_intervention_received: bool | None = None
    """Received an intervention for their substance misuse problem."""
    substance_misuse_intervention_offered: bool | None = None
    """Offered an intervention for it (recorded when none was received, so ``True`` means it was refused)."""


class CareLeaver(CanonicalModel):
    """A care leaver's situation around their 17th to 21st birthday: contact, activity and accommodation."""

    in_touch: CareLeaverContact | None = None
    """Whether the council is in touch with the young person (see :data:`CareLeaverContact`)."""
    contact_date: date | None = None
    """When the council was last in touch with the young person."""
    activity: CareLeaverActivity | None = None
    """Their main activity (see :data:`CareLeaverActivity`)."""
    accommodation: CareLeaverAccommodation | None = None
    """Their accommodation and whether it is suitable (see :data:`CareLeaverAccommodation`)."""
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class Adoption(CanonicalModel):
    """The child's adoption from care: the decision, the match and the adopters."""

    decision_date: date | None = None
    """When the council decided that adoption is in the child's best interests (that the child should be
    placed for adoption)."""
    matched_date: date | None = None
    """When the child was matched with the prospective adopters."""
    placed_date: date | None = None
    """When the child was placed with the prospective adopters."""
    by_foster_carers: bool | None = None
    """The child was adopted by their foster carers."""
    adopter_count: int | None = Field(default=None, ge=1, le=2)
    """How many people adopted the child: 1 or 2."""
    adopters_sex: AdoptersSex | None = None
    """The adopters' sex at the date of adoption (see :data:`AdoptersSex`)."""
    adopters_legal_status: AdoptersLegalStatus | None = None
    """The adopters' legal status (see :data:`AdoptersLegalStatus`)."""
    purge: bool = False
    """DfE CSC API ``purge`` flag on this item: the supplier asks for it to be deleted."""


class AdoptionDecision(CanonicalModel):
    """A decision that the child should be placed for adoption, and its reversal if it was reversed."""

    decision_date: date | None = None
    """When the council decided that the child should be placed for adoption."""
    reversed_date: date | None = None
    """When the council decided that the child should no longer be placed for adoption."""
    reversal_reason: AdoptionDecisionReversal | None = None
    """Why (see :data:`AdoptionDecisionReversal`)."""


class PreviousPermanence(CanonicalModel):
    """A permanence arrangement the child had before this period of care (adoption, special guardianship ...)."""

    order_type: PermanenceOrder | None = None
    """Which arrangement (see :data:`PermanenceOrder`)."""
    order_date: date | None = None
    """When the order was made."""
    la_code: str | None = None
    """The council that arranged it, as the DfE codes councils (a three-digit LA number, or a code for a
    council outside England); checked by conformance."""
