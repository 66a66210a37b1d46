"""Codes outside the census list: kept as sent where a DfE rule checks them, left unset elsewhere.

The schema reports every such code (``xsd/enumeration``). Where a DfE rule checks the code (ethnicity,
disability, referral source, primary need, reason for closure, category of abuse) the reader keeps the
value as sent so that the rule can fire on it (``tests/conformance/test_cin_census_invalid_codes.py``);
assessment factors, which only the schema checks, are left unset (as are yes/no flags, which no value
could stand for: ``test_samples.py``).
"""

from __future__ import annotations

from typing import Final

from tests.adapters.cin_census.support import read_bytes

C1: Final = "/Message/Children/Child[1]"

VALID: Final = b"""<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2025</Year>
      <ReferenceDate>2025-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>201</LEA>
      <SoftwareCode>Synthetic</SoftwareCode>
      <Release>1</Release>
      <SerialNo>001</SerialNo>
      <DateTime>2025-04-01T09:00:00</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>SYN0000054</LAchildID>
        <UPN>X201207302319</UPN>
        <PersonBirthDate>2016-08-31</PersonBirthDate>
        <Sex>M</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>HAND</Disability>
          <Disability>HEAR</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-05-20</CINreferralDate>
        <ReferralSource>9</ReferralSource>
        <PrimaryNeedCode>N2</PrimaryNeedCode>
        <CINclosureDate>2025-01-24</CINclosureDate>
        <ReasonForClosure>RC5</ReasonForClosure>
        <Assessments>
          <AssessmentActualStartDate>2024-05-30</AssessmentActualStartDate>
          <AssessmentAuthorisationDate>2024-06-25</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>2A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2024-06-30</CPPstartDate>
          <CPPendDate>2025-01-20</CPPendDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""

SWAPS: Final = (
    (b"<Ethnicity>WBRI<", b"<Ethnicity>WXYZ<"),
    (b"<Disability>HEAR<", b"<Disability>WINGS<"),
    (b"<ReferralSource>9<", b"<ReferralSource>99<"),
    (b"<PrimaryNeedCode>N2<", b"<PrimaryNeedCode>N10<"),
    (b"<ReasonForClosure>RC5<", b"<ReasonForClosure>RC0<"),
    (b"<InitialCategoryOfAbuse>PHY<", b"<InitialCategoryOfAbuse>ABC<"),
    (b"<LatestCategoryOfAbuse>PHY<", b"<LatestCategoryOfAbuse> <"),
    (b"<AssessmentFactors>2A<", b"<AssessmentFactors>2Z<"),
)


def invalid_codes_file() -> bytes:
    """The valid file with a code outside the census 2024-25 list in every coded field (one left blank)."""
    data = VALID
    for old, new in SWAPS:
        assert data.count(old) == 1
        data = data.replace(old, new)
    return data


def test_the_control_file_is_valid_and_keeps_every_code() -> None:
    events = read_bytes(VALID)
    assert events.issues == []
    (record,) = events.records
    assert record.cin_episodes[0].primary_need == "N2"


def test_codes_a_dfe_rule_checks_are_kept_as_sent_and_the_others_left_unset() -> None:
    events = read_bytes(invalid_codes_file())
    (record,) = events.records
    child, episode, plan = record.child, record.cin_episodes[0], record.child_protection_plans[0]
    assert child.ethnicity is not None
    assert (child.ethnicity.code, child.ethnicity.display) == ("WXYZ", None)  # no DfE description to give
    assert child.disabilities == ("HAND", "WINGS")
    assert (episode.referral_source, episode.primary_need, episode.closure_reason) == ("99", "N10", "RC0")
    assert plan.initial_category == "ABC"
    assert plan.latest_category is None  # blank: nothing was sent to keep
    assert record.assessments[0].factors == ()  # only the schema checks factors


def test_each_code_is_reported_once_at_its_element_without_echoing_personal_data() -> None:
    events = read_bytes(invalid_codes_file())
    located = {(rule, path) for rule, _, _, path in events.located()}
    details = f"{C1}/CINdetails[1]"
    for path in (
        f"{C1}/ChildCharacteristics/Ethnicity",
        f"{C1}/ChildCharacteristics/Disabilities/Disability[2]",
        f"{details}/ReferralSource",
        f"{details}/PrimaryNeedCode",
        f"{details}/ReasonForClosure",
        f"{details}/ChildProtectionPlans[1]/InitialCategoryOfAbuse",
        f"{details}/Assessments[1]/FactorsIdentifiedAtAssessment/AssessmentFactors[1]",
    ):
        assert ("xsd/enumeration", path) in located, path
    paths = [path for _, _, _, path in events.located()]
    assert len(paths) == len(set(paths))  # the schema's issue stands for the mapping's at the same element
    assert all(issue.severity == "error" and issue.child == "SYN0000054" for issue in events.issues)
    assert not any("X201207302319" in issue.message or "2016-08-31" in issue.message for issue in events.issues)


def test_a_kept_code_has_its_lineage() -> None:
    (record,) = read_bytes(invalid_codes_file()).records
    sources = {entry.field: entry.source for entry in record.lineage}
    primary = sources["/cin_episodes/0/primary_need"]
    assert primary.path == f"{C1}/CINdetails[1]/PrimaryNeedCode"
    assert (
        primary.line == invalid_codes_file().split(b"\n").index(b"        <PrimaryNeedCode>N10</PrimaryNeedCode>") + 1
    )
    assert sources["/child/disabilities/1"].path == f"{C1}/ChildCharacteristics/Disabilities/Disability[2]"
    assert "/child_protection_plans/0/latest_category" not in sources
