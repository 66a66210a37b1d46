"""The person-csv reader: columns, mapping, dirty rows, golden file, synthetic files, fuzzing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.person_csv import plugin
from adapters.person_csv.reader import REQUIRED_COLUMNS, PersonCsvReader
from adapters.person_csv.synthetic import generate_people, generate_person_csv, to_csv
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader
from gateway.identifiers import is_valid_nhs_number, is_valid_upn
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "person-csv"
EXTRACT = FIXTURES / "council-extract.csv"


def read(data: bytes, **options: str) -> tuple[list[ChildRecord], list[Issue]]:
    events = list(PersonCsvReader(**options).read([SourceFile(name="p.csv", data=data)]))  # type: ignore[arg-type]
    assert isinstance(events[0], SubmissionHeader)
    records = [event for event in events if isinstance(event, ChildRecord)]
    issues = [event for event in events if isinstance(event, Issue)]
    assert len(records) + len(issues) + 1 == len(events)
    return records, issues


def test_council_extract_maps_every_column() -> None:
    records, _ = read(EXTRACT.read_bytes(), la_code="201")
    amy = records[0]
    assert amy.child.local_ids[0].model_dump() == {"la_code": "201", "la_child_id": "C0001"}
    assert amy.child.names[0].given == ("Amy", "Rose") and amy.child.names[0].family == "Example"
    assert amy.child.birth_date == date(2015, 3, 2) and amy.child.sex == "F"
    assert amy.child.nhs_number == "9434765919" and amy.child.upn == "A950000178301"
    assert amy.child.addresses[0].lines == ("1 Test Street", "Flat 2")
    assert amy.child.addresses[0].postcode == "SW1A 1AA" and amy.child.addresses[0].town == "Exampleton"
    assert amy.child.shielded is False
    carer = amy.carers[0]
    assert (carer.relationship, carer.parental_responsibility, carer.contacts[0].value) == (
        "mother",
        True,
        "07700 900123",
    )
    ben = records[1]
    assert ben.child.names[1].use == "former" and ben.child.names[1].family == "Older"
    assert ben.child.sex == "M" and ben.child.ethnicity is not None and ben.child.ethnicity.code == "WBRI"
    assert ben.child.nhs_number == "9912003890"  # invalid by modulus 11, carried for conformance to report
    assert ben.carers[0].contacts[0].system == "email"
    source = next(s for s in ben.lineage if s.field == "/child/birth_date")
    assert (source.source.row, source.source.line, source.source.column) == (2, 3, "birth_date")


def test_council_extract_issues() -> None:
    records, issues = read(EXTRACT.read_bytes(), la_code="201")
    assert len(records) == 6
    found = Counter((issue.rule, issue.location.row if issue.location else None) for issue in issues)
    assert found == {
        ("read/person-csv/unknown-column", None): 1,  # favourite_colour
        ("map/date-format", 2): 1,  # 02/04/2016
        ("map/code-alias", 2): 2,  # sex 1, ethnicity "White British"
        ("map/invalid-boolean", 2): 1,  # carer_parental_responsibility "maybe"
        ("map/invalid-date", 3): 1,  # 2016-02-30
        ("map/unmapped-code", 3): 2,  # sex Q, ethnicity ZZZZ
        ("read/csv-formula", 4): 1,
        ("read/person-csv/la-mismatch", 4): 1,
        ("map/required", 5): 2,  # la_code and la_child_id blank
        ("read/person-csv/duplicate-local-id", 6): 1,
    }
    messages = " ".join(issue.message for issue in issues)
    for personal in ("Amy", "Example", "2016-02-30", "HYPERLINK", "ben.carer", "07700"):
        assert personal not in messages


def test_council_extract_golden() -> None:
    events = PersonCsvReader(la_code="201").read([SourceFile.from_path(EXTRACT)])
    assert_golden(FIXTURES / "golden" / "council-extract.json", events)


def test_missing_required_columns_are_named() -> None:
    _, issues = read(b"la_code,la_child_id\n201,C1\n")
    missing = {issue.location.column for issue in issues if issue.rule == "read/person-csv/missing-column"}
    assert missing == set(REQUIRED_COLUMNS) - {"la_code", "la_child_id"}


def test_header_names_are_matched_ignoring_case_and_quoted_line_breaks_are_allowed() -> None:
    records, issues = read(b'LA_CODE,LA_CHILD_ID,Address\n201,C1,"1 Street\nTown"\n')
    assert records[0].child.addresses[0].lines == ("1 Street Town",)  # a quoted line break, spaces collapsed
    assert all(issue.rule == "read/person-csv/missing-column" for issue in issues)


def test_synthetic_file_reads_clean_with_valid_identifiers() -> None:
    people = generate_people(300, seed=4, duplicate_rate=0.2)
    assert len({person.person_id for person in people}) < 300
    records, issues = read(to_csv(people), la_code="201")
    assert issues == []
    assert len(records) == 300
    assert all(is_valid_nhs_number(r.child.nhs_number) for r in records if r.child.nhs_number)
    assert all(r.child.nhs_number.startswith("999") for r in records if r.child.nhs_number)
    assert all(is_valid_upn(r.child.upn) for r in records if r.child.upn)


def test_sniff_and_plugin() -> None:
    (reader,) = plugin.readers
    assert reader.sniff("x.csv", generate_person_csv(1)[:300])
    assert not reader.sniff("x.csv", b"CHILD,DECOM,RNE\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.one_of(st.text(max_size=15), st.sampled_from(["201", "=1", "2015-01-01", "Y", "M"])), max_size=12),
        max_size=6,
    ),
    st.binary(max_size=40),
)
def test_generated_and_mutated_files_never_raise(rows: list[list[str]], junk: bytes) -> None:
    header = ",".join((*REQUIRED_COLUMNS[:6], "shielded", "carer_phone", "carer_email", "former_family_name"))
    body = "\n".join(",".join(row) for row in rows)
    read((header + "\n" + body).encode("utf-8", errors="surrogatepass") + junk)
