"""People and organisations: the child, carers, practitioners, addresses and contacts."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from gateway.model._base import CanonicalModel

__all__ = [
    "Address",
    "Carer",
    "Child",
    "Coding",
    "ContactDetail",
    "LocalId",
    "Organisation",
    "PersonName",
    "Practitioner",
    "Sex",
]

Sex = Literal["M", "F", "U"]
"""Canonical sex: M, F or U (unknown, not recorded, unborn or indeterminate). See ``gateway.codes``."""


class Coding(CanonicalModel):
    """A code from a named code system (``gateway.codes`` names the systems the gateway knows)."""

    system: str
    code: str
    display: str | None = None


class PersonName(CanonicalModel):
    """One name of a person. A child may have several (usual, former, preferred, alias)."""

    use: Literal["usual", "former", "preferred", "alias"] = "usual"
    given: tuple[str, ...] = ()
    """Given names in order (first name first)."""
    family: str | None = None


class Address(CanonicalModel):
    """A postal address with its period of use. The postcode is kept as sent (validity is a rule)."""

    use: Literal["home", "temporary", "placement", "previous", "other"] = "home"
    lines: tuple[str, ...] = ()
    town: str | None = None
    postcode: str | None = None
    start: date | None = None
    end: date | None = None


class ContactDetail(CanonicalModel):
    """A way to reach a person or service."""

    system: Literal["phone", "email", "other"]
    value: str
    use: Literal["home", "work", "mobile", "other"] | None = None


class Organisation(CanonicalModel):
    """An organisation: council, school, GP practice, health or voluntary service."""

    code: str | None = None
    """Its identifier in ``code_system`` (ODS code, school URN, DfE LA number ...)."""
    code_system: Literal["ods", "urn", "dfe-la", "ukprn", "local"] | None = None
    name: str | None = None
    kind: str | None = None
    """Free classification, e.g. ``school``, ``gp-practice``, ``children-social-care``."""


class Practitioner(CanonicalModel):
    """A professional working with a child."""

    practitioner_id: str | None = None
    name: PersonName | None = None
    role: str | None = None
    organisation: Organisation | None = None
    contacts: tuple[ContactDetail, ...] = ()


class LocalId(CanonicalModel):
    """A council's own id for a child: the DfE LA number plus the LA child id."""

    la_code: str = Field(pattern=r"^[0-9]{3}$")
    la_child_id: str
    """As sent; its format (up to 20 letters and digits) is checked by a conformance rule."""


class Child(CanonicalModel):
    """Who the child is. Identifier *validity* is a conformance rule, so invalid values are representable."""

    child_id: str | None = None
    """The gateway's own child id, assigned by identity resolution (``None`` until matched)."""
    local_ids: tuple[LocalId, ...] = ()
    nhs_number: str | None = None
    nhs_number_verification: str | None = None
    """UK Core NHS number verification status code (``01`` = number present and verified ...)."""
    upn: str | None = None
    former_upns: tuple[str, ...] = ()
    upn_unknown_reason: str | None = None
    """``UN1``..``UN7`` when the UPN is absent for a known reason."""
    names: tuple[PersonName, ...] = ()
    birth_date: date | None = None
    expected_birth_date: date | None = None
    """For an unborn child: exactly one of ``birth_date`` / ``expected_birth_date`` (a conformance rule)."""
    death_date: date | None = None
    sex: Sex | None = None
    ethnicity: Coding | None = None
    """DfE ethnicity code (system ``gateway.codes.DFE_ETHNICITY``); NHS codes are mapped on the way in."""
    disabilities: tuple[str, ...] = ()
    """DfE disability codes (``NONE``, ``MOB``, ``HAND`` ...)."""
    addresses: tuple[Address, ...] = ()
    no_known_address: bool = False
    """Recorded absence of an address (ContactPoint holds "address or its absence")."""
    contacts: tuple[ContactDetail, ...] = ()
    shielded: bool = False
    """When true, no address or contact of the child or its carers leaves in the directory view."""
    shielding_reason: str | None = None
    education_setting: Organisation | None = None
    gp_practice: Organisation | None = None
    purge: bool = False
    """DfE CSC API ``child_details.purge``: the supplier asks for the child's details to be deleted (the whole
    record's purge flag is ``ChildRecord.purge``)."""

    def usual_name(self) -> PersonName | None:
        """The first name with use ``usual``, else the first name of any use."""
        for name in self.names:
            if name.use == "usual":
                return name
        return self.names[0] if self.names else None


class Carer(CanonicalModel):
    """A person with parental responsibility or care of the child."""

    carer_id: str | None = None
    names: tuple[PersonName, ...] = ()
    relationship: str | None = None
    """Relationship to the child, e.g. ``mother``, ``father``, ``foster-carer``, ``grandparent``."""
    parental_responsibility: bool | None = None
    lives_with_child: bool | None = None
    contacts: tuple[ContactDetail, ...] = ()
    addresses: tuple[Address, ...] = ()
