"""CAF sharing rules: who may read a CAF, who it may be shared with, and what a withdrawal changes.

A CAF is read only by its lead professional, the assessor's organisation, and agencies inside the scope of
an *active* ``caf_sharing`` consent. A withdrawal takes effect at once and is sticky: once a store has
recorded a consent as withdrawn, an older (replayed) copy of the CAF that still shows the consent as
active cannot make it active again (:func:`merge_withdrawals`).

The payloads of the CAF events (``caf.assessment.upsert`` and ``caf.consent.withdrawn``) are defined here
so that routing and the CAF store share one definition.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Final, Literal

from pydantic import AwareDatetime, Field

from gateway.access import CAF_READ, Caller
from gateway.model import CafAssessment, Consent
from gateway.model._base import CanonicalModel

__all__ = [
    "MAX_SUBJECT",
    "CafUpdate",
    "ConsentWithdrawal",
    "ReadBasis",
    "caf_read_basis",
    "caf_recipients",
    "caf_shareable",
    "caf_subject",
    "merge_withdrawals",
    "withdrawal_event_id",
]

MAX_SUBJECT: Final = 128
"""Longest event subject (``Event.subject``)."""

ReadBasis = Literal["lead-professional", "assessor-organisation", "consent"]
"""Why a caller may read a CAF."""


class CafUpdate(CanonicalModel):
    """Payload of ``caf.assessment.upsert`` (subject ``caf:<caf_id>``): one CAF with its consents."""

    child_id: str | None = None
    """The gateway child id the CAF is about."""
    assessment: CafAssessment


class ConsentWithdrawal(CanonicalModel):
    """Payload of ``caf.consent.withdrawn`` (subject ``caf:<caf_id>``): stop processing this CAF at once."""

    caf_id: str = Field(min_length=1)
    consent_id: str = Field(min_length=1)
    withdrawn_at: AwareDatetime
    scope: tuple[str, ...] = ()
    """The organisation codes that had been sharing under this consent and must stop."""


def _sharing(consent: Consent, at: datetime) -> bool:
    return consent.purpose == "caf_sharing" and consent.is_active(at)


def caf_shareable(caf: CafAssessment, recipient_org: str, at: datetime) -> bool:
    """True when an active ``caf_sharing`` consent at ``at`` names ``recipient_org`` in its scope."""
    return any(_sharing(consent, at) and recipient_org in consent.scope for consent in caf.consents)


def caf_recipients(caf: CafAssessment, at: datetime) -> frozenset[str]:
    """Every organisation an active ``caf_sharing`` consent lets the CAF be shared with at ``at``."""
    return frozenset(org for consent in caf.consents if _sharing(consent, at) for org in consent.scope)


def caf_read_basis(caf: CafAssessment, caller: Caller, at: datetime) -> ReadBasis | None:
    """Why ``caller`` may read ``caf`` at ``at``, or ``None`` when it may not.

    The caller needs the ``caf.read`` role and one relationship: it is the lead professional (by
    practitioner id), it acts for the assessor's organisation, or an active consent's scope names its
    organisation.
    """
    if not caller.has(CAF_READ):
        return None
    lead = caf.lead_professional
    if lead is not None and lead.practitioner_id and lead.practitioner_id == caller.user_id:
        return "lead-professional"
    assessor_org = caf.assessor.organisation if caf.assessor is not None else None
    if assessor_org is not None and assessor_org.code and assessor_org.code == caller.organisation_code:
        return "assessor-organisation"
    if caf_shareable(caf, caller.organisation_code, at):
        return "consent"
    return None


def merge_withdrawals(caf: CafAssessment, withdrawn: Mapping[str, datetime]) -> CafAssessment:
    """``caf`` with every recorded withdrawal applied (the earliest withdrawal time wins).

    ``withdrawn`` maps consent ids to the time a withdrawal was recorded. Use it before deciding whom to
    share a CAF with, so that replaying an old message cannot re-share after a withdrawal.
    """
    consents = []
    changed = False
    for consent in caf.consents:
        recorded = withdrawn.get(consent.consent_id)
        if recorded is not None and (consent.withdrawn_at is None or recorded < consent.withdrawn_at):
            consents.append(consent.model_copy(update={"withdrawn_at": max(recorded, consent.given_at)}))
            changed = True
        else:
            consents.append(consent)
    return caf.model_copy(update={"consents": tuple(consents)}) if changed else caf


def caf_subject(caf_id: str) -> str:
    """The event subject of a CAF: ``caf:<caf_id>``, or ``caf:sha256:<digest>`` when that exceeds 128 characters."""
    subject = f"caf:{caf_id}"
    if len(subject) <= MAX_SUBJECT:
        return subject
    return f"caf:sha256:{hashlib.sha256(caf_id.encode('utf-8')).hexdigest()}"


def withdrawal_event_id(caf_id: str, consent_id: str) -> str:
    """The deterministic event id of a consent's withdrawal, so every copy of it is deduplicated."""
    digest = hashlib.sha256(f"{caf_id}\x00{consent_id}".encode()).hexdigest()[:40]
    return f"caf.consent.withdrawn:{digest}"
