"""The canonical JSON Lines format: round trip, located issues, hostile lines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.canonical.jsonl import CanonicalJsonlReader, CanonicalJsonlWriter
from gateway import Child, ChildRecord, Issue, LocalId, PersonName, SourceFile, SubmissionHeader

READER = CanonicalJsonlReader()
WRITER = CanonicalJsonlWriter()

RECORDS = [
    ChildRecord(child=Child(local_ids=(LocalId(la_code="201", la_child_id="A1"),), nhs_number="9912003890")),
    ChildRecord(child=Child(names=(PersonName(given=("Zed",), family="Example"),), sex="U")),
]


def _read(data: bytes) -> list[object]:
    return list(READER.read([SourceFile(name="extract.jsonl", data=data)]))


def test_round_trip_keeps_every_record() -> None:
    events = _read(WRITER.write(RECORDS))
    assert isinstance(events[0], SubmissionHeader)
    assert events[1:] == RECORDS


def test_bad_line_is_located_and_others_still_load() -> None:
    good = WRITER.write(RECORDS[:1])
    data = good + b"\n" + b'{"child": {"sex": "X"}}\n' + b"not json\n" + b"[1]\n" + good
    events = _read(data)
    records = [e for e in events if isinstance(e, ChildRecord)]
    issues = [e for e in events if isinstance(e, Issue)]
    assert len(records) == 2
    assert [(i.rule, i.location.line if i.location else None) for i in issues] == [
        ("read/schema/literal_error", 3),
        ("read/json-syntax", 4),
        ("read/json-shape", 5),
    ]
    assert issues[0].location is not None and issues[0].location.path == "/child/sex"


def test_issue_messages_never_echo_values() -> None:
    private_value = "Secretname-Do-Not-Echo"
    data = (
        '{"child": {"names": [{"given": "' + private_value + '"}], "birth_date": "' + private_value + '"}}\n'
    ).encode()
    issues = [e for e in _read(data) if isinstance(e, Issue)]
    assert issues
    assert all(private_value not in issue.model_dump_json() for issue in issues)


def test_nan_and_invalid_utf8_are_issues() -> None:
    issues = [e for e in _read(b'{"child": {"sex": NaN}}\n{"child": {"sex": "\xff"}}\n') if isinstance(e, Issue)]
    assert [i.rule for i in issues] == ["read/json-number", "read/encoding"]  # as the FHIR and DfE readers say


def test_sniff() -> None:
    assert READER.sniff("x.jsonl", WRITER.write(RECORDS))
    assert not READER.sniff("x.xml", WRITER.write(RECORDS))
    assert not READER.sniff("x.jsonl", b"<xml/>")


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    for event in _read(data):
        assert isinstance(event, SubmissionHeader | ChildRecord | Issue)
