"""Canonical -> FHIR -> canonical keeps every field FHIR can carry; the Bundle validates as R4 (R4B models).

What FHIR carries (UK Core elements, or the gateway's documented extensions and identifier systems):

* Child: local ids, NHS number and its verification status, UPN and former UPNs, names, birth, expected
  birth and death dates, sex, DfE ethnicity, addresses (with period and use), contacts, shielded (as a
  restricted record) and its reason, GP practice. NOT carried: child_id (written for consumers, never read
  back from a supplier), upn_unknown_reason, disabilities, no_known_address, education_setting, and the
  DfE CSC API purge flag.
* Carers, involvements (incl. CP-IS plan type, sensitivity, consent and safeguarding reason),
  assessments (incl. child-seen dates and whether they could be recorded), CAFs with their consents,
  and record-level consents: every field.
* NOT carried: an assessment's CIN-census internal review date and DfE purge flag; CIN episodes, section 47 enquiries,
  child protection and CIN plans, looked-after episodes, reviews, missing episodes, UASC status, outcomes,
  care leaver, adoption, adoption decisions, previous permanence, purge (DfE collection data with no FHIR
  exchange here), and lineage (which the reader records afresh).

``CARRIED`` and ``NOT_CARRIED`` below list every field of every model involved; a field added to the
model later fails ``test_every_model_field_is_classified`` until someone decides which side it is on.

The reader fills in one thing: a GP practice with no ``kind`` comes back as ``gp-practice``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from adapters.fhir.reader import FhirReader
from adapters.fhir.tables import table
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
    Involvement,
    LocalId,
    Organisation,
    PersonName,
    Practitioner,
    SourceFile,
)
from gateway.codes import DFE_ETHNICITY

_TEXT = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\u0085"),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
_CODE = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.-]{0,8}", fullmatch=True)
_DATES = st.dates(date(1950, 1, 1), date(2090, 12, 31))
_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))])
_INSTANTS = st.datetimes(datetime(1990, 1, 1), datetime(2080, 1, 1), timezones=_ZONES)
_OPTIONAL_TEXT = st.none() | _TEXT

_names = st.builds(
    PersonName,
    use=st.sampled_from(["usual", "former", "preferred", "alias"]),
    given=st.lists(_TEXT, max_size=2).map(tuple),
    family=_OPTIONAL_TEXT,
).filter(lambda name: bool(name.given or name.family))
_contacts = st.builds(
    ContactDetail,
    system=st.sampled_from(["phone", "email", "other"]),
    value=_TEXT,
    use=st.none() | st.sampled_from(["home", "work", "mobile", "other"]),
)
_addresses = st.builds(
    Address,
    use=st.sampled_from(["home", "temporary", "placement", "previous", "other"]),
    lines=st.lists(_TEXT, max_size=2).map(tuple),
    town=_OPTIONAL_TEXT,
    postcode=_OPTIONAL_TEXT,
    start=st.none() | _DATES,
    end=st.none() | _DATES,
).filter(lambda address: bool(address.lines or address.town or address.postcode))


@st.composite
def _organisations(draw: st.DrawFn) -> Organisation:
    code = draw(_OPTIONAL_TEXT)
    system = draw(st.none() | st.sampled_from(["ods", "urn", "dfe-la", "ukprn", "local"])) if code else None
    name = draw(_OPTIONAL_TEXT if code else _TEXT)
    return Organisation(code=code, code_system=system, name=name, kind=draw(_OPTIONAL_TEXT))  # type: ignore[arg-type]


_practitioners = st.builds(
    Practitioner,
    practitioner_id=_OPTIONAL_TEXT,
    name=st.none() | _names,
    role=_OPTIONAL_TEXT,
    organisation=st.none() | _organisations(),
    contacts=st.lists(_contacts, max_size=2).map(tuple),
).filter(lambda practitioner: practitioner != Practitioner())


@st.composite
def _consents(draw: st.DrawFn) -> Consent:
    role = draw(st.sampled_from(["child", "parent", "carer"]))
    given_at = draw(_INSTANTS)
    withdrawn = draw(st.none() | st.timedeltas(timedelta(0), timedelta(days=900)))
    return Consent(
        consent_id=draw(_TEXT),
        purpose=draw(st.sampled_from(["caf_sharing", "sensitive_service", "information_sharing"])),
        given_by_role=role,
        given_by_name=None if role == "child" else draw(st.none() | _names),
        obtained_by=draw(st.none() | _practitioners),
        scope=tuple(draw(st.lists(_TEXT, max_size=3, unique=True))),
        given_at=given_at,
        withdrawn_at=None if withdrawn is None else given_at + withdrawn,
    )


_involvements = st.builds(
    Involvement,
    involvement_id=_OPTIONAL_TEXT,
    service_type=_TEXT,
    organisation=st.none() | _organisations(),
    practitioner=st.none() | _practitioners,
    role=_OPTIONAL_TEXT,
    start=st.none() | _DATES,
    end=st.none() | _DATES,
    lead_professional=st.booleans(),
    sensitive_category=st.none() | st.sampled_from(["sexual_health", "mental_health", "substance_misuse"]),
    consent_id=_OPTIONAL_TEXT,
    safeguarding_reason=_OPTIONAL_TEXT,
    plan_type=st.none()
    | st.sampled_from(["child-protection-plan", "looked-after-child", "unborn-child-protection-plan"]),
)
_assessment_fields: dict[str, Any] = {
    "episode_id": _OPTIONAL_TEXT,
    "kind": st.sampled_from(["initial", "core", "single", "continuous", "other"]),
    "start_date": st.none() | _DATES,
    "child_seen_dates": st.lists(_DATES, max_size=3, unique=True).map(sorted).map(tuple),
    "child_seen_known": st.booleans(),
    "completed_date": st.none() | _DATES,
    "authorised_date": st.none() | _DATES,
    "factors": st.lists(_CODE, max_size=3).map(tuple),
    "assessor": st.none() | _practitioners,
}
_domains = st.builds(
    CafDomain,
    summary=_OPTIONAL_TEXT,
    strengths=st.lists(_TEXT, max_size=2).map(tuple),
    needs=st.lists(_TEXT, max_size=2).map(tuple),
)
_cafs = st.builds(
    CafAssessment,
    caf_id=_TEXT,
    version=st.integers(1, 999),
    status=st.sampled_from(["draft", "completed", "closed"]),
    started_date=st.none() | _DATES,
    completed_date=st.none() | _DATES,
    assessor=st.none() | _practitioners,
    domains=st.builds(
        CafDomains, development_of_child=_domains, parents_and_carers=_domains, family_and_environment=_domains
    ),
    conclusions=_OPTIONAL_TEXT,
    actions=st.lists(
        st.builds(CafAction, description=_TEXT, responsible=st.none() | _practitioners, due_date=st.none() | _DATES),
        max_size=2,
    ).map(tuple),
    lead_professional=st.none() | _practitioners,
    review_date=st.none() | _DATES,
    consents=st.lists(_consents(), max_size=2).map(tuple),
)
_children = st.builds(
    Child,
    local_ids=st.lists(
        st.builds(LocalId, la_code=st.from_regex(r"[0-9]{3}", fullmatch=True), la_child_id=_TEXT), max_size=2
    ).map(tuple),
    nhs_number=_OPTIONAL_TEXT,
    nhs_number_verification=st.none() | st.sampled_from(sorted(table("fhir/nhs-number-verification-status").codes)),
    upn=_OPTIONAL_TEXT,
    former_upns=st.lists(_TEXT, max_size=2).map(tuple),
    names=st.lists(_names, max_size=3).map(tuple),
    birth_date=st.none() | _DATES,
    expected_birth_date=st.none() | _DATES,
    death_date=st.none() | _DATES,
    sex=st.none() | st.sampled_from(["M", "F", "U"]),
    ethnicity=st.none()
    | st.sampled_from(sorted(table("fhir/dfe-ethnicity-to-nhs-ethnic-category").codes)).map(
        lambda code: Coding(system=DFE_ETHNICITY, code=code)
    ),
    addresses=st.lists(_addresses, max_size=2).map(tuple),
    contacts=st.lists(_contacts, max_size=2).map(tuple),
    shielded=st.booleans(),
    shielding_reason=_OPTIONAL_TEXT,
    gp_practice=st.none() | _organisations(),
)


@st.composite
def _records(draw: st.DrawFn) -> ChildRecord:
    ids = draw(st.lists(_TEXT, max_size=3, unique=True))
    assessments = tuple(
        draw(st.builds(Assessment, assessment_id=st.just(ident), **_assessment_fields)) for ident in ids
    )
    return ChildRecord(
        child=draw(_children),
        carers=tuple(
            draw(
                st.lists(
                    st.builds(
                        Carer,
                        carer_id=_OPTIONAL_TEXT,
                        names=st.lists(_names, max_size=2).map(tuple),
                        relationship=st.none()
                        | st.sampled_from(["mother", "foster-carer", "carer", "guardian"])
                        | _TEXT,
                        parental_responsibility=st.none() | st.booleans(),
                        lives_with_child=st.none() | st.booleans(),
                        contacts=st.lists(_contacts, max_size=2).map(tuple),
                        addresses=st.lists(_addresses, max_size=1).map(tuple),
                    ),
                    max_size=2,
                )
            )
        ),
        involvements=tuple(draw(st.lists(_involvements, max_size=2))),
        consents=tuple(draw(st.lists(_consents(), max_size=2))),
        assessments=assessments,
        caf_assessments=tuple(draw(st.lists(_cafs, max_size=1))),
    )


CARRIED: dict[type, set[str]] = {
    ChildRecord: {"child", "carers", "involvements", "consents", "assessments", "caf_assessments"},
    Child: {
        "local_ids", "nhs_number", "nhs_number_verification", "upn", "former_upns", "names", "birth_date",
        "expected_birth_date", "death_date", "sex", "ethnicity", "addresses", "contacts", "shielded", "gp_practice",
        "shielding_reason",
    },
    Carer: {
        "carer_id", "names", "relationship", "parental_responsibility", "lives_with_child", "contacts", "addresses",
    },
    Involvement: {
        "involvement_id", "service_type", "organisation", "practitioner", "role", "start", "end", "lead_professional",
        "sensitive_category", "consent_id", "safeguarding_reason", "plan_type",
    },
    Assessment: {
        "assessment_id", "episode_id", "kind", "start_date", "child_seen_dates", "child_seen_known", "completed_date",
        "authorised_date", "factors", "assessor",
    },
    CafAssessment: {
        "caf_id", "version", "status", "started_date", "completed_date", "assessor", "domains", "conclusions",
        "actions", "lead_professional", "review_date", "consents",
    },
    CafDomains: {"development_of_child", "parents_and_carers", "family_and_environment"},
    CafDomain: {"summary", "strengths", "needs"},
    CafAction: {"description", "responsible", "due_date"},
    Consent: {
        "consent_id", "purpose", "given_by_role", "given_by_name", "obtained_by", "scope", "given_at", "withdrawn_at",
    },
    Practitioner: {"practitioner_id", "name", "role", "organisation", "contacts"},
    Organisation: {"code", "code_system", "name", "kind"},
    PersonName: {"use", "given", "family"},
    Address: {"use", "lines", "town", "postcode", "start", "end"},
    ContactDetail: {"system", "value", "use"},
    LocalId: {"la_code", "la_child_id"},
    Coding: {"system", "code"},
}  # fmt: skip
"""Every field the generators below draw, by model: exactly the fields FHIR carries."""
NOT_CARRIED: dict[type, set[str]] = {
    ChildRecord: {
        "cin_episodes", "section47_enquiries", "child_protection_plans", "cin_plans", "looked_after_episodes",
        "reviews", "missing_episodes", "uasc", "looked_after_outcomes", "care_leaver", "adoption",
        "adoption_decisions", "previous_permanence", "purge", "lineage",
    },
    Child: {
        "child_id", "upn_unknown_reason", "disabilities", "no_known_address", "education_setting", "purge",
    },
    Assessment: {"internal_review_date", "purge"},
    Coding: {"display"},
}  # fmt: skip


def test_every_model_field_is_classified() -> None:
    """A field added to the model must be put in CARRIED (and drawn below) or NOT_CARRIED, on purpose."""
    for model, carried in CARRIED.items():
        not_carried = NOT_CARRIED.get(model, set())
        assert carried | not_carried == set(model.model_fields), model.__name__
        assert not carried & not_carried, model.__name__


def _models(value: object) -> list[BaseModel]:
    if isinstance(value, BaseModel):
        return [value, *(inner for name in type(value).model_fields for inner in _models(getattr(value, name)))]
    if isinstance(value, tuple):
        return [inner for item in value for inner in _models(item)]
    return []


def _fhir_view(record: ChildRecord) -> ChildRecord:
    """The record as FHIR carries it (see the module docstring)."""
    child = record.child.model_copy(update={"child_id": None})
    if child.gp_practice is not None and child.gp_practice.kind is None:
        child = child.model_copy(update={"gp_practice": child.gp_practice.model_copy(update={"kind": "gp-practice"})})
    return record.model_copy(update={"child": child, "lineage": ()})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(_records(), min_size=1, max_size=2))
def test_canonical_fhir_canonical_keeps_every_carried_field(records: list[ChildRecord]) -> None:
    from fhir.resources.R4B.bundle import Bundle  # noqa: PLC0415 - the writer itself never imports it

    for model in _models(records):  # the generators draw exactly the carried fields
        assert model.model_fields_set == CARRIED[type(model)], type(model).__name__
    data = FhirWriter().write(records)
    Bundle.model_validate_json(data)  # valid R4 (R4B models)
    events = list(FhirReader().read([SourceFile(name="bundle.json", data=data)]))
    back = [event for event in events if isinstance(event, ChildRecord)]
    problems = [event for event in events if not isinstance(event, ChildRecord) and hasattr(event, "rule")]
    assert problems == []
    assert [record.model_copy(update={"lineage": ()}) for record in back] == [_fhir_view(record) for record in records]
    assert all(record.lineage for record in back if record != ChildRecord(child=Child()))
