"""The engine: never raises on bad data, locates issues through lineage, reports 'not evaluated' once per file."""

from __future__ import annotations

import dataclasses
import gc
import typing
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date

import pytest

from conformance.engine import ActiveRule, Session, locate
from gateway import (
    Adoption,
    CheckContext,
    ChildRecord,
    Entry,
    Finding,
    Issue,
    Lineage,
    NotEvaluated,
    Outcome,
    RecordPart,
    RecordRule,
    RuleDoc,
    SubmissionRule,
    passes,
)

_DOC = RuleDoc(checks="a test rule for the engine", why="the engine's own tests", fix="nothing to fix")
_CONTEXT = CheckContext(today=date(2025, 6, 30))


def _rule(check: object, rule_id: str = "test/rule") -> RecordRule:
    return RecordRule(
        id=rule_id,
        pack="test",
        strength="MUST",
        message="the test rule failed",
        fields=("/child",),
        check=check,  # type: ignore[arg-type]
        doc=_DOC,
        examples=(passes("any", {"child": {}}),),
    )


def _source(field: str, file: str, line: int, path: str) -> dict[str, object]:
    return {"field": field, "source": {"file": file, "line": line, "path": path}, "step": "t"}


def _record(child_id: str = "C1", file: str = "f.xml", line: int = 7) -> ChildRecord:
    return ChildRecord.model_validate(
        {
            "child": {"local_ids": [{"la_code": "201", "la_child_id": child_id}], "nhs_number": "9434765918"},
            "assessments": [{"assessment_id": "A1"}],
            "lineage": [
                {
                    "field": "/child/local_ids/0/la_child_id",
                    "source": {"file": file, "line": 3, "path": "/C/Id"},
                    "step": "t",
                },
                {"field": "/child/nhs_number", "source": {"file": file, "line": line, "path": "/C/NHS"}, "step": "t"},
                {
                    "field": "/assessments/0/assessment_id",
                    "source": {"file": file, "line": 20, "path": "/C/A[1]"},
                    "step": "t",
                },
            ],
        }
    )


def test_a_failing_rule_becomes_an_issue_located_through_lineage() -> None:
    def check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        yield Finding("/child/nhs_number", "detail without values")

    issues = Session([ActiveRule(_rule(check), "error")], _CONTEXT).record(_record())
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.rule, issue.severity, issue.child) == ("test/rule", "error", "C1")
    assert issue.message == "the test rule failed (detail without values)"
    assert issue.location is not None and (issue.location.file, issue.location.line) == ("f.xml", 7)
    assert issue.canonical_path == "/records/0/child/nhs_number"


def test_locate_falls_back_to_the_enclosing_part() -> None:
    record = _record()
    completed = locate(record, "/assessments/0/completed_date")  # never set: the assessment's element
    assert completed is not None and completed.path == "/C/A[1]"
    assert locate(record, "/child/sex") is not None  # a sibling inside /child
    assert locate(ChildRecord.model_validate({"child": {}}), "/child/sex") is None


def test_a_rule_that_raises_is_reported_never_raised_and_never_a_silent_pass() -> None:
    def check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        raise KeyError("a value that must not leak")

    session = Session([ActiveRule(_rule(check), "warning")], _CONTEXT)
    issues = session.record(_record())
    assert [issue.severity for issue in issues] == ["warning"]
    assert "could not be run" in issues[0].message and "must not leak" not in issues[0].message


def test_a_rule_returning_something_else_is_reported() -> None:
    def check(record: ChildRecord, context: CheckContext) -> Iterator[object]:
        yield "not an outcome"

    issues = Session([ActiveRule(_rule(check), "error")], _CONTEXT).record(_record())
    assert len(issues) == 1 and "could not be run" in issues[0].message


def test_not_evaluated_is_reported_once_per_file_at_information_level() -> None:
    def check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        yield NotEvaluated("the format cannot carry it")

    session = Session([ActiveRule(_rule(check), "error")], _CONTEXT)
    issues = [
        *session.record(_record("C1", "a.xml")),
        *session.record(_record("C2", "a.xml")),
        *session.record(_record("C3", "b.xml")),
    ]
    assert [(issue.severity, issue.location.file if issue.location else None) for issue in issues] == [
        ("information", "a.xml"),
        ("information", "b.xml"),
    ]
    assert issues[0].message == "could not be evaluated for this file: the format cannot carry it"


@pytest.mark.parametrize("severity", ["error", "warning", "information"])
def test_the_profile_severity_is_the_issue_severity(severity: str) -> None:
    def check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        yield Finding("")

    issues = Session([ActiveRule(_rule(check), severity)], _CONTEXT).record(_record())  # type: ignore[arg-type]
    assert [issue.severity for issue in issues] == [severity]


def _duplicate_ids_rule() -> SubmissionRule:
    def summarise(record: ChildRecord, context: CheckContext) -> Iterator[tuple[str, object]]:
        yield "/child/nhs_number", record.child.nhs_number

    def judge(entries: Sequence[Entry[object]], context: CheckContext) -> Iterator[Entry[object]]:
        counts = Counter(entry.value for entry in entries)
        return (entry for entry in entries if counts[entry.value] > 1)

    return SubmissionRule(
        id="test/duplicate-nhs-number",
        pack="test",
        strength="MUST",
        message="two records share an NHS number",
        fields=("/child/nhs_number",),
        summarise=summarise,
        judge=judge,
        doc=_DOC,
        examples=(passes("any", {"child": {}}),),
    )


