"""The ``ics-xml`` layouts of looked-after children's other data: UASC status, outcomes after 12 months in
care, care leavers, adoption, decisions to place for adoption and previous permanence orders.

Kept apart from :mod:`adapters.ics_xml.elements`, which places them in ``<Child>`` after
``<MissingEpisodes>``; the order of each layout is the order of its ``xs:sequence`` in the schema.
"""

from __future__ import annotations

from typing import Final

from adapters.ics_xml.layout import Layout, Part, Value
from gateway import (
    Adoption,
    AdoptionDecision,
    CareLeaver,
    LookedAfterOutcomes,
    PreviousPermanence,
    UascStatus,
)

__all__ = ["CARE_PARTS"]

UASC: Final = Layout(UascStatus, (Value("CeasedDate", "ceased_date", "date"),))

OUTCOMES: Final = Layout(
    LookedAfterOutcomes,
    (
        Value("SDQScore", "sdq_score", "int"),
        Value("SDQReason", "sdq_reason"),
        Value("Convicted", "convicted", "bool"),
        Value("DevelopmentAssessmentUpToDate", "development_assessment_up_to_date", "bool"),
        Value("ImmunisationsUpToDate", "immunisations_up_to_date", "bool"),
        Value("DentalCheck", "dental_check", "bool"),
        Value("HealthAssessmentUpToDate", "health_assessment_up_to_date", "bool"),
        Value("SubstanceMisuse", "substance_misuse", "bool"),
        Value("SubstanceMisuseInterventionReceived", "substance_misuse_intervention_received", "bool"),
        Value("SubstanceMisuseInterventionOffered", "substance_misuse_intervention_offered", "bool"),
    ),
)

CARE_LEAVER: Final = Layout(
    CareLeaver,
    (
        Value("InTouch", "in_touch"),
        Value("ContactDate", "contact_date", "date"),
        Value("Activity", "activity"),
        Value("Accommodation", "accommodation"),
        Value("Purge", "purge", "bool"),
    ),
)

ADOPTION: Final = Layout(
    Adoption,
    (
        Value("DecisionDate", "decision_date", "date"),
        Value("MatchedDate", "matched_date", "date"),
        Value("PlacedDate", "placed_date", "date"),
        Value("ByFosterCarers", "by_foster_carers", "bool"),
        Value("AdopterCount", "adopter_count", "int"),
        Value("AdoptersSex", "adopters_sex"),
        Value("AdoptersLegalStatus", "adopters_legal_status"),
        Value("Purge", "purge", "bool"),
    ),
)

ADOPTION_DECISION: Final = Layout(
    AdoptionDecision,
    (
        Value("DecisionDate", "decision_date", "date"),
        Value("ReversedDate", "reversed_date", "date"),
        Value("ReversalReason", "reversal_reason"),
    ),
)

PREVIOUS_PERMANENCE: Final = Layout(
    PreviousPermanence,
    (
        Value("OrderType", "order_type"),
        Value("OrderDate", "order_date", "date"),
        Value("LACode", "la_code"),
    ),
)

CARE_PARTS: Final = (
    Part("UASC", "uasc", UASC),
    Part("LookedAfterOutcomes", "looked_after_outcomes", OUTCOMES),
    Part("CareLeaver", "care_leaver", CARE_LEAVER),
    Part("Adoption", "adoption", ADOPTION),
    Part("AdoptionDecision", "adoption_decisions", ADOPTION_DECISION, repeat=True, wrapper="AdoptionDecisions"),
    Part(
        "PreviousPermanence",
        "previous_permanence",
        PREVIOUS_PERMANENCE,
        repeat=True,
        wrapper="PreviousPermanenceOrders",
    ),
)
"""The ``<Child>`` members for these parts of the record, in schema order."""
