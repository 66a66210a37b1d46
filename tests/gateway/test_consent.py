"""CAF sharing rules: lead professional, assessor's organisation, active consent scope; sticky withdrawals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway import CafAssessment, Consent, Organisation, Practitioner
from gateway.access import CAF_READ, Caller
from gateway.consent import (
    caf_read_basis,
    caf_recipients,
    caf_shareable,
    caf_subject,
    merge_withdrawals,
    withdrawal_event_id,
)

AT = datetime(2025, 6, 1, tzinfo=UTC)
GIVEN = AT - timedelta(days=30)


def _consent(consent_id: str, scope: tuple[str, ...], **fields: object) -> Consent:
    values: dict[str, object] = {"given_at": GIVEN, **fields}
    return Consent.model_validate({"consent_id": consent_id, "given_by_role": "parent", "scope": scope, **values})


CAF = CafAssessment(
    caf_id="caf-1",
    assessor=Practitioner(practitioner_id="p-a", organisation=Organisation(code="SCH1")),
    lead_professional=Practitioner(practitioner_id="p-lead", organisation=Organisation(code="HV1")),
    consents=(
        _consent("k-1", ("GP1", "YOS1")),
        _consent("k-2", ("CAMHS",), withdrawn_at=AT - timedelta(days=1)),
        _consent("k-3", ("FUTURE",), given_at=AT + timedelta(days=1)),
        _consent("k-4", ("SENS",), purpose="sensitive_service"),
    ),
)


def _caller(user: str, org: str, *roles: str) -> Caller:
    return Caller(user_id=user, organisation_code=org, roles=frozenset(roles or {CAF_READ}))


def test_only_active_caf_sharing_consents_share() -> None:
    assert caf_shareable(CAF, "GP1", AT)
    assert not caf_shareable(CAF, "CAMHS", AT)  # withdrawn
    assert caf_shareable(CAF, "CAMHS", AT - timedelta(days=2))  # before the withdrawal
    assert not caf_shareable(CAF, "FUTURE", AT)  # not yet given
    assert not caf_shareable(CAF, "SENS", AT)  # another purpose
    assert caf_recipients(CAF, AT) == {"GP1", "YOS1"}


def test_read_basis() -> None:
    assert caf_read_basis(CAF, _caller("p-lead", "ELSEWHERE"), AT) == "lead-professional"
    assert caf_read_basis(CAF, _caller("someone", "SCH1"), AT) == "assessor-organisation"
    assert caf_read_basis(CAF, _caller("someone", "YOS1"), AT) == "consent"
    assert caf_read_basis(CAF, _caller("someone", "CAMHS"), AT) is None
    assert caf_read_basis(CAF, _caller("p-lead", "HV1", "directory.read"), AT) is None  # no caf.read role


def test_merge_withdrawals_only_ever_moves_withdrawal_earlier() -> None:
    earlier = AT - timedelta(days=5)
    merged = merge_withdrawals(CAF, {"k-1": AT, "k-2": earlier, "unknown": AT})
    by_id = {consent.consent_id: consent for consent in merged.consents}
    assert by_id["k-1"].withdrawn_at == AT
    assert by_id["k-2"].withdrawn_at == earlier
    assert merge_withdrawals(merged, {"k-2": AT}) == merged  # a later record does not undo an earlier one
    assert not caf_shareable(merged, "GP1", AT)
    assert merge_withdrawals(CAF, {}) is CAF


def test_subjects_and_withdrawal_ids_are_bounded_and_stable() -> None:
    assert caf_subject("caf-1") == "caf:caf-1"
    long_id = "x" * 200
    assert len(caf_subject(long_id)) <= 128 and caf_subject(long_id).startswith("caf:sha256:")
    assert withdrawal_event_id("caf-1", "k-1") == withdrawal_event_id("caf-1", "k-1")
    assert withdrawal_event_id("caf-1", "k-1") != withdrawal_event_id("caf-1", "k-2")
    assert len(withdrawal_event_id(long_id, long_id)) <= 128
