"""The directory view: a canonical child record projected onto the ContactPoint data set, and nothing more.

The ContactPoint data set is: names (including former names); the current or last known address, or its
recorded absence; gender; birth date; the directory id (with the national and local identifiers it is
found by); people with parental responsibility or care and their contacts; education setting; GP; each
service and practitioner involved, with start and end and which is the lead professional; and an indicator
that a CAF exists with who holds it. Case information (episodes, assessments, enquiries, plans, care
episodes), CAF content, consents, ethnicity, disability and free text never enter a
:class:`DirectoryEntry` — the models forbid extra fields, so nothing can be added by accident.

Two rules apply on the way:

* **Shielding** — a shielded child's address and contacts, and its carers', are left out of the entry.
  They travel separately (:class:`WithheldDetails` in a :class:`DirectoryUpdate`) so that the directory
  can show them only after a stated, audited "break glass".
* **Sensitive services** (sexual health, mental health, substance misuse) — an involvement is kept only
  with an explicit consent (its ``consent_id`` names a consent in the record that is active) or a recorded
  safeguarding reason. Otherwise it is left out and :func:`directory_refusals` says why, as an
  :class:`~gateway.Issue` the pipeline can report to the supplier (never naming the service or values).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from gateway.model import (
    Address,
    CafAssessment,
    Carer,
    ChildRecord,
    Consent,
    ContactDetail,
    Involvement,
    Issue,
    LocalId,
    Organisation,
    PersonName,
    Practitioner,
    SensitiveCategory,
    Sex,
    SourceLocation,
)
from gateway.model._base import CanonicalModel

__all__ = [
    "AddressStatus",
    "CafIndicator",
    "DirectoryCarer",
    "DirectoryEntry",
    "DirectoryInvolvement",
    "DirectoryMove",
    "DirectoryUpdate",
    "SharingBasis",
    "WithheldCarer",
    "WithheldDetails",
    "current_address",
    "directory_refusals",
    "directory_update",
    "directory_view",
    "retention_date",
    "sensitive_basis",
]

AddressStatus = Literal["known", "no_known_address", "not_recorded", "withheld"]
"""``known``: an address is shown; ``no_known_address``: its absence was recorded; ``not_recorded``: the
supplier sent neither; ``withheld``: the child is shielded."""

SharingBasis = Literal["consent", "safeguarding"]
"""Why a sensitive-service involvement may be in the directory."""

ADULT_AGE = 18
CARE_LEAVER_AGE = 25


class DirectoryCarer(CanonicalModel):
    """A person with parental responsibility for, or care of, the child."""

    carer_id: str | None = None
    names: tuple[PersonName, ...] = ()
    relationship: str | None = None
    parental_responsibility: bool | None = None
    contacts: tuple[ContactDetail, ...] = ()
    """Empty when the child is shielded."""
    address: Address | None = None
    """The carer's current or last known address; ``None`` when the child is shielded."""


class DirectoryInvolvement(CanonicalModel):
    """A service or practitioner working with the child."""

    involvement_id: str
    service_type: str
    organisation: Organisation | None = None
    practitioner: Practitioner | None = None
    role: str | None = None
    start: date | None = None
    end: date | None = None
    lead_professional: bool = False
    sensitive_category: SensitiveCategory | None = None
    shared_on: SharingBasis | None = None
    """For a sensitive service: the basis on which it may be shown (the reason text itself is not kept)."""
    recorded_by: Literal["supplier", "practitioner"] = "supplier"
    """``supplier``: sent by a supplier system; ``practitioner``: recorded through the directory API."""

    def is_current(self, on: date) -> bool:
        """True when the involvement had started (or has no start) and had not ended on ``on``."""
        return (self.start is None or self.start <= on) and (self.end is None or self.end >= on)


class CafIndicator(CanonicalModel):
    """A CAF exists for the child; ``holder`` is who to contact (its lead professional, else its assessor)."""

    holder: Practitioner | None = None


class DirectoryEntry(CanonicalModel):
    """One child's directory entry: the ContactPoint data set, with shielding and consent rules applied."""

    child_id: str
    """The directory id (the gateway's child id)."""
    local_ids: tuple[LocalId, ...] = ()
    nhs_number: str | None = None
    upn: str | None = None
    names: tuple[PersonName, ...] = ()
    """Every name, including former names."""
    birth_date: date | None = None
    sex: Sex | None = None
    address: Address | None = None
    address_status: AddressStatus = "not_recorded"
    shielded: bool = False
    carers: tuple[DirectoryCarer, ...] = ()
    education_setting: Organisation | None = None
    gp_practice: Organisation | None = None
    involvements: tuple[DirectoryInvolvement, ...] = ()
    caf: CafIndicator | None = None
    """Present when a CAF that is not closed exists for the child."""


