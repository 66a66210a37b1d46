"""A hostile-input corpus for the DfE CSC API reader: refused or read with located issues, never a crash."""

from __future__ import annotations

import pytest

from adapters.dfe_api.reader import DfeApiReader
from gateway import SourceFile
from tests.adapters.dfe_api.reading import read

GOOD = b'{"la_code": 201, "Children": [{"la_child_id": "C1", "child_details": {"surname": "Brook"}}]}'

HOSTILE: dict[str, tuple[bytes, str]] = {
    "deep-array": (b"[" * 100_000 + b"]" * 100_000, "read/json-depth"),
    "deep-object": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "read/json-depth"),
    "nan": (b'{"la_code": NaN, "Children": []}', "read/json-number"),
    "infinity": (b'{"la_code": 201, "Children": [{"la_child_id": Infinity}]}', "read/json-number"),
    "huge-number": (b'{"la_code": ' + b"2" * 5000 + b', "Children": []}', "read/json-number"),
    "duplicate-key": (b'{"la_code": 201, "la_code": 202, "Children": []}', "read/json-duplicate-key"),
    "utf-16": (GOOD.decode().encode("utf-16"), "read/encoding"),
    "latin-1": (
        '{"la_code": 201, "Children": [{"la_child_id": "C1", "child_details": {"surname": "Brontë"}}]}'.encode(
            "latin-1"
        ),
        "read/encoding",
    ),
    "empty": (b"", "read/json-syntax"),
    "truncated": (GOOD[:-3], "read/json-syntax"),
    "scalar": (b"42", "read/dfe-api/shape"),
    "other-object": (b'{"resourceType": "Patient"}', "read/dfe-api/shape"),
    "child-not-an-object": (b'{"la_code": 201, "Children": ["C1", 7]}', "read/dfe-api/shape"),
    "nul": (b'{"la_code": 201, "Children": [{"la_child_id": "C\\u0000"}]}', "read/json-control-character"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_payload_gives_a_located_issue(name: str) -> None:
    data, rule = HOSTILE[name]
    result = read(data, name=f"{name}.json")
    assert result.records == []
    assert rule in result.rules(), result.rules()
    assert all(issue.location is not None and issue.location.file == f"{name}.json" for issue in result.issues)


def test_oversized_payload_is_refused() -> None:
    events = list(DfeApiReader(max_bytes=64).read([SourceFile(name="big.json", data=GOOD + b" " * 64)]))
    assert [getattr(event, "rule", None) for event in events[1:]] == ["read/too-large"]
