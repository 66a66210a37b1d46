"""The documented error responses: one body shape for every error, and the status codes each route gives."""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict

__all__ = ["ErrorBody", "document_malformed_bodies", "errors"]


class ErrorBody(BaseModel):
    """Every error answer. It never repeats a submitted value: fields are named, values are not."""

    model_config = ConfigDict(extra="allow")

    error: str
    """What went wrong and what to do, in plain words."""


_MEANING: Final[dict[int, str]] = {
    400: "Malformed body (not parseable as its content type)",
    401: "No credentials, or credentials refused (missing, expired, wrong audience, replayed, revoked ...)",
    403: "Authenticated but not allowed: scope missing or escalated, or a council the client may not act for",
    404: "Not found, or not yours to see (the two answer alike)",
    409: (
        "Conflict: the message id is already used by another client or for another payload, or a review "
        "decision does not fit the review's current state (already decided, nothing to unmerge ...)"
    ),
    413: "Body, part or record count over the limit",
    415: "Content type not supported (name the format with the format parameter)",
    422: "Request invalid (fields named, values never repeated) or the submission could not be read in time",
    429: "Rate limit: wait for the seconds in Retry-After",
    500: "Unexpected error (logged without personal data; no details returned)",
    503: "Not ready: the database is unavailable",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each code with the error body and its meaning. 413 (any request may carry
    an oversized body) and 500 are always included."""
    return {code: {"model": ErrorBody, "description": _MEANING[code]} for code in sorted({*codes, 413, 500})}


def document_malformed_bodies(app: FastAPI) -> None:
    """Document 400 on every operation that takes a body (a body that does not parse is answered 400)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    responses = operation.setdefault("responses", {})
                    responses.setdefault(
                        "400",
                        {
                            "description": _MEANING[400],
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
                        },
                    )
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
