"""Hypothesis: generated and mutated payloads never make the DfE CSC API reader raise."""

from __future__ import annotations

import copy
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.dfe_api.reader import DfeApiReader
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader
from tests.adapters.dfe_api.reading import FIXTURES

READER = DfeApiReader(la_code="201")
SEEDS = [orjson.loads((FIXTURES / name).read_bytes()) for name in ("payload-document.json", "structure-example.json")]
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.text(max_size=10)
    | st.sampled_from(["2024-01-01", "2024-02-30", "01/02/2024", "WBRI", "M", "true", "", " "])
)
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


def _check(data: bytes) -> None:
    events = list(READER.read([SourceFile(name="fuzz.json", data=data)]))
    assert isinstance(events[0], SubmissionHeader)
    for event in events[1:]:
        assert isinstance(event, ChildRecord | Issue)
        if isinstance(event, Issue):
            assert event.location is not None and event.location.file == "fuzz.json"


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_nodes(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_nodes(child, (*path, index)))
    return found


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(_json)
def test_generated_json(value: Any) -> None:
    _check(orjson.dumps(value))


@FUZZ
@given(st.data())
def test_mutated_payloads(data: st.DataObject) -> None:
    document = copy.deepcopy(data.draw(st.sampled_from(SEEDS)))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(_nodes(document)))
        replacement = data.draw(_json)
        if not path:
            document = replacement
            continue
        parent = document
        try:
            for part in path[:-1]:
                parent = parent[part]
            if data.draw(st.booleans()):
                parent[path[-1]] = replacement
            else:
                del parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
    _check(orjson.dumps(document))