class WithheldCarer(CanonicalModel):
    """A shielded child's carer's address and contacts (``position`` indexes ``DirectoryEntry.carers``)."""

    position: int
    contacts: tuple[ContactDetail, ...] = ()
    address: Address | None = None


class WithheldDetails(CanonicalModel):
    """What shielding took out of an entry. Held apart by the directory; shown only after a break glass."""

    address: Address | None = None
    carers: tuple[WithheldCarer, ...] = ()


class DirectoryUpdate(CanonicalModel):
    """The payload of a ``directory.child.upsert`` event: the entry, what shielding withheld, retention."""

    entry: DirectoryEntry
    withheld: WithheldDetails | None = None
    """Only for a shielded child; goes to the directory's break-glass store, never to a response."""
    retain_until: date | None = None
    """When the entry is archived: the 18th birthday, or the 25th for a care leaver who consented."""
    source: str | None = Field(default=None, min_length=1, max_length=128)
    """Which supplier record this view comes from: identity resolution's record id (a digest; no identifier in
    clear). The directory keeps one view per source and merges a child's views into its entry, so a second
    supplier adds to what the first said instead of replacing it. ``None``: one unnamed source."""


class DirectoryMove(CanonicalModel):
    """The payload of a ``directory.child.move`` event (subject: the child the record leaves): a person
    unmerged or re-linked a supplier record, so its view leaves this child for ``to`` (``None``: the record
    awaits a person's review again and is shown under no child)."""

    source: str = Field(min_length=1, max_length=128)
    """The record's id in the match index (as ``DirectoryUpdate.source``)."""
    to: str | None = Field(default=None, min_length=1, max_length=128)


def current_address(addresses: tuple[Address, ...], on: date) -> Address | None:
    """The address in use on ``on`` (home before others), else the one used most recently."""
    if not addresses:
        return None
    current = [
        address
        for address in addresses
        if address.use != "previous"
        and (address.start is None or address.start <= on)
        and (address.end is None or address.end > on)
    ]
    if current:
        homes = [address for address in current if address.use == "home"]
        return (homes or current)[-1]

    def last_used(address: Address) -> date:
        return address.end or address.start or date.min

    return max(addresses, key=last_used)


def sensitive_basis(involvement: Involvement, consents: tuple[Consent, ...], at: datetime) -> SharingBasis | str:
    """The basis for sharing a sensitive involvement, or the rule id saying why it may not be shared."""
    if involvement.consent_id is not None:
        consent = next((item for item in consents if item.consent_id == involvement.consent_id), None)
        if consent is not None and consent.purpose != "caf_sharing" and consent.is_active(at):
            return "consent"
    if involvement.safeguarding_reason is not None and involvement.safeguarding_reason.strip():
        return "safeguarding"
    if involvement.consent_id is None:
        return "directory/sensitive-service-no-basis"
    if any(item.consent_id == involvement.consent_id for item in consents):
        return "directory/sensitive-service-consent-inactive"
    return "directory/sensitive-service-consent-missing"


def _involvement(involvement: Involvement, index: int, basis: SharingBasis | None) -> DirectoryInvolvement:
    return DirectoryInvolvement(
        involvement_id=involvement.involvement_id or f"i{index}",
        service_type=involvement.service_type,
        organisation=involvement.organisation,
        practitioner=involvement.practitioner,
        role=involvement.role,
        start=involvement.start,
        end=involvement.end,
        lead_professional=involvement.lead_professional,
        sensitive_category=involvement.sensitive_category,
        shared_on=basis,
    )


def _involvements(record: ChildRecord, at: datetime) -> tuple[DirectoryInvolvement, ...]:
    kept = []
    for index, involvement in enumerate(record.involvements):
        basis: SharingBasis | None = None
        if involvement.sensitive_category is not None:
            found = sensitive_basis(involvement, record.consents, at)
            if found not in ("consent", "safeguarding"):
                continue
            basis = "consent" if found == "consent" else "safeguarding"
        kept.append(_involvement(involvement, index, basis))
    return tuple(kept)


def _caf_indicator(cafs: tuple[CafAssessment, ...]) -> CafIndicator | None:
    open_cafs = [caf for caf in cafs if caf.status != "closed"]
    if not open_cafs:
        return None
    latest = max(open_cafs, key=lambda caf: (caf.started_date or date.min, caf.version))
    return CafIndicator(holder=latest.lead_professional or latest.assessor)


def _carer(carer: Carer, on: date, shielded: bool) -> DirectoryCarer:
    return DirectoryCarer(
        carer_id=carer.carer_id,
        names=carer.names,
        relationship=carer.relationship,
        parental_responsibility=carer.parental_responsibility,
        contacts=() if shielded else carer.contacts,
        address=None if shielded else current_address(carer.addresses, on),
    )


