"""The ssda903-csv reader: the public samples, joins, year and LA, XML, and the pipeline hook."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.ssda903 import plugin
from adapters.ssda903.reader import Ssda903Reader
from adapters.ssda903.synthetic import generate_submission, generate_xml
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader
from gateway.pipeline import new_envelope, process

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ssda903"
SAMPLE_2020 = FIXTURES / "SSDA903_2020_episodes.csv"
SAMPLE_INPUT = FIXTURES / "SSDA903_episodes_for_testing_fixes_INPUT.csv"


def read(files: list[SourceFile], **options: str) -> tuple[SubmissionHeader, list[ChildRecord], list[Issue]]:
    events = list(Ssda903Reader(**options).read(files))  # type: ignore[arg-type]
    header = events[0]
    assert isinstance(header, SubmissionHeader)
    records = [event for event in events if isinstance(event, ChildRecord)]
    issues = [event for event in events if isinstance(event, Issue)]
    assert len(records) + len(issues) + 1 == len(events)
    return header, records, issues


def csv_file(name: str, text: str) -> SourceFile:
    return SourceFile(name=name, data=text.encode("utf-8"))


def test_sample_2020_episodes_reads_with_the_expected_issues() -> None:
    header, records, issues = read([SourceFile.from_path(SAMPLE_2020)], la_code="201")
    assert (header.format_version, header.la_code, header.details["year_source"]) == ("2019-20", "201", "data")
    assert Counter((issue.rule, issue.severity) for issue in issues) == {
        ("read/ssda903/missing-table", "warning"): 1,  # an episodes file without its header file
        ("read/ssda903/year", "information"): 1,
    }
    assert [record.child.local_ids[0].la_child_id for record in records] == ["689661", "249901"]
    first = records[0]
    # The file lists this child's episodes out of order; they are carried ordered by DECOM.
    assert [episode.start_date for episode in first.looked_after_episodes] == [
        date(2018, 12, 2), date(2018, 12, 11), date(2019, 5, 16)]  # fmt: skip
    assert first.looked_after_episodes[0].episode_id == "689661:1"
    assert first.looked_after_episodes[0].placement_type == "U5"
    source = next(s for s in first.lineage if s.field == "/looked_after_episodes/0/start_date")
    assert (source.source.file, source.source.row, source.source.line, source.source.column) == (
        "SSDA903_2020_episodes.csv",
        2,
        3,
        "DECOM",
    )


def test_sample_2020_without_an_la_reads_children_without_local_ids() -> None:
    header, records, issues = read([SourceFile.from_path(SAMPLE_2020)])
    assert header.la_code is None
    assert [issue.rule for issue in issues if issue.severity == "error"] == ["read/ssda903/la-unknown"]
    assert all(record.child.local_ids == () for record in records)
    assert len(records) == 2


def test_dirty_liia_sample_reads_with_the_expected_issues() -> None:
    header, records, issues = read([SourceFile.from_path(SAMPLE_INPUT)])
    assert (header.format_version, header.la_code, header.details["year_source"]) == ("2022-23", "301", "YEAR column")
    counts = Counter((issue.rule, issue.severity) for issue in issues)
    assert counts == {
        ("read/ssda903/missing-table", "warning"): 1,
        ("read/ssda903/extension-column", "information"): 2,  # LA and YEAR
        ("read/ssda903/mixed-years", "warning"): 1,  # YEAR holds 2017 ... 2023
        ("read/ssda903/year", "information"): 1,
        ("spec/ssda903/date-format", "warning"): 37,  # every date is yyyy-mm-dd, not dd/mm/yyyy
        ("read/ssda903/la-mismatch", "error"): 2,  # Newham's and Sutton's children in a Barking and Dagenham file
    }
    mismatched = {issue.child for issue in issues if issue.rule == "read/ssda903/la-mismatch"}
    assert mismatched == {"NORULE_NEW", "NORULE_SUT"}
    by_child = {record.child.local_ids[0].la_child_id: record for record in records}
    assert len(by_child) == 10
    assert by_child["NORULE_NEW"].child.local_ids[0].la_code == "316"  # carried under its own LA
    la_source = next(s for s in by_child["NORULE_NEW"].lineage if s.field == "/child/local_ids/0/la_code")
    assert la_source.source.column == "LA"
    assert by_child["RULE4_BAD"].looked_after_episodes[3].placement_provider == "PR0"
    assert by_child["RULE3A_BAD"].looked_after_episodes[2].home_postcode is None  # a blank cell stays unset
    assert all("NORULE" not in issue.message for issue in issues)


def test_declared_la_and_year_win_over_the_data() -> None:
    declared = SubmissionHeader(format_id="ssda903-csv", format_version="2025", la_code="301")
    reader = Ssda903Reader().for_submission(declared)
    events = list(reader.read([SourceFile.from_path(SAMPLE_INPUT)]))
    header = events[0]
    assert isinstance(header, SubmissionHeader)
    assert (header.format_version, header.la_code, header.details["year_source"]) == ("2024-25", "301", "option")
    issues = [event for event in events if isinstance(event, Issue)]
    # Checked as 2024-25: H5 and P2 are no longer placement codes.
    bad_place = [issue for issue in issues if issue.rule == "spec/ssda903/category"]
    assert {issue.location.column for issue in bad_place} == {"PLACE"}  # type: ignore[union-attr]
    assert len(bad_place) == 4
    records = [event for event in events if isinstance(event, ChildRecord)]
    assert {record.child.local_ids[0].la_code for record in records} == {"301"}


def test_a_bad_year_option_is_an_issue_not_a_crash() -> None:
    _, records, issues = read([SourceFile.from_path(SAMPLE_2020)], la_code="201", year="1999")
    assert "read/ssda903/year-option" in {issue.rule for issue in issues}
    assert len(records) == 2


HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"


def test_files_are_told_apart_by_their_header_and_joined_on_child() -> None:
    files = [
        csv_file("b.csv", EPISODES + "A1,01/05/2023,S,C2,N1,U1,PR1,,,,sw1a1aa,,\nZZ,01/06/2023,S,C2,N1,U1,PR1,,,,,,\n"),
        csv_file("a.csv", HEADER + "A1,1,01/02/2015,WBRI,UN2,,\nA1,2,01/02/2015,WBRI,,,\n"),
        csv_file("c.csv", "CHILD,DOB,REVIEW,REVIEW_CODE\nA1,02/02/2015,01/09/2023,PN1\n"),
        csv_file("d.csv", "CHILD,DOB,MISSING,MIS_START,MIS_END\nA1,01/02/2015,A,03/09/2023,04/09/2023\n"),
    ]
    header, records, issues = read(files, la_code="201")
    assert header.details["tables"] == "episodes,header,missing,reviews"
    child = records[0]
    assert child.child.sex == "M" and child.child.upn is None and child.child.upn_unknown_reason == "UN2"
    assert child.child.ethnicity is not None and child.child.ethnicity.code == "WBRI"
    assert child.looked_after_episodes[0].home_postcode == "SW1A 1AA"
    assert child.reviews[0].participation_code == "PN1"
    assert child.missing_episodes[0].kind == "away"
    found = {(issue.rule, issue.child) for issue in issues if issue.severity == "error"}
    assert found == {
        ("spec/ssda903/blank", "A1"),  # UPN is blank in the duplicate header row
        ("read/ssda903/duplicate-child", "A1"),
        ("read/ssda903/dob-mismatch", "A1"),  # the review's DOB differs from the header's
        ("read/ssda903/child-not-in-header", "ZZ"),
    }
    assert [record.child.local_ids[0].la_child_id for record in records] == ["A1", "ZZ"]


def test_2025_sex_codes_and_descriptions() -> None:
    files = [
        csv_file(
            "h.csv",
            HEADER + "A,U,01/02/2015,WBRI,UN1,,\nB,1,01/02/2015,WBRI,UN1,,\nC,Female,01/02/2015,White British,UN1,,\n",
        )
    ]
    _, records, issues = read(files, la_code="201", year="2025")
    assert [record.child.sex for record in records] == ["U", "M", "F"]
    rules = sorted((issue.child, issue.rule) for issue in issues if issue.child)
    assert rules == [("B", "spec/ssda903/category"), ("C", "spec/ssda903/category-description"),
                     ("C", "spec/ssda903/category-description")]  # fmt: skip


def test_unknown_files_and_missing_columns() -> None:
    files = [
        csv_file("x.csv", "FOO,BAR\n1,2\n"),
        csv_file("e.csv", "CHILD,DECOM,RNE,LS,CIN,PLACE\nA,01/05/2023,S,C2,N1,U1\n"),
    ]
    _, records, issues = read(files, la_code="201")
    rules = Counter(issue.rule for issue in issues)
    assert rules["read/ssda903/unknown-file"] == 1
    assert rules["read/ssda903/missing-column"] == 7
    assert len(records) == 1


def test_formula_cells_in_a_submission_are_flagged() -> None:
    files = [csv_file("h.csv", HEADER + 'A,1,01/02/2015,"=HYPERLINK(""http://x"")",UN1,,\n')]
    _, _, issues = read(files, la_code="201", year="2024")
    rules = {(issue.rule, issue.location.column) for issue in issues if issue.location}  # type: ignore[union-attr]
    assert ("read/csv-formula", "ETHNIC") in rules and ("spec/ssda903/category", "ETHNIC") in rules
    assert all("HYPERLINK" not in issue.message for issue in issues)


def test_synthetic_submission_reads_clean_and_detects_its_year() -> None:
    for year in (2020, 2024, 2025):
        files = [SourceFile(name=name, data=data) for name, data in generate_submission(40, year=year, seed=year)]
        header, records, issues = read(files, la_code="201")
        assert header.format_version == f"{year - 1}-{year % 100}"
        assert [issue.severity for issue in issues if issue.severity != "information"] == []
        assert len(records) == 40
        assert all(record.child.upn or record.child.upn_unknown_reason for record in records)


def test_xml_reads_like_the_csv_files() -> None:
    csv_files = [SourceFile(name=name, data=data) for name, data in generate_submission(25, year=2025, seed=9)]
    xml_file = SourceFile(name="return.xml", data=generate_xml(25, year=2025, seed=9))
    _, from_csv, csv_issues = read(csv_files, la_code="201")
    _, from_xml, xml_issues = read([xml_file], la_code="201")
    assert [r.model_dump(exclude={"lineage"}) for r in from_csv] == [
        r.model_dump(exclude={"lineage"}) for r in from_xml
    ]
    assert [i.rule for i in csv_issues] == [i.rule for i in xml_issues]
    place = next(s for s in from_xml[0].lineage if s.field == "/looked_after_episodes/0/placement_type")
    assert (place.source.column, place.source.path) == ("PL", "/EXPSSDA903/CHILD[1]/EPISODE[1]/PL")
    assert place.source.line is not None


def test_xml_problems_are_issues() -> None:
    xml = (
        b"<EXPSSDA903><CHILD><HEADER><CHILDID>A</CHILDID><SEX>7</SEX><DOB>01/02/2015</DOB><ETHNIC>WBRI</ETHNIC>"
        b"<UPN>UN1</UPN><ODD>x</ODD></HEADER><EPISODE><DECOM>01/05/2024</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN>"
        b"<PL>Q9</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE></CHILD><CHILD/></EXPSSDA903>"
    )
    _, records, issues = read([SourceFile(name="r.xml", data=xml)], la_code="201")
    assert len(records) == 1
    found = {
        (issue.rule, issue.location.path if issue.location else None)
        for issue in issues
        if issue.severity != "information"
    }
    assert ("spec/ssda903/category", "/EXPSSDA903/CHILD[1]/HEADER/SEX") in found
    assert ("spec/ssda903/category", "/EXPSSDA903/CHILD[1]/EPISODE[1]/PL") in found
    assert ("read/ssda903/xml-no-header", "/EXPSSDA903/CHILD[2]") in found
    assert ("read/ssda903/xml-unknown-element", "//ODD") in found


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EXPSSDA903><CHILD><HEADER>'
         b"<CHILDID>&e;</CHILDID></HEADER></CHILD></EXPSSDA903>", "read/unsafe-xml"),
        (b"<EXPSSDA903><CHILD><HEADER><CHILDID>A</CHILDID></HEADER></CHILD>", "read/xml-syntax"),
        (b"<EXPSSDA903 xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='/etc/passwd'/></EXPSSDA903>",
         "read/unsafe-xml"),
    ],
)  # fmt: skip
def test_hostile_xml_is_refused_with_an_issue(data: bytes, rule: str) -> None:
    _, records, issues = read([SourceFile(name="r.xml", data=data)], la_code="201")
    assert rule in {issue.rule for issue in issues}
    assert all(
        "passwd" not in (record.child.local_ids[0].la_child_id if record.child.local_ids else "") for record in records
    )


def test_sniff_and_plugin_registration() -> None:
    (reader,) = plugin.readers
    assert reader.format_id == "ssda903-csv"
    assert reader.sniff("x.csv", SAMPLE_2020.read_bytes()[:200])
    assert reader.sniff("r.xml", generate_xml(1)[:400])
    assert not reader.sniff("p.csv", b"la_code,la_child_id,given_name\n")


def test_the_pipeline_gives_the_reader_the_envelope_la() -> None:
    files = [(SAMPLE_2020.name, SAMPLE_2020.read_bytes())]
    envelope = new_envelope(
        files, supplier_id="s", la_code="319", format_id="ssda903-csv", received_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    result = process(envelope, [SourceFile(name=n, data=d) for n, d in files], plugin.readers[0])
    assert {record.child.local_ids[0].la_code for record in result.message.records} == {"319"}
    assert result.message.envelope.format_version == "2019-20"
    assert result.outcome == "accepted"