def test_a_submission_rule_reports_entries_located_through_the_records_lineage() -> None:
    session = Session([ActiveRule(_duplicate_ids_rule(), "error")], _CONTEXT)
    for child_id, line in (("C1", 7), ("C2", 8), ("C3", 9)):
        assert session.record(_record(child_id, "f.xml", line)) == []
    issues = session.finish()
    assert [(issue.child, issue.canonical_path) for issue in issues] == [
        ("C1", "/records/0/child/nhs_number"),
        ("C2", "/records/1/child/nhs_number"),
        ("C3", "/records/2/child/nhs_number"),
    ]
    assert [(issue.location.file, issue.location.line) for issue in issues if issue.location] == [
        ("f.xml", 7),
        ("f.xml", 8),
        ("f.xml", 9),
    ]


def _two_rules() -> list[ActiveRule]:
    def nhs(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        yield Finding("/child/nhs_number")

    def part(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        yield Finding("/assessments/0/completed_date", "never set")

    return [
        ActiveRule(_rule(nhs, "test/nhs"), "error"),
        ActiveRule(_rule(part, "test/part"), "warning"),
        ActiveRule(_duplicate_ids_rule(), "error"),
    ]


@pytest.mark.parametrize("collector_enabled", [True, False])
def test_deferred_mode_builds_the_same_issues_in_the_same_order_and_leaves_the_collector_as_it_was(
    collector_enabled: bool,
) -> None:
    records = [_record("C1", "f.xml", 7), _record("C2", "f.xml", 8)]
    direct = Session(_two_rules(), _CONTEXT, default_file="f.xml")
    expected = [*direct.record(records[0]), *direct.record(records[1]), *direct.finish()]
    reader_issue = Issue(rule="read/test", severity="warning", message="from the reader")
    deferred = Session(_two_rules(), _CONTEXT, default_file="f.xml", deferred=True)
    was = gc.isenabled()
    if not collector_enabled:
        gc.disable()
    try:
        assert deferred.record(records[0]) == []
        deferred.hold(reader_issue)
        assert deferred.record(records[1]) == []
        built = deferred.finish()
        assert gc.isenabled() is collector_enabled
    finally:
        if was:
            gc.enable()
    assert built == [*expected[:2], reader_issue, *expected[2:]]
    assert [issue.rule for issue in built] == [
        "test/nhs", "test/part", "read/test", "test/nhs", "test/part",
        "test/duplicate-nhs-number", "test/duplicate-nhs-number",
    ]  # fmt: skip
    located = {issue.rule: issue.location for issue in built if issue.child == "C1"}
    assert located["test/part"] is not None and located["test/part"].path == "/C/A[1]"  # the enclosing part
    assert built[0].location is not None and built[0].location.line == 7


def test_an_issue_in_a_record_whose_unchecked_lineage_row_is_invalid_is_still_reported_in_the_file() -> None:
    """Readers may leave their lineage rows to be validated on first use; the engine looks rows up without
    validating the whole lineage, so a row that is not a valid location must not break or mislocate the issue."""

    def check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        yield Finding("/child/nhs_number")

    rows = (
        ("/child/local_ids/0/la_child_id", "f.xml", 3, None, None, "/C/Id", "t"),
        ("/child/nhs_number", "f.xml", 0, None, None, "/C/NHS", "t"),  # line 0: not a valid location
    )
    record = ChildRecord.model_validate({"child": {"nhs_number": "9434765918"}}).model_copy(
        update={"lineage": Lineage.from_rows(rows, check=False)}
    )
    for deferred in (False, True):
        session = Session([ActiveRule(_rule(check), "error")], _CONTEXT, default_file="f.xml", deferred=deferred)
        issues = [*session.record(record), *session.finish()]
        assert [(issue.rule, issue.canonical_path) for issue in issues] == [
            ("test/rule", "/records/0/child/nhs_number")
        ]
        location = issues[0].location
        assert location is not None and (location.file, location.line, location.path) == ("f.xml", None, None)
    good = ChildRecord.model_validate({"child": {"nhs_number": "9434765918"}}).model_copy(
        update={"lineage": Lineage.from_rows((rows[0], (*rows[1][:2], 9, *rows[1][3:])), check=False)}
    )
    issues = Session([ActiveRule(_rule(check), "error")], _CONTEXT).record(good)
    assert issues[0].location is not None and (issues[0].location.line, issues[0].location.path) == (9, "/C/NHS")


def test_every_part_of_a_record_can_be_named_by_a_rule() -> None:
    """``RecordPart`` names exactly the record's parts besides the child itself, its lineage and the purge
    flag, so a part added to the model is one a rule can declare it judges (and the engine can skip by)."""
    parts = set(typing.get_args(RecordPart))
    assert parts == set(ChildRecord.model_fields) - {"child", "lineage", "purge"}
    judged: list[str] = []

    def check(record: ChildRecord, context: CheckContext) -> Iterator[Outcome]:
        judged.append(record.child.local_ids[0].la_child_id)
        return iter(())

    rule = dataclasses.replace(_rule(check), applies_to=("adoption",))
    session = Session([ActiveRule(rule, "error")], _CONTEXT)
    with_adoption = _record("C2").model_copy(update={"adoption": Adoption(adopter_count=2)})
    for record in (_record("C1"), with_adoption):
        session.record(record)
    assert judged == ["C2"]
