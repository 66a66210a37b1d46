"""Writer -> reader for every census year: schema-valid output, the same records back, no XSD issue."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from adapters._xml import hardened_parser
from adapters.cin_census.census import SUPPORTED_YEARS
from adapters.cin_census.schemas import schema_path
from adapters.cin_census.synthetic import generate_records
from adapters.cin_census.writer import CinCensusWriter
from gateway import Assessment, Child, ChildRecord, CinEpisode, CinPlan, Coding, LocalId
from gateway.codes import DFE_ETHNICITY
from tests.adapters.cin_census.support import read_bytes


def _whole_document_valid(data: bytes, year: int) -> bool:
    schema = etree.XMLSchema(etree.parse(str(schema_path(year)), parser=hardened_parser()))
    return bool(schema.validate(etree.fromstring(data, parser=hardened_parser())))


@pytest.mark.parametrize("year", SUPPORTED_YEARS)
def test_every_census_year_round_trips(year: int) -> None:
    records = list(generate_records(40, year=year, seed=year))
    written = CinCensusWriter(census_year=year, la_code="201").write_document(records)
    assert written.issues == ()
    assert _whole_document_valid(written.data, year)
    events = read_bytes(written.data)
    assert events.issues == []
    assert events.header.format_version == f"{year - 1}-{year % 100:02d}"
    assert [record.model_copy(update={"lineage": ()}) for record in events.records] == records


def test_the_same_records_written_for_another_year_change_shape() -> None:
    records = list(generate_records(5, year=2024, seed=3))
    old = CinCensusWriter(census_year=2024).write(records)
    new = CinCensusWriter(census_year=2025).write(records)
    assert b"<GenderCurrent>" in old and b"<Sex>" not in old
    assert b"<Sex>" in new and b"<GenderCurrent>" not in new
    assert b"<ReferralNFA>false</ReferralNFA>" in old or b"<ReferralNFA>true</ReferralNFA>" in old
    assert b"<ReferralNFA>0</ReferralNFA>" in new or b"<ReferralNFA>1</ReferralNFA>" in new
    assert [r.child.sex for r in read_bytes(new).records] == [r.child.sex for r in records]


def _record(**parts: object) -> ChildRecord:
    child = Child(
        local_ids=(LocalId(la_code="201", la_child_id="W1"),),
        birth_date=date(2015, 1, 1),
        sex="F",
        ethnicity=Coding(system=DFE_ETHNICITY, code="WBRI"),
    )
    episode = CinEpisode(episode_id="e1", referral_date=date(2024, 5, 1), referral_source="1A", referral_nfa=False)
    return ChildRecord(child=child, cin_episodes=(episode,), **parts)  # type: ignore[arg-type]


def test_what_a_year_cannot_carry_is_left_out_and_reported() -> None:
    record = _record(
        assessments=(
            Assessment(assessment_id="a1", episode_id="e1", start_date=date(2024, 5, 2), factors=("24A", "18A")),
            Assessment(assessment_id="a2", episode_id="other", start_date=date(2024, 5, 2)),
        ),
        cin_plans=(CinPlan(plan_id="p1", episode_id="e1", start_date=date(2024, 6, 1)),),
    )
    written = CinCensusWriter(census_year=2020).write_document([record])  # census 2019-20
    assert _whole_document_valid(written.data, 2020)
    assert sorted((i.rule, i.canonical_path) for i in written.issues) == [
        ("write/left-out", "/records/0/assessments/0/factors"),  # 24A is from 2021-22
        ("write/left-out", "/records/0/assessments/1"),  # not linked to an episode of the child
        ("write/left-out", "/records/0/cin_plans/0"),  # CIN plan dates are from 2021-22
    ]
    (back,) = read_bytes(written.data).records
    assert back.assessments[0].factors == ("18A",)
    assert all(issue.severity == "error" and issue.child == "W1" for issue in written.issues)


def test_a_child_without_what_the_census_requires_is_left_out() -> None:
    no_episode = ChildRecord(child=Child(local_ids=(LocalId(la_code="201", la_child_id="X"),)))
    no_id = _record().model_copy(update={"child": Child(sex="M")})
    written = CinCensusWriter(census_year=2025).write_document([no_episode, no_id, _record()])
    assert [(i.rule, i.canonical_path) for i in written.issues if i.severity == "error"] == [
        ("write/missing-value", "/records/0"),
        ("write/missing-value", "/records/1"),
    ]
    assert _whole_document_valid(written.data, 2025)
    assert len(read_bytes(written.data).records) == 1


def test_defaults_are_only_dfe_unknown_codes_and_are_reported() -> None:
    record = _record().model_copy(update={"child": Child(local_ids=(LocalId(la_code="201", la_child_id="Y"),))})
    written = CinCensusWriter(census_year=2019).write_document([record])
    assert [i.rule for i in written.issues] == ["write/defaulted"]
    assert b"<Ethnicity>NOBT</Ethnicity>" in written.data
    assert b"<GenderCurrent>0</GenderCurrent>" in written.data  # 0 = not recorded
    (back,) = read_bytes(written.data).records
    assert back.child.sex == "U"


def test_no_writable_child_is_an_error_and_the_writer_is_registered() -> None:
    written = CinCensusWriter().write_document([])
    assert [(i.rule, i.severity) for i in written.issues] == [
        ("write/missing-value", "warning"),  # no LA code to put in the header: no Source, nothing invented
        ("write/no-children", "error"),
    ]
    assert b"<Source>" not in written.data and b"<LEA>" not in written.data
    with pytest.raises(ValueError, match="census_year"):
        CinCensusWriter(census_year=2030)
