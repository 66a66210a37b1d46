"""Nested members of the wrong JSON type: one located ``read/dfe-api/type`` each, the rest of the child read.

Each case takes the first (fully valid) child of ``payload-document.json``, changes the JSON type of one
object, list of objects or list item, and compares the result with reading the child without that part:
the same record and issues, plus exactly one ``read/dfe-api/type`` error at the part's JSON pointer.
"""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from tests.adapters.dfe_api.reading import FIXTURES, Read, read

CHILD: dict[str, Any] = orjson.loads((FIXTURES / "payload-document.json").read_bytes())["Children"][0]
EPISODE = "/social_care_episodes/0"

# (pointer inside the child, the wrong value, the message) for objects and lists of objects.
MEMBERS: list[tuple[str, Any, str]] = [
    ("/child_details", "DFE0001", "child_details must be an object"),
    ("/child_details", [{"surname": "Ashdown"}], "child_details must be an object"),
    ("/health_and_wellbeing", 14, "health_and_wellbeing must be an object"),
    ("/health_and_wellbeing/sdq_assessments", {"score": 14}, "sdq_assessments must be a list"),
    ("/social_care_episodes", {"social_care_episode_id": "EP-2"}, "social_care_episodes must be a list"),
    (f"{EPISODE}/care_worker_details", "SW301", "care_worker_details must be a list"),
    (
        f"{EPISODE}/child_and_family_assessments",
        {"start_date": "2023-11-03"},
        "child_and_family_assessments must be a list",
    ),
    (f"{EPISODE}/adoption", [], "adoption must be an object"),
    (f"{EPISODE}/care_leavers", "none", "care_leavers must be an object"),
]

# (pointer of a list inside the child, a wrong item appended to it, the message).
ITEMS: list[tuple[str, Any, str]] = [
    ("/social_care_episodes", "EP-2", "item 1 of social_care_episodes must be an object"),
    (f"{EPISODE}/care_worker_details", "SW303", "item 2 of care_worker_details must be an object"),
    (
        f"{EPISODE}/child_in_need_plans",
        [{"child_in_need_plan_id": "CINP-2"}],
        "item 1 of child_in_need_plans must be an object",
    ),
    (f"{EPISODE}/child_looked_after_placements", 7, "item 0 of child_looked_after_placements must be an object"),
    ("/health_and_wellbeing/sdq_assessments", 14, "item 1 of sdq_assessments must be an object"),
]


def _parent(child: dict[str, Any], pointer: str) -> tuple[Any, str | int]:
    *path, last = pointer.strip("/").split("/")
    node: Any = child
    for part in path:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, int(last) if isinstance(node, list) else last


def _read(child: dict[str, Any]) -> Read:
    return read({"la_code": 201, "Children": [child]})


def _assert_one_located_type_issue(changed: Read, reference: Read, path: str, message: str) -> None:
    wrong = [issue for issue in changed.issues if issue not in reference.issues]
    assert [(issue.rule, issue.severity, issue.message) for issue in wrong] == [
        ("read/dfe-api/type", "error", f"{message}; it was not read")
    ]
    location = wrong[0].location
    assert location is not None and (location.file, location.path) == ("payload.json", path)
    assert wrong[0].child == "DFE0001"
    # Nothing else changes: every other issue, and the child as read without the part.
    assert [issue for issue in changed.issues if issue not in wrong] == reference.issues
    assert changed.records == reference.records


def test_the_unchanged_child_has_no_type_issue() -> None:
    result = _read(CHILD)
    assert "read/dfe-api/type" not in result.rules()
    (record,) = result.records
    assert len(record.cin_episodes) == 1 and len(record.involvements) == 2


@pytest.mark.parametrize(("pointer", "value", "message"), MEMBERS, ids=[f"{p}={v!r}" for p, v, _ in MEMBERS])
def test_a_member_of_the_wrong_type_is_one_located_issue(pointer: str, value: Any, message: str) -> None:
    changed, without = copy.deepcopy(CHILD), copy.deepcopy(CHILD)
    parent, key = _parent(changed, pointer)
    parent[key] = value
    parent, key = _parent(without, pointer)
    parent.pop(key, None)  # the child has no adoption or care_leavers: those are added with a wrong type
    _assert_one_located_type_issue(_read(changed), _read(without), f"/Children/0{pointer}", message)


@pytest.mark.parametrize(("pointer", "item", "message"), ITEMS, ids=[f"{p}+{v!r}" for p, v, _ in ITEMS])
def test_an_item_that_is_not_an_object_is_one_located_issue(pointer: str, item: Any, message: str) -> None:
    changed = copy.deepcopy(CHILD)
    parent, key = _parent(changed, pointer)
    parent[key].append(item)
    position = len(parent[key]) - 1
    _assert_one_located_type_issue(_read(changed), _read(CHILD), f"/Children/0{pointer}/{position}", message)


def test_the_rest_of_the_child_is_read_when_its_details_are_not_an_object() -> None:
    changed = {**CHILD, "child_details": "DFE0001"}
    (record,) = _read(changed).records
    assert record.child.local_ids[0].la_child_id == "DFE0001"
    assert record.child.names == ()
    assert [episode.episode_id for episode in record.cin_episodes] == ["EP-1"]
    assert len(record.assessments) == 1 and len(record.child_protection_plans) == 1


def test_health_and_wellbeing_members_are_checked_though_not_carried() -> None:
    changed = {**CHILD, "health_and_wellbeing": {"sdq_assessments": [], "purge": "no", "sdq_total": 3}}
    result = _read(changed)
    found = {
        (issue.rule, issue.location.path)
        for issue in result.issues
        if issue.location and issue.rule.startswith("read/")
    }
    assert found == {
        ("read/dfe-api/type", "/Children/0/health_and_wellbeing/purge"),
        ("read/dfe-api/unknown-member", "/Children/0/health_and_wellbeing/sdq_total"),
    }
    # Nothing was carried from it, so it is not counted as data the model does not hold.
    assert [
        issue.location.path for issue in result.issues if issue.rule == "map/dfe-api/not-carried" if issue.location
    ] == ["/Children/0/mis_child_id"]


def test_null_nested_members_are_absent_not_issues() -> None:
    changed = copy.deepcopy(CHILD)
    changed["health_and_wellbeing"] = None
    changed["social_care_episodes"][0].update({"adoption": None, "care_worker_details": None})
    assert "read/dfe-api/type" not in _read(changed).rules()
