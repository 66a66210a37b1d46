"""The uasc, oc2, oc3, ad1, placed_for_adoption and previous_permanence tables, carried into the canonical
record from CSV files and 903 XML (synthetic fixtures: the public samples hold episodes only)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from adapters.ssda903.reader import Ssda903Reader
from gateway import (
    Adoption,
    AdoptionDecision,
    CareLeaver,
    ChildRecord,
    Issue,
    LookedAfterOutcomes,
    PreviousPermanence,
    SourceFile,
    UascStatus,
)
from tests.adapters.ssda903.test_fuzz import SETTINGS, check, mutated
from tests.golden import assert_golden

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ssda903"
TABLES = FIXTURES / "care-tables"
CSV_NAMES = (
    "header.csv",
    "episodes.csv",
    "uasc.csv",
    "oc2.csv",
    "oc3.csv",
    "ad1.csv",
    "placed_for_adoption.csv",
    "previous_permanence.csv",
)


def _csv_files(replace: dict[str, str] | None = None) -> list[SourceFile]:
    files = []
    for name in CSV_NAMES:
        text = (TABLES / name).read_text(encoding="utf-8")
        files.append(SourceFile(name=name, data=(replace or {}).get(name, text).encode("utf-8")))
    return files


def _read(files: list[SourceFile]) -> tuple[dict[str, ChildRecord], list[Issue]]:
    events = list(Ssda903Reader(la_code="201").read(files))
    records = {e.child.local_ids[0].la_child_id: e for e in events if isinstance(e, ChildRecord)}
    return records, [e for e in events if isinstance(e, Issue)]


def test_golden_csv() -> None:
    assert_golden(FIXTURES / "golden" / "care-tables.json", Ssda903Reader(la_code="201").read(_csv_files()))


def test_golden_xml() -> None:
    files = [SourceFile.from_path(TABLES / "return.xml")]
    assert_golden(FIXTURES / "golden" / "care-tables-xml.json", Ssda903Reader(la_code="201").read(files))


def test_every_table_is_carried_with_its_meaning() -> None:
    records, issues = _read(_csv_files())
    assert [issue.rule for issue in issues] == ["read/ssda903/year"]  # nothing "not carried" any more
    uasc_now, adopted, leaver = records["T100001"], records["T100002"], records["T100003"]
    assert uasc_now.uasc == UascStatus()  # a UASC row with a blank DUC: still UASC
    assert leaver.uasc == UascStatus(ceased_date=date(2023, 9, 20))
    assert adopted.uasc is None
    assert uasc_now.looked_after_outcomes == LookedAfterOutcomes(
        sdq_score=17,
        convicted=False,
        immunisations_up_to_date=True,
        dental_check=True,
        health_assessment_up_to_date=True,
        substance_misuse=True,
        substance_misuse_intervention_received=False,
        substance_misuse_intervention_offered=True,
    )
    assert leaver.care_leaver == CareLeaver(in_touch="YES", activity="F2", accommodation="D1")
    assert adopted.adoption == Adoption(
        decision_date=date(2022, 7, 14),
        matched_date=date(2022, 10, 20),
        by_foster_carers=False,
        adopter_count=2,
        adopters_sex="MF",
        adopters_legal_status="L11",
    )
    assert adopted.adoption_decisions == (
        AdoptionDecision(decision_date=date(2021, 9, 2), reversed_date=date(2022, 1, 10), reversal_reason="RD1"),
        AdoptionDecision(decision_date=date(2022, 7, 14)),
    )
    assert leaver.previous_permanence == (
        PreviousPermanence(order_type="P2", order_date=date(2015, 6, 15), la_code="202"),
    )


def test_every_field_set_has_its_source_cell() -> None:
    records, _ = _read(_csv_files())
    sources = {entry.field: entry for entry in records["T100002"].lineage}
    decision = sources["/adoption_decisions/1/decision_date"]
    assert (decision.source.file, decision.source.row, decision.source.column) == (
        "placed_for_adoption.csv",
        2,
        "DATE_PLACED",
    )
    assert sources["/adoption/adopters_legal_status"].source.column == "LS_ADOPTR"
    assert sources["/adoption"].step == "ssda903-csv:ad1-row"
    leaver = {entry.field: entry for entry in records["T100003"].lineage}
    assert leaver["/uasc/ceased_date"].source.column == "DUC"
    assert leaver["/previous_permanence/0/la_code"].step == "ssda903/previous-permanence:LA_PERM"
    dumped = records["T100001"].model_dump(exclude_defaults=True, exclude={"lineage"})
    for part, fields in dumped.items():
        if part in {"looked_after_outcomes", "uasc"}:
            assert f"/{part}" in {entry.field for entry in records["T100001"].lineage}
            for name in fields:
                assert f"/{part}/{name}" in {entry.field for entry in records["T100001"].lineage}


def test_xml_carries_the_same_as_the_csv_files() -> None:
    from_csv, _ = _read(_csv_files())
    from_xml, xml_issues = _read([SourceFile.from_path(TABLES / "return.xml")])
    assert [issue.rule for issue in xml_issues] == ["read/ssda903/year"]
    assert {k: r.model_dump(exclude={"lineage"}) for k, r in from_csv.items()} == {
        k: r.model_dump(exclude={"lineage"}) for k, r in from_xml.items()
    }
    sources = {entry.field: entry.source for entry in from_xml["T100002"].lineage}
    where = sources["/adoption_decisions/1/decision_date"]
    assert (where.column, where.path) == ("DATE_PLACED", "/EXPSSDA903/CHILD[2]/HEADER/AD_PLACED[2]/DATE_PLACED")
    assert where.line is not None


def test_uasc_0_in_xml_is_not_uasc_and_a_date_alone_is() -> None:
    text = (TABLES / "return.xml").read_text(encoding="utf-8")
    changed = text.replace("<UASC>1</UASC><DUC></DUC>", "<UASC>0</UASC><DUC></DUC>").replace(
        "<UASC>1</UASC><DUC>20/09/2023</DUC>", "<DUC>20/09/2023</DUC>"
    )
    records, _ = _read([SourceFile(name="return.xml", data=changed.encode("utf-8"))])
    assert records["T100001"].uasc is None
    assert records["T100003"].uasc == UascStatus(ceased_date=date(2023, 9, 20))


def test_bad_values_are_one_located_issue_each_and_never_carried() -> None:
    files = _csv_files(
        {
            "oc3.csv": "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\r\nT100003,20/09/2005,YES,Q9,D1\r\n",
            "oc2.csv": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
            "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED\r\n"
            "T100001,14/05/2007,45,,0,,1,1,1,1,0,1\r\n",
            "ad1.csv": "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\r\n"
            "T100002,03/02/2016,14/07/2022,31/02/2022,x,3,MF,L99\r\n",
        }
    )
    records, issues = _read(files)
    located = {(i.rule, i.location.file, i.location.row, i.location.column) for i in issues if i.location}
    assert located >= {
        ("spec/ssda903/category", "oc3.csv", 1, "ACTIV"),
        ("map/invalid", "oc2.csv", 1, "SDQ_SCORE"),
        ("spec/ssda903/date", "ad1.csv", 1, "DATE_MATCH"),
        ("spec/ssda903/category", "ad1.csv", 1, "FOSTER_CARE"),
        ("map/invalid", "ad1.csv", 1, "NB_ADOPTR"),
        ("spec/ssda903/category", "ad1.csv", 1, "LS_ADOPTR"),
    }
    cells = [(i.location.file, i.location.row, i.location.column) for i in issues if i.location and i.location.row]
    assert len(cells) == len(set(cells)), "a bad cell is reported once (the spec check, not the model again)"
    assert all(i.child is not None for i in issues if i.rule != "read/ssda903/year")
    assert records["T100003"].care_leaver == CareLeaver(in_touch="YES", accommodation="D1")
    assert records["T100001"].looked_after_outcomes is not None
    assert records["T100001"].looked_after_outcomes.sdq_score is None
    adoption = records["T100002"].adoption
    assert adoption == Adoption(decision_date=date(2022, 7, 14), adopters_sex="MF")


def test_a_second_row_in_a_one_row_table_is_reported_and_not_used() -> None:
    uasc = (TABLES / "uasc.csv").read_text(encoding="utf-8") + "T100001,1,14/05/2007,01/01/2024\r\n"
    records, issues = _read(_csv_files({"uasc.csv": uasc}))
    assert records["T100001"].uasc == UascStatus()
    repeated = [issue for issue in issues if issue.rule == "read/ssda903/repeated-row"]
    assert len(repeated) == 1
    assert repeated[0].location is not None
    assert (repeated[0].location.file, repeated[0].location.row, repeated[0].child) == ("uasc.csv", 3, "T100001")
    assert "14/05/2007" not in repeated[0].message and "T100001" not in repeated[0].message


def test_a_child_only_in_a_care_table_is_built_and_reported() -> None:
    oc3 = (TABLES / "oc3.csv").read_text(encoding="utf-8") + "T100009,01/01/2005,NO,0,0\r\n"
    records, issues = _read(_csv_files({"oc3.csv": oc3}))
    assert records["T100009"].care_leaver == CareLeaver(in_touch="NO", activity="0", accommodation="0")
    assert any(i.rule == "read/ssda903/child-not-in-header" and i.child == "T100009" for i in issues)


_CARE_FILES = {name: (TABLES / name).read_bytes() for name in CSV_NAMES[2:]}


@SETTINGS
@given(st.data())
def test_mutated_care_tables_never_raise(data: st.DataObject) -> None:
    files = _csv_files()[:2] + [
        SourceFile(name=name, data=data.draw(mutated(content)) if data.draw(st.booleans()) else content)
        for name, content in _CARE_FILES.items()
    ]
    check(files, la_code="201")


@SETTINGS
@given(st.data())
def test_mutated_care_tables_xml_never_raises(data: st.DataObject) -> None:
    check([SourceFile(name="r.xml", data=data.draw(mutated((TABLES / "return.xml").read_bytes())))], la_code="201")


# Any printable value (control characters and CSV quoting are the CSV layer's tests, not these).
_CELLS = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12) | st.sampled_from(
    ["", " 1 ", "2", "-1", "41", "99999999999999999999", "31/02/2022"]
)


@SETTINGS
@given(st.lists(_CELLS, min_size=20, max_size=20))
def test_any_cell_value_in_the_care_tables_is_an_issue_or_carried(cells: list[str]) -> None:
    def row(header: str, *fixed: str) -> str:
        columns = header.split(",")
        values = [*fixed, *(cells.pop() for _ in columns[len(fixed) :])]
        quoted = ['"' + value.replace('"', '""') + '"' for value in values]
        return f"{header}\r\n{','.join(quoted)}\r\n"

    files = _csv_files(
        {
            "oc2.csv": row(
                "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
                "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED",
                "T100001",
                "14/05/2007",
            ),
            "oc3.csv": row("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM", "T100003", "20/09/2005"),
            "ad1.csv": row(
                "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR", "T100002", "03/02/2016"
            ),
        }
    )
    records, _ = _read(files)
    assert set(records) == {"T100001", "T100002", "T100003"}


def test_synthetic_submission_with_every_table_reads_clean_and_the_same_from_xml() -> None:
    from adapters.ssda903.synthetic import generate_submission, generate_xml  # noqa: PLC0415

    csv_files = [SourceFile(name=n, data=d) for n, d in generate_submission(60, year=2024, seed=3, all_tables=True)]
    xml = SourceFile(name="return.xml", data=generate_xml(60, year=2024, seed=3, all_tables=True))
    from_csv, csv_issues = _read(csv_files)
    from_xml, xml_issues = _read([xml])
    assert [issue.rule for issue in csv_issues] == ["read/ssda903/year"]
    assert [issue.rule for issue in xml_issues] == ["read/ssda903/year"]
    assert {k: r.model_dump(exclude={"lineage"}) for k, r in from_csv.items()} == {
        k: r.model_dump(exclude={"lineage"}) for k, r in from_xml.items()
    }
    records = list(from_csv.values())
    for part in ("looked_after_outcomes", "care_leaver", "adoption"):
        assert any(getattr(record, part) is not None for record in records), part
    assert any(record.adoption_decisions for record in records)
    assert any(record.previous_permanence for record in records)
