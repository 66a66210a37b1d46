"""Applying a mapping to a row, and assembling rows into a validated ChildRecord with lineage."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway import ChildRecord
from gateway.mapping import CodeTables, MappedRow, RecordBuilder, SourceRow, mapping_from_data
from gateway.resources import data_dir

TABLES = CodeTables([data_dir("mappings")])


def spec(fields: list[dict[str, Any]], target: str = "/child", **extra: Any) -> Any:
    data = {"id": "test/m", "format": "test", "target": target, "fields": fields, **extra}
    return mapping_from_data(data, "m.yaml", tables=TABLES, steps=extra.pop("steps_given", None))


DOB = {"target": "birth_date", "source": "DOB", "transforms": [{"date": {"format": "dd/mm/yyyy"}}], "required": True}
SEX = {"target": "sex", "source": "SEX", "transforms": ["strip", {"code": {"table": "census-gender-to-sex"}}]}


def row(**values: str) -> SourceRow:
    return SourceRow(values, file="kids.csv", row=3, line=4)


def test_values_lineage_and_located_issues() -> None:
    mapped = spec([DOB, SEX]).apply(row(DOB="01/02/2015", SEX=" 2 "), child="C1")
    assert mapped.values == {"birth_date": date(2015, 2, 1), "sex": "F"}
    assert mapped.lineage == [
        {"field": "/birth_date", "source": {"file": "kids.csv", "row": 3, "line": 4, "column": "DOB"},
         "step": "test/m:DOB"},
        {"field": "/sex", "source": {"file": "kids.csv", "row": 3, "line": 4, "column": "SEX"}, "step": "test/m:SEX"},
    ]  # fmt: skip
    assert mapped.issues == []


def test_bad_values_become_issues_and_leave_the_field_unset() -> None:
    mapped = spec([DOB, SEX]).apply(row(DOB="31/02/2015", SEX="5"), child="C1")
    assert mapped.values == {}
    assert mapped.lineage == []
    found = {(issue.rule, issue.location.column, issue.canonical_path, issue.child) for issue in mapped.issues}
    assert found == {("map/invalid-date", "DOB", "/birth_date", "C1"), ("map/unmapped-code", "SEX", "/sex", "C1")}
    assert all("31/02" not in issue.message for issue in mapped.issues)


def test_required_blank_or_missing_column() -> None:
    for values in ({"DOB": "   "}, {}):
        (issue,) = spec([DOB]).apply(row(**values)).issues
        assert (issue.rule, issue.severity, issue.location.column) == ("map/required", "error", "DOB")
    optional = dict(DOB, required=False)
    assert spec([optional]).apply(row(DOB="")).issues == []


def test_constants_with_when_and_several_sources() -> None:
    mapping = spec(
        [
            {"target": "names/0/family", "source": "SURNAME"},
            {"target": "names/1/use", "value": "former", "when": "OLD"},
            {"target": "names/1/family", "source": "OLD"},
            {"target": "addresses/0/lines/0", "sources": ["A1", "A2"], "transforms": ["concat"]},
        ]
    )
    mapped = mapping.apply(row(SURNAME="Ng", OLD="Lee", A1="1 High St", A2=" Town"))
    assert mapped.values == {
        "names": [{"family": "Ng"}, {"use": "former", "family": "Lee"}],
        "addresses": [{"lines": ["1 High St Town"]}],
    }
    assert mapped.lineage[1]["source"]["column"] == "OLD"  # a constant is located at its guard column
    assert mapping.apply(row(SURNAME="Ng")).values == {"names": [{"family": "Ng"}]}
    assert mapping.apply(row(A1="", A2="x")).lineage[0]["source"]["column"] == "A2"


def test_a_second_rule_for_the_same_field_does_not_overwrite() -> None:
    mapped = spec([{"target": "upn", "source": "A"}, {"target": "upn", "source": "B"}]).apply(row(A="x", B="y"))
    assert mapped.values == {"upn": "x"}
    assert [issue.rule for issue in mapped.issues] == ["map/conflict"]


def test_context_keys_are_located_where_the_reader_says() -> None:
    mapping = spec(
        [
            {"target": "local_ids/0/la_code", "source": "$la_code"},
            {"target": "local_ids/0/la_child_id", "source": "CHILD"},
        ]
    )
    source = SourceRow(
        {"CHILD": "C1", "$la_code": "201"},
        file="h.csv",
        row=1,
        line=2,
        locations={"$la_code": {"path": "submission:la_code"}},
    )
    mapped = mapping.apply(source)
    assert mapped.values == {"local_ids": [{"la_code": "201", "la_child_id": "C1"}]}
    assert mapped.lineage[0]["source"] == {"path": "submission:la_code"}
    assert mapped.lineage[1]["source"]["column"] == "CHILD"


def test_missing_columns_are_listed_once_with_their_requiredness() -> None:
    mapping = spec([DOB, SEX, {"target": "upn", "source": "UPN", "when": "FLAG"}])
    assert mapping.missing_columns(["SEX"]) == [("DOB", True), ("UPN", False), ("FLAG", False)]


def test_record_builder_places_collections_and_prefixes_lineage() -> None:
    header = spec(
        [
            DOB,
            {"target": "local_ids/0/la_code", "value": "201"},
            {"target": "local_ids/0/la_child_id", "source": "CHILD"},
        ]
    )
    reviews = spec(
        [
            {"target": "review_date", "source": "R", "transforms": [{"date": {"format": "dd/mm/yyyy"}}]},
            {"target": "participation_code", "source": "CODE"},
        ],
        target="/reviews/-",
    )
    builder = RecordBuilder(child="C1", record_index=7)
    builder.add(header, header.apply(row(DOB="01/02/2015", CHILD="C1")))
    builder.add(reviews, reviews.apply(row(R="01/03/2020", CODE="PN1")))
    assert builder.add(reviews, reviews.apply(row(R="99/03/2020", CODE="PN2"))) == "/reviews/1"
    record = builder.build()
    assert isinstance(record, ChildRecord)
    assert record.reviews[1].participation_code == "PN2"
    assert record.reviews[1].review_date is None
    assert {source.field for source in record.lineage} >= {
        "/child/birth_date",
        "/reviews/0/review_date",
        "/reviews/1/participation_code",
    }
    (issue,) = builder.issues
    assert (issue.rule, issue.canonical_path, issue.location.column) == (
        "map/invalid-date",
        "/records/7/reviews/1/review_date",
        "R",
    )


def test_values_the_model_refuses_are_removed_and_reported_at_their_source() -> None:
    mapping = spec(
        [
            {"target": "child/local_ids/0/la_code", "source": "LA"},
            {"target": "child/local_ids/0/la_child_id", "source": "ID"},
            {"target": "child/upn", "source": "UPN"},
        ],
        target="/",
    )
    builder = RecordBuilder(child="C1", record_index=0)
    builder.add(mapping, mapping.apply(row(LA="20A", ID="C1", UPN="A1")))
    record = builder.build()
    assert record is not None
    assert record.child.local_ids == () and record.child.upn == "A1"
    assert all(not source.field.startswith("/child/local_ids") for source in record.lineage)
    (issue,) = builder.issues
    assert (issue.rule, issue.location.column, issue.canonical_path) == (
        "map/invalid",
        "LA",
        "/records/0/child/local_ids/0/la_code",
    )


def test_gaps_in_lists_are_closed_and_lineage_renumbered() -> None:
    mapping = spec(
        [
            {"target": "carers/0/contacts/0/system", "value": "phone", "when": "PHONE"},
            {"target": "carers/0/contacts/0/value", "source": "PHONE"},
            {"target": "carers/0/contacts/1/system", "value": "email", "when": "EMAIL"},
            {"target": "carers/0/contacts/1/value", "source": "EMAIL"},
        ],
        target="/",
    )
    builder = RecordBuilder()
    builder.add(mapping, mapping.apply(row(EMAIL="a@example.org")))
    record = builder.build()
    assert record is not None and builder.issues == []
    assert [contact.system for contact in record.carers[0].contacts] == ["email"]
    assert {source.field for source in record.lineage} == {"/carers/0/contacts/0/system", "/carers/0/contacts/0/value"}


def test_mapped_row_set_is_the_step_api() -> None:
    mapped = MappedRow(child="C1")
    assert mapped.set("names/0/family", "Ng", location={"file": "f", "row": 1}, step="plugin:x")
    assert not mapped.set("names/0/family", "Other", location={"file": "f", "row": 1}, step="plugin:x")
    assert [issue.rule for issue in mapped.issues] == ["map/conflict"]
    (source,) = mapped.field_sources("/child")
    assert (source.field, source.step, source.source.row) == ("/child/names/0/family", "plugin:x", 1)


FUZZ_MAPPING = spec(
    [
        DOB,
        SEX,
        {"target": "local_ids/0/la_child_id", "source": "CHILD", "transforms": ["strip"]},
        {"target": "local_ids/0/la_code", "value": "201", "when": "CHILD"},
    ]
)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(["DOB", "SEX", "CHILD", "X"]), st.text(max_size=30), max_size=4))
def test_any_row_maps_without_raising_and_every_lineage_entry_is_a_set_field(values: dict[str, str]) -> None:
    builder = RecordBuilder(child="C")
    mapped = FUZZ_MAPPING.apply(SourceRow(values, file="f.csv", row=1, line=2))
    builder.add(FUZZ_MAPPING, mapped)
    record = builder.build()
    assert record is not None
    dumped = record.model_dump()
    for source in record.lineage:
        node: Any = dumped
        for part in source.field.strip("/").split("/"):
            node = node[int(part)] if isinstance(node, list | tuple) else node[part]
        assert node not in (None, "", ())
