"""Common Assessment Framework forms and the consent that allows them to be shared."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime

from gateway.model._base import CanonicalModel
from gateway.model.person import PersonName, Practitioner

__all__ = ["CafAction", "CafAssessment", "CafDomain", "CafDomains", "Consent"]


class Consent(CanonicalModel):
    """Consent to share information: who gave it, who obtained it, with which agencies, and when."""

    consent_id: str
    purpose: Literal["caf_sharing", "sensitive_service", "information_sharing"] = "caf_sharing"
    given_by_role: Literal["child", "parent", "carer"]
    given_by_name: PersonName | None = None
    obtained_by: Practitioner | None = None
    scope: tuple[str, ...] = ()
    """Organisation codes of the agencies the information may be shared with."""
    given_at: AwareDatetime
    withdrawn_at: AwareDatetime | None = None

    def is_active(self, at: datetime) -> bool:
        """True when consent had been given and not withdrawn at ``at`` (an aware datetime)."""
        if at < self.given_at:
            return False
        return self.withdrawn_at is None or at < self.withdrawn_at

    def covers(self, organisation_code: str, at: datetime) -> bool:
        """True when this consent is active at ``at`` and its scope names ``organisation_code``."""
        return self.is_active(at) and organisation_code in self.scope


class CafDomain(CanonicalModel):
    """One of the three CAF domains: a summary with the strengths and needs identified."""

    summary: str | None = None
    strengths: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()

    def is_recorded(self) -> bool:
        """True when anything was written in this domain."""
        return bool(self.summary or self.strengths or self.needs)


class CafDomains(CanonicalModel):
    """The three CAF domains."""

    development_of_child: CafDomain = CafDomain()
    parents_and_carers: CafDomain = CafDomain()
    """Parents and carers: basic care, safety, emotional warmth, stimulation, guidance, stability."""
    family_and_environment: CafDomain = CafDomain()
    """Family and environmental factors: history, housing, employment, income, community resources."""


class CafAction(CanonicalModel):
    """An agreed action."""

    description: str
    responsible: Practitioner | None = None
    due_date: date | None = None


class CafAssessment(CanonicalModel):
    """A versioned CAF form. Shared only under an active consent whose scope covers the recipient."""

    caf_id: str
    version: int = 1
    status: Literal["draft", "completed", "closed"] = "draft"
    started_date: date | None = None
    completed_date: date | None = None
    assessor: Practitioner | None = None
    domains: CafDomains = CafDomains()
    conclusions: str | None = None
    actions: tuple[CafAction, ...] = ()
    lead_professional: Practitioner | None = None
    review_date: date | None = None
    consents: tuple[Consent, ...] = ()

    def active_consents(self, at: datetime) -> tuple[Consent, ...]:
        """Consents active at ``at``."""
        return tuple(consent for consent in self.consents if consent.is_active(at))
