"""Synthetic FHIR Bundles for benchmarks and tests: invented children, never real data.

Each bundle holds one child: Patient (valid NHS number from :mod:`gateway.identifiers`, UK Core ethnic
category, address, GP), one RelatedPerson, an assessment Encounter with a child-seen visit Encounter, and
a CAF QuestionnaireResponse with its Consent. The canonical records are built first and written with the
gateway's own FHIR writer, so the bundles are exactly what the gateway exchanges.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from adapters.fhir.writer import FhirWriter
from gateway import (
    Address,
    Assessment,
    CafAction,
    CafAssessment,
    CafDomain,
    CafDomains,
    Carer,
    Child,
    ChildRecord,
    Coding,
    Consent,
    ContactDetail,
    LocalId,
    Organisation,
    PersonName,
)
from gateway.codes import DFE_ETHNICITY
from gateway.identifiers import nhs_number_check_digit

__all__ = ["synthetic_bundle", "synthetic_bundles", "synthetic_nhs_number", "synthetic_record"]

_GIVEN: Final = ("Alex", "Bea", "Cai", "Dee", "Eli", "Fen", "Gus", "Hal", "Ivy", "Jo", "Kit", "Lu", "Mo", "Nia")
_FAMILY: Final = ("Ashdown", "Brook", "Carden", "Dale", "Elmfield", "Fairholm", "Greaves", "Hollin", "Ingle")
_STREETS: Final = ("Mill Lane", "Station Road", "Church Street", "Park Avenue", "Quarry Hill")
_ETHNICITIES: Final = ("WBRI", "WIRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "CHNE", "OOTH", "REFU")
_RELATIONSHIPS: Final = ("mother", "father", "grandparent", "foster-carer", "aunt")


def synthetic_nhs_number(rng: random.Random) -> str:
    """A random NHS number with a correct modulus-11 check digit (in the 999 test range)."""
    while True:
        first_nine = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"


def synthetic_record(rng: random.Random, index: int) -> ChildRecord:
    """One invented child with a carer, an assessment seen once, and a CAF under consent."""
    family = rng.choice(_FAMILY)
    born = date(2010, 1, 1) + timedelta(days=rng.randrange(12 * 365))
    started = date(2024, 1, 1) + timedelta(days=rng.randrange(300))
    child = Child(
        local_ids=(LocalId(la_code="201", la_child_id=f"SYN{index:07d}"),),
        nhs_number=synthetic_nhs_number(rng),
        nhs_number_verification="01",
        names=(PersonName(given=(rng.choice(_GIVEN),), family=family),),
        birth_date=born,
        sex=rng.choice(("M", "F")),
        ethnicity=Coding(system=DFE_ETHNICITY, code=rng.choice(_ETHNICITIES)),
        addresses=(
            Address(lines=(f"{rng.randrange(1, 200)} {rng.choice(_STREETS)}",), town="Leeds", postcode="LS1 4AP"),
        ),
        gp_practice=Organisation(code="B86001", code_system="ods", name="Synthetic Surgery", kind="gp-practice"),
    )
    carer = Carer(
        carer_id=f"SYN{index:07d}-C1",
        names=(PersonName(given=(rng.choice(_GIVEN),), family=family),),
        relationship=rng.choice(_RELATIONSHIPS),
        parental_responsibility=True,
        contacts=(ContactDetail(system="phone", value=f"07700 900{rng.randrange(1000):03d}", use="mobile"),),
    )
    assessment = Assessment(
        assessment_id=f"SYN{index:07d}-A1",
        kind="single",
        start_date=started,
        child_seen_dates=(started + timedelta(days=3),),
        completed_date=started + timedelta(days=20),
        factors=("1C", "4A"),
    )
    given_at = datetime.combine(started, time(10, 30), tzinfo=UTC)
    caf = CafAssessment(
        caf_id=f"SYN{index:07d}-CAF1",
        status="completed",
        started_date=started,
        completed_date=started + timedelta(days=14),
        domains=CafDomains(
            development_of_child=CafDomain(summary="Meeting milestones.", strengths=("Settled at school",)),
            parents_and_carers=CafDomain(needs=("Support with routines",)),
            family_and_environment=CafDomain(summary="Stable housing."),
        ),
        conclusions="Early help offered.",
        actions=(CafAction(description="Arrange parenting course", due_date=started + timedelta(days=30)),),
        review_date=started + timedelta(days=90),
        consents=(
            Consent(
                consent_id=f"SYN{index:07d}-CS1",
                given_by_role="parent",
                scope=("RR8", "LA201"),
                given_at=given_at,
            ),
        ),
    )
    return ChildRecord(child=child, carers=(carer,), assessments=(assessment,), caf_assessments=(caf,))


def synthetic_bundle(rng: random.Random, index: int) -> bytes:
    """One synthetic child as a FHIR R4 Bundle (JSON bytes)."""
    return FhirWriter().write([synthetic_record(rng, index)])


def synthetic_bundles(count: int, *, seed: int = 2008) -> Iterator[bytes]:
    """``count`` synthetic bundles, reproducible from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - invented test data, not security
    for index in range(count):
        yield synthetic_bundle(rng, index)
