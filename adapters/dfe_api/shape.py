"""The shape of the DfE children's social care API payload, and flattening its objects into mapping rows.

The payload (``json_payload_structure.md``, DfE specification 0.7/0.8) nests objects: a child, its
``child_details`` and ``health_and_wellbeing``, its ``social_care_episodes`` and, in each episode, lists
of workers, assessments, plans, enquiries and placements. Each object becomes one flat
:class:`~gateway.mapping.SourceRow` for a declarative mapping in ``mappings/dfe-csc-api/``; this module
checks every member's JSON type on the way (a wrong type is an issue and the member is left out) and
locates each member by JSON pointer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from adapters._json import escape_pointer
from gateway import Issue, Severity, SourceLocation

__all__ = [
    "ADOPTION",
    "CARE_LEAVERS",
    "CHILD",
    "CHILD_DETAILS",
    "EPISODE",
    "EPISODE_LISTS",
    "HEALTH",
    "Flattened",
    "Kind",
    "flatten",
]

Kind = Literal["string", "boolean", "strings", "object", "objects"]

CHILD: Final[dict[str, Kind]] = {
    "la_child_id": "string", "mis_child_id": "string", "purge": "boolean", "child_details": "object",
    "health_and_wellbeing": "object", "social_care_episodes": "objects",
}  # fmt: skip
CHILD_DETAILS: Final[dict[str, Kind]] = {
    "unique_pupil_number": "string", "former_unique_pupil_number": "string",
    "unique_pupil_number_unknown_reason": "string", "first_name": "string", "surname": "string",
    "date_of_birth": "string", "expected_date_of_birth": "string", "sex": "string", "ethnicity": "string",
    "disabilities": "strings", "postcode": "string", "uasc_flag": "boolean", "uasc_end_date": "string",
    "purge": "boolean",
}  # fmt: skip
HEALTH: Final[dict[str, Kind]] = {"sdq_assessments": "objects", "purge": "boolean"}
EPISODE: Final[dict[str, Kind]] = {
    "social_care_episode_id": "string", "referral_date": "string", "referral_source": "string",
    "referral_no_further_action_flag": "boolean", "closure_date": "string", "closure_reason": "string",
    "care_worker_details": "objects", "child_and_family_assessments": "objects", "child_in_need_plans": "objects",
    "section_47_assessments": "objects", "child_protection_plans": "objects",
    "child_looked_after_placements": "objects", "adoption": "object", "care_leavers": "object", "purge": "boolean",
}  # fmt: skip
ADOPTION: Final[dict[str, Kind]] = {
    "initial_decision_date": "string", "matched_date": "string", "placed_date": "string", "purge": "boolean",
}  # fmt: skip
CARE_LEAVERS: Final[dict[str, Kind]] = {
    "contact_date": "string", "activity": "string", "accommodation": "string", "purge": "boolean",
}  # fmt: skip
EPISODE_LISTS: Final[dict[str, tuple[str, dict[str, Kind]]]] = {
    "care_worker_details": (
        "dfe-csc-api/care-worker", {"worker_id": "string", "start_date": "string", "end_date": "string"}
    ),
    "child_and_family_assessments": (
        "dfe-csc-api/child-and-family-assessment",
        {
            "child_and_family_assessment_id": "string", "start_date": "string", "authorisation_date": "string",
            "factors": "strings", "purge": "boolean",
        },
    ),
    "child_in_need_plans": (
        "dfe-csc-api/child-in-need-plan",
        {"child_in_need_plan_id": "string", "start_date": "string", "end_date": "string", "purge": "boolean"},
    ),
    "section_47_assessments": (
        "dfe-csc-api/section-47-assessment",
        {
            "section_47_assessment_id": "string", "start_date": "string", "icpc_required_flag": "boolean",
            "icpc_date": "string", "end_date": "string", "purge": "boolean",
        },
    ),
    "child_protection_plans": (
        "dfe-csc-api/child-protection-plan",
        {"child_protection_plan_id": "string", "start_date": "string", "end_date": "string", "purge": "boolean"},
    ),
    "child_looked_after_placements": (
        "dfe-csc-api/child-looked-after-placement",
        {
            "child_looked_after_placement_id": "string", "start_date": "string", "start_reason": "string",
            "placement_type": "string", "postcode": "string", "end_date": "string", "end_reason": "string",
            "change_reason": "string", "purge": "boolean",
        },
    ),
}  # fmt: skip
"""Episode member -> (mapping id, member types of each item)."""

_MEMBER_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_JSON_TYPE: Final = {"string": "a string", "boolean": "true or false", "strings": "a list of strings"}


@dataclass
class Flattened:
    """One object's scalar members as text (for a mapping row), where each came from, and the problems."""

    values: dict[str, str] = field(default_factory=dict)
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def note(self, rule: str, severity: Severity, message: str, file: str, pointer: str, *, child: str | None) -> None:
        self.issues.append(
            Issue(
                rule=rule,
                severity=severity,
                message=message,
                location=SourceLocation(file=file, path=pointer),
                child=child,
            )
        )


