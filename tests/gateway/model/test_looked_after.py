"""The looked-after parts of the canonical record (UASC, outcomes, care leaver, adoption, permanence): their
shape, and that they are case information that never reaches the directory."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from pydantic import ValidationError

from gateway import (
    Adoption,
    AdoptionDecision,
    CareLeaver,
    ChildRecord,
    LookedAfterOutcomes,
    PreviousPermanence,
    UascStatus,
)
from gateway.views import directory_update, directory_view
from tests.gateway.store_data import AT, child_record

CASE_DAY = date(1903, 2, 1)
"""A date that appears only in the looked-after parts."""


def _with_care_parts(record: ChildRecord) -> ChildRecord:
    return record.model_copy(
        update={
            "uasc": UascStatus(ceased_date=CASE_DAY),
            "looked_after_outcomes": LookedAfterOutcomes(sdq_score=37, sdq_reason="SDQ5", convicted=True),
            "care_leaver": CareLeaver(in_touch="RHOM", contact_date=CASE_DAY, activity="G6", accommodation="Z2"),
            "adoption": Adoption(decision_date=CASE_DAY, adopters_sex="FF", adopters_legal_status="L12"),
            "adoption_decisions": (AdoptionDecision(decision_date=CASE_DAY, reversal_reason="RD3"),),
            "previous_permanence": (PreviousPermanence(order_type="P3", order_date=CASE_DAY, la_code="933"),),
        }
    )


def test_a_record_without_them_is_unchanged_and_they_default_to_absent() -> None:
    record = ChildRecord.model_validate({"child": {}})
    assert (record.uasc, record.looked_after_outcomes, record.care_leaver, record.adoption) == (None,) * 4
    assert record.adoption_decisions == () and record.previous_permanence == ()
    assert record.model_dump(exclude_defaults=True) == {"child": {}}


def test_they_round_trip_through_canonical_json() -> None:
    record = _with_care_parts(child_record())
    assert ChildRecord.model_validate_json(record.model_dump_json()) == record
    assert ChildRecord.model_validate(orjson.loads(orjson.dumps(record.model_dump(mode="json")))) == record


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (CareLeaver, {"activity": "F9"}),
        (CareLeaver, {"in_touch": "yes"}),
        (LookedAfterOutcomes, {"sdq_score": 41}),
        (LookedAfterOutcomes, {"sdq_score": -1}),
        (LookedAfterOutcomes, {"sdq_reason": "SDQ6"}),
        (Adoption, {"adopter_count": 3}),
        (Adoption, {"adopters_sex": "M2"}),
        (AdoptionDecision, {"reversal_reason": "RD5"}),
        (PreviousPermanence, {"order_type": "P5"}),
        (UascStatus, {"status": "1"}),
    ],
)
def test_codes_and_ranges_are_validated(model: type[ChildRecord], data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(data)


def test_they_are_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        UascStatus().ceased_date = CASE_DAY  # type: ignore[misc]


def test_none_of_them_reaches_the_directory_view() -> None:
    plain = child_record()
    with_parts = _with_care_parts(plain)
    assert directory_view(with_parts, at=AT) == directory_view(plain, at=AT)
    update = directory_update(with_parts, at=AT)
    text = orjson.dumps(update.model_dump(mode="json")).decode()
    assert CASE_DAY.isoformat() not in text
    for word in ("uasc", "adopt", "care_leaver", "outcome", "permanence", "sdq", "RHOM", "933"):
        assert word not in text, word
    assert update == directory_update(plain, at=AT)
