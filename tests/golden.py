"""Golden files: a reader's events for a fixture, as stable JSON, compared with the committed file.

Set ``ECM_UPDATE_GOLDEN=1`` to rewrite the files after a deliberate change (and review the diff).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gateway import ChildRecord, Issue, SubmissionHeader

__all__ = ["assert_golden", "events_as_json"]


def events_as_json(events: Iterable[object]) -> list[dict[str, Any]]:
    """Each event as plain JSON data, tagged with its kind."""
    out: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, SubmissionHeader):
            out.append(
                {
                    "header": {
                        "format_id": event.format_id,
                        "format_version": event.format_version,
                        "la_code": event.la_code,
                        "details": event.details,
                    }
                }
            )
        elif isinstance(event, ChildRecord):
            out.append({"record": event.model_dump(mode="json", exclude_defaults=True)})
        elif isinstance(event, Issue):
            out.append({"issue": event.model_dump(mode="json", exclude_none=True)})
        else:
            raise TypeError(type(event).__name__)
    return out


def assert_golden(path: Path, events: Iterable[object]) -> None:
    """Compare the events with the golden file at ``path`` (or write it when updating)."""
    actual = json.dumps(events_as_json(events), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("ECM_UPDATE_GOLDEN") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if os.environ.get("ECM_UPDATE_GOLDEN") != "1":
            raise AssertionError(f"golden file {path.name} was missing and has been written; review and rerun")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path.name}; run with ECM_UPDATE_GOLDEN=1 and review the diff"
