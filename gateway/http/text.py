"""Free text and identifiers that arrive in requests: printable only.

A NUL byte or another control character in a reason, a name or an id is never meaningful, cannot be stored
in PostgreSQL's text columns (the write would fail and the caller be told to retry for ever), and could
forge lines in logs read by people, so it is refused with 422 before anything is done. Line breaks and tabs
stay allowed in free text. :func:`printable_json_body` applies this to every string of a JSON body (a
router dependency of the store APIs), :data:`PrintableText` and :data:`PRINTABLE_ID` to single fields.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Final

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator

__all__ = ["PRINTABLE_ID", "PrintableText", "printable", "printable_json_body"]

PRINTABLE_ID: Final = r"^[^\x00-\x1f\x7f]+$"
"""Pattern for ids in paths: anything but ASCII control characters."""

_ALLOWED_CONTROLS: Final = frozenset("\t\n\r")


def _unprintable(value: str) -> bool:
    return any(char not in _ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cs") for char in value)


def printable(value: str) -> str:
    """``value`` when it holds no control character (other than tab and line breaks) and no lone surrogate."""
    if _unprintable(value):
        raise ValueError("control characters are not allowed")
    return value


def _first_unprintable(value: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    if isinstance(value, str):
        return path if _unprintable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _unprintable(key):
                return (*path, "*")
            found = _first_unprintable(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_unprintable(item, (*path, index))
            if found is not None:
                return found
    return None


async def printable_json_body(request: Request) -> None:
    """Refuse (422, naming the field, never its value) a JSON body with a control character in any string."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if not request.headers.get("content-type", "").split(";")[0].strip().endswith("json"):
        return
    try:
        body = await request.json()
    except ValueError:
        return  # not JSON at all: the route's own parsing answers
    where = _first_unprintable(body, ("body",))
    if where is not None:
        raise RequestValidationError(
            [{"type": "control_characters", "loc": where, "msg": "control characters are not allowed", "input": None}]
        )


PrintableText = Annotated[str, AfterValidator(printable)]
"""A ``str`` with :func:`printable` applied (combine with ``Field`` for lengths)."""