def directory_view(record: ChildRecord, *, at: datetime) -> DirectoryEntry:
    """Project ``record`` onto the ContactPoint data set as of ``at`` (an aware datetime).

    Raises ``ValueError`` when the record has no gateway child id yet (identity resolution assigns it
    before anything is routed to the directory).
    """
    child = record.child
    if not child.child_id:
        raise ValueError("a record must have a gateway child id before it can enter the directory")
    on = at.date()
    address = None if child.shielded else current_address(child.addresses, on)
    if child.shielded:
        status: AddressStatus = "withheld"
    elif address is not None:
        status = "known"
    else:
        status = "no_known_address" if child.no_known_address else "not_recorded"
    return DirectoryEntry(
        child_id=child.child_id,
        local_ids=child.local_ids,
        nhs_number=child.nhs_number,
        upn=child.upn,
        names=child.names,
        birth_date=child.birth_date,
        sex=child.sex,
        address=address,
        address_status=status,
        shielded=child.shielded,
        carers=tuple(_carer(carer, on, child.shielded) for carer in record.carers),
        education_setting=child.education_setting,
        gp_practice=child.gp_practice,
        involvements=_involvements(record, at),
        caf=_caf_indicator(record.caf_assessments),
    )


def _withheld(record: ChildRecord, on: date) -> WithheldDetails | None:
    if not record.child.shielded:
        return None
    carers = tuple(
        WithheldCarer(position=position, contacts=carer.contacts, address=current_address(carer.addresses, on))
        for position, carer in enumerate(record.carers)
        if carer.contacts or carer.addresses
    )
    return WithheldDetails(address=current_address(record.child.addresses, on), carers=carers)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the birthday falls on 1 March in a common year
        return date(day.year + years, 3, 1)


def retention_date(record: ChildRecord, *, at: datetime) -> date | None:
    """When the entry is archived: the 18th birthday; the 25th for a care leaver who consented.

    A care leaver is a child with a looked-after episode or a care-leaver record (the SSDA903 OC3 return, or
    the DfE API's ``care_leavers``, sent when the council may not send the episodes any more); the consent is
    an active ``information_sharing`` consent given by the young person themselves. ``None`` when neither
    birth date nor expected birth date is known (the entry is then never archived automatically).
    """
    born = record.child.birth_date or record.child.expected_birth_date
    if born is None:
        return None
    consented = any(
        consent.purpose == "information_sharing" and consent.given_by_role == "child" and consent.is_active(at)
        for consent in record.consents
    )
    care_leaver = (bool(record.looked_after_episodes) or record.care_leaver is not None) and consented
    return _add_years(born, CARE_LEAVER_AGE if care_leaver else ADULT_AGE)


def directory_update(record: ChildRecord, *, at: datetime, source: str | None = None) -> DirectoryUpdate:
    """The ``directory.child.upsert`` payload for ``record``: entry, withheld details, retention date, and
    which supplier record the view comes from (``source``)."""
    return DirectoryUpdate(
        entry=directory_view(record, at=at),
        withheld=_withheld(record, at.date()),
        retain_until=retention_date(record, at=at),
        source=source,
    )


_REFUSALS = {
    "directory/sensitive-service-no-basis": (
        "a sensitive-service involvement was not shared with the directory: it names no consent and records "
        "no safeguarding reason"
    ),
    "directory/sensitive-service-consent-inactive": (
        "a sensitive-service involvement was not shared with the directory: the consent it names is not "
        "active (not yet given, or withdrawn) and no safeguarding reason is recorded"
    ),
    "directory/sensitive-service-consent-missing": (
        "a sensitive-service involvement was not shared with the directory: the consent it names is not in "
        "the record's consents and no safeguarding reason is recorded"
    ),
}


def _location(record: ChildRecord, pointer: str) -> SourceLocation | None:
    for source in record.lineage:
        if source.field == pointer or source.field.startswith(pointer + "/"):
            return source.source
    return None


def directory_refusals(record: ChildRecord, *, at: datetime, record_index: int | None = None) -> tuple[Issue, ...]:
    """Why involvements were left out of the directory view, as warnings (rule ids ``directory/...``).

    ``record_index`` is the record's position in its message, for ``Issue.canonical_path``. Messages name
    the rule, never the service, the practitioner or any value.
    """
    child = record.child.local_ids[0].la_child_id if record.child.local_ids else None
    prefix = f"/records/{record_index}" if record_index is not None else ""
    issues = []
    for index, involvement in enumerate(record.involvements):
        if involvement.sensitive_category is None:
            continue
        basis = sensitive_basis(involvement, record.consents, at)
        if basis in ("consent", "safeguarding"):
            continue
        issues.append(
            Issue(
                rule=basis,
                severity="warning",
                message=_REFUSALS[basis],
                location=_location(record, f"/involvements/{index}"),
                canonical_path=f"{prefix}/involvements/{index}",
                child=child,
            )
        )
    return tuple(issues)