def flatten(
    obj: dict[str, Any],
    members: dict[str, Kind],
    *,
    file: str,
    pointer: str,
    into: Flattened,
    child: str | None,
    rename: dict[str, str] | None = None,
) -> None:
    """Add ``obj``'s scalar members (typed by ``members``) to ``into``; nested objects are the caller's.

    Every member's JSON type is checked here, nested ones included, so that a caller reads only the nested
    values that are objects and reports nothing itself: a wrong type is ``read/dfe-api/type`` at the
    member's pointer (or, for an item of a list of objects that is not an object, at the item's pointer).
    A null member is absent, not an issue.
    """
    for key, value in obj.items():
        where = f"{pointer}/{escape_pointer(key)}"
        kind = members.get(key)
        if kind is None:
            named = f"member {key!r}" if _MEMBER_NAME.fullmatch(key) else "a member"
            into.note(
                "read/dfe-api/unknown-member",
                "warning",
                f"{named} is not part of the DfE CSC API payload; it was ignored",
                file,
                where,
                child=child,
            )
            continue
        if value is None:
            continue
        if kind in ("object", "objects"):
            _check_nested(key, value, kind, file=file, pointer=where, into=into, child=child)
            continue
        text = _text(value, kind)
        if text is None:
            into.note(
                "read/dfe-api/type",
                "error",
                f"{key} must be {_JSON_TYPE[kind]}; it was not read",
                file,
                where,
                child=child,
            )
            continue
        name = (rename or {}).get(key, key)
        into.values[name] = text
        into.locations[name] = {"file": file, "path": where}


def _check_nested(
    key: str, value: Any, kind: Kind, *, file: str, pointer: str, into: Flattened, child: str | None
) -> None:
    """Note a nested member that is not an object (``object``) or not a list of objects (``objects``)."""
    if kind == "object":
        if not isinstance(value, dict):
            into.note(
                "read/dfe-api/type", "error", f"{key} must be an object; it was not read", file, pointer, child=child
            )
        return
    if not isinstance(value, list):
        into.note("read/dfe-api/type", "error", f"{key} must be a list; it was not read", file, pointer, child=child)
        return
    for position, item in enumerate(value):
        if not isinstance(item, dict):
            into.note(
                "read/dfe-api/type",
                "error",
                f"item {position} of {key} must be an object; it was not read",
                file,
                f"{pointer}/{position}",
                child=child,
            )


def _text(value: Any, kind: Kind) -> str | None:
    if kind == "boolean":
        return ("true" if value else "false") if isinstance(value, bool) else None
    if kind == "strings":
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return ";".join(value)
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # ids sent as numbers by some SQL exports: accepted as their digits
    return None
