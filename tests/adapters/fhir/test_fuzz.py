"""Hypothesis: generated and mutated inputs never make the FHIR reader raise; every problem is an Issue."""

from __future__ import annotations

import copy
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.fhir.reader import FhirReader
from adapters.fhir.synthetic import synthetic_bundles
from gateway import ChildRecord, Issue, SourceFile, SubmissionHeader
from tests.adapters.fhir.reading import BUNDLES, UKCORE

READER = FhirReader()
SEEDS: list[dict[str, Any]] = [
    orjson.loads((BUNDLES / "child-with-caf.json").read_bytes()),
    orjson.loads((BUNDLES / "problems.json").read_bytes().replace(b"\\u0000", b"0")),
    orjson.loads(next(synthetic_bundles(1))),
    orjson.loads((UKCORE / "UKCore-Patient-RichardSmith-Example.json").read_bytes()),
]
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        ["2024-01-01", "2024-13-45", "2024", "2024-01-01T10:00:00Z", "urn:uuid:r0", "#giver", "Patient/1", "male", "f"]
    )
)
_json = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=12,
)
_resource_types = st.sampled_from(
    ["Patient", "RelatedPerson", "CareTeam", "Encounter", "QuestionnaireResponse", "Consent", "Practitioner",
     "PractitionerRole", "Organization", "Bundle", "Flag", "Nope"]
)  # fmt: skip


def _check(data: bytes) -> list[object]:
    events = list(READER.read([SourceFile(name="fuzz.json", data=data)]))
    assert isinstance(events[0], SubmissionHeader)
    for event in events[1:]:
        assert isinstance(event, ChildRecord | Issue)
        if isinstance(event, Issue):
            # A mapping fault surfaces as this issue in production; the fuzzer must never find one.
            assert event.rule != "map/fhir/record-invalid"
            assert event.location is not None and event.location.file == "fuzz.json"
    return events


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    _check(data)


@FUZZ
@given(_resource_types, st.dictionaries(st.text(max_size=12), _json, max_size=6))
def test_generated_resources(resource_type: str, fields: dict[str, Any]) -> None:
    _check(orjson.dumps({**fields, "resourceType": resource_type}))


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_nodes(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_nodes(child, (*path, index)))
    return found


def _mutate(document: Any, path: tuple[Any, ...], action: str, replacement: Any) -> Any:
    if not path:
        return replacement
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[key]))
    else:
        parent[key] = replacement
    return document


_strings = st.text(max_size=10) | st.sampled_from(["", " ", "x y", "2024-02-30", "lead-professional", "single", "MTH"])
_CODED_KEYS = frozenset(
    {"code", "system", "status", "use", "gender", "linkId", "url", "questionnaire", "reference", "value", "valueCode",
     "valueDate", "valueString", "valueBoolean", "birthDate", "start", "end", "dateTime", "versionId", "type"}
)  # fmt: skip


@settings(FUZZ, max_examples=300)
@given(st.data())
def test_mutated_valid_bundles(data: st.DataObject) -> None:
    """Mutations aimed inside one resource at a time, so that the mapping (not only validation) is hit."""
    document = copy.deepcopy(data.draw(st.sampled_from(SEEDS)))
    for _ in range(data.draw(st.integers(1, 4))):
        listed = document.get("entry") if isinstance(document, dict) else None
        by_type: dict[str, list[tuple[Any, ...]]] = {}
        for index, item in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(item, dict) and isinstance(item.get("resource"), dict):
                kind = str(item["resource"].get("resourceType"))
                by_type.setdefault(kind, []).append(("entry", index, "resource"))
        base: tuple[Any, ...] = ()
        if by_type and data.draw(st.integers(0, 9)):  # mostly inside one resource, type by type
            base = data.draw(st.sampled_from(by_type[data.draw(st.sampled_from(sorted(by_type)))]))
        target = document
        for part in base:
            target = target[part]
        paths = [base + path for path in _nodes(target)]
        action = data.draw(st.sampled_from(["replace", "replace-code", "delete", "duplicate"]))
        if action == "replace-code":
            coded = [path for path in paths if path and path[-1] in _CODED_KEYS]
            paths = coded or paths
        path = data.draw(st.sampled_from(paths))
        replacement = data.draw(_strings if action == "replace-code" else _json)
        try:
            document = _mutate(document, path, action, replacement)
        except (KeyError, IndexError, TypeError):
            continue  # the path went away with an earlier mutation
    _check(orjson.dumps(document))


@FUZZ
@given(st.data())
def test_mutated_bytes_of_a_valid_bundle(data: st.DataObject) -> None:
    raw = bytearray(orjson.dumps(data.draw(st.sampled_from(SEEDS)), option=orjson.OPT_INDENT_2))
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position : position + data.draw(st.integers(0, 3))] = data.draw(st.binary(max_size=3))
    _check(bytes(raw))


def test_every_coded_leaf_of_the_rich_bundle_replaced_by_a_bad_value() -> None:
    """Deterministic complement to the random mutations: each coded leaf, one at a time, made wrong."""
    seed = SEEDS[0]
    leaves = [path for path in _nodes(seed) if path and path[-1] in _CODED_KEYS]
    assert len(leaves) > 100
    for path in leaves:
        for bad in ("x y", 0, None):
            _check(orjson.dumps(_mutate(copy.deepcopy(seed), path, "replace", bad)))
