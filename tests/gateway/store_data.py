"""Synthetic records, events and callers for the store tests (never real children's data).

``full_records`` generates complete canonical records in which every value the directory must NOT hold
(case information, CAF content, consents, ethnicity, free text ...) contains ``CASE-`` and every case date
lies in 1901-1909, while the values the directory may hold are lower-case words and dates from 2000 on.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from gateway import (
    Address,
    Assessment,
    CafAction,
    CafAssessment,
    CafDomain,
    CafDomains,
    Carer,
    Child,
    ChildProtectionPlan,
    ChildRecord,
    CinEpisode,
    CinPlan,
    Coding,
    Consent,
    ContactDetail,
    FieldSource,
    Involvement,
    LocalId,
    LookedAfterEpisode,
    MissingEpisode,
    Organisation,
    PersonName,
    Practitioner,
    Review,
    Section47Enquiry,
    SourceLocation,
)
from gateway.access import (
    CAF_CONSENT,
    CAF_READ,
    DIRECTORY_BREAK_GLASS,
    DIRECTORY_INVOLVEMENT,
    DIRECTORY_READ,
    Caller,
)
from gateway.consent import CafUpdate, ConsentWithdrawal, caf_subject
from gateway.events import Event
from gateway.views import directory_update

__all__ = [
    "AT",
    "BREAK_GLASS",
    "CASE",
    "PRACTITIONER",
    "READER",
    "caf_event",
    "child_record",
    "full_records",
    "purge_event",
    "upsert_event",
    "withdrawal_event",
]

AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CASE = "CASE-"
YOUNGEST = date.today().replace(day=1) - timedelta(days=400)
"""Generated children are born between 17 and about 1 year ago, so none is archived as an adult."""
READER = Caller(user_id="u-reader", organisation_code="ORG-R", roles=frozenset({DIRECTORY_READ, CAF_READ}))
BREAK_GLASS = Caller(
    user_id="u-lead", organisation_code="ORG-L", roles=frozenset({DIRECTORY_READ, DIRECTORY_BREAK_GLASS})
)
PRACTITIONER = Caller(
    user_id="u-prac", organisation_code="ORG-P", roles=frozenset({DIRECTORY_READ, DIRECTORY_INVOLVEMENT, CAF_CONSENT})
)


def child_record(child_id: str | None = "c-1", **child: Any) -> ChildRecord:
    """A small, plain record: one name, a birth date, an address, a carer and one involvement."""
    fields: dict[str, Any] = {
        "child_id": child_id,
        "local_ids": (LocalId(la_code="201", la_child_id=f"L{(child_id or '').replace('-', '')}"[:20]),),
        "names": (PersonName(given=("William",), family="Smith"),),
        "birth_date": date(2015, 3, 1),
        "sex": "M",
        "addresses": (Address(lines=("1 High Street",), town="Camden", postcode="NW1 1AA"),),
    }
    fields.update(child)
    carers = fields.pop(
        "carers",
        (
            Carer(
                names=(PersonName(given=("Jane",), family="Smith"),),
                relationship="mother",
                parental_responsibility=True,
                contacts=(ContactDetail(system="phone", value="020 7946 0000"),),
                addresses=(Address(lines=("1 High Street",), postcode="NW1 1AA"),),
            ),
        ),
    )
    involvements = fields.pop(
        "involvements",
        (
            Involvement(
                involvement_id="inv-1",
                service_type="school-nursing",
                organisation=Organisation(code="RAL", code_system="ods", name="Royal Free"),
                practitioner=Practitioner(practitioner_id="p-1", name=PersonName(given=("Ann",), family="Lee")),
                start=date(2024, 9, 1),
                lead_professional=True,
            ),
        ),
    )
    extra = fields.pop("record", {})
    return ChildRecord(child=Child(**fields), carers=carers, involvements=involvements, **extra)


def upsert_event(record: ChildRecord, *, version: int = 1, event_id: str | None = None, at: datetime = AT) -> Event:
    """The ``directory.child.upsert`` routing would send for ``record``."""
    assert record.child.child_id is not None
    return Event(
        event_id=event_id or f"ev-{uuid.uuid4().hex}",
        kind="directory.child.upsert",
        subject=record.child.child_id,
        version=version,
        la_code="201",
        message_id=f"msg-{uuid.uuid4().hex[:8]}",
        occurred_at=at,
        payload=directory_update(record, at=at).model_dump(mode="json", exclude_none=True),
    )


def purge_event(child_id: str, *, version: int) -> Event:
    return Event(
        event_id=f"ev-{uuid.uuid4().hex}",
        kind="directory.child.purge",
        subject=child_id,
        version=version,
        la_code="201",
        message_id="msg-purge",
        occurred_at=AT,
    )


def caf_event(caf: CafAssessment, *, child_id: str = "c-1", version: int = 1, event_id: str | None = None) -> Event:
    return Event(
        event_id=event_id or f"ev-{uuid.uuid4().hex}",
        kind="caf.assessment.upsert",
        subject=caf_subject(caf.caf_id),
        version=version,
        la_code="201",
        message_id=f"msg-{uuid.uuid4().hex[:8]}",
        occurred_at=AT,
        payload=CafUpdate(child_id=child_id, assessment=caf).model_dump(mode="json", exclude_none=True),
    )


def withdrawal_event(caf_id: str, consent_id: str, withdrawn_at: datetime, *, version: int = 1) -> Event:
    payload = ConsentWithdrawal(caf_id=caf_id, consent_id=consent_id, withdrawn_at=withdrawn_at)
    return Event(
        event_id=f"ev-{uuid.uuid4().hex}",
        kind="caf.consent.withdrawn",
        subject=caf_subject(caf_id),
        version=version,
        la_code="201",
        message_id="msg-withdrawal",
        occurred_at=AT,
        payload=payload.model_dump(mode="json"),
    )


# --- Hypothesis: full records with every non-directory value marked -----------------------------------------

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_case_text = _word.map(lambda text: f"{CASE}{text}")
_case_date = st.dates(date(1901, 1, 1), date(1909, 12, 31))
_case_time = _case_date.map(lambda day: datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC))
_ok_date = st.dates(date(2000, 1, 1), date(2030, 12, 31))
_names = st.builds(PersonName, use=st.sampled_from(["usual", "former", "alias"]), given=st.tuples(_word), family=_word)
_contacts = st.lists(st.builds(ContactDetail, system=st.just("phone"), value=_word), max_size=2).map(tuple)
_addresses = st.lists(st.builds(Address, lines=st.tuples(_word), postcode=_word), max_size=2).map(tuple)
_practitioner = st.builds(
    Practitioner,
    practitioner_id=_word,
    name=_names,
    organisation=st.builds(Organisation, code=_word, name=_word),
    contacts=_contacts,
)
_case_practitioner = st.builds(Practitioner, practitioner_id=_case_text, name=st.builds(PersonName, family=_case_text))


def _consent(purpose: str) -> st.SearchStrategy[Consent]:
    return st.builds(
        Consent,
        consent_id=_case_text,
        purpose=st.just(purpose),
        given_by_role=st.sampled_from(["child", "parent", "carer"]),
        given_by_name=st.builds(PersonName, family=_case_text),
        obtained_by=_case_practitioner,
        scope=st.lists(_case_text, max_size=2).map(tuple),
        given_at=_case_time,
        withdrawn_at=st.none() | _case_time,
    )


@st.composite
def _involvements(draw: st.DrawFn, consents: tuple[Consent, ...]) -> tuple[Involvement, ...]:
    found = []
    for _ in range(draw(st.integers(0, 3))):
        consent_id = draw(st.none() | st.sampled_from([c.consent_id for c in consents]) if consents else st.none())
        found.append(
            Involvement(
                involvement_id=draw(st.none() | _word),
                service_type=draw(_word),
                organisation=draw(st.none() | st.builds(Organisation, code=_word, name=_word)),
                practitioner=draw(st.none() | _practitioner),
                role=draw(st.none() | _word),
                start=draw(st.none() | _ok_date),
                end=draw(st.none() | _ok_date),
                lead_professional=draw(st.booleans()),
                sensitive_category=draw(
                    st.none() | st.sampled_from(["sexual_health", "mental_health", "substance_misuse"])
                ),
                consent_id=consent_id,
                safeguarding_reason=draw(st.none() | _case_text),
                plan_type=draw(st.none() | _case_text),
            )
        )
    return tuple(found)


_caf = st.builds(
    CafAssessment,
    caf_id=_case_text,
    version=st.integers(1, 5),
    status=st.sampled_from(["draft", "completed", "closed"]),
    started_date=_case_date,
    completed_date=st.none() | _case_date,
    assessor=_case_practitioner,
    domains=st.builds(
        CafDomains,
        development_of_child=st.builds(CafDomain, summary=_case_text, needs=st.tuples(_case_text)),
        parents_and_carers=st.builds(CafDomain, strengths=st.tuples(_case_text)),
        family_and_environment=st.builds(CafDomain, summary=_case_text),
    ),
    conclusions=_case_text,
    actions=st.lists(
        st.builds(CafAction, description=_case_text, responsible=_case_practitioner, due_date=_case_date), max_size=2
    ).map(tuple),
    lead_professional=_practitioner,
    review_date=_case_date,
    consents=st.lists(_consent("caf_sharing"), max_size=2).map(tuple),
)


@st.composite
def full_records(draw: st.DrawFn, *, shielded: bool | None = None) -> ChildRecord:
    """A complete canonical record: identity, carers, involvements, consents, case information and CAFs."""
    consents = tuple(draw(st.lists(_consent("sensitive_service") | _consent("information_sharing"), max_size=3)))
    child = Child(
        child_id=f"c-{uuid.uuid4().hex[:12]}",
        local_ids=(LocalId(la_code="201", la_child_id=draw(_word)),),
        nhs_number=draw(st.none() | st.just("9434765919")),
        nhs_number_verification=draw(st.none() | _case_text),
        upn=draw(st.none() | st.just("A950000178301")),
        former_upns=draw(st.lists(_case_text, max_size=1).map(tuple)),
        upn_unknown_reason=draw(st.none() | _case_text),
        names=tuple(draw(st.lists(_names, min_size=1, max_size=3))),
        birth_date=draw(st.dates(YOUNGEST.replace(year=YOUNGEST.year - 16), YOUNGEST)),
        expected_birth_date=draw(st.none() | _case_date),
        death_date=draw(st.none() | _case_date),
        sex=draw(st.sampled_from(["M", "F", "U"])),
        ethnicity=draw(st.none() | st.builds(Coding, system=_case_text, code=_case_text)),
        disabilities=draw(st.lists(_case_text, max_size=2).map(tuple)),
        addresses=draw(_addresses),
        no_known_address=draw(st.booleans()),
        contacts=draw(
            st.lists(st.builds(ContactDetail, system=st.just("email"), value=_case_text), max_size=1).map(tuple)
        ),
        shielded=draw(st.booleans()) if shielded is None else shielded,
        shielding_reason=draw(st.none() | _case_text),
        education_setting=draw(st.none() | st.builds(Organisation, code=_word, name=_word)),
        gp_practice=draw(st.none() | st.builds(Organisation, code=_word, name=_word)),
    )
    carers = tuple(
        draw(
            st.lists(
                st.builds(
                    Carer,
                    carer_id=st.none() | _word,
                    names=st.tuples(_names),
                    relationship=st.none() | _word,
                    parental_responsibility=st.none() | st.booleans(),
                    lives_with_child=st.none() | st.booleans(),
                    contacts=_contacts,
                    addresses=_addresses,
                ),
                max_size=2,
            )
        )
    )
    episode = st.builds(
        CinEpisode,
        episode_id=_case_text,
        referral_date=_case_date,
        referral_source=_case_text,
        primary_need=_case_text,
        closure_reason=st.none() | _case_text,
        initial_cp_conference_date=st.none() | _case_date,
    )
    return ChildRecord(
        child=child,
        carers=carers,
        involvements=draw(_involvements(consents)),
        consents=consents,
        cin_episodes=tuple(draw(st.lists(episode, max_size=2))),
        assessments=tuple(
            draw(
                st.lists(
                    st.builds(
                        Assessment,
                        assessment_id=_case_text,
                        episode_id=_case_text,
                        start_date=_case_date,
                        child_seen_dates=st.tuples(_case_date),
                        factors=st.tuples(_case_text),
                        assessor=_case_practitioner,
                    ),
                    max_size=2,
                )
            )
        ),
        section47_enquiries=tuple(
            draw(st.lists(st.builds(Section47Enquiry, enquiry_id=_case_text, start_date=_case_date), max_size=1))
        ),
        child_protection_plans=tuple(
            draw(
                st.lists(
                    st.builds(
                        ChildProtectionPlan, plan_id=_case_text, initial_category=_case_text, start_date=_case_date
                    ),
                    max_size=1,
                )
            )
        ),
        cin_plans=tuple(draw(st.lists(st.builds(CinPlan, plan_id=_case_text, start_date=_case_date), max_size=1))),
        looked_after_episodes=tuple(
            draw(
                st.lists(
                    st.builds(
                        LookedAfterEpisode,
                        episode_id=_case_text,
                        legal_status=_case_text,
                        placement_provider=_case_text,
                        placement_postcode=_case_text,
                        home_postcode=_case_text,
                        start_date=_case_date,
                    ),
                    max_size=1,
                )
            )
        ),
        reviews=tuple(
            draw(st.lists(st.builds(Review, review_date=_case_date, participation_code=_case_text), max_size=1))
        ),
        missing_episodes=tuple(draw(st.lists(st.builds(MissingEpisode, start_date=_case_date), max_size=1))),
        caf_assessments=tuple(draw(st.lists(_caf, max_size=2))),
        purge=False,
        lineage=(
            FieldSource(
                field="/cin_episodes/0/referral_date",
                source=SourceLocation(file=draw(_case_text), path=draw(_case_text)),
                step=draw(_case_text),
            ),
        ),
    )
