"""The DfE CSC API reader: shapes, LA code, mapping through mappings/dfe-csc-api, purge flags, located issues."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.dfe_api.reader import DfeApiReader
from gateway import Adoption, CareLeaver, SubmissionHeader, UascStatus
from gateway.plugins import load_registry
from tests.adapters.dfe_api.reading import FIXTURES, read

CHILD: dict[str, Any] = {
    "la_child_id": "C1",
    "child_details": {
        "first_name": "Ada",
        "surname": "Brook",
        "date_of_birth": "2018-03-04",
        "sex": "F",
        "purge": False,
    },
    "purge": False,
}


def test_documented_structure_reads_with_every_placeholder_reported() -> None:
    result = read((FIXTURES / "structure-example.json").read_bytes(), name="structure-example.json")
    assert result.header.la_code == "123"
    (record,) = result.records
    # Every list of the structure maps into its canonical collection.
    assert [
        len(record.cin_episodes),
        len(record.assessments),
        len(record.cin_plans),
        len(record.section47_enquiries),
    ] == [1, 1, 1, 1]
    assert [len(record.child_protection_plans), len(record.looked_after_episodes), len(record.involvements)] == [
        1,
        1,
        1,
    ]
    # Placeholder dates ("YYYY-MM-DD") and codes ("string") are reported, located by line and pointer.
    dates = [issue for issue in result.issues if issue.rule == "map/date-format"]
    assert len(dates) == 22  # every "YYYY-MM-DD" member that the canonical model holds
    assert all(issue.location is not None and issue.location.line for issue in dates)
    assert {"map/unmapped-code", "map/dfe-api/not-carried"} <= set(result.rules())


def test_full_child_maps_every_section() -> None:
    result = read((FIXTURES / "payload-document.json").read_bytes())
    first, unborn, broken = result.records
    child = first.child
    assert child.local_ids[0].la_code == "201" and child.local_ids[0].la_child_id == "DFE0001"
    assert child.names[0].given == ("Robin", "Lee")
    assert child.addresses[0].postcode == "LS6 2QB"
    assert child.disabilities == ("HAND", "VIS")
    assert child.former_upns == ("X00180001701A",)
    episode = first.cin_episodes[0]
    assert (episode.episode_id, episode.referral_nfa, episode.closure_reason) == ("EP-1", False, "RC1")
    assessment = first.assessments[0]
    assert assessment.episode_id == "EP-1"
    assert assessment.child_seen_known is False  # the DfE payload cannot carry child-seen dates
    assert assessment.factors == ("1C", "4A")
    assert assessment.authorised_date == date(2023, 12, 1)
    assert first.section47_enquiries[0].icpc_not_required is False  # icpc_required_flag: true
    assert first.section47_enquiries[0].end_date == date(2023, 12, 4)
    assert [
        involvement.practitioner.practitioner_id for involvement in first.involvements if involvement.practitioner
    ] == ["SW301", "302"]
    assert unborn.child.expected_birth_date == date(2025, 3, 1)
    assert broken.child.local_ids[0].la_child_id == "DFE0003"


def test_purge_flags_at_every_level() -> None:
    result = read((FIXTURES / "payload-document.json").read_bytes())
    first, unborn, broken = result.records
    assert first.purge is False and first.child.purge is False
    assert first.child_protection_plans[0].purge is True
    assert first.cin_plans[0].purge is False
    assert unborn.purge is True and unborn.child.purge is True
    assert broken.purge is False  # "no" is not a JSON boolean: reported, never guessed
    issue = next(i for i in result.issues if i.location is not None and i.location.path == "/Children/2/purge")
    assert (issue.rule, issue.severity, issue.child) == ("read/dfe-api/type", "error", "DFE0003")


def test_wrong_types_and_codes_are_located_and_other_fields_kept() -> None:
    result = read((FIXTURES / "payload-document.json").read_bytes())
    broken = result.records[2]
    assert broken.child.names[0].family == "Dale"
    assert broken.child.sex == "F"  # "Female" accepted as an alias, with a warning
    assert broken.child.birth_date is None and broken.child.ethnicity is None
    paths = {issue.location.path: issue.rule for issue in result.issues if issue.location is not None}
    assert paths["/Children/2/child_details/date_of_birth"] == "map/date-format"
    assert paths["/Children/2/child_details/sex"] == "map/code-alias"
    assert paths["/Children/2/child_details/ethnicity"] == "map/unmapped-code"
    assert paths["/Children/2/child_details/disabilities"] == "read/dfe-api/type"
    assert paths["/Children/2/child_details/favourite_colour"] == "read/dfe-api/unknown-member"
    assert paths["/Children/2/social_care_episodes/0/referral_date"] == "map/invalid-date"
    assert paths["/Children/2/social_care_episodes/0/section_47_assessments"] == "read/dfe-api/type"


def test_not_carried_sections_are_reported_once_per_file() -> None:
    result = read((FIXTURES / "payload-document.json").read_bytes())
    not_carried = [issue for issue in result.issues if issue.rule == "map/dfe-api/not-carried"]
    assert {issue.severity for issue in not_carried} == {"information"}
    assert len(not_carried) == 2  # health_and_wellbeing, mis_child_id (UASC, adoption, care leavers are carried)


def test_uasc_adoption_and_care_leavers_are_carried_with_their_json_pointers() -> None:
    result = read((FIXTURES / "payload-document.json").read_bytes())
    first, _, third = result.records
    assert first.uasc is None  # uasc_flag false
    assert third.uasc == UascStatus(ceased_date=date(2026, 1, 1))
    assert third.adoption == Adoption(decision_date=date(2024, 4, 1))
    assert third.care_leaver is None  # every member null or false: nothing to carry
    sources = {entry.field: entry.source for entry in third.lineage}
    assert sources["/uasc"].path == "/Children/2/child_details/uasc_flag"
    assert sources["/uasc/ceased_date"].path == "/Children/2/child_details/uasc_end_date"
    decision = sources["/adoption/decision_date"]
    assert decision.path == "/Children/2/social_care_episodes/0/adoption/initial_decision_date"


def test_care_leavers_codes_and_purge_are_carried_and_a_bad_code_is_located() -> None:
    episode = {
        "social_care_episode_id": "E1",
        "care_leavers": {"contact_date": "2025-06-02", "activity": "f2", "accommodation": "Q7", "purge": True},
        "adoption": "not an object",
    }
    result = read({"la_code": 201, "Children": [{**CHILD, "social_care_episodes": [episode]}]})
    (record,) = result.records
    assert record.care_leaver == CareLeaver(contact_date=date(2025, 6, 2), activity="F2", purge=True)
    bad = result.issue("map/invalid")
    assert bad.location is not None
    assert bad.location.path == "/Children/0/social_care_episodes/0/care_leavers/accommodation"
    assert result.issue("read/dfe-api/type").location.path == "/Children/0/social_care_episodes/0/adoption"


def test_array_payload_takes_the_la_from_the_submission() -> None:
    data = (FIXTURES / "payload-array.json").read_bytes()
    without = read(data)
    assert without.issue("read/dfe-api/la-code-missing").severity == "error"
    assert without.records[0].child.local_ids == ()
    declared = DfeApiReader().for_submission(SubmissionHeader(format_id="dfe-csc-api-json", la_code="202"))
    with_la = read(data, reader=declared)
    assert with_la.header.la_code == "202"
    assert with_la.issues == []
    assert with_la.records[0].child.local_ids[0].la_code == "202"


@pytest.mark.parametrize("la_code", [20, "2010", True, None, "abc"])
def test_bad_la_code_is_an_error(la_code: object) -> None:
    result = read({"la_code": la_code, "Children": [CHILD]})
    assert result.issue("read/dfe-api/la-code").location is not None
    assert result.header.la_code is None


def test_single_child_object_and_children_as_one_object() -> None:
    assert read(CHILD, reader=DfeApiReader(la_code="201")).records[0].child.names[0].family == "Brook"
    assert len(read({"la_code": "201", "Children": CHILD}).records) == 1


def test_duplicate_child_ids_are_a_warning() -> None:
    result = read({"la_code": 201, "Children": [CHILD, CHILD]})
    assert len(result.records) == 2
    assert result.issue("read/dfe-api/duplicate-child").severity == "warning"


def test_control_character_drops_only_that_child() -> None:
    bad = {**CHILD, "la_child_id": "C2", "child_details": {"surname": "A\u0000B"}}
    result = read({"la_code": 201, "Children": [CHILD, bad]})
    assert [record.child.local_ids[0].la_child_id for record in result.records] == ["C1"]
    assert result.issue("read/json-control-character").location is not None


def test_lineage_points_into_the_payload() -> None:
    record = read({"la_code": 201, "Children": [CHILD]}).records[0]
    sources = {source.field: (source.source.path, source.step) for source in record.lineage}
    assert sources["/child/birth_date"] == (
        "/Children/0/child_details/date_of_birth",
        "dfe-csc-api/child:date_of_birth",
    )
    assert sources["/child/local_ids/0/la_child_id"][0] == "/Children/0/la_child_id"


def test_messages_never_echo_personal_data() -> None:
    private_value = "Quillon-Private"
    child = {
        "la_child_id": "C9",
        "child_details": {"first_name": 7, "surname": ["x"], "date_of_birth": private_value, "sex": private_value},
        private_value: 1,
    }
    result = read({"la_code": 201, "Children": [child]})
    assert result.issues
    for issue in result.issues:
        assert private_value not in issue.message


def test_sniff_and_registration() -> None:
    reader = DfeApiReader()
    assert reader.sniff("p.json", b'{"la_code": 201, "Children": [')
    assert reader.sniff("p.json", b'[{"la_child_id": "A1"')
    assert not reader.sniff("p.json", b'{"resourceType": "Bundle", "la_child_id": 1}')
    assert not reader.sniff("p.csv", b"la_code,la_child_id\n")
    registry = load_registry()
    assert registry.reader("dfe-csc-api-json") is not None
    assert registry.detect("payload.json", b'{"la_code": 201, "Children": []}') is registry.reader("dfe-csc-api-json")
