"""Each JSON Lines record goes through the hardened JSON loader: ambiguity and control characters are issues."""

from __future__ import annotations

from adapters.canonical.jsonl import CanonicalJsonlReader
from gateway import ChildRecord, Issue, SourceFile

GOOD = b'{"child":{"local_ids":[{"la_code":"201","la_child_id":"A1"}]}}\n'


def _read(data: bytes) -> tuple[list[ChildRecord], list[Issue]]:
    events = list(CanonicalJsonlReader().read([SourceFile(name="x.jsonl", data=data)]))
    return [e for e in events if isinstance(e, ChildRecord)], [e for e in events if isinstance(e, Issue)]


def test_a_duplicate_key_is_an_error_located_by_line_and_pointer_and_the_record_is_not_read() -> None:
    records, issues = _read(GOOD + b'{"child":{"sex":"M","sex":"F","local_ids":[]}}\n')
    assert len(records) == 1
    (issue,) = issues
    assert (issue.rule, issue.severity) == ("read/json-duplicate-key", "error")
    assert issue.location is not None and (issue.location.line, issue.location.path) == (2, "/child/sex")


def test_a_nul_inside_a_string_is_an_error_and_never_echoed() -> None:
    records, issues = _read(b'{"child":{"local_ids":[{"la_code":"201","la_child_id":"Zed\\u0000ka"}]}}\n' + GOOD)
    assert len(records) == 1
    (issue,) = issues
    assert issue.rule == "read/json-control-character" and issue.location is not None
    assert issue.location.line == 1 and "Zed" not in issue.message


def test_nan_and_huge_numbers_are_refused() -> None:
    _records, issues = _read(b'{"child":{},"x":NaN}\n{"child":{},"x":1' + b"0" * 400 + b"}\n")
    assert len(issues) == 2 and all(issue.severity == "error" for issue in issues)
