"""Building blocks for the DfE CIN census rules' examples (synthetic records as plain data).

Every example record belongs to LA 201 and child ``C1`` unless it says otherwise; the 2023-24 census
(reference date 31 March 2024) is the default census year of the examples.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

__all__ = ["REFERENCE", "assessment", "cin_plan", "episode", "protection_plan", "record", "section47"]

REFERENCE: Final = date(2024, 3, 31)
"""The 2023-24 census reference date."""

_Data = dict[str, Any]


def record(child: Mapping[str, Any] | None = None, *, la_child_id: str = "C1", **parts: Any) -> _Data:
    """A child record: LA 201, the given LA child id, born 1 June 2015 unless ``child`` says otherwise."""
    base: _Data = {"local_ids": [{"la_code": "201", "la_child_id": la_child_id}], "birth_date": "2015-06-01"}
    return {"child": {**base, **(child or {})}, **parts}


def episode(episode_id: str = "E1", **fields: Any) -> _Data:
    """A CIN episode (``CINdetails``)."""
    return {"episode_id": episode_id, **fields}


def assessment(assessment_id: str = "A1", episode_id: str = "E1", **fields: Any) -> _Data:
    """An assessment of episode ``episode_id``."""
    return {"assessment_id": assessment_id, "episode_id": episode_id, "kind": "single", **fields}


def section47(enquiry_id: str = "S1", episode_id: str = "E1", **fields: Any) -> _Data:
    """A section 47 enquiry of episode ``episode_id``."""
    return {"enquiry_id": enquiry_id, "episode_id": episode_id, **fields}


def protection_plan(plan_id: str = "P1", episode_id: str = "E1", **fields: Any) -> _Data:
    """A child protection plan of episode ``episode_id``."""
    return {"plan_id": plan_id, "episode_id": episode_id, **fields}


def cin_plan(plan_id: str = "N1", episode_id: str = "E1", **fields: Any) -> _Data:
    """A CIN plan of episode ``episode_id``."""
    return {"plan_id": plan_id, "episode_id": episode_id, **fields}
